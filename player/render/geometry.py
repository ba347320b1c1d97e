"""Where things go on a signage screen: the zones around the slides, a picture's box and
its caption band, contain and cover. Pure arithmetic (no Kivy), so the layout rules are
tested on numbers and the widgets only place what they are given.

Boxes are ``(x, y, width, height)`` with ``y`` upwards from the bottom, as Kivy draws.
"""
from __future__ import annotations

from dataclasses import dataclass

Box = tuple[float, float, float, float]

# Share of the stage the caption band takes below a picture (landscape), and the caption
# and text below a landscape picture on a portrait screen at most.
CAPTION_BAND_SHARE = 0.15
PORTRAIT_CAPTION_SHARE = 0.12
# The side zone: a column this share of the screen's width (landscape), a row this share
# of its height (portrait).
SIDE_ZONE_WIDTH = 0.27
SIDE_ZONE_HEIGHT = 0.2
# A picture within this much of its box's aspect ratio fills it (cropping a sliver) rather
# than leaving thin bars.
SNAP_ASPECT = 0.03


def is_portrait(size: tuple[float, float]) -> bool:
    return size[1] > size[0]


def contain(image: tuple[float, float], box: Box) -> Box:
    """The largest rectangle of ``image``'s aspect ratio inside ``box``, centred."""
    iw, ih = image
    x, y, w, h = box
    if iw <= 0 or ih <= 0 or w <= 0 or h <= 0:
        return (x, y, 0.0, 0.0)
    scale = min(w / iw, h / ih)
    cw, ch = iw * scale, ih * scale
    return (x + (w - cw) / 2, y + (h - ch) / 2, cw, ch)


def cover_region(image: tuple[float, float], box: tuple[float, float],
                 focus: tuple[float, float] = (0.5, 0.5)) -> Box:
    """The part of ``image`` (pixels; ``y`` from the top, as the file is laid out) that
    fills a box of size ``box`` when scaled to cover it, centred on ``focus`` (fractions
    of the picture from the top left) as far as the picture's edges allow."""
    iw, ih = image
    bw, bh = box
    if iw <= 0 or ih <= 0 or bw <= 0 or bh <= 0:
        return (0.0, 0.0, float(iw), float(ih))
    scale = max(bw / iw, bh / ih)
    vw, vh = min(iw, bw / scale), min(ih, bh / scale)
    fx, fy = (min(max(f, 0.0), 1.0) for f in focus)
    left = min(max(fx * iw - vw / 2, 0.0), iw - vw)
    top = min(max(fy * ih - vh / 2, 0.0), ih - vh)
    return (left, top, vw, vh)


def overlaps(a: Box, b: Box) -> bool:
    """True if the two boxes share any area (touching edges do not count)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


@dataclass(frozen=True)
class PosterLayout:
    """A picture slide's parts: ``picture`` is the box the picture is fitted into (contain)
    or fills (cover); ``caption`` the caption's band and ``text`` a bulletin's text below
    it, when there are any (``None`` otherwise); ``caption_over``: the caption is drawn on
    the picture itself (the item asked for it)."""

    picture: Box
    caption: Box | None = None
    text: Box | None = None
    caption_over: bool = False


def poster_layout(stage: tuple[float, float], image: tuple[float, float], *, caption: bool,
                  caption_over: bool = False, text: bool = False) -> PosterLayout:
    """Split a stage of size ``stage`` between a picture of size ``image``, its caption and
    a bulletin's text.

    - Caption over the picture (asked for): the picture has the whole stage.
    - A landscape picture on a portrait stage: the picture spans the width at the top, the
      caption and the text share what is left below it (never less than a band).
    - Otherwise: the caption gets a band at the bottom, the picture the rest (a bulletin's
      text is shown only below a landscape picture on a portrait stage: elsewhere there is
      no room for it beside the picture; the caller puts its title in the band).
    """
    sw, sh = stage
    if caption_over or not (caption or text):
        band = (0.0, 0.0, sw, sh * CAPTION_BAND_SHARE) if caption and caption_over else None
        return PosterLayout((0.0, 0.0, sw, sh), band, None, caption_over=bool(band))
    iw, ih = image
    if is_portrait(stage) and iw >= ih:
        pic_h = min(sw * ih / iw if iw else sh, sh * (1 - PORTRAIT_CAPTION_SHARE))
        below = sh - pic_h
        if text:
            cap_h = min(below, sh * PORTRAIT_CAPTION_SHARE) if caption else 0.0
            cap = (0.0, below - cap_h, sw, cap_h) if caption else None
            return PosterLayout((0.0, below, sw, pic_h), cap, (0.0, 0.0, sw, below - cap_h))
        return PosterLayout((0.0, below, sw, pic_h), (0.0, 0.0, sw, below))
    band_h = sh * CAPTION_BAND_SHARE
    return PosterLayout((0.0, band_h, sw, sh - band_h), (0.0, 0.0, sw, band_h))


def fills_box(image: tuple[float, float], box: tuple[float, float]) -> bool:
    """True if ``image`` has (nearly) the box's aspect ratio: contain leaves no bars."""
    iw, ih = image
    bw, bh = box
    if not (iw and ih and bw and bh):
        return False
    return abs((iw / ih) / (bw / bh) - 1) <= SNAP_ASPECT


@dataclass(frozen=True)
class ScreenZones:
    """Where the loop's slides and the side zone go, as shares of the screen (Kivy's
    ``size_hint`` and ``pos_hint`` values): ``stage`` and ``side`` are (x, y, w, h)."""

    stage: Box
    side: Box | None


def screen_zones(screen: tuple[float, float], top: float, bottom: float, side_zone: bool) -> ScreenZones:
    """The stage between a band of ``top`` and one of ``bottom`` (shares of the height,
    the banner and ticker above, the ticker and status bar below), with the side zone at
    the right (landscape) or under the stage (portrait) when there is one."""
    height = max(0.0, 1.0 - top - bottom)
    if not side_zone:
        return ScreenZones((0.0, bottom, 1.0, height), None)
    if is_portrait(screen):
        side_h = min(SIDE_ZONE_HEIGHT, height / 2)
        return ScreenZones((0.0, bottom + side_h, 1.0, height - side_h), (0.0, bottom, 1.0, side_h))
    return ScreenZones((0.0, bottom, 1.0 - SIDE_ZONE_WIDTH, height),
                       (1.0 - SIDE_ZONE_WIDTH, bottom, SIDE_ZONE_WIDTH, height))
