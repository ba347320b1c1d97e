"""The device's side of the hub: kiosk.prom for node_exporter, superseded reports dropped
from the outbox, a heartbeat with each poll (also against a static host without uploads),
and `kiosk provision --enrol` run twice with the same code."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from content_cache import ContentCache, Outbox
from hub.refserver import ContentTreeServer
from kiosk.device.prom_textfile import Sample, write
from kiosk.device.reporting import DeviceReporter, ReportSettings
from sync import ContentApiClient, SyncSettings
from sync.service import HEARTBEATS_KEPT, ServiceTimes, SyncService

from ..hub.harness import start_hub, stop_hub


def test_kiosk_prom_is_valid_exposition_written_atomically_only_where_the_folder_exists(tmp_path: Path) -> None:
    samples = [Sample("kiosk_player_up", 1.0, "player up", labels={"device": 'a"b\\c\nd'}),
               Sample("kiosk_outbox_dropped_total", 3.0, "dropped", "counter", {"device": "x"})]
    assert write(tmp_path / "missing", samples) is None and not (tmp_path / "missing").exists()
    out = write(tmp_path, samples)
    assert out == tmp_path / "kiosk.prom" and oct(out.stat().st_mode & 0o777) == "0o644"
    families = {f.name: f for f in text_string_to_metric_families(out.read_text())}
    assert families["kiosk_player_up"].samples[0].labels == {"device": 'a"b\\c\nd'}
    assert families["kiosk_outbox_dropped"].samples[0].value == 3.0
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.prom"]  # no temporary file left


def test_superseded_reports_leave_the_outbox_uncounted_and_plays_stay(tmp_path: Path) -> None:
    with ContentCache(tmp_path / "cache") as cache:
        outbox = Outbox(cache)
        now = datetime.now(UTC)
        outbox.put("play", {"item": "a"}, now)
        for i in range(30):
            outbox.put("heartbeat", {"n": i}, now, keep_of_kind=5)
        kept = [r.payload for r in outbox.batch(100)]
        assert kept[0] == {"item": "a"} and [p["n"] for p in kept[1:]] == [25, 26, 27, 28, 29]
        assert outbox.dropped() == 0


@pytest.mark.parametrize("accept_events", [False, True])
def test_a_heartbeat_goes_with_each_poll_without_a_player_and_on_a_static_host(
        tmp_path: Path, published: Path, accept_events: bool) -> None:
    server = ContentTreeServer(published, accept_events=accept_events).start_background()
    try:
        client = ContentApiClient(SyncSettings(api_url=server.url, device_id="totem-1"), stop=threading.Event())
        reporter = DeviceReporter(ReportSettings(tmp_path / "data", "totem-1", "signage", 90, 900, 480,
                                                 tmp_path / "textfile"))
        (tmp_path / "textfile").mkdir()
        with ContentCache(tmp_path / "data" / "cache") as cache:
            service = SyncService(cache, client, now=lambda: datetime.now(UTC), times=ServiceTimes(poll_s=30),
                                  reporter=reporter)
            for _ in range(HEARTBEATS_KEPT + 3):
                service.poll()
                service._download()  # the download job, run here rather than on the scheduler
            waiting = [r for r in Outbox(cache).batch(500) if r.kind == "heartbeat"]
        events = published / "events" / "totem-1.jsonl"
        if accept_events:
            assert waiting == []
            last = json.loads(events.read_text().splitlines()[-1])
            assert last["kind"] == "heartbeat"
            hb = last["payload"]
            assert hb["player"]["running"] is False and hb["orientation"] == 90 and hb["poll_interval_s"] == 30
            assert hb["errors"][0].startswith("player not running: no player running")
            assert hb["live_version"] and hb["disk_total_bytes"] > hb["disk_free_bytes"] > 0
        else:  # no upload endpoint: the newest few wait, nothing else happens
            assert len(waiting) == HEARTBEATS_KEPT and not events.exists()
        prom = (tmp_path / "textfile" / "kiosk.prom").read_text()
        assert 'kiosk_player_up{device="totem-1"} 0.0' in prom and "kiosk_live_content_info" in prom
    finally:
        server.stop()


def test_provision_enrol_twice_with_the_same_code_changes_nothing_the_second_time(tmp_path: Path) -> None:
    from ..helpers import write_source

    hub = start_hub(tmp_path, None, write_source(tmp_path / "src"))
    try:
        from hub.fleet.devices import make_enrol_code

        with hub.db.transaction() as s:
            code = make_enrol_code(s, "test", hub.clock(), device_id="totem-7", place="Gare")
        cfg = tmp_path / "etc" / "kiosk.toml"

        def provision() -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "kiosk", "provision", "--config", str(cfg), "--api",
                                   hub.url, "--enrol", code, "--data-dir", str(tmp_path / "data")],
                                  capture_output=True, text=True, timeout=60)

        first = provision()
        assert first.returncode == 0, first.stderr
        assert f"enrolled with {hub.url} as totem-7" in first.stdout and "token created (mode 0600)" in first.stdout
        token = (cfg.parent / "api-token").read_text().strip()
        assert token not in first.stdout + first.stderr
        second = provision()
        assert second.returncode == 0, second.stderr
        assert "enrolled already with this code as totem-7" in second.stdout
        assert (cfg.parent / "api-token").read_text().strip() == token
        wrong = subprocess.run([sys.executable, "-m", "kiosk", "provision", "--config", str(tmp_path / "b.toml"),
                                "--api", hub.url, "--enrol", code, "--device-id", "totem-8"],
                               capture_output=True, text=True, timeout=60)
        assert wrong.returncode == 2 and "this enrolment code has been used already" in wrong.stderr
        assert not (tmp_path / "b.toml").exists()
    finally:
        stop_hub(hub)
