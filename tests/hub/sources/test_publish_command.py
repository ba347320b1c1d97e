"""`kiosk publish` with sources, run as the town's timer runs it: exit codes, the one-line
problems, the every-minute alert path, the state folder's place, review in a reserve period."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.touch.testing.sample import content_from_document
from player.neutrality import guard_for

from .server import FIXTURES, SourceServer
from .town import NOW, OPENAGENDA_KEY, PATHS, write_town

AT = "2026-11-26T07:00:00Z"
ALERT_PATHS = {PATHS[k][0] for k in ("cap", "meteofrance-vigilance", "vigicrues")}


@pytest.fixture
def server() -> Iterator[SourceServer]:
    srv = SourceServer()
    yield srv
    srv.stop()


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_TEST_OPENAGENDA_KEY": OPENAGENDA_KEY}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120, env=env)


def test_publish_refresh_and_a_stale_source_have_their_exit_codes(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server)
    tree = tmp_path / "www"
    r = kiosk("publish", str(src), str(tree), "--published-at", AT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("published: version c") and "10 source(s) asked" in r.stdout
    assert (tmp_path / "contenu.sources-state" / "sources" / "rss" / "result.json").is_file()
    assert not any("sources-state" in str(p) for p in tree.rglob("*"))  # never served
    version = json.loads((tree / "v1" / "manifest.json").read_bytes())["version"]

    server.take_hits()
    r = kiosk("publish", str(src), str(tree), "--published-at", AT)
    hits = server.take_hits()
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"unchanged: version {version}")
    assert "10 source(s) asked: 10 request(s), 10 answered 304" in r.stdout
    assert len(hits) == 10 and all(h.conditional and h.status == 304 for h in hits)  # no image asked again

    server.fault(PATHS["rss"][0], "503")
    r = kiosk("publish", str(src), str(tree), "--published-at", AT)
    assert r.returncode == 8, r.stderr
    lines = r.stderr.splitlines()
    assert ('kiosk: warning: source "rss" (rss): HTTP 503 Service Unavailable (the service has a problem: it will '
            "be asked again later); its last good result (from 2026-11-26 07:00) is published") in lines
    assert sum("HTTP 503" in line for line in lines) == 1, r.stderr  # said once, not also as a log line
    assert lines[-1] == ("kiosk: warning: published with stale sources: rss (see the lines above; "
                         "`kiosk sources check` shows more)")
    assert r.stdout.startswith(f"unchanged: version {version}")


def test_the_alert_path_asks_only_alert_sources_and_publishes_only_when_one_changed(tmp_path: Path,
                                                                                   server: SourceServer) -> None:
    src = write_town(tmp_path, server)
    tree = tmp_path / "www"
    assert kiosk("publish", str(src), str(tree), "--published-at", AT).returncode == 0
    manifest = tree / "v1" / "manifest.json"
    before = manifest.read_bytes()
    server.take_hits()
    r = kiosk("publish", str(src), str(tree), "--alerts-only", "--published-at", AT)
    hits = server.take_hits()
    assert r.returncode == 0, r.stderr
    assert r.stdout == "unchanged: no alert source changed (3 source(s) asked: 3 request(s), 3 answered 304)\n"
    assert {h.path for h in hits} == ALERT_PATHS and all(h.conditional and h.status == 304 for h in hits)
    assert manifest.read_bytes() == before

    calmer = (FIXTURES / "vigilance-encours.json").read_text().replace(
        '"phenomenon_id": "1", "phenomenon_max_color_id": 4', '"phenomenon_id": "1", "phenomenon_max_color_id": 2')
    server.serve(PATHS["meteofrance-vigilance"][0], calmer.encode(), "application/json")
    r = kiosk("publish", str(src), str(tree), "--alerts-only", "--published-at", AT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("published: version")
    titles = [b["title"]["fr"] for b in json.loads(manifest.read_bytes())["bulletins"]]
    assert "Vigilance rouge : vent violent" not in titles and "Vigilance orange : pluie-inondation" in titles
    assert "Travaux rue Haute : circulation alternée jusqu’au 4 décembre" in titles  # others kept as they were


def test_the_state_folder_is_never_inside_the_published_tree(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("rss",))
    r = kiosk("publish", str(src), str(tmp_path / "www"), "--state", str(tmp_path / "www" / "state"))
    assert r.returncode == 2
    assert r.stderr.startswith(f"kiosk: error: --state {tmp_path / 'www' / 'state'}: inside the published tree")


def test_sources_check_shows_what_a_source_gives_without_publishing(tmp_path: Path, server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("rss", "meteofrance-vigilance"))
    r = kiosk("sources", "check", "rss", "--src", str(src), "--at", AT)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == (f'source "rss" (rss, {server.url}/feed/): OK — 3 news, 3 bulletin(s), 1 poster(s) for lobby, '
                      "1 image(s)")
    assert "  news      Travaux rue Haute : circulation alternée jusqu’au 4 décembre  (2026-11-25)" in out
    assert not (tmp_path / "contenu.sources-state").exists() and not (tmp_path / "www").exists()
    r = kiosk("sources", "check", "--src", str(src), "--at", AT)
    assert 'source "meteofrance-vigilance" (meteofrance-vigilance, ' in r.stdout
    assert "  critical  Vigilance rouge : vent violent (until 2026-11-26T23:00:00Z)" in r.stdout
    server.fault(PATHS["rss"][0], "404")
    r = kiosk("sources", "check", "rss", "--src", str(src))
    assert r.returncode == 3
    assert r.stdout == f'source "rss" (rss, {server.url}/feed/): FAILED — HTTP 404 Not Found (check the url)\n'
    r = kiosk("sources", "check", "rs", "--src", str(src))
    assert r.returncode == 2 and 'no source has id "rs" (sources: rss, meteofrance-vigilance)' in r.stderr


ELECTION = '''
[[neutrality.elections]]
name = "Municipales 2027"
first_round = 2027-03-14
last_round = 2027-03-21
[neutrality.policy]
withhold_tags = ["bilan"]
allowed_domains = ["valbruyere.example", "gouv.fr"]
'''


def test_in_a_reserve_period_new_items_wait_for_review_and_are_released_by_id(tmp_path: Path,
                                                                             server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("rss",))
    with (src / "site.toml").open("a") as f:
        f.write(ELECTION)
    text = (src / "sources.toml").read_text().replace('tags = ["actualite"]', 'tags = ["actualite"]\nhold_for_review = true')
    (src / "sources.toml").write_text(text)
    tree = tmp_path / "www"
    # August, before the reserve period (from 1 September 2026): seen and published.
    old = (FIXTURES / "wordpress-rss.xml").read_text()
    first_item_only = old[: old.index("<item>", old.index("<item>") + 1)] + "</channel></rss>"
    server.serve(PATHS["rss"][0], first_item_only.encode(), "application/rss+xml")
    assert kiosk("publish", str(src), str(tree), "--published-at", "2026-08-10T08:00:00Z").returncode == 0
    # November, in the period: the two new items are held, the August one stays.
    server.serve(PATHS["rss"][0], "wordpress-rss.xml", "application/rss+xml")
    r = kiosk("publish", str(src), str(tree), "--published-at", AT)
    assert r.returncode == 0, r.stderr
    held = [line for line in r.stderr.splitlines() if line.startswith("kiosk: held for review: ")]
    assert len(held) == 2
    assert "«Marché de Noël : 40 exposants les 28 et 29 novembre» (new since 2026-11-26)" in held[0] + held[1]
    manifest = json.loads((tree / "v1" / "manifest.json").read_bytes())
    assert [n["title"]["fr"] for n in manifest["kiosk"]["news"]] == [
        "Travaux rue Haute : circulation alternée jusqu’au 4 décembre"]
    market = next(h for h in held if "Marché de Noël" in h)
    item_id = market.split("--release ")[1]
    r = kiosk("publish", str(src), str(tree), "--published-at", AT, "--release", item_id)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tree / "v1" / "manifest.json").read_bytes())
    assert {n["id"] for n in manifest["kiosk"]["news"]} >= {item_id}
    assert len([line for line in r.stderr.splitlines() if line.startswith("kiosk: held for review: ")]) == 1


def test_ingested_pages_go_through_the_neutrality_guard_like_hand_written_ones(tmp_path: Path,
                                                                              server: SourceServer) -> None:
    src = write_town(tmp_path, server, ("rss",))
    with (src / "site.toml").open("a") as f:
        f.write(ELECTION)
    (src / "sources.toml").write_text((src / "sources.toml").read_text().replace('"actualite"', '"bilan"'))
    tree = tmp_path / "www"
    assert kiosk("publish", str(src), str(tree), "--published-at", AT).returncode == 0
    manifest = json.loads((tree / "v1" / "manifest.json").read_bytes())
    content = content_from_document(manifest)
    guard = guard_for(content)
    assert guard.period_at(NOW) is not None
    _kept, withheld = guard.filter_kiosk(content)
    assert {w.item_id for w in withheld} == {d["id"] for d in manifest["kiosk"]["news"]}
    assert {(w.reason, w.detail) for w in withheld} == {("tag", "bilan")}
