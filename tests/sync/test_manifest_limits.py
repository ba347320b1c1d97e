"""The manifest within limits: a server dripping it cannot hold a sync past its total
deadline (`sync.manifest_deadline`, `--manifest-deadline`: exit 3); a manifest over the
size limit is an invalid manifest (exit 4); a media file whose bytes do not match is
tried again after a backoff, not at once."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from hub.publisher import publish
from sync import ContentApiClient, MediaDownloadError, SyncSettings
from sync.manifest import MAX_MANIFEST_BYTES

from .. import faultserver as fs
from ..helpers import write_source
from ..storage import errors, kiosk

EXIT_UNREACHABLE, EXIT_INVALID = 3, 4


@pytest.fixture
def server(tmp_path: Path):  # noqa: ANN201
    tree = tmp_path / "tree"
    publish(write_source(tmp_path / "src"), tree)
    srv = fs.FaultServer(tree)
    yield srv
    srv.stop()


def test_a_manifest_dripped_at_50_bytes_a_second_ends_the_sync_at_its_deadline_with_exit_3(
    tmp_path: Path, server: fs.FaultServer,
) -> None:
    server.inject_always("/v1/manifest.json", fs.drip(50))
    t0 = time.monotonic()
    r = kiosk("sync", "--once", "--manifest-deadline", "2", "--api", server.url, "--data", str(tmp_path / "d"))
    took = time.monotonic() - t0
    assert r.returncode == EXIT_UNREACHABLE, r.stderr
    assert len(errors(r.stderr)) == 1, r.stderr
    assert re.fullmatch(rf"{re.escape(server.url)}/v1/manifest\.json: too slow, \d+ bytes received within the "
                        r"manifest's 2 s deadline \(sync\.manifest_deadline\)", errors(r.stderr)[0]), r.stderr
    assert took < 10, took  # about 2 s and a start-up

    # the same from the config file
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[api]\nurl = "{server.url}"\n[sync]\nmanifest_deadline = 1.5\n')
    t0 = time.monotonic()
    r = kiosk("sync", "--once", "--config", str(cfg), "--data", str(tmp_path / "d"))
    assert r.returncode == EXIT_UNREACHABLE, r.stderr
    assert "within the manifest's 1.5 s deadline" in r.stderr
    assert time.monotonic() - t0 < 10

    server.always.clear()  # the next sync, at a normal pace, completes
    assert kiosk("sync", "--once", "--config", str(cfg), "--data", str(tmp_path / "d")).returncode == 0


def test_a_manifest_deadline_out_of_range_in_the_config_is_one_line_naming_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[api]\nurl = "http://127.0.0.1:9"\n[sync]\nmanifest_deadline = 0\n')
    r = kiosk("sync", "--once", "--config", str(cfg), "--data", str(tmp_path / "d"))
    assert r.returncode == 2
    assert len(errors(r.stderr)) == 1 and "sync.manifest_deadline" in errors(r.stderr)[0], r.stderr


def test_a_manifest_over_the_size_limit_is_invalid_exit_4(tmp_path: Path, server: fs.FaultServer) -> None:
    manifest = server.root / "v1" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes() + b" " * MAX_MANIFEST_BYTES)
    r = kiosk("sync", "--once", "--api", server.url, "--data", str(tmp_path / "d"))
    assert r.returncode == EXIT_INVALID, r.stderr
    assert errors(r.stderr) == [
        f"{server.url}/v1/manifest.json: body of {manifest.stat().st_size} bytes is over the "
        f"{MAX_MANIFEST_BYTES}-byte limit"
    ], r.stderr


def test_a_file_whose_bytes_do_not_match_is_retried_after_a_backoff(tmp_path: Path, server: fs.FaultServer) -> None:
    from content_cache import MediaStore

    sha = next((server.root / "v1" / "media").iterdir()).name
    size = (server.root / "v1" / "media" / sha).stat().st_size
    server.inject(f"/v1/media/{sha}", fs.CORRUPT, fs.CORRUPT)
    slept: list[float] = []
    client = ContentApiClient(SyncSettings(api_url=server.url), sleep=slept.append)
    store = MediaStore(tmp_path / "media")
    client.download_media(store, sha, size)
    assert store.verify(sha, size)
    # exponential with equal jitter: 0.5-1 s, then 1-2 s (not 0 s, as a retry after a mismatch was)
    assert len(slept) == 2 and 0.5 <= slept[0] <= 1.0 and 1.0 <= slept[1] <= 2.0, slept

    server.inject_always(f"/v1/media/{sha}", fs.CORRUPT)
    slept.clear()
    store.remove(sha)
    with pytest.raises(MediaDownloadError, match=r"content hashes to [0-9a-f]{64} after 4 attempts"):
        client.download_media(store, sha, size)
    assert len(slept) == 3 and slept[2] >= 2.0, slept
    assert not store.has(sha)
