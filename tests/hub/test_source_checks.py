"""What `kiosk publish` tells the communication team: every problem at once, named by file,
item and field in the site's time zone; date-times without seconds; media decoded; and
the traps of valid content as warnings (values an editor can show, printed by the CLI)."""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from hub.demo import demo_source_dir
from hub.publisher import PublishError, SourceNote, check_source, publish

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def _problems(src: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(PublishError) as exc:
        publish(src, tmp_path / "tree", NOW)
    return exc.value.problems


# -- 12: file, item and field, in the author's time zone; all stages at once ----------------
def test_a_window_problem_names_file_item_and_field_in_the_sites_time(tmp_path: Path, source: Path) -> None:
    _replace(source / "playlists" / "lobby.toml", 'id = "img-1"\n',
             'id = "img-1"\nvalid_from = 2027-03-27T00:00:00\nvalid_until = 2027-03-26T12:00:00\n')
    assert _problems(source, tmp_path) == [
        'playlists/lobby.toml: item "img-1": valid_until: 2027-03-26T12:00 (Europe/Paris) is not after '
        "valid_from 2027-03-27T00:00 (Europe/Paris)"]


def test_unknown_keys_get_a_did_you_mean_wherever_they_are(tmp_path: Path, source: Path) -> None:
    _replace(source / "playlists" / "lobby.toml", 'id = "img-0"\n', 'id = "img-0"\nvalid_unil = 2027-01-01T00:00:00\n')
    _replace(source / "playlists" / "lobby.toml", '[name]', 'nmae = "Hall"\n[name]')
    _replace(source / "bulletins" / "news.toml", 'severity = "warning"', 'severty = "warning"')
    _append(source / "site.toml", '\n[neutralty]\nelections = []\n')
    assert sorted(_problems(source, tmp_path)) == sorted([
        "playlists/lobby.toml: nmae: unknown key; did you mean 'name'?",
        "playlists/lobby.toml: item \"img-0\": valid_unil: unknown key; did you mean 'valid_until'?",
        "bulletins/news.toml: bulletin \"works\": severty: unknown key; did you mean 'severity'?",
        "site.toml: neutralty: unknown key; did you mean 'neutrality'?",
    ])


def test_every_stage_reports_at_once_and_nothing_is_written(tmp_path: Path, source: Path) -> None:
    publish(source, tmp_path / "tree", NOW)
    before = (tmp_path / "tree" / "v1" / "manifest.json").read_bytes()
    (source / "media" / "img1.png").unlink()  # the reader's problem
    _replace(source / "playlists" / "lobby.toml", "duration = 5\n", 'duration = "long"\n')  # the schema's
    _replace(source / "playlists" / "lobby.toml", 'bulletin = "works"', 'bulletin = "wroks"')  # a rule's
    _replace(source / "site.toml", 'default_playlist = "lobby"', 'default_playlist = "hall"')
    (source / "kiosk").mkdir()
    (source / "kiosk" / "places.toml").write_text('[[places]]\nid = "halle"\nname = { fr = "Halle" \n')  # TOML
    problems = _problems(source, tmp_path)
    assert problems[-1].startswith("kiosk/places.toml: ") and "inline table" in problems[-1]  # the parser's words
    assert problems[:-1] == [  # each file's lines together
        "site.toml: site.default_playlist: no playlist has id 'hall'",
        'playlists/lobby.toml: item "img-1": file: media/img1.png not found',
        "playlists/lobby.toml: item \"img-0\": duration: 'long' is not of type number",
        "playlists/lobby.toml: item \"news\": bulletin: unknown bulletin 'wroks'",
    ], problems
    assert (tmp_path / "tree" / "v1" / "manifest.json").read_bytes() == before


def test_a_file_that_cannot_be_read_does_not_echo_into_the_others(tmp_path: Path, source: Path) -> None:
    (source / "bulletins" / "news.toml").write_text('[[bulletins]\nid = "works"\n')
    problems = _problems(source, tmp_path)
    assert len(problems) == 1 and problems[0].startswith("bulletins/news.toml: "), problems  # no "unknown bulletin"


# -- 13: date-times without seconds ------------------------------------------------------------
def _manifest(tree: Path) -> dict:
    return json.loads((tree / "v1" / "manifest.json").read_bytes())


def test_date_times_and_times_without_seconds_are_read_in_the_sites_zone(tmp_path: Path, source: Path) -> None:
    _replace(source / "playlists" / "lobby.toml", 'id = "img-0"\n',
             'id = "img-0"\nvalid_from = 2026-12-16T15:00\nvalid_until = "2026-12-16T18:30"\n'
             "dayparts = [{ from = 17:00, to = 22:00 }]\n")
    (source / "kiosk").mkdir()
    (source / "kiosk" / "events.toml").write_text(
        '[[events]]\nid = "concert"\ntitle = { fr = "Concert" }\nstart = 2026-07-14T21:30\nend = "2026-07-14 23:00"\n')
    publish(source, tmp_path / "tree", NOW)
    doc = _manifest(tmp_path / "tree")
    item = doc["playlists"][0]["items"][0]
    assert (item["valid_from"], item["valid_until"]) == ("2026-12-16T14:00:00Z", "2026-12-16T17:30:00Z")
    assert item["dayparts"] == [{"from": "17:00", "to": "22:00"}]
    event = doc["kiosk"]["events"][0]
    assert (event["start"], event["end"]) == ("2026-07-14T19:30:00Z", "2026-07-14T21:00:00Z")  # summer: +02:00


def test_without_a_toml_1_1_parser_the_string_form_works_and_the_bare_form_says_how(tmp_path: Path,
                                                                                   source: Path) -> None:
    script = f"""
import sys
sys.modules["tomli"] = None  # Python 3.11's tomllib alone
from datetime import datetime, UTC
from pathlib import Path
from hub.publisher import PublishError, publish
src = Path({str(source)!r})
lobby = src / "playlists" / "lobby.toml"
text = lobby.read_text()
lobby.write_text(text.replace('id = "img-0"\\n', 'id = "img-0"\\nvalid_until = "2026-12-16T18:30"\\n', 1))
print(publish(src, Path({str(tmp_path / 'tree')!r}), datetime(2026, 12, 1, tzinfo=UTC)).version)
lobby.write_text(text.replace('id = "img-0"\\n', 'id = "img-0"\\nvalid_until = 2026-12-16T18:30\\n', 1))
try:
    publish(src, Path({str(tmp_path / 'tree')!r}))
except PublishError as e:
    print(e.problems[0])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    version, problem = done.stdout.splitlines()
    assert _manifest(tmp_path / "tree")["playlists"][0]["items"][0]["valid_until"] == "2026-12-16T17:30:00Z"
    assert problem.startswith("playlists/lobby.toml: ") and problem.endswith(
        '; a date-time or time without seconds needs quotes here (start = "2026-12-16T15:00") '
        "or the hub extra (pip install 'town-kiosk[hub]')"), problem


def test_a_local_time_the_clocks_skip_or_repeat_is_said(tmp_path: Path, source: Path) -> None:
    _replace(source / "playlists" / "lobby.toml", 'id = "img-0"\n',
             'id = "img-0"\nvalid_from = 2027-03-28T02:30\nvalid_until = 2027-10-31T02:30\n')
    r = publish(source, tmp_path / "tree", NOW)
    lines = [str(w) for w in r.notes if w.item == "img-0"]
    assert lines == [
        'playlists/lobby.toml: item "img-0": valid_from: 2027-03-28T02:30 does not exist in Europe/Paris '
        "(the clocks go forward): read as 03:30",
        'playlists/lobby.toml: item "img-0": valid_until: 2027-10-31T02:30 happens twice in Europe/Paris '
        "(the clocks go back): read as the first, UTC+0200; write it with its offset to choose",
    ]
    item = _manifest(tmp_path / "tree")["playlists"][0]["items"][0]
    assert (item["valid_from"], item["valid_until"]) == ("2027-03-28T01:30:00Z", "2027-10-31T00:30:00Z")


# -- 14: media decoded at publish ----------------------------------------------------------------
def _bomb_png(path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_media_the_screens_would_skip_are_said_one_line_each_and_published(tmp_path: Path, source: Path) -> None:
    media = source / "media"
    Image.new("RGB", (320, 180), (0, 0, 0)).save(media / "corrupt.jpg", format="JPEG")
    (media / "corrupt.jpg").write_bytes((media / "corrupt.jpg").read_bytes()[:200] + b"\x00" * 400)
    _bomb_png(media / "bomb.png")
    clip = (demo_source_dir() / "media" / "valbruyere.mp4").read_bytes()
    (media / "cut.mp4").write_bytes(clip[:3000])
    shutil.copy(demo_source_dir() / "media" / "valbruyere.mp4", media / "good.mp4")
    _append(source / "playlists" / "lobby.toml", "".join(
        f'\n[[items]]\nid = "{i}"\ntype = "{t}"\nfile = "media/{f}"\nduration = 2\n'
        for i, t, f in (("corrupt-jpeg", "image", "corrupt.jpg"), ("bomb-png", "image", "bomb.png"),
                        ("cut-mp4", "video", "cut.mp4"), ("good-mp4", "video", "good.mp4"))))
    r = publish(source, tmp_path / "tree", NOW)
    said = {w.item: str(w) for w in r.notes if w.field == "file"}
    assert set(said) == {"corrupt-jpeg", "bomb-png", "cut-mp4"}, said  # the good clip and the PNGs are fine
    assert said["corrupt-jpeg"].startswith('playlists/lobby.toml: item "corrupt-jpeg": file: media/corrupt.jpg: '
                                           "cannot be decoded (")
    assert said["bomb-png"] == ('playlists/lobby.toml: item "bomb-png": file: media/bomb.png: over the 40 MP limit '
                                "(decompression bomb): the screens will skip it")
    assert said["cut-mp4"].startswith('playlists/lobby.toml: item "cut-mp4": file: media/cut.mp4: no picture can be '
                                      "decoded (")
    assert all(line.endswith("the screens will skip it") and "\n" not in line for line in said.values())
    assert r.changed and r.media_count == 7


# -- 15: silent traps, as values --------------------------------------------------------------
def test_silent_traps_are_warnings_located_as_values(tmp_path: Path, source: Path) -> None:
    _append(source / "bulletins" / "news.toml",
            '\n[[bulletins]]\nid = "storm"\ncategory = "alert"\nseverity = "critical"\ntitle = { fr = "Tempête" }\n'
            '\n[[bulletins]]\nid = "fete"\ncategory = "event"\nseverity = "info"\ntitle = { fr = "Fête" }\n'
            '\n[[bulletins]]\nid = "old"\ncategory = "info"\nseverity = "info"\ntitle = { fr = "Ancien" }\n'
            "valid_until = 2026-11-01T00:00\n")
    lobby = source / "playlists" / "lobby.toml"
    _replace(lobby, 'id = "img-0"\n', 'id = "img-0"\nvalid_until = 2026-11-30T18:00\n')
    _replace(lobby, 'id = "img-1"\n', 'id = "img-1"\nweekdays = ["mon"]\nskip_dates = [2026-12-07]\n'
                                      "valid_from = 2026-12-06T08:00\nvalid_until = 2026-12-09T20:00\n")
    _replace(lobby, 'id = "img-2"\n', 'id = "img-2"\nweekdays = ["sat", "sun"]\n'
                                      "valid_from = 2026-12-07T08:00\nvalid_until = 2026-12-11T20:00\n")
    check = check_source(source, now=NOW)
    assert check.problems == ()
    assert [(w.file, w.kind, w.item, w.field, w.severity) for w in check.warnings] == [
        ("bulletins/news.toml", "bulletin", "storm", "valid_until", "warning"),
        ("bulletins/news.toml", "bulletin", "fete", None, "warning"),
        ("bulletins/news.toml", "bulletin", "old", "valid_until", "warning"),
        ("playlists/lobby.toml", "item", "img-0", "valid_until", "warning"),
        ("playlists/lobby.toml", "item", "img-1", "weekdays", "warning"),
        ("playlists/lobby.toml", "item", "img-2", "weekdays", "warning"),
    ]
    assert [w.message for w in check.warnings] == [
        "missing: an alert without an end stays over every screen until a new publication withdraws it; "
        "give it its end",
        "in no playlist: no loop shows it (only a screen's ticker strip, if it has one)",
        "2026-11-01T00:00 (Europe/Paris) is past: no screen shows this bulletin any more",
        "2026-11-30T18:00 (Europe/Paris) is past: this item will not play again",
        "none of mon falls between 2026-12-06T08:00 (Europe/Paris) and 2026-12-09T20:00 (Europe/Paris) "
        "(valid_from, valid_until, skip_dates): this item never plays",
        "none of sat, sun falls between 2026-12-07T08:00 (Europe/Paris) and 2026-12-11T20:00 (Europe/Paris) "
        "(valid_from, valid_until): this item never plays",
    ]
    assert all(isinstance(w, SourceNote) for w in check.warnings)
    # the CLI prints them, one line each, and publishes
    done = subprocess.run([sys.executable, "-m", "kiosk", "publish", str(source), str(tmp_path / "tree"),
                           "--published-at", "2026-12-01T09:00:00Z"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if line.startswith("kiosk: warning: ")]
    assert warned == [f"kiosk: warning: {w}" for w in check.warnings]
    # a week-long window holds every weekday; a window that is not over is not "past"
    later = check_source(source, now=datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    assert "img-0" not in {w.item for w in later.warnings}


def test_the_demo_storm_alert_ends_by_itself(tmp_path: Path) -> None:
    check = check_source(demo_source_dir(), now=datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    assert check.problems == ()
    storm = next(b for b in check.document["bulletins"] if b["id"] == "storm-warning")
    assert storm["valid_until"] == "2026-11-27T05:00:00Z"  # 6 a.m. the next morning, as its text says
    assert [str(w) for w in check.warnings] == [
        'bulletins/news.toml: bulletin "council-meeting": in no playlist: no loop shows it '
        "(only a screen's ticker strip, if it has one)"]


def test_a_folder_without_playlists_is_told_where_they_go(tmp_path: Path, source: Path) -> None:
    shutil.rmtree(source / "playlists")
    assert _problems(source, tmp_path) == [
        "site.toml: site.default_playlist: no playlist has id 'lobby'",
        "playlists/: no playlist: add playlists/<id>.toml with its [[items]]",
    ]


def test_a_files_answer_is_kept_by_its_hash_so_the_timer_decodes_it_once(tmp_path: Path, monkeypatch) -> None:
    from hub import media_checks

    cache = tmp_path / "cache" / "media-checks.json"
    _bomb_png(tmp_path / "bomb.png")
    shutil.copy(demo_source_dir() / "media" / "valbruyere.mp4", tmp_path / "clip.mp4")
    files = {"a" * 64: (tmp_path / "bomb.png", "image/png"), "b" * 64: (tmp_path / "clip.mp4", "video/mp4")}
    first = media_checks.media_problems(files, cache)
    assert first == {"a" * 64: "over the 40 MP limit (decompression bomb)", "b" * 64: None}
    decoded: list[Path] = []
    monkeypatch.setattr(media_checks, "media_problem", lambda path, mime: (decoded.append(path), (None, True))[1])
    assert media_checks.media_problems(files, cache) == first and decoded == []  # from the cache
    assert media_checks.media_problems(files, cache, use_cache=False) == {"a" * 64: None, "b" * 64: None}
    assert len(decoded) == 2
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    assert media_checks.default_cache_file() == tmp_path / "xdg" / "town-kiosk" / "media-checks.json"
