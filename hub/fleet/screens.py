"""What a device's screen is, as its heartbeats told the hub: the playlist it plays, the
size it lays out for and its orientation. ``kiosk preview --device NAME`` previews that
screen.

A heartbeat carries the player's window size (``player.screen``, the panel's pixels), the
picture's turn (``orientation``, degrees) and why the slide on screen plays (``player.why``,
``"playlist lobby: …"``, as ``kiosk status`` says it). Anything not reported yet is None:
the preview then uses its own defaults.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hub.db.models import Device

# kiosk.app.state.PlaybackState.reason: "playlist <id>: <why>" (or just "playlist <id>").
_PLAYLIST = re.compile(r"^playlist ([a-z0-9][a-z0-9_-]{0,63})(?::|$)")


@dataclass(frozen=True)
class DeviceScreen:
    device_id: str
    playlist: str | None  # None: not reported (the site's default plays)
    size: tuple[int, int] | None  # as laid out: the panel's size, turned when the picture is
    orientation: str | None  # "landscape" | "portrait"
    ticker: str | None = None  # "top" | "bottom": where its ticker strip is (display.ticker); None: none


def device_screen(s: Session, device_id: str) -> DeviceScreen | None:
    """The screen of ``device_id``, or None if the hub has no such device."""
    device = s.get(Device, device_id)
    if device is None:
        return None
    details: Mapping[str, Any] = device.details if isinstance(device.details, dict) else {}
    player = details.get("player") if isinstance(details.get("player"), dict) else {}
    assert isinstance(player, dict)
    match = _PLAYLIST.match(device.why or "")
    size = _size(player.get("screen"))
    turned = (device.orientation or 0) in (90, 270)
    if size is not None and turned:
        size = (size[1], size[0])
    orientation = None
    if size is not None:
        orientation = "portrait" if size[1] > size[0] else "landscape"
    ticker = player.get("ticker")
    return DeviceScreen(device.id, match.group(1) if match else None, size, orientation,
                        ticker if ticker in ("top", "bottom") else None)


def _size(value: object) -> tuple[int, int] | None:
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and 64 <= v <= 8192 for v in value)):
        return value[0], value[1]
    return None
