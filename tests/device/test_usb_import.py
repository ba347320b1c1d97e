"""Content packs on a folder standing in for a USB key: imported through the syncer, live
at once; a tampered, truncated or incomplete pack is refused with one line naming the
file or field, the previous version stays live and the store keeps nothing of it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC
from pathlib import Path
from types import MappingProxyType

import pytest

from content_cache import ContentCache
from hub.publisher import publish
from hub.refserver import ContentTreeServer
from kiosk.device.hotplug import FakeSource, HotplugEvent, HotplugKind, HotplugWatcher, UdevDevice
from kiosk.device.usb_import import PackPathError, UsbImporter, import_pack, mount_point_of, resolve_pack_path
from sync import ContentApiClient, Outcome, SyncSettings, sync_once
from sync.local_source import LocalPackSource

from ..helpers import write_png, write_source


def make_pack(tmp_path: Path, name: str, title: str = "Travaux rue Haute", images: int = 3,
              alert: bool = False, new_images: int = 0) -> tuple[Path, dict]:
    src = write_source(tmp_path / f"src-{name}", images=images, title=title)
    for i in range(new_images):  # images no other pack has
        write_png(src / "media" / f"new{i}.png", (7 * i + 3, 200 - i, 90))
        with (src / "playlists" / "lobby.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[[items]]\nid = "new-{i}"\ntype = "image"\nfile = "media/new{i}.png"\nduration = 5\n')
    if alert:
        with (src / "bulletins" / "news.toml").open("a", encoding="utf-8") as f:
            f.write('\n[[bulletins]]\nid = "storm"\ncategory = "alert"\nseverity = "critical"\n'
                    '[bulletins.title]\nfr = "Alerte tempête"\n')
    key = tmp_path / f"usb-{name}"
    publish(src, key)
    return key, json.loads((key / "v1" / "manifest.json").read_text())


def store_state(data: Path) -> tuple[set[str], list[str]]:
    media = data / "cache" / "media"
    digests = {p.name for p in (media / "sha256").glob("*/*")}
    temp = sorted(p.name for p in (media / "tmp").iterdir()) if (media / "tmp").is_dir() else []
    return digests, temp


def live_version(data: Path) -> str | None:
    with ContentCache(data / "cache") as cache:
        return cache.live_state().live_version_id


@pytest.fixture
def first(tmp_path: Path) -> tuple[Path, dict, Path]:
    key, doc = make_pack(tmp_path, "v1")
    data = tmp_path / "device"
    result = import_pack(key, data)
    assert result.outcome == Outcome.UPDATED and result.live_version == doc["version"]
    return key, doc, data


def test_a_pack_goes_live_with_every_file_verified(first) -> None:
    key, doc, data = first
    with ContentCache(data / "cache") as cache:
        live = cache.read_live()
        assert live is not None and live.version_id == doc["version"]
        assert all(cache.store.verify(m["sha256"], m["size"]) for m in doc["media"])
    assert store_state(data) == ({m["sha256"] for m in doc["media"]}, [])


def test_the_same_pack_twice_changes_nothing(first) -> None:
    key, doc, data = first
    again = import_pack(key, data)
    assert (again.outcome, again.files_fetched, again.live_version) == (Outcome.UNCHANGED, 0, doc["version"])


def test_a_pack_of_the_version_synced_over_http_is_not_modified_and_keeps_the_etag(
    tmp_path: Path, published: Path, server: ContentTreeServer,
) -> None:
    data = tmp_path / "device"
    with ContentCache(data / "cache") as cache:
        assert sync_once(cache, ContentApiClient(SyncSettings(api_url=server.url)), now=_now).ok
        etag = cache.live_state().etag
    result = import_pack(published, data)  # the very tree the server serves, on a "key"
    assert (result.outcome, result.files_fetched) == (Outcome.UNCHANGED, 0)
    with ContentCache(data / "cache") as cache:
        assert cache.live_state().etag == etag  # the next HTTP poll is still a 304


def _new_media(doc: dict, old: dict) -> dict:
    """A media entry of ``doc`` the device does not have yet (so it must be copied)."""
    have = {m["sha256"] for m in old["media"]}
    return next(m for m in doc["media"] if m["sha256"] not in have)


def _tamper(key: Path, media: dict, how: str) -> Path:
    target = key / "v1" / "media" / media["sha256"]
    data = bytearray(target.read_bytes())
    if how == "flip":
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif how == "truncate":
        target.write_bytes(bytes(data[:-10]))
    elif how == "remove":
        target.unlink()
    return target


@pytest.mark.parametrize("how, problem", [
    ("flip", "{file}: content does not match its sha256 (the file was altered)"),
    ("truncate", "{file}: {short} bytes, the manifest says {size}"),
    ("remove", "{file}: missing from the content pack"),
])
def test_a_damaged_pack_is_refused_naming_the_file_and_the_old_version_stays(
    tmp_path: Path, first, how: str, problem: str,
) -> None:
    _, v1, data = first
    key, v2 = make_pack(tmp_path, "v2", title="Fermeture du pont", new_images=3)
    before = store_state(data)
    new = _new_media(v2, v1)
    size = new["size"]
    target = _tamper(key, new, how)
    result = import_pack(key, data)
    assert result.outcome == Outcome.INCOMPLETE and result.live_version == v1["version"]
    assert result.problems == (problem.format(file=target, short=size - 10, size=size),)
    assert live_version(data) == v1["version"]
    # the store holds exactly what it held: not the two good new files, no partial file
    assert store_state(data) == before
    assert result.files_fetched == 2


def test_a_manifest_with_a_bad_field_is_refused_naming_the_field(tmp_path: Path, first) -> None:
    _, v1, data = first
    key, v2 = make_pack(tmp_path, "v2", title="Fermeture du pont")
    manifest = key / "v1" / "manifest.json"
    v2["playlists"][0]["items"][0]["duration"] = -5
    manifest.write_text(json.dumps(v2))
    result = import_pack(key, data)
    assert result.outcome == Outcome.INVALID
    assert result.problems == (
        f"{manifest}: playlists[0].items[0].duration: -5 is less than or equal to the minimum of 0",
    )
    assert live_version(data) == v1["version"]


def test_alerts_of_a_refused_pack_do_not_stay_on_screen(tmp_path: Path, first) -> None:
    _, v1, data = first
    key, v2 = make_pack(tmp_path, "v2", title="Fermeture du pont", new_images=1, alert=True)
    _tamper(key, _new_media(v2, v1), "flip")
    result = import_pack(key, data)
    assert result.outcome == Outcome.INCOMPLETE and result.alerts_shown_early
    with ContentCache(data / "cache") as cache:
        live = cache.read_live()
    assert live is not None and live.version_id == v1["version"]
    assert [b.id for b in live.bulletins] == ["works"]


def test_a_per_device_manifest_in_the_pack_is_preferred(tmp_path: Path) -> None:
    key, v1 = make_pack(tmp_path, "v1")
    other, v2 = make_pack(tmp_path, "v2", title="Pour la borne 12")
    own = key / "v1" / "devices" / "totem-12" / "manifest.json"
    own.parent.mkdir(parents=True)
    own.write_bytes((other / "v1" / "manifest.json").read_bytes())
    for m in v2["media"]:
        (key / "v1" / "media" / m["sha256"]).write_bytes((other / "v1" / "media" / m["sha256"]).read_bytes())
    from sync import SyncSettings
    assert LocalPackSource(key, SyncSettings(api_url="x", device_id="totem-12")).manifest_path == own
    assert LocalPackSource(key).manifest_path == key / "v1" / "manifest.json"


def test_a_folder_that_is_no_pack_is_named() -> None:
    with pytest.raises(PackPathError, match=r"/tmp: not a content pack \(no v1/manifest.json"):
        resolve_pack_path(Path("/tmp"))
    with pytest.raises(PackPathError, match=r"/nonexistent-usb: No such file or directory"):
        resolve_pack_path(Path("/nonexistent-usb"))


def test_a_block_device_is_read_where_it_is_mounted(tmp_path: Path) -> None:
    key, _ = make_pack(tmp_path, "v1")
    if not Path("/dev/loop0").exists():
        pytest.skip("no block device /dev/loop0 here")
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/mmcblk0p2 / ext4 rw 0 0\n/dev/loop0 {key} vfat ro,nosuid 0 0\n")
    assert resolve_pack_path(Path("/dev/loop0"), mounts) == key
    mounts.write_text("/dev/mmcblk0p2 / ext4 rw 0 0\n")
    with pytest.raises(PackPathError, match="/dev/loop0: not mounted"):
        resolve_pack_path(Path("/dev/loop0"), mounts)


def test_mount_points_with_spaces_are_unescaped() -> None:
    text = "/dev/sda1 /media/kiosk/CL\\040MAIRIE vfat ro 0 0\n"
    assert mount_point_of("/dev/sda1", text) == Path("/media/kiosk/CL MAIRIE")
    assert mount_point_of("/dev/sdb1", text) is None


def test_a_usb_key_plugged_in_is_imported_once_it_is_mounted(tmp_path: Path) -> None:
    key, doc = make_pack(tmp_path, "v1")
    data = tmp_path / "device"
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/mmcblk0p2 / ext4 rw 0 0\n")

    def automounter(_: float) -> None:  # the system mounts the key while we wait
        mounts.write_text(f"/dev/mmcblk0p2 / ext4 rw 0 0\n/dev/sda1 {key} vfat ro 0 0\n")

    importer = UsbImporter(data, mounts=mounts, mount_wait_s=5, sleep=automounter)
    reports = []
    done = threading.Event()

    def on_event(event: HotplugEvent) -> None:
        reports.append(importer.handle(event))
        done.set()

    source = FakeSource()
    with HotplugWatcher(on_event, source=source):
        source.emit(UdevDevice("add", "block", "/sys/block/sda/sda1", "/dev/sda1", "partition",
                               MappingProxyType({"ID_BUS": "usb", "ID_FS_USAGE": "filesystem", "ID_FS_TYPE": "vfat"})))
        assert done.wait(30)
    assert reports[0] is not None and reports[0].ok and reports[0].pack == key
    assert live_version(data) == doc["version"]


def test_a_key_that_never_gets_mounted_is_reported(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text("")
    importer = UsbImporter(tmp_path / "device", mounts=mounts, mount_wait_s=0.05, sleep=lambda s: None)
    report = importer.handle(HotplugEvent(HotplugKind.FILESYSTEM_ADDED, "/sys/x", "/dev/sdq1"))
    assert report is not None and not report.ok
    assert report.message == "/dev/sdq1: not mounted after 0.05 s; nothing imported"
    assert importer.handle(HotplugEvent(HotplugKind.TOUCH_ADDED, "/sys/y", "/dev/input/event1")) is None


def test_a_mounted_key_without_a_pack_is_left_alone(tmp_path: Path) -> None:
    plain = tmp_path / "holiday-photos"
    write_png(plain / "beach.png", (10, 120, 200))
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 {plain} vfat ro 0 0\n")
    report = UsbImporter(tmp_path / "device", mounts=mounts).handle(
        HotplugEvent(HotplugKind.FILESYSTEM_ADDED, "/sys/x", "/dev/sda1"))
    assert report is not None and report.result is None and "no content pack" in report.message
    assert not (tmp_path / "device").exists()


def _now():
    from datetime import datetime
    return datetime.now(UTC)


# -- the command -------------------------------------------------------------------------------
def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120)


def test_import_command_puts_a_pack_live_then_refuses_a_tampered_one(tmp_path: Path) -> None:
    key, v1 = make_pack(tmp_path, "v1")
    data = tmp_path / "device"
    done = kiosk("import", str(key), "--data", str(data))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (f"import updated: live version {v1['version']}, 3 file(s) / "
                           f"{sum(m['size'] for m in v1['media']) / 1e6:.1f} MB copied from {key}\n")

    bad, v2 = make_pack(tmp_path, "v2", title="Fermeture du pont", new_images=1)
    target = _tamper(bad, _new_media(v2, v1), "flip")
    refused = kiosk("import", str(bad), "--data", str(data))
    assert refused.returncode == 5 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"kiosk: error: {target}: content does not match its sha256 (the file was altered)",
        f"kiosk: version {v1['version']} stays live",
    ]
    assert live_version(data) == v1["version"]


def test_import_command_names_a_folder_that_is_no_pack(tmp_path: Path) -> None:
    done = kiosk("import", str(tmp_path), "--data", str(tmp_path / "device"))
    assert done.returncode == 2
    assert done.stderr == (f"kiosk: error: {tmp_path}: not a content pack (no v1/manifest.json; "
                           f"make one with `kiosk publish SRC {tmp_path}`)\n")


def test_root_does_not_write_into_the_kiosk_users_data_folder(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can own a folder for someone else")
    key, _ = make_pack(tmp_path, "v1")
    data = tmp_path / "device"
    data.mkdir()
    os.chown(data, 65534, 65534)
    done = kiosk("import", str(key), "--data", str(data))
    assert done.returncode == 2 and "belongs to" in done.stderr and "sudo -u" in done.stderr
    assert list(data.iterdir()) == []
