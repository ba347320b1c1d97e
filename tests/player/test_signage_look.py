"""The signage look, checked by pixels on real headless Kivy renderings, in landscape
(1280×720) and portrait (720×1280): texts fit their boxes (long French, German and English,
never a clipped glyph, ink only inside its box, an ellipsis only at the floor), posters
fill their bars with their own blurred backdrop, the caption band never covers the
picture, the portrait file is used on a portrait screen, cover keeps the focal point, the
severity colours are where they belong and the side zone lists the next event.

The scenes are drawn by tests/player/look_scenes.py in a subprocess (Kivy is configured
once per process); this module only reads the PNGs and the boxes it wrote.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from player.render.base import READABLE_FLOOR
from player.severity import DARK

from ..helpers import rgb255

REPO = Path(__file__).resolve().parents[2]
SIZES = {"landscape": (1280, 720), "portrait": (720, 1280)}


@pytest.fixture(scope="module", params=sorted(SIZES))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    w, h = SIZES[request.param]
    out = tmp_path_factory.mktemp(request.param)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["SDL_VIDEODRIVER"] = "offscreen"
    r = subprocess.run([sys.executable, str(REPO / "tests" / "player" / "look_scenes.py"), str(out), str(w), str(h)],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert "DONE" in r.stdout, f"exit {r.returncode}:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    data = json.loads((out / "scenes.json").read_text())
    data["dir"] = out
    data["orientation"] = request.param
    return data


def _image(rendered: dict, scene: str) -> Image.Image:
    with Image.open(rendered["dir"] / f"{scene}.png") as img:
        return img.convert("RGB")


def _to_pixels(box: list[float], height: int) -> tuple[int, int, int, int]:
    """A Kivy box (y up) as PIL's (left, top, right, bottom)."""
    x, y, w, h = box
    return (round(x), round(height - y - h), round(x + w), round(height - y))


def _inside(px: tuple[int, int], boxes: list[tuple[int, int, int, int]], slack: int = 2) -> bool:
    x, y = px
    return any(b[0] - slack <= x < b[2] + slack and b[1] - slack <= y < b[3] + slack for b in boxes)


def _near(c: tuple[int, ...], ref: tuple[int, ...], tol: int = 12) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c, ref, strict=False))


TEXT_SCENES = ("bulletin-fr", "bulletin-de", "bulletin-long", "alert-critical", "poster-variant",
               "poster-contain", "banner-warning", "side-zone")


@pytest.mark.parametrize("scene", TEXT_SCENES)
def test_every_text_fits_its_box_without_a_clipped_glyph(rendered: dict, scene: str) -> None:
    w, h = rendered["window"]
    floor = min(w, h) * READABLE_FLOOR
    texts = rendered["scenes"][scene]["texts"]
    assert texts, scene
    for t in texts:
        bw, bh = t["box"][2:]
        nw, nh = t["natural"]
        # Kivy lays the fitted lines out unbounded at this size: the box holds them whole.
        assert nh <= bh + 1 and nw <= bw + 1, (scene, t["lines"], t["natural"], t["box"])
        if t["shortened"]:
            assert t["lines"][-1].endswith("…") and t["size"] <= floor + 1, (scene, t)
        assert not any(line.endswith("…") for line in t["lines"][:-1]), t


@pytest.mark.parametrize("scene", ("bulletin-fr", "bulletin-de", "bulletin-long", "alert-critical"))
def test_the_ink_of_a_bulletin_stays_inside_its_text_boxes(rendered: dict, scene: str) -> None:
    """Light pixels (text) only inside a text box, the pill, the QR code or the picture."""
    img = _image(rendered, scene)
    w, h = img.size
    data = rendered["scenes"][scene]
    boxes = [_to_pixels(t["box"], h) for t in data["texts"]]
    boxes += [_to_pixels(data[k], h) for k in ("pill", "qr", "picture") if data.get(k)]
    stray = [(x, y) for y in range(0, h, 2) for x in range(0, w, 2)
             if min(img.getpixel((x, y))) > 150 and not _inside((x, y), boxes)]
    assert not stray, f"{scene}: {len(stray)} light pixels outside every text box, e.g. {stray[:5]}"


def test_a_text_too_long_for_its_box_ends_with_an_ellipsis_at_the_readable_floor(rendered: dict) -> None:
    w, h = rendered["window"]
    body = max(rendered["scenes"]["bulletin-long"]["texts"], key=lambda t: len(t["source"]))
    assert body["shortened"] and body["lines"][-1].endswith("…")
    assert abs(body["size"] - int(min(w, h) * READABLE_FLOOR)) <= 1


def test_long_german_words_break_at_hyphenation_points(rendered: dict) -> None:
    import pyphen

    de = pyphen.Pyphen(lang="de_DE")
    texts = [t for t in rendered["scenes"]["bulletin-de"]["texts"] if t["source"].startswith(("Bürger", "Trink"))]
    cuts = 0
    for t in texts:
        prefix = ""  # the head of a word broken at the end of the line before
        for line in t["lines"]:
            tokens = line.split()
            if prefix:
                tokens[0] = prefix + tokens[0]
                prefix = ""
            if tokens[-1].endswith("-"):
                head = tokens[-1][:-1]
                word = next(w.strip(":;,.") for w in t["source"].split() if w.startswith(head) and len(w) > len(head))
                assert len(head) in de.positions(word), (head, word)
                prefix, cuts = head, cuts + 1
        assert " ".join(t["lines"]).replace("- ", "") == " ".join(t["source"].split())  # nothing lost
    assert cuts, [t["lines"] for t in texts]  # the long compounds needed it


def test_contain_fills_the_bars_with_the_posters_own_blurred_backdrop(rendered: dict) -> None:
    img = _image(rendered, "poster-contain" if rendered["orientation"] == "landscape" else "poster-variant")
    w, h = img.size
    scene = rendered["scenes"]["poster-contain" if rendered["orientation"] == "landscape" else "poster-variant"]
    left, top, right, bottom = _to_pixels(scene["picture"], h)
    assert left > 20, f"no side bars to check: picture at {left}..{right}"
    bar = img.crop((0, top + 10, left - 2, bottom - 10))
    colours = bar.getcolors(bar.width * bar.height) or []
    assert not any(_near(c, (0, 0, 0), 3) and n > bar.width * bar.height * 0.5 for n, c in colours), \
        "the side bars are black"
    r, g, b = (sum(c[i] * n for n, c in colours) / (bar.width * bar.height) for i in range(3))
    assert max(r, g, b) > 15, "the side bars are (nearly) black"
    picture = img.getpixel(((left + right) // 2, (top + bottom) // 2))
    # the backdrop is the poster's colour, darkened: the same dominant channel, dimmer
    assert max(range(3), key=lambda i: (r, g, b)[i]) == max(range(3), key=lambda i: picture[i])
    assert max(r, g, b) < max(picture)


def test_the_caption_band_never_covers_the_picture(rendered: dict) -> None:
    for name in ("poster-contain", "poster-variant"):
        scene = rendered["scenes"][name]
        img = _image(rendered, name)
        h = img.height
        pic, cap = _to_pixels(scene["picture"], h), _to_pixels(scene["caption"], h)
        assert cap[1] >= pic[3] - 1, f"{name}: caption band {cap} overlaps the picture {pic}"
        # and what is drawn in the band is the band, not the picture's colour
        picture_colour = img.getpixel(((pic[0] + pic[2]) // 2, (pic[1] + pic[3]) // 2))
        band = img.crop((cap[0], cap[1] + 2, cap[2], cap[3] - 2))
        same = sum(n for n, c in band.getcolors(band.width * band.height) or [] if _near(c, picture_colour, 6))
        assert same < band.width * band.height * 0.02, name


def test_the_portrait_file_is_shown_on_a_portrait_screen_and_the_default_elsewhere(rendered: dict) -> None:
    img = _image(rendered, "poster-variant")
    left, top, right, bottom = _to_pixels(rendered["scenes"]["poster-variant"]["picture"], img.height)
    centre = img.getpixel(((left + right) // 2, (top + bottom) // 2))
    expected = (150, 40, 120) if rendered["orientation"] == "portrait" else (30, 110, 60)
    assert _near(centre, expected, 3), (rendered["orientation"], centre)


def test_cover_fills_the_box_around_the_focal_point(rendered: dict) -> None:
    for side, colour in (("left", (30, 60, 200)), ("right", (230, 120, 30))):
        img = _image(rendered, f"cover-{side}")
        left, top, right, bottom = _to_pixels(rendered["scenes"][f"cover-{side}"]["picture"], img.height)
        assert (left, right) == (0, img.width) and top <= 1 and bottom >= img.height - 1, "cover leaves bars"
        for x in (5, img.width // 2, img.width - 5):
            assert _near(img.getpixel((x, img.height // 2)), colour, 3), (side, x)


def test_severity_colours_where_expected(rendered: dict) -> None:
    critical, warning, info = (rgb255(DARK.style(s).fill) for s in ("critical", "warning", "info"))
    alert = _image(rendered, "alert-critical")
    assert _near(alert.getpixel((alert.width - 5, alert.height // 2)), critical, 2)  # full-screen alert
    bulletin = _image(rendered, "bulletin-fr")
    assert _near(bulletin.getpixel((2, bulletin.height // 2)), warning, 2)  # the warning stripe
    pill = _to_pixels(rendered["scenes"]["bulletin-fr"]["pill"], bulletin.height)
    assert _near(bulletin.getpixel((pill[0] + 3, (pill[1] + pill[3]) // 2)), warning, 2)
    de = _image(rendered, "bulletin-de")
    assert _near(de.getpixel((2, de.height // 2)), info, 2)  # an information bulletin's stripe
    banner = _image(rendered, "banner-warning")
    bx = _to_pixels(rendered["scenes"]["banner-warning"]["band"], banner.height)
    assert _near(banner.getpixel((bx[0] + 3, bx[1] + 3)), warning, 2)  # the most severe alert's colour
    ticker = _image(rendered, "ticker")
    tb = _to_pixels(rendered["scenes"]["ticker"]["band"], ticker.height)
    strip = ticker.crop(tb)
    colours = strip.getcolors(strip.width * strip.height) or []
    amber, blue = rgb255(DARK.warning.ink), rgb255(DARK.info.ink)
    assert sum(n for n, c in colours if _near(c, amber, 30)) > 50, "no amber warning title in the ticker"
    assert sum(n for n, c in colours if _near(c, blue, 30)) > 5, "no blue information bullet in the ticker"


def test_the_side_zone_shows_the_next_event_title(rendered: dict) -> None:
    scene = rendered["scenes"]["side-zone"]
    # the event already over is not listed; the next one is first
    assert scene["event_titles"][0] == "Concert de Noël de l'harmonie municipale"
    img = _image(rendered, "side-zone")
    with Image.open(scene["expected_event_png"]) as exp:
        expected = exp.convert("RGBA")
    left, top, right, bottom = _to_pixels(scene["first_event"], img.height)
    want = [expected.getpixel((x, y))[3] > 128 for y in range(expected.height) for x in range(expected.width)]
    best = 0.0
    for dx in (-1, 0, 1):  # the label's texture is drawn at whole pixels
        for dy in (-1, 0, 1):
            region = img.crop((left + dx, top + dy, left + dx + expected.width, top + dy + expected.height))
            got = [min(region.getpixel((x, y))) > 128 for y in range(expected.height) for x in range(expected.width)]
            both = sum(a and b for a, b in zip(got, want, strict=True))
            either = sum(a or b for a, b in zip(got, want, strict=True))
            best = max(best, both / either if either else 0.0)
    assert best > 0.85, f"the side zone's first event differs from its text (overlap {best:.2f})"
