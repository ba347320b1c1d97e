"""Facts about what is on screen, read from the Kivy widget tree (for tests and docs)."""
from __future__ import annotations

from typing import Any

from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

from kiosk.touch.overlays import Modal
from kiosk.touch.widgets import Surface, Target

Rect = tuple[float, float, float, float]  # x, y, right, top in window coordinates


def _window_rect(w: Widget) -> Rect:
    x0, y0 = w.to_window(w.x, w.y)
    x1, y1 = w.to_window(w.right, w.top)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _intersect(a: Rect, b: Rect) -> Rect | None:
    r = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return r if r[2] - r[0] >= 1 and r[3] - r[1] >= 1 else None


def walk(root: Widget, window_size: tuple[int, int]) -> list[dict[str, Any]]:
    """Every widget that is drawn and at least partly inside the window and its scroll box."""
    out: list[dict[str, Any]] = []

    def visit(w: Widget, clip: Rect, bg: tuple[float, ...] | None, band: Rect | None) -> None:
        if w.opacity <= 0.01 or w.width < 1 or w.height < 1:
            return
        rect = _window_rect(w)
        if isinstance(w, Modal):
            for f in out:  # a dialog hides and blocks everything drawn before it
                f["covered"] = True
        if isinstance(w, Surface) and w.bg_color[3] >= 0.99:
            bg = tuple(w.bg_color)
            band = rect  # the coloured area a text sits on: its ink must stay inside it
        visible = _intersect(rect, clip)
        if visible is not None:
            facts: dict[str, Any] = {
                "cls": type(w).__name__, "tid": getattr(w, "tid", ""),
                "rect": [round(v, 1) for v in rect], "visible_rect": [round(v, 1) for v in visible],
                "target": isinstance(w, Target), "bg": list(bg) if bg else None, "covered": False,
                "band": [round(v, 1) for v in band] if band else None,
            }
            if isinstance(w, Label):
                tw, th = w.texture_size
                # Where the text's pixels go: Kivy centres the texture on the label.
                cx, cy = w.to_window(w.center_x, w.center_y)
                facts.update(
                    # what it says (a fitted label draws it in lines: "drawn")
                    text=getattr(w, "source_text", None) or w.text, drawn=w.text,
                    color=list(w.color), font_size=float(w.font_size), bold=bool(w.bold),
                    texture=[tw, th], ink=[round(cx - tw / 2, 1), round(cy - th / 2, 1),
                                           round(cx + tw / 2, 1), round(cy + th / 2, 1)],
                    # Drawn text larger than its box spills over its neighbours.
                    overflow=bool(w.text.strip()) and (tw > w.width + 1.5 or th > w.height + 1.5),
                )
            if isinstance(w, Image):
                # what was decoded and uploaded: a screen-sized copy, not the original's pixels
                facts.update(texture=list(w.texture_size))
            out.append(facts)
        child_clip = clip
        if isinstance(w, (ScrollView, StencilView)):
            inner = _intersect(rect, clip)
            if inner is None:
                return
            child_clip = inner
        for child in reversed(w.children):
            visit(child, child_clip, bg, band)

    visit(root, (0, 0, window_size[0], window_size[1]), None, None)
    return out


def find_target(root: Widget, window_size: tuple[int, int], tid: str = "", text: str = "") -> dict[str, Any] | None:
    """The visible target named ``tid`` or showing ``text`` (a label inside it counts)."""
    facts = walk(root, window_size)
    if tid:
        return next((f for f in facts if f["target"] and f["tid"] == tid), None)
    for i, f in enumerate(facts):
        if f.get("text") == text:
            if f["target"]:
                return f
            # The label inside a row or tile: the nearest enclosing target before it.
            box = f["visible_rect"]
            for g in reversed(facts[:i]):
                r = g["visible_rect"]
                if g["target"] and r[0] <= box[0] + 1 and r[1] <= box[1] + 1 and r[2] >= box[2] - 1 and r[3] >= box[3] - 1:
                    return g
            return f
    return None
