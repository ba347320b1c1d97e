"""`kiosk status`: what the device shows now and why, and the state behind it."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from content_cache import free_bytes, human_bytes, read_report
from kiosk.device.control import ControlError, call, socket_path


def gather(data_dir: Path, *, neutrality: Any = None, now: datetime | None = None) -> dict[str, Any]:
    """Everything `kiosk status` reports, as plain data (also its --json output).

    ``neutrality``: the device config's ``[neutrality]`` section (raw), over the content's.
    Reads the cache without writing to it (content_cache.status_read): it works on a full
    disk, a read-only folder, and says so when the database is damaged.
    """
    out: dict[str, Any] = {"data_dir": str(data_dir)}
    report = read_report(data_dir / "cache")
    out["content"] = None
    out["last_sync"] = None
    if report.problem:
        out["cache_problem"] = report.problem
    if report.exists:
        state = report.state
        if state is not None:
            out["content"] = {
                "live_version": state.live_version_id,
                "previous_version": state.previous_version_id,
                "switched_at": state.switched_at.isoformat() if state.switched_at else None,
                "media_problems": report.media_problems,
            }
            if report.snapshot:
                out["content"]["read_as_snapshot"] = True
        run = report.last_run
        out["last_sync"] = (
            {"at": run.finished_at.isoformat(), "outcome": run.outcome, "message": run.message} if run else None
        )
        out["cache_bytes"] = report.cache_bytes
        out["outbox"] = {"waiting": report.outbox_waiting, "dropped": report.outbox_dropped}
        if report.live is not None:
            out["neutrality"] = neutrality_status(report.live, neutrality, now or datetime.now(UTC))
    out["disk_free_bytes"] = free_bytes(data_dir)
    try:
        out["player"] = call(socket_path(data_dir), "status", timeout=5)
        out["player"].pop("ok", None)
    except ControlError as e:
        out["player"] = {"running": False, "error": str(e)}
    return out


def neutrality_status(live: Any, local: Any, now: datetime) -> dict[str, Any] | None:
    """The election reserve period as the live content and config define it at ``now``:
    in force or not, until when, what it withholds now, and any problem in the rules."""
    from player.engine import ScheduleEngine

    # The engine logs what it withholds, as the player should; here the answer is printed.
    engine_log = logging.getLogger("player.engine")
    level = engine_log.level
    engine_log.setLevel(logging.ERROR)
    try:
        engine = ScheduleEngine(neutrality=local)
        guard = engine.compile(live).guard
        if not guard and not guard.rules.problems:
            return None
        answer = engine.now_playing(live, now.astimezone(guard.tz))
    finally:
        engine_log.setLevel(level)
    period = answer.reserve
    upcoming = guard.upcoming(now)
    out: dict[str, Any] = {
        "in_force": period is not None,
        "elections": [e.name for e in period.elections] if period else [],
        "from": period.start.date().isoformat() if period else None,
        "until": period.last_day.isoformat() if period else None,
        "clock_trusted": answer.clock_trusted,
        "withheld_now": [w.item_id for w in answer.withheld],
        "next": None if period or upcoming is None else {
            "election": upcoming.name, "from": upcoming.reserve_start.isoformat(),
            "until": upcoming.reserve_end.isoformat()},
        "problems": list(guard.rules.problems),
    }
    if period is not None:
        kiosk = guard.filter_kiosk(live)[1]
        out["withheld_now"] += [f"{w.surface}/{w.item_id}" for w in kiosk]
    return out


def _neutrality_lines(n: dict[str, Any] | None) -> list[str]:
    if not n:
        return []
    lines = []
    if n["in_force"]:
        held = n["withheld_now"]
        lines.append(f"elections   reserve period in force ({', '.join(n['elections'])}) until {n['until']} "
                     f"included; {len(held)} withheld" + (f": {', '.join(held[:6])}" if held else "")
                     + ("" if len(held) <= 6 else ", …")
                     + ("" if n["clock_trusted"] else " (clock not trusted: applied while it may be in force)"))
    elif n["next"]:
        x = n["next"]
        lines.append(f"elections   no reserve period now; next: {x['election']} from {x['from']} to {x['until']}")
    for p in n["problems"]:
        lines.append(f"neutrality  {p}")
    return lines


def _ago(iso: str | None, now: datetime) -> str:
    if not iso:
        return "never"
    seconds = (now - datetime.fromisoformat(iso)).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def render(info: dict[str, Any], now: datetime | None = None) -> str:
    """The human summary a technician reads over SSH."""
    now = now or datetime.now(UTC)
    lines = []
    p = info.get("player") or {}
    if p.get("running") is False:
        error = str(p.get("error") or "")
        said = error.replace("no player running", "not running", 1) if error.startswith("no player running") \
            else f"not running ({error})"
        lines.append(f"player      {said}")
    else:
        wd = p.get("watchdog") or {}
        wd_text = f"watchdog every {wd['interval_s']:.0f} s, {wd['pings']} pings" if wd.get("enabled") else "no watchdog"
        lines.append(f"on screen   {on_screen(p)}")
        lines.append(f"player      up {_text(p.get('uptime_s'), '?')} s, {_text(p.get('slides_shown'), 0)} slides, "
                     f"screen {'×'.join(map(str, p.get('screen') or [])) or 'unknown'}, {wd_text}")
        lines += _device_service_lines(p)
    c = info.get("content")
    if info.get("cache_problem"):
        lines.append(f"database    {info['cache_problem']}")
    if c is None:
        if not info.get("cache_problem"):
            lines.append("content     no cache yet (run `kiosk sync --once`)")
    else:
        lines.append(f"content     live {_text(c['live_version'], 'none')} (since {_ago(c['switched_at'], now)}), "
                     f"previous {_text(c['previous_version'], 'none')}")
        problems = c.get("media_problems") or {}
        if problems:
            lines.append(f"media       {len(problems)} file(s) missing or corrupt, being fetched again")
    s = info.get("last_sync")
    lines.append(f"last sync   {s['outcome']} {_ago(s['at'], now)}: {s['message']}" if s else "last sync   never")
    if "cache_bytes" in info:
        free = info.get("disk_free_bytes")
        lines.append(f"cache       {info['cache_bytes'] / 1e6:.1f} MB"
                     + (f", {human_bytes(free)} free on the disk" if free is not None else ""))
        o = info["outbox"]
        lines.append(f"outbox      {o['waiting']} waiting" + (f", {o['dropped']} dropped" if o["dropped"] else ""))
    lines += _neutrality_lines(info.get("neutrality"))
    return "\n".join(lines)


def _text(value: object, missing: object) -> str:
    """A value for a technician: never a Python ``None``."""
    return str(missing if value is None else value)


def on_screen(p: dict[str, Any]) -> str:
    """What the player shows: the slide and why, or what the touch kiosk shows over it
    (``touch kiosk: home screen, German, 40 s to idle``)."""
    touch = p.get("touch_screen") or {}
    slide = (f"{p['showing']} ({_text(p.get('showing_kind'), 'slide')})"
             + (f" — {p['why']}" if p.get("why") else "")) if p.get("showing") else ""
    if p.get("showing") == "test-card":
        return slide  # above everything, whatever the mode
    if touch.get("description"):
        if p.get("mode") == "kiosk" or touch.get("mode") == "interactive":
            paused = f"; the loop is paused on {p['showing']}" if p.get("mode") == "hybrid" and slide else ""
            return f"{touch['description']}{paused}"
        return f"{slide or 'no slide yet'}; {touch['description']}"
    return slide or "no slide yet (the player is starting)"


def _device_service_lines(p: dict[str, Any]) -> list[str]:
    """Display power, hotplug and USB import, as the running player reports them."""
    lines = []
    d = p.get("display_power")
    if d:
        state = d["applied"] or "not switched"
        if d.get("reported") not in (None, "unknown", d["applied"]):
            state += f" but the screen reports {d['reported']}"
        nxt = f", {d['next_state']} at {d['next_change'][:16].replace('T', ' ')}" if d.get("next_change") else ""
        lines.append(f"display     {state} (scheduled {d['scheduled']}{nxt}; backend {d['backend']}"
                     + (", player idle" if d.get("player_idle") else "") + ")"
                     + (f" — {d['error']}" if d.get("error") else ""))
    h = p.get("hotplug")
    if h:
        lines.append(f"hotplug     watching udev, {len(h['touch_screens'])} touch screen(s) seen" if h["watching"]
                     else f"hotplug     not watching ({h['error']})")
    u = (p.get("usb_import") or {}).get("last")
    if u:
        lines.append(f"usb import  {u['outcome']} from {u['device']} at {u['at'][:19].replace('T', ' ')}: {u['message']}")
    return lines


def to_json(info: dict[str, Any]) -> str:
    return json.dumps(info, indent=2, ensure_ascii=False, sort_keys=True)
