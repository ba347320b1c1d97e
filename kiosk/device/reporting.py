"""What the sync daemon reports for this device, beyond sync's own state.

Implements :class:`sync.reports.DeviceReports` for ``kiosk sync``: each heartbeat carries
what the player says through its control socket (on screen now and why, mode, screen
power, alerts — what `kiosk status` shows), the system's uptime and the problems worth a
technician's look; after each upload it takes a small JPEG screenshot when one is due or
the hub asked for it (through the outbox, so nothing is lost offline), and writes
``kiosk.prom`` for node_exporter. The player is never required: without it the heartbeat
says so and no screenshot is taken.
"""
from __future__ import annotations

import base64
import io
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from content_cache import Outbox
from kiosk.device.control import ControlError, call, socket_path
from kiosk.device.prom_textfile import Sample, write
from sync import ServerRequests, SyncState

log = logging.getLogger(__name__)

SCREENSHOTS_KEPT = 4  # waiting in the outbox while offline; older ones are superseded
JPEG_QUALITY = 70
STATUS_TIMEOUT_S = 5.0
SHOT_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class ReportSettings:
    data_dir: Path
    device_id: str | None
    mode: str
    orientation: int
    screenshot_s: float  # 0: only when asked
    screenshot_width: int
    textfile_dir: Path | None


def system_uptime_s() -> int | None:
    try:
        return int(float(Path("/proc/uptime").read_text().split()[0]))
    except (OSError, ValueError, IndexError):
        return None


class DeviceReporter:
    def __init__(self, settings: ReportSettings, *, monotonic: Callable[[], float] = time.monotonic,
                 control: Callable[..., dict[str, Any]] = call) -> None:
        self.settings = settings
        self.monotonic = monotonic
        self.control = control
        self._next_shot = 0.0  # the first poll takes one
        self._player: dict[str, Any] = {}
        self._rendered_at: datetime | None = None
        self._failed: set[str] = set()

    @property
    def socket(self) -> Path:
        return socket_path(self.settings.data_dir)

    # -- heartbeat --------------------------------------------------------------------
    def heartbeat_fields(self) -> Mapping[str, Any]:
        status = self._status()
        errors = []
        if not status.get("running", True):
            errors.append(f"player not running: {status.get('error')}")
        power = status.get("display_power") or {}
        if power.get("error"):
            errors.append(f"display power: {power['error']}")
        return {
            "system_uptime_s": system_uptime_s(),
            "mode": status.get("mode") or self.settings.mode,
            "orientation": self.settings.orientation,
            "player": {
                "running": bool(status.get("running", True)),
                "showing": status.get("showing"),
                "showing_kind": status.get("showing_kind"),
                "why": status.get("why"),
                "content_version": status.get("content_version"),
                "slides_shown": status.get("slides_shown"),
                "uptime_s": status.get("uptime_s"),
                "screen": status.get("screen"),
                # a running player that manages no screen power keeps its screen on
                "screen_power": _screen_power(power) or ("on" if status.get("running", True) else None),
                "alerts": [a for a in status.get("alerts") or () if isinstance(a, str)],
                "software": status.get("software"),
            },
            "errors": errors,
        }

    def _status(self) -> dict[str, Any]:
        try:
            status = dict(self.control(self.socket, "status", timeout=STATUS_TIMEOUT_S))
            status.pop("ok", None)
            status["running"] = True
            if status.get("showing"):
                self._rendered_at = datetime.now().astimezone()  # its main loop answered with a slide on
        except (ControlError, OSError, ValueError) as e:
            status = {"running": False, "error": str(e)}
        self._player = status
        return status

    # -- after each upload ---------------------------------------------------------------
    def after_upload(self, outbox: Outbox, asked: ServerRequests, state: SyncState, now: datetime) -> bool:
        queued = False
        due = self.settings.screenshot_s > 0 and self.monotonic() >= self._next_shot
        screen_off = _screen_power(self._player.get("display_power") or {}) == "off"
        if asked.screenshot or (due and not screen_off):
            queued = self._screenshot(outbox, "asked" if asked.screenshot else "scheduled", now)
        self._textfile(state, now)
        return queued

    def _screenshot(self, outbox: Outbox, reason: str, now: datetime) -> bool:
        if not self._player.get("running", False):
            return False
        from PIL import Image

        folder = self.settings.data_dir / "reports"
        png = folder / "screenshot.png"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            self.control(self.socket, "screenshot", timeout=SHOT_TIMEOUT_S, path=str(png))
            with Image.open(png) as shot:
                rgb = shot.convert("RGB")
            if rgb.width > self.settings.screenshot_width:
                height = max(1, round(rgb.height * self.settings.screenshot_width / rgb.width))
                rgb = rgb.resize((self.settings.screenshot_width, height), Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            rgb.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            size = rgb.size
        except (ControlError, OSError, ValueError) as e:
            if "screenshot" not in self._failed:
                log.warning("screenshot for the hub failed: %s", e)
                self._failed.add("screenshot")
            return False
        finally:
            png.unlink(missing_ok=True)
        self._failed.discard("screenshot")
        if self.settings.screenshot_s > 0:
            self._next_shot = self.monotonic() + self.settings.screenshot_s
        outbox.put("screenshot", {
            "jpeg": base64.b64encode(buf.getvalue()).decode("ascii"),
            "width": size[0], "height": size[1], "taken_at": now.isoformat(), "reason": reason,
        }, now, key=uuid.uuid4().hex, keep_of_kind=SCREENSHOTS_KEPT)
        log.info("screenshot (%s, %d×%d, %d bytes) queued for the hub", reason, size[0], size[1], buf.tell())
        return True

    # -- node_exporter ------------------------------------------------------------------
    def _textfile(self, state: SyncState, now: datetime) -> None:
        folder = self.settings.textfile_dir
        if folder is None:
            return
        p = self._player
        labels = {"device": self.settings.device_id or ""}
        samples = [
            Sample("kiosk_report_timestamp_seconds", now.timestamp(), "When the sync daemon wrote this file",
                   labels=labels),
            Sample("kiosk_player_up", 1.0 if p.get("running") else 0.0,
                   "1 if the player answered on its control socket", labels=labels),
            Sample("kiosk_outbox_waiting", float(state.outbox_waiting), "Records waiting for upload", labels=labels),
            Sample("kiosk_outbox_dropped_total", float(state.outbox_dropped),
                   "Records dropped because the outbox was full", "counter", labels),
        ]
        if self._rendered_at is not None:
            samples.append(Sample("kiosk_render_timestamp_seconds", self._rendered_at.timestamp(),
                                  "When the player last answered with a slide on screen", labels=labels))
        power = _screen_power(p.get("display_power") or {})
        if power is not None:
            samples.append(Sample("kiosk_screen_on", 1.0 if power == "on" else 0.0,
                                  "Screen power as the player applied it", labels=labels))
        if isinstance(p.get("slides_shown"), int):
            samples.append(Sample("kiosk_slides_shown_total", float(p["slides_shown"]),
                                  "Slides shown since the player started", "counter", labels))
        if state.live_version:
            samples.append(Sample("kiosk_live_content_info", 1.0, "The live content version",
                                  labels={**labels, "version": state.live_version}))
        if state.last_ok_at is not None:
            samples.append(Sample("kiosk_last_sync_success_timestamp_seconds", state.last_ok_at.timestamp(),
                                  "When a sync last ended well", labels=labels))
        try:
            write(folder, samples)
            self._failed.discard("textfile")
        except OSError as e:
            if "textfile" not in self._failed:
                log.warning("%s: cannot write kiosk.prom: %s", folder, e.strerror)
                self._failed.add("textfile")


def _screen_power(power: Mapping[str, Any]) -> str | None:
    """"on"/"off" as last switched, else as scheduled; None when the player says nothing."""
    for key in ("applied", "scheduled"):
        if power.get(key) in ("on", "off"):
            return str(power[key])
    return None
