"""`kiosk doctor`: each check over real folders, fake executables on PATH, devices parsed
by libudev, and a real HTTP server; then the command itself, text and JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from hub.refserver import ContentTreeServer
from kiosk.config import ApiSection, Config, load_config
from kiosk.device.display_power import PowerEnvironment
from kiosk.device.doctor import (
    FAIL,
    OK,
    WARN,
    check_api,
    check_clock,
    check_config,
    check_disk,
    check_display,
    check_display_power,
    check_gl,
    check_groups,
    check_touch,
    check_units,
    check_video,
    run,
    touch_devices,
    user_groups,
)

from .fakes import TOUCH_ENV, USB_KEY_ENV, FakeBin, udev_device

GB = 1024 ** 3


def test_gl_libraries_are_found_in_library_folders(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    (lib / "dri").mkdir(parents=True)
    r = check_gl([lib])
    assert (r.status, r.detail) == (FAIL, "missing: libGL.so.1, libEGL.so.1, a Mesa DRI driver")
    assert r.remedy == "sudo apt install libgl1 libegl1 libgl1-mesa-dri"
    for name in ("libGL.so.1", "libEGL.so.1", "dri/swrast_dri.so", "dri/vc4_dri.so"):
        (lib / name).touch()
    r = check_gl([tmp_path / "absent", lib])
    assert (r.status, r.detail) == (OK, "libGL.so.1, libEGL.so.1, DRI drivers: swrast_dri.so, vc4_dri.so")


def test_this_machine_has_the_gl_libraries_the_player_needs() -> None:
    # bootstrap.sh installs them; the player's headless tests render with them
    assert check_gl().status == OK


def test_display_from_a_session_or_kms(tmp_path: Path) -> None:
    assert check_display({"WAYLAND_DISPLAY": "wayland-1"}, tmp_path).detail == "WAYLAND_DISPLAY=wayland-1"
    assert check_display({"DISPLAY": ":0"}, tmp_path).status == OK
    r = check_display({}, tmp_path)
    assert r.status == FAIL and "dtoverlay=vc4-kms-v3d" in r.remedy
    (tmp_path / "card1").touch()
    r = check_display({}, tmp_path)
    assert r.status == OK and r.detail.startswith(f"KMS/DRM: {tmp_path}/card1")


def test_touch_screens_from_udev_devices() -> None:
    touch = udev_device("add", TOUCH_ENV)
    usb = udev_device("add", USB_KEY_ENV)
    r = check_touch([usb, touch], "kiosk")
    assert (r.status, r.detail) == (OK, "/dev/input/event3 (platform-fe205000.i2c)")
    assert check_touch([usb], "signage") == check_touch([], "signage")
    assert check_touch([usb], "signage").status == OK
    r = check_touch([usb], "hybrid")
    assert r.status == FAIL and "ID_INPUT_TOUCHSCREEN=1" in r.remedy
    assert check_touch(None, "kiosk").status == WARN


def test_touch_devices_here_are_listed_or_said_unknowable() -> None:
    found = touch_devices()
    if Path("/run/udev/data").is_dir():
        assert isinstance(found, list)
    else:
        assert found is None and check_touch(found, "kiosk").detail.startswith("cannot tell")


def test_group_membership() -> None:
    existing = {"video", "render", "input", "kiosk"}
    assert check_groups("kiosk", {"kiosk", "video", "render", "input"}, existing).status == OK
    r = check_groups("kiosk", {"kiosk", "video"}, existing)
    assert (r.status, r.detail) == (FAIL, "kiosk is not in group(s) render, input")
    assert r.remedy.startswith("sudo usermod -aG render,input kiosk")
    r = check_groups("kiosk", {"video", "input"}, {"video", "input"})
    assert r.status == WARN and "render do not exist" in r.detail
    r = check_groups("kiosk", None, existing)
    assert r.status == FAIL and r.remedy.startswith("sudo useradd --system")
    assert r.detail == "user kiosk does not exist (the kiosk units run as User=kiosk)"


def test_group_lookup_is_real() -> None:
    assert "root" in (user_groups("root") or set())
    assert user_groups("no-such-user-here") is None


def test_disk_space(tmp_path: Path) -> None:
    real = check_disk(tmp_path)
    assert real.status in (OK, WARN, FAIL) and real.detail.startswith(f"{tmp_path}: ")
    assert check_disk(tmp_path, lambda p: (32 * GB, 10 * GB, 22 * GB)).status == OK
    low = check_disk(tmp_path, lambda p: (32 * GB, 31.5 * GB, 0.5 * GB))
    assert (low.status, low.detail) == (WARN, f"{tmp_path}: 0.5 GB free of 32.0 GB (2%)")
    assert check_disk(tmp_path, lambda p: (500 * GB, 460 * GB, 40 * GB)).status == WARN  # 8 %
    assert check_disk(tmp_path, lambda p: (8 * GB, 8 * GB, 50 * 1024 ** 2)).status == FAIL
    missing = check_disk(tmp_path / "nope")
    assert missing.status == FAIL and "does not exist" in missing.detail


@pytest.mark.parametrize("stdout, code, status, detail", [
    ("yes\n", 0, OK, "synchronised (NTP)"),
    ("no\n", 0, WARN, "not synchronised: schedules and TLS need the right time"),
    ("", 1, WARN, "cannot tell (timedatectl: System has not been booted with systemd)"),
])
def test_clock_synchronisation_from_timedatectl(fakebin: FakeBin, stdout: str, code: int, status: str, detail: str) -> None:
    fakebin.add("timedatectl", stdout=stdout, exit_code=code,
                stderr="System has not been booted with systemd\n" if code else "")
    r = check_clock()
    assert (r.status, r.detail) == (status, detail)
    assert fakebin.calls() == [["timedatectl", "show", "-p", "NTPSynchronized", "--value"]]
    assert (r.status == OK) != bool(r.remedy)  # anything not OK says what to do


def test_clock_without_timedatectl_cannot_tell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    r = check_clock()
    assert r.detail == "cannot tell (FileNotFoundError)" and r.remedy.startswith("compare `date` with a clock")


def test_api_reachability_against_a_real_server(server: ContentTreeServer) -> None:
    r = check_api(Config(api=ApiSection(url=server.url)))
    assert (r.status, r.detail) == (OK, f"{server.url}/v1/manifest.json: HTTP 200")
    assert [(rec.method, rec.path) for rec in server.take_records()] == [("HEAD", "/v1/manifest.json")]
    r = check_api(Config(api=ApiSection(url=server.url + "/town")))
    assert r.status == FAIL and r.detail.endswith("HTTP 404: no manifest at this address")
    assert r.remedy == "check api.url: the API's base URL, without /v1/"


def test_api_unreachable_and_unset() -> None:
    r = check_api(Config(api=ApiSection(url="http://127.0.0.1:9")), timeout_s=2)
    assert (r.status, r.detail) == (
        FAIL, "http://127.0.0.1:9/v1/manifest.json: cannot connect to 127.0.0.1:9 (connection refused)")
    assert r.remedy == ("is the content server up? check api.url; "
                        "try: curl -I http://127.0.0.1:9/v1/manifest.json")
    assert check_api(Config()).status == WARN


def test_config_validity(tmp_path: Path) -> None:
    r, cfg = check_config(tmp_path / "kiosk.toml")
    assert r.status == FAIL and cfg is None and r.remedy.startswith("sudo kiosk provision")
    bad = tmp_path / "bad.toml"
    bad.write_text('[device]\nid = "A B"\n[display]\norientaton = 90\n')
    r, _ = check_config(bad)
    assert r.status == FAIL and r.detail.splitlines() == [
        f"{bad}: device.id: 'A B' is not a device id (a-z, 0-9, '-', '_', up to 64)",
        f"{bad}: display.orientaton: unknown key; did you mean 'orientation'?",
    ]
    good = tmp_path / "good.toml"
    good.write_text('[device]\nid = "totem-1"\nmode = "hybrid"\n[display]\norientation = 270\n')
    r, cfg = check_config(good)
    assert (r.status, r.detail) == (OK, f"{good}: device totem-1, hybrid mode, orientation 270°")


def test_units_under_and_not_under_systemd(fakebin: FakeBin) -> None:
    r = check_units(systemd_running=False)
    assert r.detail == "not under systemd: services cannot be checked"
    assert r.remedy.startswith("run kiosk doctor on the device itself")
    fakebin.add("systemctl", stdout="active\nactive\n")
    r = check_units(systemd_running=True)
    assert (r.status, r.detail) == (OK, "kiosk-player.service active, kiosk-sync.service active")
    fakebin.add("systemctl", stdout="active\nfailed\n", exit_code=3)
    r = check_units(systemd_running=True)
    assert (r.status, r.detail) == (FAIL, "kiosk-player.service active, kiosk-sync.service failed")
    assert r.remedy == "sudo systemctl enable --now kiosk-sync.service; journalctl -b -u kiosk-sync.service"
    assert fakebin.calls()[-1] == ["systemctl", "is-active", "kiosk-player.service", "kiosk-sync.service"]


def test_display_power_backend_is_reported(tmp_path: Path, fakebin: FakeBin) -> None:
    cfg_file = tmp_path / "k.toml"
    cfg_file.write_text('[display]\non = "07:00"\noff = "22:00"\n')
    cfg = load_config(cfg_file)
    env = PowerEnvironment({"PATH": fakebin.path(keep_system=False)}, tmp_path / "bl", tmp_path / "dev")
    r = check_display_power(cfg, env)
    assert r.status == WARN and r.detail.startswith("backend none (")
    assert check_display_power(Config(), env).status == OK  # always on: nothing to switch
    fakebin.add("vcgencmd")
    r = check_display_power(cfg, env)
    assert r.status == OK and r.detail.startswith("backend vcgencmd (vcgencmd found")
    assert r.detail.endswith("; schedule: mon-sun 07:00-22:00 (Europe/Paris)")


def test_the_real_runner_runs_commands() -> None:
    assert run(["sh", "-c", "echo hi"]).stdout == "hi\n"


# -- the command -----------------------------------------------------------------------------
def test_video_decoding_is_tried_on_a_real_clip(tmp_path: Path) -> None:
    ok = check_video()  # the demo town's clip, through a real decoder process
    assert ok.status == OK and ok.detail.startswith("valbruyere.mp4: first frame in "), ok
    assert "320x180 yuv420p" in ok.detail
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    bad = check_video(empty)
    assert bad.status == FAIL and bad.remedy.startswith("reinstall the player's Python packages")
    assert bad.detail == "empty.mp4: " + str(empty) + ": Invalid data found when processing input", bad


def test_doctor_command_json_and_text(tmp_path: Path, server: ContentTreeServer) -> None:
    root = tmp_path / "root"
    (tmp_path / "tok").write_text("t0k\n")
    subprocess.run([sys.executable, "-m", "kiosk", "provision", "--root", str(root), "--device-id", "totem-7",
                    "--api", server.url, "--token-file", str(tmp_path / "tok"), "--no-register"],
                   check=True, capture_output=True)
    data = root / "var/lib/kiosk"
    done = subprocess.run([sys.executable, "-m", "kiosk", "doctor", "--root", str(root), "--json"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DISPLAY": ":99"})
    report = json.loads(done.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert list(checks) == ["gl", "display", "video", "touch", "groups", "disk", "clock", "api", "config",
                            "units", "display-power", "elections"]
    assert checks["video"]["status"] == OK, checks["video"]
    assert checks["api"]["status"] == OK and checks["config"]["status"] == OK
    assert checks["disk"]["detail"].startswith(f"{data}: ")  # the config's data folder, under --root
    assert checks["display"] == {"name": "display", "status": OK, "detail": "DISPLAY=:99", "remedy": ""}
    failed = [c for c in report["checks"] if c["status"] == FAIL]
    assert report["ok"] is (not failed) and done.returncode == (1 if failed else 0)
    assert all(c["remedy"] for c in failed)

    text = subprocess.run([sys.executable, "-m", "kiosk", "doctor", "--root", str(root), "--data", str(data)],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "DISPLAY": ":99"})
    lines = text.stdout.splitlines()
    assert lines[0].startswith(("OK    gl ", "FAIL  gl "))
    assert f"OK    api            {server.url}/v1/manifest.json: HTTP 200" in lines
    for c in failed:
        assert f"{'':21}→ {c['remedy']}" in lines  # under the detail column
    assert lines[-1].endswith("warning(s)") and text.returncode == done.returncode


def test_doctor_reports_the_reserve_period_and_neutrality_problems(tmp_path: Path) -> None:
    import shutil as sh
    from datetime import datetime

    from hub.demo import demo_source_dir
    from kiosk.config import Config
    from kiosk.device.doctor import WARN, check_neutrality
    from tests.e2e.device import synced_device

    assert check_neutrality(tmp_path / "none", Config()).detail == "no content yet"
    src = tmp_path / "town"
    sh.copytree(demo_source_dir(), src)
    site = (src / "site.toml").read_text("utf-8").replace('"campagne"]', '"campagne", "promotoin"]')
    (src / "site.toml").write_text(site, "utf-8")
    data = synced_device(tmp_path, src)
    during = check_neutrality(data, Config(), datetime(2027, 10, 5, 8, tzinfo=UTC))
    assert during.status == WARN
    assert during.detail.startswith("reserve period in force (Départementales 2028) until 2028-03-19; "
                                    "3 item(s)/page(s) withheld; neutrality.policy.withhold_tags[3]: unknown tag "
                                    "'promotoin'")
    local = Config(neutrality={"policy": {"withhold_tags": ["bilan"]}})
    before = check_neutrality(data, local, datetime(2027, 3, 1, 8, tzinfo=UTC))
    # the published section's problem stays reported even where the config overrides that key
    assert before.detail.startswith("next reserve period: Départementales 2028 from 2027-09-01; ")


def test_units_that_cannot_be_asked_say_how_to_ask(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no systemctl
    r = check_units(systemd_running=True)
    assert (r.status, r.remedy) == (WARN, "ask systemd yourself: systemctl status kiosk-player.service kiosk-sync.service")


def _doctor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "doctor", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd, env={**os.environ, "DISPLAY": ":99"})


def test_a_relative_config_path_is_read_from_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text('[device]\nid = "totem-rel"\n')
    done = _doctor("--config", "kiosk.toml", "--json", cwd=tmp_path)
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks["config"]["status"] == OK, checks["config"]
    assert checks["config"]["detail"].startswith(f"{tmp_path / 'kiosk.toml'}: device totem-rel, ")


def test_an_invalid_api_url_is_named_not_taken_for_a_missing_one(tmp_path: Path) -> None:
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[device]\nid = "totem-1"\n[api]\nurl = "https://contenu.valbruyere.fr/v1/manifest.json"\n')
    checks = {c["name"]: c for c in json.loads(_doctor("--config", str(cfg), "--json").stdout)["checks"]}
    assert checks["api"] == {
        "name": "api", "status": FAIL,
        "detail": "api.url: 'https://contenu.valbruyere.fr/v1/manifest.json' ends in /v1/manifest.json: give the "
                  "API's base URL, https://contenu.valbruyere.fr (the device adds /v1/manifest.json)",
        "remedy": f"fix api.url in {cfg} (sudo kiosk provision --api https://…)"}
    cfg.write_text('[device]\nid = "Totem 1"\n')  # a problem elsewhere: the API is not tried, and says why
    checks = {c["name"]: c for c in json.loads(_doctor("--config", str(cfg), "--json").stdout)["checks"]}
    assert (checks["api"]["status"], checks["api"]["detail"]) == (WARN, "not tried: the config file has problems (see config)")


def test_without_the_kiosk_user_the_groups_check_says_so_not_root(tmp_path: Path) -> None:
    import pwd

    try:
        pwd.getpwnam("kiosk")
        pytest.skip("this machine has a kiosk user")
    except KeyError:
        pass
    checks = {c["name"]: c for c in json.loads(_doctor("--config", str(tmp_path / "none.toml"), "--json").stdout)["checks"]}
    groups = checks["groups"]
    assert groups["status"] == FAIL and groups["detail"].startswith("user kiosk does not exist")
    assert groups["remedy"].startswith("sudo useradd --system --home /var/lib/kiosk --groups video,render,input kiosk")
    assert "root" not in groups["remedy"]


def test_the_json_report_names_device_host_and_time(tmp_path: Path) -> None:
    import socket
    from datetime import datetime

    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[device]\nid = "totem-9"\ntimezone = "Europe/Paris"\n')
    before = datetime.now(UTC)
    report = json.loads(_doctor("--config", str(cfg), "--json").stdout)
    assert (report["device"], report["host"], report["config"]) == ("totem-9", socket.gethostname(), str(cfg))
    when = datetime.fromisoformat(report["time"])
    assert when.utcoffset() is not None and abs((when - before).total_seconds()) < 60
    assert when.utcoffset().total_seconds() in (3600, 7200)  # Paris, winter or summer


def test_every_check_is_in_the_docs_table() -> None:
    import re

    docs = (Path(__file__).resolve().parents[2] / "docs" / "device.md").read_text()
    table = docs[docs.index("## `kiosk doctor`"):docs.index("## Display power schedule")]
    documented = [name for name in re.findall(r"^\| ([a-z-]+) \|", table, re.MULTILINE) if name not in ("check", "---")]
    assert documented == ["gl", "display", "video", "touch", "groups", "disk", "clock", "api", "config",
                          "units", "display-power", "elections"]
