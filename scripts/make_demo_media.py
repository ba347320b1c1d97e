#!/usr/bin/env python3
"""Generate the bundled demo media for the fictional town of Valbruyère.

This script draws the posters and the short video clip that ship with the
kiosk's demo content (``hub/demo_content/media/``):

* ``piscine.jpg``      – municipal swimming pool, new opening hours
* ``piscine-portrait.jpg`` – the same poster drawn for portrait screens (720x1280)
* ``marche.jpg``       – Saturday market on the Place de la Mairie
* ``mediatheque.png``  – library story time for children
* ``velo.jpg``         – cycling day
* ``valbruyere.mp4``   – ~6 s, 25 fps, 640x360 H.264/yuv420p welcome clip

The generated files are committed to the repository so that the demo looks
the same on every machine and nothing has to be generated at install or test
time.  Re-running this script is only needed when the demo media themselves
should change; commit the regenerated files afterwards.

Everything is drawn with Pillow from fixed geometry (any pseudo-randomness
uses a fixed seed), so with the same Pillow/FreeType versions two runs produce
byte-identical images.  The MP4 is encoded with libx264 through
``ffpyplayer.writer.MediaWriter``; it is not guaranteed to be byte-identical
between runs, but its size, duration and content are stable.

Fonts: Roboto Bold/Regular as bundled with Kivy (located through
``importlib`` so the script works in any virtualenv that has Kivy installed).

Usage::

    python scripts/make_demo_media.py [OUTDIR]

OUTDIR defaults to ``hub/demo_content/media`` relative to the repository
root.  Requirements: Pillow, ffpyplayer (for the video) and Kivy (fonts).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import random
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTDIR = REPO_ROOT / "hub" / "demo_content" / "media"

TOWN = "Valbruyère"

# Poster geometry.  Everything is drawn at SS times the final size and then
# downsampled, which gives smooth (anti-aliased) shapes.
W, H = 1280, 720
SS = 2

# Video parameters.
VW, VH = 640, 360
FPS = 25
SECONDS = 6
N_FRAMES = FPS * SECONDS

MIN_CONTRAST = 4.5

JPEG_OPTS = dict(quality=85, optimize=True, progressive=False, subsampling="4:2:0")

RGB = tuple[int, int, int]


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

def kivy_font_dir() -> Path:
    spec = importlib.util.find_spec("kivy")
    if spec is None or spec.origin is None:
        sys.exit("make_demo_media: Kivy is not installed; it provides the Roboto fonts.")
    return Path(spec.origin).parent / "data" / "fonts"


_FONT_CACHE: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """Roboto ``weight`` ("Bold" or "Regular") at ``size`` pixels."""
    key = (weight, size)
    if key not in _FONT_CACHE:
        path = kivy_font_dir() / f"Roboto-{weight}.ttf"
        # Basic layout: independent of whether libraqm happens to be present.
        _FONT_CACHE[key] = ImageFont.truetype(
            str(path), size, layout_engine=ImageFont.Layout.BASIC
        )
    return _FONT_CACHE[key]


# --------------------------------------------------------------------------
# Colour helpers
# --------------------------------------------------------------------------

def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def mix(c0: RGB, c1: RGB, t: float) -> RGB:
    return tuple(round(lerp(a, b, t)) for a, b in zip(c0, c1, strict=False))  # type: ignore[return-value]


def rgba(color: str | RGB, alpha: int = 255) -> tuple[int, int, int, int]:
    if isinstance(color, str):
        color = hex_rgb(color)
    return (*color, alpha)


def _lin(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: RGB) -> float:
    r, g, b = color[:3]
    return 0.2126 * _lin(r) + 0.7152 * _lin(g) + 0.0722 * _lin(b)


def contrast_ratio(c0: RGB, c1: RGB) -> float:
    l0, l1 = luminance(c0), luminance(c1)
    hi, lo = max(l0, l1), min(l0, l1)
    return (hi + 0.05) / (lo + 0.05)


def gradient(size: tuple[int, int], stops: list[tuple[float, str]], angle: float = 90.0) -> Image.Image:
    """RGB image with a linear multi-stop gradient.

    ``angle`` is in degrees: 90 = top to bottom, 0 = left to right, values in
    between give a diagonal.  ``stops`` is a list of (position 0..1, "#rrggbb").
    """
    w, h = size
    # Parameter t (0..255) along the gradient direction, built from Pillow's
    # built-in ramps so that no per-pixel Python loop is needed.
    rad = math.radians(angle)
    dx, dy = math.cos(rad), math.sin(rad)
    span = abs(dx) * w + abs(dy) * h
    horiz = Image.linear_gradient("L").rotate(90, expand=True)
    horiz = horiz.resize((w, h), Image.Resampling.BILINEAR)  # 0 left -> 255 right
    vert = Image.linear_gradient("L").resize((w, h), Image.Resampling.BILINEAR)  # 0 top -> 255 bottom
    wx, wy = abs(dx) * w / span, abs(dy) * h / span
    if dx < 0:
        horiz = horiz.point(lambda v: 255 - v)
    if dy < 0:
        vert = vert.point(lambda v: 255 - v)
    t_img = Image.blend(horiz, vert, wy / (wx + wy)) if wx + wy else vert

    parsed = [(pos, hex_rgb(col)) for pos, col in stops]

    def color_at(t: float) -> RGB:
        if t <= parsed[0][0]:
            return parsed[0][1]
        for (p0, c0), (p1, c1) in zip(parsed, parsed[1:], strict=False):
            if t <= p1:
                return mix(c0, c1, (t - p0) / (p1 - p0) if p1 > p0 else 0.0)
        return parsed[-1][1]

    table = [color_at(i / 255) for i in range(256)]
    channels = [t_img.point([c[k] for c in table]) for k in range(3)]
    return Image.merge("RGB", channels)


# --------------------------------------------------------------------------
# Poster canvas
# --------------------------------------------------------------------------

class Poster:
    """A supersampled RGBA canvas with a few drawing conveniences.

    Coordinates passed to the helpers are in final-image pixels (1280x720, or the
    ``size`` given: 720x1280 for a portrait variant);
    they are scaled by SS internally.
    """

    def __init__(self, background: Image.Image, size: tuple[int, int] = (W, H)):
        self.size = size
        self.img = background.convert("RGBA").resize((size[0] * SS, size[1] * SS), Image.Resampling.BICUBIC)
        self.texts: list[tuple[tuple[int, int, int, int], RGB, str]] = []

    @staticmethod
    def s(v: float) -> int:
        return round(v * SS)

    def sxy(self, pts):
        return [(self.s(x), self.s(y)) for x, y in pts]

    def layer(self) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        lay = Image.new("RGBA", self.img.size, (0, 0, 0, 0))
        return lay, ImageDraw.Draw(lay)

    def merge(self, lay: Image.Image, blur: float = 0.0) -> None:
        if blur:
            lay = lay.filter(ImageFilter.GaussianBlur(blur * SS))
        self.img = Image.alpha_composite(self.img, lay)

    def card(self, box, fill: str, alpha: int, radius: float = 28, shadow: bool = True) -> None:
        x0, y0, x1, y1 = box
        if shadow:
            lay, d = self.layer()
            d.rounded_rectangle([self.s(x0 + 6), self.s(y0 + 10), self.s(x1 + 6), self.s(y1 + 10)],
                                radius=self.s(radius), fill=(0, 0, 0, 90))
            self.merge(lay, blur=10)
        lay, d = self.layer()
        d.rounded_rectangle([self.s(x0), self.s(y0), self.s(x1), self.s(y1)],
                            radius=self.s(radius), fill=rgba(fill, alpha))
        self.merge(lay)

    def text(self, xy, text: str, size: int, color: str, weight: str = "Bold",
             max_width: float | None = None) -> tuple[int, int, int, int]:
        """Queue ``text`` at ``xy`` (top-left, final pixels); returns its bbox.

        Text is drawn last (see :meth:`render`) so that its contrast can be
        checked against the finished background underneath it.
        """
        f = font(weight, size * SS)
        if max_width is not None:
            while f.getlength(text) > max_width * SS and size > 20:
                size -= 2
                f = font(weight, size * SS)
        x, y = self.s(xy[0]), self.s(xy[1])
        bbox = ImageDraw.Draw(self.img).textbbox((x, y), text, font=f)
        self.texts.append(((x, y, f.size, weight), hex_rgb(color), text))
        return tuple(round(v / SS) for v in bbox)  # type: ignore[return-value]

    def text_width(self, text: str, size: int, weight: str = "Bold") -> float:
        return font(weight, size * SS).getlength(text) / SS

    def render(self, name: str) -> Image.Image:
        """Draw queued text (checking contrast) and return the final RGB image."""
        d = ImageDraw.Draw(self.img)
        background = self.img.convert("RGB")
        for (x, y, size, weight), color, text in self.texts:
            f = font(weight, size)
            bbox = d.textbbox((x, y), text, font=f)
            check_contrast(background, bbox, color, f"{name}: {text!r}")
        for (x, y, size, weight), color, text in self.texts:
            d.text((x, y), text, font=font(weight, size), fill=rgba(color))
        return self.img.convert("RGB").resize(self.size, Image.Resampling.LANCZOS)


def check_contrast(background: Image.Image, bbox, color: RGB, what: str) -> float:
    """Worst WCAG contrast between ``color`` and any background pixel in bbox."""
    crop = background.crop(bbox)
    colors = crop.getcolors(maxcolors=crop.width * crop.height + 1) or []
    worst = min(contrast_ratio(color, c) for _, c in colors)
    if worst < MIN_CONTRAST:
        raise SystemExit(f"make_demo_media: contrast too low for {what}: {worst:.2f} < {MIN_CONTRAST}")
    return worst


def town_header(p: Poster, x: float, y: float, color: str) -> float:
    """Small 'VILLE DE VALBRUYÈRE' label with a simple crest; returns its bottom."""
    lay, d = p.layer()
    # A little shield: rounded top, pointed bottom.
    shield = [(x, y), (x + 30, y), (x + 30, y + 22), (x + 15, y + 36), (x, y + 22)]
    d.polygon(p.sxy(shield), fill=rgba(color))
    d.polygon(p.sxy([(x + 8, y + 9), (x + 22, y + 9), (x + 15, y + 22)]), fill=(0, 0, 0, 0))
    p.merge(lay)
    bbox = p.text((x + 44, y + 3), f"VILLE DE {TOWN.upper()}", 26, color, "Bold")
    return bbox[3]


def standard_text_block(p: Poster, box, title: str, subtitle: str, card_color: str,
                        card_alpha: int, text_color: str, accent: str) -> None:
    """Card with the town header, a big title, an accent rule and a subtitle."""
    x0, y0, x1, y1 = box
    p.card(box, card_color, card_alpha)
    pad = 48
    town_header(p, x0 + pad, y0 + 40, text_color)
    p.text((x0 + pad - 4, y0 + 92), title, 90, text_color, "Bold", max_width=x1 - x0 - 2 * pad)
    lay, d = p.layer()
    d.rounded_rectangle([p.s(x0 + pad), p.s(y0 + 214), p.s(x0 + pad + 120), p.s(y0 + 222)],
                        radius=p.s(4), fill=rgba(accent))
    p.merge(lay)
    p.text((x0 + pad, y0 + 242), subtitle, 44, text_color, "Regular", max_width=x1 - x0 - 2 * pad)


# --------------------------------------------------------------------------
# Posters
# --------------------------------------------------------------------------

def wave_points(y_base: float, amp: float, wavelength: float, phase: float,
                x0: float = -20, x1: float = W + 20, bottom: float = H + 20):
    pts = []
    steps = 160
    for i in range(steps + 1):
        x = lerp(x0, x1, i / steps)
        y = y_base + amp * math.sin(2 * math.pi * x / wavelength + phase)
        pts.append((x, y))
    return pts + [(x1, bottom), (x0, bottom)]


def pool_scene(p: Poster, sun: tuple[float, float], waves, rope_y: float, ropes: int,
               ladder_x: tuple[float, float], ladder: tuple[float, float, float], rungs,
               bubbles: tuple[int, tuple[float, float], tuple[float, float]]) -> None:
    """The pool's water: a glowing sun, layered waves (lighter at the back) with foam on the
    first crests, a lane rope, a ladder and bubbles (fixed seed). ``ladder`` is the rails'
    top of the curve, the rails' bottom and where the straight part starts."""
    width, height = p.size
    cx, cy = sun
    lay, d = p.layer()
    d.ellipse([p.s(cx - 120), p.s(cy - 120), p.s(cx + 120), p.s(cy + 120)], fill=(255, 250, 220, 110))
    p.merge(lay, blur=24)
    lay, d = p.layer()
    d.ellipse([p.s(cx - 70), p.s(cy - 70), p.s(cx + 70), p.s(cy + 70)], fill=(255, 244, 190, 255))
    p.merge(lay)

    for y, amp, wl, ph, col, alpha in waves:
        lay, d = p.layer()
        d.polygon(p.sxy(wave_points(y, amp, wl, ph, x1=width + 20, bottom=height + 20)), fill=rgba(col, alpha))
        p.merge(lay)
    lay, d = p.layer()  # foam highlights on the crests
    for y, amp, wl, ph, _, _ in waves[:3]:
        crest = wave_points(y, amp, wl, ph, x1=width + 20, bottom=height + 20)[:-2]
        d.line(p.sxy(crest), fill=(255, 255, 255, 110), width=p.s(4), joint="curve")
    p.merge(lay)

    lay, d = p.layer()  # the lane rope
    for i in range(0, ropes):
        x = 20 + i * 40
        y = rope_y + 22 * math.sin(2 * math.pi * x / 380 + 1.3) + 4
        col = "#e8413c" if (i // 3) % 2 == 0 else "#ffffff"
        d.ellipse([p.s(x - 14), p.s(y - 10), p.s(x + 14), p.s(y + 10)], fill=rgba(col))
    p.merge(lay)

    arc_top, bottom, straight = ladder
    lay, d = p.layer()
    for rx in ladder_x:
        d.line(p.sxy([(rx, bottom), (rx, straight)]), fill=rgba("#dfe8ee"), width=p.s(14))
        d.arc([p.s(rx - 60), p.s(arc_top), p.s(rx + 60), p.s(arc_top + 200)], 180, 270, fill=rgba("#dfe8ee"),
              width=p.s(14))
    for ry in rungs:
        d.line(p.sxy([(ladder_x[0], ry), (ladder_x[1], ry)]), fill=rgba("#b9c8d2"), width=p.s(12))
    p.merge(lay)

    count, (x0, x1), (y0, y1) = bubbles
    rng = random.Random(1)
    lay, d = p.layer()
    for _ in range(count):
        x, y, r = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(5, 16)
        d.ellipse([p.s(x - r), p.s(y - r), p.s(x + r), p.s(y + r)], outline=(255, 255, 255, 150), width=p.s(2.5))
    p.merge(lay)


def make_piscine() -> Image.Image:
    bg = gradient((W, H), [(0.0, "#8fe3f5"), (0.45, "#2aa7d6"), (1.0, "#0a3a73")], angle=90)
    p = Poster(bg)
    waves = [
        (250, 18, 420, 0.0, "#b9f0fb", 150),
        (300, 22, 380, 1.3, "#5cc6e8", 170),
        (360, 26, 520, 2.1, "#1f8fc8", 190),
        (430, 24, 460, 0.6, "#136aa6", 210),
        (510, 20, 600, 2.8, "#0c4d86", 230),
    ]
    pool_scene(p, (1080, 110), waves, rope_y=300, ropes=34, ladder_x=(1090, 1170), ladder=(230, 700, 330),
               rungs=(420, 500, 580, 660), bubbles=(28, (860, 1260), (420, 700)))
    standard_text_block(p, (60, 330, 1010, 670), "Piscine des Tilleuls",
                        "Nouveaux horaires · New opening hours",
                        "#072a55", 235, "#ffffff", "#ffd23f")
    return p.render("piscine")


PW, PH = 720, 1280  # a portrait variant (the item's file_portrait)


def make_piscine_portrait() -> Image.Image:
    """The pool's poster drawn for a portrait screen: the same sun, water, lane rope and
    ladder, the title on two lines in a card over the deep water."""
    bg = gradient((PW, PH), [(0.0, "#8fe3f5"), (0.35, "#2aa7d6"), (1.0, "#0a3a73")], angle=90)
    p = Poster(bg, (PW, PH))
    waves = [
        (380, 18, 420, 0.0, "#b9f0fb", 150),
        (440, 22, 380, 1.3, "#5cc6e8", 170),
        (520, 26, 520, 2.1, "#1f8fc8", 190),
        (620, 24, 460, 0.6, "#136aa6", 210),
        (740, 20, 600, 2.8, "#0c4d86", 230),
    ]
    pool_scene(p, (560, 150), waves, rope_y=440, ropes=19, ladder_x=(560, 640), ladder=(380, 800, 480),
               rungs=(560, 640, 720), bubbles=(18, (380, 700), (560, 820)))
    x0, y0, x1, y1 = 40, 850, 680, 1230
    p.card((x0, y0, x1, y1), "#072a55", 235)
    pad = 44
    town_header(p, x0 + pad, y0 + 38, "#ffffff")
    p.text((x0 + pad - 4, y0 + 86), "Piscine", 80, "#ffffff", "Bold", max_width=x1 - x0 - 2 * pad)
    p.text((x0 + pad - 4, y0 + 176), "des Tilleuls", 80, "#ffffff", "Bold", max_width=x1 - x0 - 2 * pad)
    lay, d = p.layer()
    d.rounded_rectangle([p.s(x0 + pad), p.s(y0 + 286), p.s(x0 + pad + 120), p.s(y0 + 294)],
                        radius=p.s(4), fill=rgba("#ffd23f"))
    p.merge(lay)
    p.text((x0 + pad, y0 + 310), "Nouveaux horaires · New opening hours", 34, "#ffffff", "Regular",
           max_width=x1 - x0 - 2 * pad)
    return p.render("piscine-portrait")


def awning(p: Poster, x: float, y: float, w: float, h: float, c0: str, c1: str, n: int) -> None:
    lay, d = p.layer()
    sw = w / n
    for i in range(n):
        col = c0 if i % 2 == 0 else c1
        d.rectangle([p.s(x + i * sw), p.s(y), p.s(x + (i + 1) * sw), p.s(y + h)], fill=rgba(col))
        # Scalloped edge.
        d.pieslice([p.s(x + i * sw), p.s(y + h - sw / 2), p.s(x + (i + 1) * sw), p.s(y + h + sw / 2)],
                   0, 180, fill=rgba(col))
    # Roof line.
    d.rectangle([p.s(x - 10), p.s(y - 14), p.s(x + w + 10), p.s(y)], fill=rgba("#5a3418"))
    p.merge(lay)


def make_marche() -> Image.Image:
    bg = gradient((W, H), [(0.0, "#ffd36b"), (0.55, "#f59a3a"), (1.0, "#e0662a")], angle=70)
    p = Poster(bg)

    # Sun above the stalls.
    lay, d = p.layer()
    d.ellipse([p.s(1150 - 95), p.s(65 - 95), p.s(1150 + 95), p.s(65 + 95)], fill=(255, 245, 200, 130))
    p.merge(lay, blur=20)
    lay, d = p.layer()
    d.ellipse([p.s(1150 - 50), p.s(65 - 50), p.s(1150 + 50), p.s(65 + 50)], fill=rgba("#fff1b8"))
    p.merge(lay)

    # Cobbled square in the foreground.
    lay, d = p.layer()
    d.rectangle([0, p.s(600), p.s(W), p.s(H)], fill=rgba("#c9692c", 120))
    for row, y in enumerate(range(612, 720, 28)):
        shift = 0 if row % 2 == 0 else 30
        for x in range(-60 + shift, W + 60, 60):
            d.rounded_rectangle([p.s(x + 3), p.s(y + 3), p.s(x + 57), p.s(y + 25)], radius=p.s(8),
                                fill=rgba("#b85a22", 150))
    p.merge(lay)

    # Two market stalls on the right.
    stalls = [
        (760, 90, 250, "#2f7d3b", "#fff3d6"),
        (1030, 150, 220, "#c8412d", "#fff3d6"),
    ]
    for sx, sy, sw, c0, c1 in stalls:
        lay, d = p.layer()
        # Poles and counter.
        d.rectangle([p.s(sx + 6), p.s(sy), p.s(sx + 18), p.s(sy + 380)], fill=rgba("#5a3418"))
        d.rectangle([p.s(sx + sw - 18), p.s(sy), p.s(sx + sw - 6), p.s(sy + 380)], fill=rgba("#5a3418"))
        d.rounded_rectangle([p.s(sx - 10), p.s(sy + 250), p.s(sx + sw + 10), p.s(sy + 300)],
                            radius=p.s(6), fill=rgba("#7a4a22"))
        d.rectangle([p.s(sx), p.s(sy + 300), p.s(sx + sw), p.s(sy + 380)], fill=rgba("#8e5a2c"))
        p.merge(lay)
        awning(p, sx, sy, sw, 70, c0, c1, 7)

    # Produce piled on the counters: tomatoes, oranges, apples, with leaves.
    produce = [
        ("#d7261e", "#ff6a5c"), ("#f28a12", "#ffc36b"), ("#7cb82f", "#b6e36a"),
        ("#f2c214", "#ffe680"), ("#8e2a6b", "#c468a4"),
    ]
    lay, d = p.layer()
    for k, (sx, sy, sw, _, _) in enumerate(stalls):
        counter = sy + 250
        r = 20
        per_row = int((sw - 10) // (2 * r))
        for row in range(3):
            n = per_row - row
            x_start = sx + (sw - n * 2 * r) / 2 + r
            for i in range(n):
                cx = x_start + i * 2 * r
                cy = counter - r - row * (r * 1.6)
                base, hi = produce[(i // 2 + row + 2 * k) % len(produce)]
                d.ellipse([p.s(cx - r), p.s(cy - r), p.s(cx + r), p.s(cy + r)], fill=rgba(base))
                d.ellipse([p.s(cx - r * 0.55), p.s(cy - r * 0.6), p.s(cx - r * 0.1), p.s(cy - r * 0.2)],
                          fill=rgba(hi))
                d.polygon(p.sxy([(cx - 2, cy - r + 2), (cx + 10, cy - r - 8), (cx + 6, cy - r + 4)]),
                          fill=rgba("#2f7d3b"))
    p.merge(lay)

    # Crates of greens in the foreground.
    lay, d = p.layer()
    for cx in (830, 970, 1110, 1250):
        d.rounded_rectangle([p.s(cx - 60), p.s(600), p.s(cx + 60), p.s(700)], radius=p.s(6), fill=rgba("#a8743e"))
        for yy in (625, 660):
            d.line(p.sxy([(cx - 60, yy), (cx + 60, yy)]), fill=rgba("#7a4a22"), width=p.s(4))
        for j in range(5):
            lx = cx - 48 + j * 24
            d.ellipse([p.s(lx - 18), p.s(560), p.s(lx + 18), p.s(612)], fill=rgba("#3c9a3f" if j % 2 else "#2f7d3b"))
    p.merge(lay)

    # Bunting across the top.
    lay, d = p.layer()
    flag_cols = ["#2f7d3b", "#fff3d6", "#c8412d", "#1f5fa8"]
    for i in range(16):
        x = 10 + i * 46
        sag = 26 * math.sin(math.pi * (x / 740))
        d.polygon(p.sxy([(x, 20 + sag), (x + 40, 20 + sag + 2), (x + 20, 62 + sag)]), fill=rgba(flag_cols[i % 4]))
    d.line(p.sxy([(x, 20 + 26 * math.sin(math.pi * x / 740)) for x in range(0, 760, 10)]),
           fill=rgba("#5a3418"), width=p.s(3))
    p.merge(lay)

    standard_text_block(p, (60, 160, 760, 500), "Marché du samedi",
                        "Place de la Mairie · 8h–13h",
                        "#1e4d2b", 240, "#fff6e0", "#ffb238")
    return p.render("marche")


def make_mediatheque() -> Image.Image:
    bg = gradient((W, H), [(0.0, "#5a2d8c"), (0.55, "#3b4f9a"), (1.0, "#1b9a97")], angle=25)
    p = Poster(bg)

    # Decorative stars / dots (fixed seed).
    rng = random.Random(7)
    lay, d = p.layer()
    for _ in range(60):
        cx, cy, r = rng.uniform(0, W), rng.uniform(0, 300), rng.uniform(1.5, 4.5)
        d.ellipse([p.s(cx - r), p.s(cy - r), p.s(cx + r), p.s(cy + r)], fill=(255, 255, 255, rng.randint(90, 200)))
    p.merge(lay)

    # Moon.
    lay, d = p.layer()
    d.ellipse([p.s(1080), p.s(50), p.s(1200), p.s(170)], fill=rgba("#fff1c1"))
    # Drawing transparent pixels on the layer erases them: a crescent.
    d.ellipse([p.s(1110), p.s(38), p.s(1230), p.s(158)], fill=(0, 0, 0, 0))
    p.merge(lay)

    # Bookshelf on the right.
    shelf_x0, shelf_x1 = 800, 1240
    book_cols = ["#f2b134", "#ef6f6c", "#4fc3b8", "#f7f3e3", "#8e6bd1", "#e8e36b", "#5aa9e6", "#ff9f68"]
    rng = random.Random(42)
    lay, d = p.layer()
    for shelf_y in (330, 500, 670):
        d.rounded_rectangle([p.s(shelf_x0 - 20), p.s(shelf_y), p.s(shelf_x1 + 20), p.s(shelf_y + 18)],
                            radius=p.s(4), fill=rgba("#2a1748"))
        x = shelf_x0
        i = 0
        while x < shelf_x1 - 30:
            bw = rng.choice([26, 30, 34, 40, 46])
            bh = rng.choice([110, 120, 130, 140, 150])
            col = book_cols[(i * 3 + shelf_y // 10) % len(book_cols)]
            if i % 7 == 5 and x + bh * 0.5 < shelf_x1:
                # A leaning book.
                lean = 0.35
                pts = [(x, shelf_y), (x + bw, shelf_y), (x + bw + bh * lean, shelf_y - bh * 0.94),
                       (x + bh * lean, shelf_y - bh * 0.94)]
                d.polygon(p.sxy(pts), fill=rgba(col))
                x += bw + bh * lean + 4
            else:
                d.rectangle([p.s(x), p.s(shelf_y - bh), p.s(x + bw - 3), p.s(shelf_y)], fill=rgba(col))
                d.rectangle([p.s(x + 4), p.s(shelf_y - bh + 16), p.s(x + bw - 7), p.s(shelf_y - bh + 24)],
                            fill=(0, 0, 0, 60))
                d.rectangle([p.s(x + 4), p.s(shelf_y - 28), p.s(x + bw - 7), p.s(shelf_y - 22)],
                            fill=(0, 0, 0, 60))
                x += bw + 1
            i += 1
    p.merge(lay)

    # Open book at the top left.
    lay, d = p.layer()
    cx, cy = 200, 120
    for side in (-1, 1):
        page = [(cx, cy + 10), (cx + side * 120, cy - 10), (cx + side * 125, cy + 70), (cx, cy + 86)]
        d.polygon(p.sxy(page), fill=rgba("#fdf6e3"))
        for k in range(4):
            y = cy + 12 + k * 14
            d.line(p.sxy([(cx + side * 16, y + 4), (cx + side * 100, y - 12 + k * 1.5)]),
                   fill=rgba("#b8a98a"), width=p.s(3))
    d.polygon(p.sxy([(cx - 130, cy + 72), (cx, cy + 96), (cx + 130, cy + 72), (cx + 128, cy + 82),
                     (cx, cy + 106), (cx - 128, cy + 82)]), fill=rgba("#1b9a97"))
    p.merge(lay)
    # Sparkles rising from the book.
    lay, d = p.layer()
    for (sx, sy, r) in [(170, 40, 10), (240, 20, 7), (300, 60, 8), (120, 70, 6)]:
        d.polygon(p.sxy([(sx, sy - r), (sx + r * 0.3, sy - r * 0.3), (sx + r, sy), (sx + r * 0.3, sy + r * 0.3),
                         (sx, sy + r), (sx - r * 0.3, sy + r * 0.3), (sx - r, sy), (sx - r * 0.3, sy - r * 0.3)]),
                  fill=rgba("#ffe27a"))
    p.merge(lay)

    standard_text_block(p, (60, 250, 760, 590), "Médiathèque",
                        "Contes pour enfants · mercredi 15h",
                        "#24103f", 235, "#ffffff", "#4fe0d0")
    return p.render("mediatheque")


def bicycle(d: ImageDraw.ImageDraw, p: Poster, x: float, y: float, r: float, color, accent) -> None:
    """Bicycle whose rear axle is at (x, y), wheel radius r."""
    s = p.s
    lw = 11
    rear = (x, y)
    front = (x + 2.6 * r, y)
    bb = (x + 1.15 * r, y + 0.05 * r)
    seat_top = (x + 0.85 * r, y - 1.0 * r)
    head_top = (x + 2.15 * r, y - 0.95 * r)
    head_bot = (x + 2.25 * r, y - 0.6 * r)

    for cx, cy in (rear, front):
        d.ellipse([s(cx - r), s(cy - r), s(cx + r), s(cy + r)], outline=color, width=s(16))
        d.ellipse([s(cx - r + 14), s(cy - r + 14), s(cx + r - 14), s(cy + r - 14)], outline=color, width=s(3))
        for k in range(12):
            a = 2 * math.pi * k / 12
            d.line([s(cx), s(cy), s(cx + (r - 14) * math.cos(a)), s(cy + (r - 14) * math.sin(a))],
                   fill=color, width=s(2.5))
        d.ellipse([s(cx - 10), s(cy - 10), s(cx + 10), s(cy + 10)], fill=color)

    frame = [
        (rear, bb), (rear, seat_top), (bb, seat_top), (seat_top, head_top),
        (bb, head_bot), (head_top, head_bot), (head_bot, front),
    ]
    for a, b in frame:
        d.line([s(a[0]), s(a[1]), s(b[0]), s(b[1])], fill=accent, width=s(lw))
    for jx, jy in (rear, bb, seat_top, head_top, head_bot):
        d.ellipse([s(jx - lw / 2), s(jy - lw / 2), s(jx + lw / 2), s(jy + lw / 2)], fill=accent)

    # Seat post and saddle.
    post = (seat_top[0] - 0.08 * r, seat_top[1] - 0.25 * r)
    d.line([s(seat_top[0]), s(seat_top[1]), s(post[0]), s(post[1])], fill=color, width=s(9))
    d.rounded_rectangle([s(post[0] - 38), s(post[1] - 14), s(post[0] + 30), s(post[1] + 4)],
                        radius=s(9), fill=color)
    # Stem and handlebar.
    stem = (head_top[0] - 0.05 * r, head_top[1] - 0.22 * r)
    d.line([s(head_top[0]), s(head_top[1]), s(stem[0]), s(stem[1])], fill=color, width=s(9))
    d.line([s(stem[0] - 10), s(stem[1]), s(stem[0] + 40), s(stem[1] - 6)], fill=color, width=s(10))
    d.ellipse([s(stem[0] + 32), s(stem[1] - 14), s(stem[0] + 50), s(stem[1] + 2)], fill=color)
    # Chainring and crank.
    d.ellipse([s(bb[0] - 26), s(bb[1] - 26), s(bb[0] + 26), s(bb[1] + 26)], outline=color, width=s(7))
    d.line([s(bb[0]), s(bb[1]), s(bb[0] + 22), s(bb[1] + 42)], fill=color, width=s(8))
    d.rounded_rectangle([s(bb[0] + 8), s(bb[1] + 38), s(bb[0] + 44), s(bb[1] + 50)], radius=s(4), fill=color)
    # Chain.
    d.line([s(bb[0]), s(bb[1] - 24), s(rear[0]), s(rear[1] - 12)], fill=color, width=s(3))
    d.line([s(bb[0]), s(bb[1] + 24), s(rear[0]), s(rear[1] + 12)], fill=color, width=s(3))


def make_velo() -> Image.Image:
    bg = gradient((W, H), [(0.0, "#d9f5b0"), (0.5, "#8fd16a"), (1.0, "#3f9a47")], angle=90)
    p = Poster(bg)

    # Sun.
    lay, d = p.layer()
    d.ellipse([p.s(1000), p.s(0), p.s(1230), p.s(230)], fill=(255, 250, 200, 130))
    p.merge(lay, blur=24)
    lay, d = p.layer()
    d.ellipse([p.s(1040), p.s(40), p.s(1190), p.s(190)], fill=rgba("#fff3a8"))
    p.merge(lay)

    # Rolling hills.
    hills = [
        (330, 40, 900, 0.4, "#6dbb55", 255),
        (420, 34, 700, 2.0, "#4a9e45", 255),
        (520, 26, 1100, 4.0, "#2f7d3b", 255),
    ]
    for y, amp, wl, ph, col, a in hills:
        lay, d = p.layer()
        d.polygon(p.sxy(wave_points(y, amp, wl, ph)), fill=rgba(col, a))
        p.merge(lay)

    # Trees along the ridge.
    lay, d = p.layer()
    for tx, ty, tr in [(740, 302, 30), (800, 314, 22), (1225, 318, 26)]:
        d.rectangle([p.s(tx - 5), p.s(ty), p.s(tx + 5), p.s(ty + 40)], fill=rgba("#5a3a22"))
        d.ellipse([p.s(tx - tr), p.s(ty - 1.6 * tr), p.s(tx + tr), p.s(ty + 0.3 * tr)], fill=rgba("#2c6e34"))
    p.merge(lay)

    # Winding road.
    lay, d = p.layer()
    road = [(560, 730)] + [(x, 612 + 0.00022 * (x - 1280) ** 2) for x in range(640, 1320, 20)]
    d.line(p.sxy(road), fill=rgba("#e9dfc4"), width=p.s(46), joint="curve")
    p.merge(lay)

    # The bicycle.
    lay, d = p.layer()
    bicycle(d, p, 880, 500, 110, rgba("#13331a"), rgba("#ffcf33"))
    p.merge(lay)
    # Motion lines.
    lay, d = p.layer()
    for k, yy in enumerate((420, 455, 490)):
        d.line(p.sxy([(720 - 30 * k, yy), (790 - 10 * k, yy)]), fill=(255, 255, 255, 200), width=p.s(7))
    p.merge(lay)

    standard_text_block(p, (60, 80, 700, 420), "Fête du vélo", "Dimanche 6 juin",
                        "#123d1c", 240, "#ffffff", "#ffcf33")
    return p.render("velo")


# --------------------------------------------------------------------------
# Video
# --------------------------------------------------------------------------

def town_silhouette(size: tuple[int, int], scale: float) -> Image.Image:
    """Static RGBA foreground: hills and a row of town buildings."""
    w, h = size
    k = scale
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def S(v):
        return round(v * k)

    # Distant hills.
    for y_base, amp, wl, ph, col in [(220, 14, 300, 0.5, "#6f9b62"), (245, 10, 220, 2.0, "#4f7d4c")]:
        pts = [(S(x), S(y_base + amp * math.sin(2 * math.pi * x / wl + ph))) for x in range(-10, VW + 20, 5)]
        d.polygon(pts + [(S(VW + 20), S(VH)), (S(-10), S(VH))], fill=rgba(col))

    sil = rgba("#2b2350")
    win = rgba("#ffd866")
    ground = 312

    def house(x, wdt, hgt, roof, windows=True):
        d.rectangle([S(x), S(ground - hgt), S(x + wdt), S(ground)], fill=sil)
        d.polygon([(S(x - 4), S(ground - hgt)), (S(x + wdt / 2), S(ground - hgt - roof)),
                   (S(x + wdt + 4), S(ground - hgt))], fill=sil)
        if windows:
            for wx in range(int(x + 8), int(x + wdt - 12), 18):
                for wy in range(int(ground - hgt + 10), int(ground - 20), 22):
                    d.rectangle([S(wx), S(wy), S(wx + 8), S(wy + 10)], fill=win)

    house(10, 60, 50, 26)
    house(78, 44, 70, 22)
    house(130, 70, 44, 30)
    # Church with steeple.
    d.rectangle([S(215), S(ground - 70), S(275), S(ground)], fill=sil)
    d.rectangle([S(230), S(ground - 130), S(260), S(ground - 70)], fill=sil)
    d.polygon([(S(226), S(ground - 130)), (S(245), S(ground - 185)), (S(264), S(ground - 130))], fill=sil)
    d.line([(S(245), S(ground - 185)), (S(245), S(ground - 205))], fill=sil, width=S(3))
    d.line([(S(237), S(ground - 197)), (S(253), S(ground - 197))], fill=sil, width=S(3))
    d.ellipse([S(238), S(ground - 118), S(252), S(ground - 104)], fill=win)
    d.pieslice([S(235), S(ground - 40), S(255), S(ground - 20)], 180, 360, fill=win)
    d.rectangle([S(235), S(ground - 30), S(255), S(ground)], fill=win)
    house(285, 50, 56, 24)
    # Town hall (mairie) with clock and flag.
    d.rectangle([S(345), S(ground - 80), S(465), S(ground)], fill=sil)
    d.polygon([(S(340), S(ground - 80)), (S(405), S(ground - 112)), (S(470), S(ground - 80))], fill=sil)
    d.rectangle([S(392), S(ground - 135), S(418), S(ground - 100)], fill=sil)
    d.ellipse([S(396), S(ground - 130), S(414), S(ground - 112)], fill=win)
    d.line([(S(405), S(ground - 135)), (S(405), S(ground - 165))], fill=sil, width=S(2))
    for i, col in enumerate(("#1f4fa8", "#ffffff", "#d7261e")):
        d.rectangle([S(406 + i * 7), S(ground - 165), S(413 + i * 7), S(ground - 153)], fill=rgba(col))
    for wx in range(355, 460, 20):
        d.rectangle([S(wx), S(ground - 64), S(wx + 10), S(ground - 44)], fill=win)
    house(480, 56, 60, 26)
    house(545, 40, 40, 20)
    house(592, 60, 66, 28)
    # Trees between buildings.
    for tx, tr in [(205, 12), (335, 10), (478, 11)]:
        d.ellipse([S(tx - tr), S(ground - 3 * tr), S(tx + tr), S(ground - tr)], fill=rgba("#1f4a35"))
        d.rectangle([S(tx - 2), S(ground - tr - 2), S(tx + 2), S(ground)], fill=rgba("#1f4a35"))
    d.rectangle([S(-10), S(ground), S(VW + 10), S(VH)], fill=sil)
    return img


def make_video_frames():
    """Yield N_FRAMES RGB Pillow images (VW x VH)."""
    ss = 2
    size = (VW * ss, VH * ss)
    town = town_silhouette(size, ss)
    sky_dawn = [(0.0, "#f6a36b"), (0.6, "#fbd38d"), (1.0, "#fde7b5")]
    sky_day = [(0.0, "#3d8fd6"), (0.6, "#8cc8ef"), (1.0, "#d4eefa")]
    sky_a = gradient(size, sky_dawn, angle=90)
    sky_b = gradient(size, sky_day, angle=90)

    ticker_h = 44
    ticker_font = font("Bold", 26 * ss)
    message = f"Bienvenue à {TOWN}  ·  Welcome to {TOWN}  ·  "
    msg_w = ticker_font.getlength(message)
    title_font = font("Bold", 38 * ss)
    # Text colours checked against the ticker band / title plate.
    band_col, ticker_col = hex_rgb("#1b1540"), hex_rgb("#ffffff")
    assert contrast_ratio(band_col, ticker_col) >= MIN_CONTRAST

    clouds = [(60, 60, 1.0), (300, 40, 0.7), (520, 85, 1.2)]

    for i in range(N_FRAMES):
        t = i / (N_FRAMES - 1)
        frame = Image.blend(sky_a, sky_b, min(1.0, t * 1.4)).convert("RGBA")

        # Sun rising along an arc from left to right.
        lay = Image.new("RGBA", size, (0, 0, 0, 0))
        d = ImageDraw.Draw(lay)
        sx = lerp(150, 580, t)
        sy = 240 - 160 * math.sin(math.pi * (0.15 + 0.7 * t))
        sr = 26
        d.ellipse([ss * (sx - sr * 2.2), ss * (sy - sr * 2.2), ss * (sx + sr * 2.2), ss * (sy + sr * 2.2)],
                  fill=(255, 236, 150, 70))
        d.ellipse([ss * (sx - sr * 1.5), ss * (sy - sr * 1.5), ss * (sx + sr * 1.5), ss * (sy + sr * 1.5)],
                  fill=(255, 230, 120, 90))
        d.ellipse([ss * (sx - sr), ss * (sy - sr), ss * (sx + sr), ss * (sy + sr)], fill=rgba("#ffd23f"))
        # Rotating rays.
        for k in range(12):
            a = 2 * math.pi * k / 12 + t * math.pi
            d.line([ss * (sx + 1.3 * sr * math.cos(a)), ss * (sy + 1.3 * sr * math.sin(a)),
                    ss * (sx + 1.8 * sr * math.cos(a)), ss * (sy + 1.8 * sr * math.sin(a))],
                   fill=rgba("#ffc21f"), width=ss * 4)
        # Drifting clouds.
        for cx0, cy, speed in clouds:
            cx = (cx0 + 40 * speed * t * SECONDS) % (VW + 160) - 80
            for ox, oy, r in [(-22, 4, 16), (0, -6, 22), (24, 2, 17), (4, 8, 16)]:
                d.ellipse([ss * (cx + ox - r), ss * (cy + oy - r), ss * (cx + ox + r), ss * (cy + oy + r)],
                          fill=(255, 255, 255, 235))
        frame = Image.alpha_composite(frame, lay)
        frame = Image.alpha_composite(frame, town)

        d = ImageDraw.Draw(frame)
        # Title plate (top left), fading in over the first second.
        alpha = int(255 * min(1.0, i / FPS))
        if alpha:
            plate = Image.new("RGBA", size, (0, 0, 0, 0))
            pd = ImageDraw.Draw(plate)
            title = TOWN
            tw = title_font.getlength(title)
            px, py = 30 * ss, 16 * ss
            pd.rounded_rectangle([px - 18 * ss, py - 6 * ss, px + tw + 18 * ss, py + 52 * ss],
                                 radius=12 * ss, fill=(*band_col, round(alpha * 0.85)))
            pd.text((px, py), title, font=title_font, fill=(255, 255, 255, alpha))
            frame = Image.alpha_composite(frame, plate)
            d = ImageDraw.Draw(frame)

        # Scrolling ticker band at the bottom.
        top = (VH - ticker_h) * ss
        d.rectangle([0, top, VW * ss, VH * ss], fill=rgba(band_col))
        d.rectangle([0, top, VW * ss, top + 3 * ss], fill=rgba("#ffd23f"))
        offset = (i * 3.2 * ss) % msg_w
        x = VW * ss - offset - msg_w
        while x < VW * ss:
            d.text((x, top + 8 * ss), message, font=ticker_font, fill=rgba(ticker_col))
            x += msg_w
        yield frame.convert("RGB").resize((VW, VH), Image.Resampling.LANCZOS)


def write_video(path: Path) -> None:
    from ffpyplayer.pic import Image as FFImage
    from ffpyplayer.writer import MediaWriter

    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    if tmp.exists():
        tmp.unlink()
    stream = dict(pix_fmt_in="rgb24", width_in=VW, height_in=VH, codec="libx264",
                  frame_rate=(FPS, 1), pix_fmt_out="yuv420p")
    lib_opts = {"preset": "slow", "crf": "26", "threads": "1", "movflags": "+faststart"}
    writer = MediaWriter(str(tmp), [stream], lib_opts=lib_opts,
                         metadata={"title": f"{TOWN} – demo", "comment": "generated by make_demo_media.py"})
    try:
        for i, frame in enumerate(make_video_frames()):
            img = FFImage(plane_buffers=[frame.tobytes()], pix_fmt="rgb24", size=(VW, VH))
            writer.write_frame(img=img, pts=i / FPS, stream=0)
    finally:
        writer.close()
    os.replace(tmp, path)


def verify_video(path: Path, min_frames: int = 3, timeout: float = 20.0) -> int:
    """Check the MP4 header and decode a few frames; returns frames decoded."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    if head[4:8] != b"ftyp":
        raise SystemExit(f"make_demo_media: {path} does not look like an MP4 (no ftyp box)")
    from ffpyplayer.player import MediaPlayer

    player = MediaPlayer(str(path), ff_opts={"an": True, "sn": True, "sync": "video"})
    decoded = 0
    deadline = time.monotonic() + timeout
    try:
        while decoded < min_frames and time.monotonic() < deadline:
            frame, val = player.get_frame()
            if val == "eof":
                break
            if frame is None:
                time.sleep(0.01)
                continue
            img, _pts = frame
            if img.get_size() != (VW, VH):
                raise SystemExit(f"make_demo_media: unexpected frame size {img.get_size()}")
            decoded += 1
    finally:
        player.close_player()
    if decoded < min_frames:
        raise SystemExit(f"make_demo_media: only decoded {decoded} frame(s) from {path}")
    return decoded


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

POSTERS = [
    ("piscine.jpg", make_piscine),
    ("piscine-portrait.jpg", make_piscine_portrait),
    ("marche.jpg", make_marche),
    ("mediatheque.png", make_mediatheque),
    ("velo.jpg", make_velo),
]


def save_image(img: Image.Image, path: Path) -> None:
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    if path.suffix == ".png":
        # Palette-quantised to keep the file small; fixed method => deterministic.
        q = img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        q.save(tmp, format="PNG", optimize=True)
    else:
        img.save(tmp, format="JPEG", **JPEG_OPTS)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", nargs="?", default=str(DEFAULT_OUTDIR),
                    help="output directory (default: hub/demo_content/media in the repo)")
    ap.add_argument("--no-video", action="store_true", help="only generate the posters")
    args = ap.parse_args(argv)

    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)

    for name, fn in POSTERS:
        path = outdir / name
        save_image(fn(), path)
        print(f"{path}  {path.stat().st_size / 1024:.1f} KiB")

    if not args.no_video:
        path = outdir / "valbruyere.mp4"
        write_video(path)
        n = verify_video(path)
        print(f"{path}  {path.stat().st_size / 1024:.1f} KiB  ({N_FRAMES} frames, verified {n} decode)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
