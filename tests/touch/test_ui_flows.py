"""Done-when flows, headless, each in its own Kivy process through the harness."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PIL import ImageChops, ImageStat

from kiosk.touch.admin import make_pin_hash
from kiosk.touch.testing.harness import run_scenario

from .ui import crop, has_target, ink, label_with, target, texts, visible

pytestmark = pytest.mark.timeout(180)


def test_tap_from_attract_to_home_category_detail_back_and_home(tmp_path: Path) -> None:
    r = run_scenario([
        {"wait": 0.3}, {"dump": "attract"},
        {"tap": {"x": 0.5, "y": 0.6}}, {"wait": 0.3}, {"dump": "home"},
        {"tap": {"tid": "cat-services"}}, {"wait": 0.3}, {"dump": "list"},
        {"tap": {"text": "Piscine des Tilleuls"}}, {"wait": 0.3}, {"dump": "detail"},
        {"tap": {"tid": "nav-back"}}, {"wait": 0.3}, {"dump": "back"},
        {"tap": {"tid": "nav-home"}}, {"wait": 0.3}, {"dump": "home2"},
    ], tmp_path)
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    assert r.dump("attract")["mode"] == "attract"
    assert "Touchez l'écran pour commencer" in texts(r.dump("attract"))
    assert r.results["events"][0] == ["session_start", "fr"]
    home = r.dump("home")
    assert (home["screen"], home["lang"]) == ("home", "fr")
    assert {"Services et horaires", "Menus de la cantine", "Agenda", "Numéros utiles"} <= set(texts(home))
    lst = r.dump("list")
    assert (lst["screen"], lst["category"]) == ("list", "services")
    assert "Ouvert · ferme à 12:00" in texts(lst)  # the town hall, Thursday 10:30
    detail = r.dump("detail")
    assert (detail["screen"], detail["doc_id"], detail["history"]) == ("detail", "pool", 2)
    assert {"Piscine des Tilleuls", "Fermé · ouvre à 12:00", "Continuez sur votre téléphone"} <= set(texts(detail))
    assert any(w["cls"] == "QRCode" for w in detail["widgets"])
    assert (r.dump("back")["screen"], r.dump("back")["history"]) == ("list", 1)
    assert (r.dump("home2")["screen"], r.dump("home2")["history"]) == ("home", 0)


def test_language_switch_changes_the_strings_in_the_tree_and_on_screen(tmp_path: Path) -> None:
    r = run_scenario([
        {"tap": {"x": 0.5, "y": 0.6}}, {"wait": 0.4}, {"dump": "fr"}, {"shot": "fr"},
        {"tap": {"tid": "lang-de"}}, {"wait": 0.4}, {"dump": "de"}, {"shot": "de"},
        {"tap": {"tid": "lang-es"}}, {"wait": 0.4}, {"dump": "es"},
    ], tmp_path)
    assert r.results["errors"] == [], r.stderr[-3000:]
    fr, de, es = r.dump("fr"), r.dump("de"), r.dump("es")
    assert "Services et horaires" in texts(fr) and "Retour" not in texts(fr)
    assert {"Einrichtungen und Öffnungszeiten", "Größere Schrift", "Hoher Kontrast", "Warnungen"} <= set(texts(de))
    assert "Services et horaires" not in texts(de)
    assert {"Servicios y horarios", "Alto contraste"} <= set(texts(es))
    assert target(de, "lang-de") and de["lang"] == "de"
    # The same tile, on the screenshots: text drawn in both, and not the same text.
    tile = target(fr, "cat-services")["visible_rect"]
    before, after = crop(tmp_path / "fr.png", tile, 1080), crop(tmp_path / "de.png", tile, 1080)
    assert ink(before) > 10 and ink(after) > 10
    assert ImageStat.Stat(ImageChops.difference(before, after).convert("L")).mean[0] > 1.0
    # and the rest of the tile (its colour) is unchanged
    assert before.getpixel((5, 5)) == after.getpixel((5, 5))


def test_idle_countdown_then_reset_to_attract_with_french_and_no_history(tmp_path: Path) -> None:
    r = run_scenario([
        {"tap": {"tid": "attract-lang-en"}}, {"wait": 0.3},
        {"tap": {"tid": "cat-agenda"}}, {"wait": 0.3},
        {"tap": {"tid": "nav-large"}}, {"tap": {"tid": "nav-contrast"}}, {"wait": 0.3},
        {"tap": {"tid": "row-storytime"}}, {"wait": 0.3}, {"dump": "before"},
        {"advance": 91}, {"wait": 0.2}, {"dump": "warning"}, {"shot": "warning"},
        {"tap": {"tid": "idle-continue"}}, {"wait": 0.4}, {"dump": "continued"},
        {"advance": 95}, {"advance": 10}, {"dump": "still-counting"},
        {"advance": 30}, {"wait": 0.3}, {"dump": "attract"},
        {"tap": {"x": 0.5, "y": 0.6}}, {"wait": 0.3}, {"dump": "next-visitor"},
    ], tmp_path, idle_s=90, countdown_s=30)
    assert r.results["errors"] == [], r.stderr[-3000:]
    assert r.dump("before")["lang"] == "en" and r.dump("before")["history"] == 2
    warning = r.dump("warning")
    assert warning["idle_overlay"] and warning["screen"] == "detail"
    assert "Still there?" in texts(warning)
    countdown = [t for t in texts(warning) if t.startswith("This screen will go back to the start in")]
    assert countdown and int(countdown[0].split(" in ")[1].split()[0]) >= 20
    assert target(warning, "idle-continue")
    continued = r.dump("continued")
    assert not continued["idle_overlay"] and continued["screen"] == "detail"
    assert r.dump("still-counting")["idle_overlay"]
    attract = r.dump("attract")
    assert (attract["mode"], attract["lang"], attract["history"]) == ("attract", "fr", 0)
    assert (attract["theme"], attract["large_text"]) == ("standard", False)
    assert all(v == 1.0 for v in attract["scroll"].values())
    assert ["attract", "idle"] in r.results["events"]
    nxt = r.dump("next-visitor")
    assert (nxt["screen"], nxt["lang"], nxt["history"]) == ("home", "fr", 0)
    assert "Services et horaires" in texts(nxt)


def test_escape_f1_shortcuts_and_close_requests_leave_the_app_running(tmp_path: Path) -> None:
    r = run_scenario([
        {"tap": {"x": 0.5, "y": 0.6}}, {"wait": 0.3},
        {"key": "escape"}, {"key": "f1"}, {"key": "q"}, {"key": "f4"}, {"close": True}, {"close": True},
        {"wait": 0.3}, {"dump": "after"},
    ], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.results["finished"] and r.results["errors"] == []
    assert ["closed_by_request"] not in r.results["events"]
    after = r.dump("after")
    assert (after["mode"], after["screen"]) == ("interactive", "home")
    assert not any(w["cls"] in ("SettingsWithSpinner", "Settings", "SettingsPanel") for w in after["widgets"])
    assert after["show_cursor"] is False
    assert "disable_multitouch" in after["mouse_provider"] and not after["multitouch_emulation"]
    assert "window close request ignored" in r.stderr


def test_admin_overlay_opens_on_a_long_corner_press_and_needs_the_right_pin(tmp_path: Path) -> None:
    corner = {"x": 0.01, "y": 0.99}
    r = run_scenario([
        {"tap": {"x": 0.5, "y": 0.6}}, {"wait": 0.3},
        {"press": corner, "hold_s": 2.0}, {"dump": "short-press"},
        {"press": corner, "hold_s": 5.5}, {"dump": "pin"},
        *[{"tap": {"tid": f"pin-{d}"}} for d in "1111"], {"tap": {"tid": "pin-ok"}}, {"wait": 0.3}, {"dump": "wrong"},
        *[{"tap": {"tid": f"pin-{d}"}} for d in "4821"], {"tap": {"tid": "pin-ok"}}, {"wait": 0.3}, {"dump": "panel"},
        {"shot": "admin"},
        {"tap": {"tid": "admin-sync_now"}}, {"tap": {"tid": "admin-test_card"}}, {"wait": 0.2}, {"dump": "synced"},
        {"tap": {"tid": "admin-close"}}, {"wait": 0.2}, {"dump": "closed"},
    ], tmp_path, pin_hash=make_pin_hash("4821"))
    assert r.results["errors"] == [], r.stderr[-3000:]
    assert not r.dump("short-press")["pin_pad"]
    pin = r.dump("pin")
    assert pin["pin_pad"] and not pin["admin_panel"]
    assert "Saisissez le code" in texts(pin)
    wrong = r.dump("wrong")
    assert wrong["pin_pad"] and not wrong["admin_panel"] and "Code incorrect" in texts(wrong)
    panel = r.dump("panel")
    assert panel["admin_panel"] and not panel["pin_pad"]
    shown = " | ".join(texts(panel))
    for expected in ("Appareil: harness-01", "Version du contenu: sample", "Réseau: offline (harness)",
                     "Dernière synchronisation:"):
        assert expected in shown
    assert r.results["admin_calls"] == ["sync_now", "test_card"]
    assert "Mire de test : demandé" in texts(r.dump("synced"))
    assert not r.dump("closed")["admin_panel"]


def test_without_a_pin_hash_the_corner_press_opens_nothing(tmp_path: Path) -> None:
    r = run_scenario([{"tap": {"x": 0.5, "y": 0.6}}, {"press": {"x": 0.01, "y": 0.99}, "hold_s": 6}, {"dump": "d"}],
                     tmp_path)
    assert not r.dump("d")["pin_pad"] and not r.dump("d")["admin_panel"]


def test_read_aloud_button_only_when_espeak_ng_is_installed(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "espeak-ng"
    exe.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/spoken.txt\n', encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    steps = [{"tap": {"x": 0.5, "y": 0.6}}, {"tap": {"tid": "cat-numbers"}}, {"tap": {"tid": "row-emergency"}},
             {"wait": 0.3}, {"dump": "detail"}]
    with_espeak = run_scenario([*steps, {"tap": {"tid": "nav-read"}}, {"wait": 0.5}],
                               tmp_path / "with", env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert has_target(with_espeak.dump("detail"), "nav-read")
    spoken = (tmp_path / "spoken.txt").read_text(encoding="utf-8").splitlines()
    assert spoken[:2] == ["-v", "fr"] and "Urgences (tous services)" in "\n".join(spoken[5:])
    path_without = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "espeak-ng").exists())
    without = run_scenario(steps, tmp_path / "without", env={"PATH": path_without})
    assert not has_target(without.dump("detail"), "nav-read")
    assert has_target(without.dump("detail"), "nav-large")


def test_bad_content_never_breaks_a_screen(tmp_path: Path) -> None:
    import shutil

    from kiosk.touch.testing.sample import DEMO_CONTENT

    src = tmp_path / "src"
    shutil.copytree(DEMO_CONTENT, src)
    long_title = "Très long titre " * 60
    (src / "kiosk" / "services.toml").write_text(
        '[[services]]\nid = "broken"\n[services.name]\nfr = "Salle des sports"\n'
        '[services.hours.weekly]\nmon = [["24:30", "12:00"]]\n\n'
        f'[[services]]\nid = "long"\n[services.name]\nfr = "{long_title}"\n'
        '[services.description]\nfr = "' + "Une description qui ne finit pas. " * 80 + '"\n',
        encoding="utf-8")
    r = run_scenario([
        {"tap": {"tid": "attract-lang-es"}}, {"tap": {"tid": "cat-services"}}, {"wait": 0.3}, {"dump": "list"},
        {"tap": {"tid": "row-long"}}, {"wait": 0.3}, {"dump": "long"}, {"shot": "long"},
    ], tmp_path / "run", content=src)
    assert r.results["errors"] == [], r.stderr[-3000:]
    lst = r.dump("list")
    assert "Ver detalles" in texts(lst)  # malformed hours, in Spanish
    assert "Salle des sports" in texts(lst)  # no Spanish name: French
    assert "kiosk.services[id=broken].hours.weekly.mon[0]: '24:30' is not a time of day" in r.stderr
    assert r.stderr.count("'24:30' is not a time of day") == 1
    long = r.dump("long")
    title = label_with(long, long_title)
    assert title["rect"][2] <= 1920 and not title["overflow"]
    assert not [w["text"][:40] for w in long["widgets"] if w.get("overflow")]


def test_a_new_content_version_updates_the_page_or_falls_back_home(tmp_path: Path) -> None:
    import shutil

    from kiosk.touch.testing.sample import DEMO_CONTENT

    renamed, removed = tmp_path / "renamed", tmp_path / "removed"
    for folder in (renamed, removed):
        shutil.copytree(DEMO_CONTENT, folder)
    services = (renamed / "kiosk" / "services.toml").read_text(encoding="utf-8")
    (renamed / "kiosk" / "services.toml").write_text(
        services.replace('fr = "Piscine des Tilleuls"', 'fr = "Centre aquatique des Tilleuls"'), encoding="utf-8")
    (removed / "kiosk" / "services.toml").write_text(
        services.split("[[services]]\nid = \"pool\"")[0], encoding="utf-8")
    r = run_scenario([
        {"tap": {"x": 0.5, "y": 0.6}}, {"tap": {"tid": "cat-services"}}, {"tap": {"tid": "row-pool"}},
        {"content": str(renamed)}, {"dump": "renamed"},
        {"content": str(removed)}, {"dump": "removed"},
    ], tmp_path / "run")
    assert r.results["errors"] == [], r.stderr[-3000:]
    renamed_dump = r.dump("renamed")
    assert (renamed_dump["screen"], renamed_dump["doc_id"]) == ("detail", "pool")
    assert "Centre aquatique des Tilleuls" in texts(renamed_dump)
    removed_dump = r.dump("removed")
    assert removed_dump["screen"] == "list" and "Centre aquatique des Tilleuls" not in texts(removed_dump)
    assert "Mairie" in texts(removed_dump)


def test_a_page_longer_than_the_screen_says_there_is_more_below_and_scrolls_to_it(tmp_path: Path) -> None:
    # In large text the pool's page runs past the bottom edge: it used to end at a cut-off
    # "Téléphone" with no sign that it scrolls.
    r = run_scenario([
        {"tap": {"x": 0.5, "y": 0.5}}, {"tap": {"tid": "cat-services"}}, {"tap": {"tid": "row-pool"}},
        {"tap": {"tid": "nav-large"}}, {"wait": 0.2}, {"dump": "cut"},
        {"tap": {"tid": "more-below"}}, {"wait": 0.2}, {"dump": "scrolled"},
    ], tmp_path)
    assert r.results["errors"] == [], r.stderr[-3000:]
    cut, scrolled = r.dump("cut"), r.dump("scrolled")
    more = target(cut, "more-below")
    assert "Suite plus bas" in texts(cut) and more["rect"][1] < 300  # over the bottom of the page
    phone = [w for w in visible(cut) if w.get("text") == "Téléphone"]
    assert not phone or phone[0]["visible_rect"] != phone[0]["rect"]  # not (fully) in view yet
    assert not has_target(scrolled, "more-below")
    phone = label_with(scrolled, "Téléphone")
    assert phone["visible_rect"] == phone["rect"]


def test_the_agenda_lists_day_headings_and_rows_in_order_without_overlap(tmp_path: Path) -> None:
    r = run_scenario([
        {"tap": {"x": 0.5, "y": 0.5}}, {"tap": {"tid": "cat-services"}}, {"tap": {"tid": "nav-home"}},
        {"tap": {"tid": "cat-agenda"}}, {"wait": 0.2}, {"dump": "agenda"},
    ], tmp_path, size=(1080, 1920))
    assert r.results["errors"] == [], r.stderr[-3000:]
    shown = [w for w in visible(r.dump("agenda")) if w["cls"] in ("ListHeading", "RowButton")]
    headings = [w["text"] for w in shown if w["cls"] == "ListHeading"]
    assert headings[:2] == ["Aujourd'hui · Jeudi 26 novembre", "Vendredi 27 novembre"], headings
    rows = [w["tid"] for w in shown if w["cls"] == "RowButton"]
    assert rows[:3] == ["row-storytime", "row-council", "row-christmas-market"]
    # the services list shown before left nothing behind: every row box is one of the agenda's
    assert all(t.startswith("row-") and "pool" not in t and "town-hall" not in t for t in rows)
    boxes = sorted((w["rect"] for w in shown), key=lambda b: -b[3])
    for upper, lower in zip(boxes, boxes[1:], strict=False):
        assert lower[3] <= upper[1] + 0.5, f"{upper} overlaps {lower}"
