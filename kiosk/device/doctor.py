"""`kiosk doctor`: what is wrong with this device, and what to do about it.

Each check is a small function returning a :class:`CheckResult` (OK, WARN or FAIL, a
one-line detail, and a remedy line for anything not OK). What a check looks at is passed
in — library folders, environment variables, device lists, a command runner — so tests
give it folders and fake executables; :func:`run_checks` wires the real ones.
"""
from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from content_cache import DEFAULT_TIMEZONE
from kiosk.config import Config, ConfigError, load_config, sync_settings
from kiosk.device.display_power import DisplayPowerError, PowerEnvironment, detect_backend
from kiosk.device.hotplug import UdevDevice, is_touchscreen

OK, WARN, FAIL = "OK", "WARN", "FAIL"
GB = 1024 ** 3
UNITS = ("kiosk-player.service", "kiosk-sync.service")
GROUPS = ("video", "render", "input")
LIB_DIRS = tuple(sorted(Path("/usr/lib").glob("*-linux-gnu"))) + tuple(sorted(Path("/lib").glob("*-linux-gnu"))) + (
    Path("/usr/lib64"), Path("/usr/lib"), Path("/lib64"), Path("/lib"), Path("/usr/local/lib"))


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str
    detail: str
    remedy: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


def run(argv: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=10, check=False)


# -- graphics and screen ------------------------------------------------------------------
def check_gl(lib_dirs: Iterable[Path] = LIB_DIRS) -> CheckResult:
    dirs = [d for d in lib_dirs if d.is_dir()]
    found = {so: any((d / so).exists() for d in dirs) for so in ("libGL.so.1", "libEGL.so.1")}
    dri = sorted({p.name for d in dirs for p in (d / "dri").glob("*_dri.so")}) if dirs else []
    missing = [so for so, ok in found.items() if not ok] + ([] if dri else ["a Mesa DRI driver"])
    if missing:
        return CheckResult("gl", FAIL, "missing: " + ", ".join(missing),
                           "sudo apt install libgl1 libegl1 libgl1-mesa-dri")
    shown = ", ".join(dri[:3]) + (" …" if len(dri) > 3 else "")
    return CheckResult("gl", OK, f"libGL.so.1, libEGL.so.1, DRI drivers: {shown}")


def check_display(env: Mapping[str, str], dri_dir: Path = Path("/dev/dri")) -> CheckResult:
    for var in ("WAYLAND_DISPLAY", "DISPLAY"):
        if env.get(var):
            return CheckResult("display", OK, f"{var}={env[var]}")
    cards = sorted(dri_dir.glob("card[0-9]*"))
    if cards:
        return CheckResult("display", OK, f"KMS/DRM: {', '.join(map(str, cards))} (SDL kmsdrm, no X needed)")
    return CheckResult("display", FAIL, f"no DISPLAY/WAYLAND_DISPLAY and no {dri_dir}/card*",
                       "connect the screen and enable KMS: dtoverlay=vc4-kms-v3d in /boot/firmware/config.txt, reboot")


def touch_devices() -> list[UdevDevice] | None:
    """Input devices from udev; None when udev's database is not there to say what they are."""
    if not Path("/run/udev/data").is_dir():
        return None
    import pyudev

    return [UdevDevice.from_pyudev(d) for d in pyudev.Context().list_devices(subsystem="input")]


def check_video(clip: Path | None = None, timeout_s: float = 15.0) -> CheckResult:
    """Decode a clip's first frame the way the player does (a decoder process of its own)."""
    import time

    from player.render.video_process import DecoderProcess

    # The demo town's clip is package data (read as a file; the hub's code is not imported).
    clip = clip or Path(str(resources.files("hub").joinpath("demo_content/media/valbruyere.mp4")))
    remedy = ("reinstall the player's Python packages (pip install 'ffpyplayer>=4.5,<5' in its "
              "environment); until then each video shows its caption card, or is skipped")
    started = time.monotonic()
    try:
        decoder = DecoderProcess(clip, (320, 180))
    except OSError as e:
        return CheckResult("video", FAIL, f"cannot start the video decoder: {e}", remedy)
    try:
        frame, ended = decoder.take(timeout_s)
        if frame is not None:
            took = time.monotonic() - started
            return CheckResult("video", OK, f"{clip.name}: first frame in {took:.2f} s "
                                            f"({frame.width}x{frame.height} {frame.fmt}, a decoder process per clip)")
        if ended is not None:
            why = ended.error or "the clip ended before its first frame"
            return CheckResult("video", FAIL, f"{clip.name}: {why}", remedy)
        return CheckResult("video", FAIL, f"{clip.name}: no frame within {timeout_s:.0f} s", remedy)
    finally:
        decoder.close()


def check_touch(devices: Sequence[UdevDevice] | None, mode: str) -> CheckResult:
    needed = mode in ("kiosk", "hybrid")
    if devices is None:
        return CheckResult("touch", WARN, "cannot tell: udev's database (/run/udev/data) is not available",
                           "run on the device itself, with systemd-udevd running")
    touch = [d for d in devices if is_touchscreen(d)]
    if touch:
        names = ", ".join(f"{d.device_node} ({d.prop('ID_MODEL') or d.prop('ID_PATH') or '?'})" for d in touch)
        return CheckResult("touch", OK, names)
    if not needed:
        return CheckResult("touch", OK, f"no touch screen (not needed in {mode} mode)")
    return CheckResult("touch", FAIL, f"no touch screen found ({mode} mode needs one)",
                       "check the touch cable/USB; `udevadm info /dev/input/eventN` must show ID_INPUT_TOUCHSCREEN=1")


# -- users and disks --------------------------------------------------------------------------
def user_groups(user: str) -> set[str] | None:
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return None
    names = {g.gr_name for g in grp.getgrall() if user in g.gr_mem}
    with contextlib.suppress(KeyError):
        names.add(grp.getgrgid(pw.pw_gid).gr_name)
    return names


def check_groups(user: str, member_of: set[str] | None, existing: set[str], required: Sequence[str] = GROUPS,
                 ) -> CheckResult:
    if member_of is None:
        return CheckResult("groups", FAIL, f"user {user} does not exist (the kiosk units run as User={user})",
                           f"sudo useradd --system --home /var/lib/kiosk --groups {','.join(required)} {user} "
                           "(or --user NAME for a player run by another user)")
    absent = [g for g in required if g not in existing]
    missing = [g for g in required if g in existing and g not in member_of]
    if missing:
        return CheckResult("groups", FAIL, f"{user} is not in group(s) {', '.join(missing)}",
                           f"sudo usermod -aG {','.join(missing)} {user}, then restart the kiosk services")
    if absent:
        return CheckResult("groups", WARN, f"{user} is in {', '.join(g for g in required if g in existing)}; "
                           f"group(s) {', '.join(absent)} do not exist here",
                           "fine on an older system; otherwise check that udev created the group")
    return CheckResult("groups", OK, f"{user} is in {', '.join(required)}")


def check_disk(data_dir: Path, usage: Callable[[Path], tuple[int, int, int]] = shutil.disk_usage) -> CheckResult:
    if not data_dir.is_dir():
        return CheckResult("disk", FAIL, f"data folder {data_dir} does not exist", "sudo kiosk provision …")
    total, _used, free = usage(data_dir)
    text = f"{data_dir}: {free / GB:.1f} GB free of {total / GB:.1f} GB ({free / total:.0%})"
    if free < 100 * 1024 ** 2:
        return CheckResult("disk", FAIL, text, "free space: `sudo journalctl --vacuum-size=50M`, lower cache.max_bytes")
    if free < GB or free < total / 10:
        return CheckResult("disk", WARN, text, "set cache.max_bytes below the free space; clean logs or old files")
    return CheckResult("disk", OK, text)


# -- clock, network, config, services ----------------------------------------------------------
_CLOCK_BY_HAND = ("compare `date` with a clock you trust (schedules, alerts' ends and TLS need the right time); "
                  "on the device, systemd-timesyncd keeps it: sudo timedatectl set-ntp true")


def check_clock(runner: Runner = run) -> CheckResult:
    try:
        done = runner(["timedatectl", "show", "-p", "NTPSynchronized", "--value"])
    except (FileNotFoundError, subprocess.TimeoutExpired) as e:
        return CheckResult("clock", WARN, f"cannot tell ({type(e).__name__})", _CLOCK_BY_HAND)
    answer = done.stdout.strip()
    if done.returncode != 0 or answer not in ("yes", "no"):
        why = (done.stderr.strip().splitlines() or [answer or f"exit status {done.returncode}"])[0][:120]
        return CheckResult("clock", WARN, f"cannot tell (timedatectl: {why})", _CLOCK_BY_HAND)
    if answer == "yes":
        return CheckResult("clock", OK, "synchronised (NTP)")
    return CheckResult("clock", WARN, "not synchronised: schedules and TLS need the right time",
                       "sudo timedatectl set-ntp true; check that the NTP server is reachable (UDP 123)")


def check_api(cfg: Config, timeout_s: float = 5.0) -> CheckResult:
    import requests

    from sync import ContentApiClient
    from sync.wording import http_problem, network_problem

    if not cfg.api.url:
        return CheckResult("api", WARN, "no api.url: content only from USB content packs",
                           "sudo kiosk provision --api https://… to sync over the network")
    client = ContentApiClient(sync_settings(cfg))
    url = client.manifest_url
    try:
        resp = client.http.head(url, timeout=(timeout_s, timeout_s), allow_redirects=True)
        if resp.status_code == 405:  # a host that does not do HEAD
            resp = client.http.get(url, timeout=(timeout_s, timeout_s), stream=True)
        resp.close()
    except requests.RequestException as e:  # the sync's own words, and a command to try
        problem = network_problem(url, e, timeout_s, timeout_s)
        return CheckResult("api", FAIL, f"{url}: {problem.what}", f"{problem.remedy}; try: curl -I {url}")
    status = resp.status_code
    if status == 200:
        return CheckResult("api", OK, f"{url}: HTTP 200")
    problem = http_problem(url, status, has_token=bool(cfg.api.token))
    return CheckResult("api", FAIL, problem.what, problem.remedy)


def check_api_of_unread_config(path: Path) -> CheckResult:
    """The api check when the config file could not be read: its api.url's own problem
    if it has one (not "no api.url"), else why the API was not tried."""
    try:
        load_config(path)
    except ConfigError as e:
        url_problems = [p for p in e.problems if p.startswith("api.url: ")]
        if url_problems:
            return CheckResult("api", FAIL, url_problems[0],
                               f"fix api.url in {path} (sudo kiosk provision --api https://…)")
        if e.problems == ["file not found"]:
            return CheckResult("api", WARN, f"not tried: no config file {path}",
                               "sudo kiosk provision --device-id ID --api URL --token-file FILE")
        return CheckResult("api", WARN, "not tried: the config file has problems (see config)",
                           f"fix {path} first")
    return CheckResult("api", WARN, "not tried", "")


def check_config(path: Path) -> tuple[CheckResult, Config | None]:
    try:
        cfg = load_config(path)
    except ConfigError as e:
        if e.problems == ["file not found"]:
            return CheckResult("config", FAIL, f"{path}: not found",
                               "sudo kiosk provision --device-id ID --api URL --token-file FILE"), None
        return CheckResult("config", FAIL, "\n".join(e.lines()), f"fix {path} (or run kiosk provision again)"), None
    what = f"{path}: device {cfg.device.id or '(no id)'}, {cfg.device.mode} mode, orientation {cfg.display.orientation}°"
    return CheckResult("config", OK, what), cfg


def check_units(runner: Runner = run, systemd_running: bool | None = None, units: Sequence[str] = UNITS) -> CheckResult:
    if systemd_running is None:
        systemd_running = Path("/run/systemd/system").is_dir()
    if not systemd_running:
        return CheckResult("units", WARN, "not under systemd: services cannot be checked",
                           "run kiosk doctor on the device itself (booted with systemd, the units installed: "
                           "docs/device.md)")
    try:
        done = runner(["systemctl", "is-active", *units])
    except (FileNotFoundError, subprocess.TimeoutExpired) as e:
        return CheckResult("units", WARN, f"cannot tell ({type(e).__name__})",
                           f"ask systemd yourself: systemctl status {' '.join(units)}")
    states = done.stdout.split()
    pairs = list(zip(units, states + ["unknown"] * (len(units) - len(states)), strict=False))
    detail = ", ".join(f"{u} {s}" for u, s in pairs)
    bad = [u for u, s in pairs if s != "active"]
    if not bad:
        return CheckResult("units", OK, detail)
    return CheckResult("units", FAIL, detail,
                       f"sudo systemctl enable --now {' '.join(bad)}; journalctl -b -u {bad[0]}")


def check_display_power(cfg: Config, environment: PowerEnvironment) -> CheckResult:
    from kiosk.device.display_schedule import PowerSchedule

    schedule = PowerSchedule.from_config(cfg)
    hours = "always on" if schedule.always_on else schedule.describe()
    try:
        choice = detect_backend(environment, cfg.display.power_backend, cfg.display.output)
    except DisplayPowerError as e:
        return CheckResult("display-power", FAIL, str(e), "set [display] power_backend to one that exists here")
    if choice.name == "none" and not schedule.always_on:
        return CheckResult("display-power", WARN, f"backend none ({choice.reason}); schedule {hours} not applied",
                           "set [display] power_backend (cec for a TV, backlight for a DSI panel)")
    return CheckResult("display-power", OK, f"backend {choice.name} ({choice.reason}); schedule: {hours}")


# -- all together -------------------------------------------------------------------------------
def default_user() -> str:
    """The player's user: the units' ``User=kiosk`` (whoever runs doctor is beside the point:
    with no such user, the check says so instead of checking root's groups)."""
    return "kiosk"


def check_neutrality(data_dir: Path, cfg: Config, now: datetime | None = None) -> CheckResult:
    """The election-period rules of the live content and the config: problems and period."""
    from content_cache import ContentCache
    from kiosk.device.status import neutrality_status

    if not (data_dir / "cache" / "cache.sqlite").is_file():
        return CheckResult("elections", OK, "no content yet")
    with ContentCache(data_dir / "cache") as cache:
        live = cache.read_live()
    if live is None:
        return CheckResult("elections", OK, "no content yet")
    n = neutrality_status(live, cfg.neutrality, now or datetime.now(UTC))
    if n is None:
        return CheckResult("elections", OK, "no election listed (no reserve period applies)")
    if n["in_force"]:
        text = (f"reserve period in force ({', '.join(n['elections'])}) until {n['until']}; "
                f"{len(n['withheld_now'])} item(s)/page(s) withheld")
    elif n["next"]:
        text = f"next reserve period: {n['next']['election']} from {n['next']['from']}"
    else:
        text = "every listed election is over"
    if n["problems"]:
        more = f" (+{len(n['problems']) - 1} more, see kiosk status)" if len(n["problems"]) > 1 else ""
        return CheckResult("elections", WARN, f"{text}; {n['problems'][0]}{more}",
                           "fix the neutrality section of the content (site.toml) or [neutrality] of the config")
    return CheckResult("elections", OK, text)


def run_checks(config_path: Path, data_dir: Path | None = None, user: str | None = None,
               env: Mapping[str, str] | None = None, root: Path = Path("/")) -> list[CheckResult]:
    """Every check on this machine; ``root`` prefixes the data folder named in the config."""
    env = dict(os.environ) if env is None else env
    config_result, cfg = check_config(config_path)
    effective = cfg or Config()
    user = user or default_user()
    configured = effective.cache.dir or Path("/var/lib/kiosk")
    data_dir = data_dir or root / configured.relative_to(configured.anchor)
    api = check_api(effective) if cfg is not None else check_api_of_unread_config(config_path)
    results = [
        check_gl(),
        check_display(env),
        check_video(),
        check_touch(touch_devices(), effective.device.mode),
        check_groups(user, user_groups(user), {g.gr_name for g in grp.getgrall()}),
        check_disk(data_dir),
        check_clock(),
        api,
        config_result,
        check_units(),
        check_display_power(effective, PowerEnvironment(env)),
        check_neutrality(data_dir, effective),
    ]
    return results


def json_report(results: Sequence[CheckResult], config_path: Path, now: datetime | None = None) -> dict[str, object]:
    """What ``--json`` prints: which device, which host, when (the site's time, with its
    offset), and every check."""
    import socket
    from zoneinfo import ZoneInfo

    from kiosk import __version__

    try:
        cfg: Config | None = load_config(config_path)
    except ConfigError:
        cfg = None
    try:
        tz = ZoneInfo(cfg.device.timezone if cfg else DEFAULT_TIMEZONE)
    except Exception:  # an unknown zone is the config check's to report
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    when = (now or datetime.now(UTC)).astimezone(tz)
    return {
        "ok": not any(r.status == FAIL for r in results),
        "device": cfg.device.id if cfg else None,
        "host": socket.gethostname(),
        "time": when.isoformat(timespec="seconds"),
        "version": __version__,
        "config": str(config_path),
        "checks": [r.as_dict() for r in results],
    }


def format_results(results: Sequence[CheckResult]) -> str:
    width = max(len(r.name) for r in results)
    lines = []
    for r in results:
        detail_lines = r.detail.splitlines() or [""]
        lines.append(f"{r.status:<4}  {r.name:<{width}}  {detail_lines[0]}")
        lines += [f"{'':<4}  {'':<{width}}  {extra}" for extra in detail_lines[1:]]
        if r.status != OK and r.remedy:
            lines.append(f"{'':<4}  {'':<{width}}  → {r.remedy}")
    failed = sum(r.status == FAIL for r in results)
    warned = sum(r.status == WARN for r in results)
    lines.append(f"{failed} failure(s), {warned} warning(s)")
    return "\n".join(lines)
