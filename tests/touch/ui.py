"""Helpers to read the harness's widget-tree dumps."""
from __future__ import annotations

from typing import Any

from PIL import Image, ImageStat

Dump = dict[str, Any]


def visible(dump: Dump) -> list[dict[str, Any]]:
    """Widgets drawn and not hidden under a dialog."""
    return [w for w in dump["widgets"] if not w["covered"]]


def texts(dump: Dump) -> list[str]:
    return [w["text"] for w in visible(dump) if w.get("text", "").strip()]


def target(dump: Dump, tid: str) -> dict[str, Any]:
    found = [w for w in visible(dump) if w["target"] and w["tid"] == tid]
    assert found, f"no visible target {tid!r}"
    return found[0]


def has_target(dump: Dump, tid: str) -> bool:
    return any(w["target"] and w["tid"] == tid for w in visible(dump))


def label_with(dump: Dump, text: str) -> dict[str, Any]:
    found = [w for w in visible(dump) if w.get("text") == text]
    assert found, f"no visible label {text!r} in {texts(dump)}"
    return found[0]


def crop(path: Any, rect: list[float], height: int) -> Image.Image:
    """The window rectangle ``rect`` (y from the bottom) cut out of a screenshot."""
    x0, y0, x1, y1 = rect
    with Image.open(path) as img:
        return img.convert("RGB").crop((int(x0), int(height - y1), int(x1), int(height - y0)))


def ink(img: Image.Image) -> float:
    """How much is drawn in an image (standard deviation of its grey levels)."""
    return ImageStat.Stat(img.convert("L")).stddev[0]
