"""A kiosk page's image goes publish → serve → sync → cache → detail page, and a page
whose image file is missing on the device shows without it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import ImageStat

from content_cache import ContentCache
from hub.demo import demo_source_dir
from kiosk.touch.testing.harness import run_scenario

from ..touch.ui import crop, texts, visible
from .device import synced_device

SIZE = (1280, 800)
STEPS = [{"tap": {"x": 0.5, "y": 0.5}}, {"tap": {"tid": "cat-places"}}, {"tap": {"tid": "row-park-bruyere"}},
         {"dump": "park"}, {"shot": "park"}]


def _park_image(tmp_path: Path, data: Path) -> str:
    manifest = json.loads((tmp_path / "tree" / "v1" / "manifest.json").read_bytes())
    return next(p["image"] for p in manifest["kiosk"]["places"] if p["id"] == "park-bruyere")


@pytest.mark.timeout(240)
def test_a_place_image_synced_into_the_cache_shows_on_its_page_and_the_page_shows_without_it(tmp_path: Path) -> None:
    data = synced_device(tmp_path, demo_source_dir())
    sha = _park_image(tmp_path, data)
    with ContentCache(data / "cache") as cache:
        stored = cache.store.path_for(sha)
    assert stored.is_file()  # the sync fetched the page's image like any playlist media

    r = run_scenario(STEPS, tmp_path / "with", size=SIZE, data=data)
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    dump = r.dump("park")
    assert dump["screen"] == "detail" and dump["doc_id"] == "park-bruyere"
    images = [w for w in visible(dump) if w["cls"] == "Image"]
    assert len(images) == 1
    x0, y0, x1, y1 = images[0]["visible_rect"]
    assert y1 - y0 >= 150 and x1 - x0 >= 300
    # The picture is drawn (fitted, centred): the park's sky and grass, not the page's background.
    mid = (x0 + x1) / 2
    pixels = crop(r.out / "park.png", [mid - 0.15 * (x1 - x0), y0, mid + 0.15 * (x1 - x0), y1], SIZE[1])
    r_mean, g_mean, b_mean = ImageStat.Stat(pixels).mean
    assert g_mean > r_mean + 30 and b_mean > r_mean + 30, (r_mean, g_mean, b_mean)

    stored.unlink()  # a file lost on the device (the sync daemon would fetch it again)
    r = run_scenario(STEPS, tmp_path / "without", size=SIZE, data=data)
    assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
    dump = r.dump("park")
    assert dump["screen"] == "detail" and dump["doc_id"] == "park-bruyere"
    assert not [w for w in visible(dump) if w["cls"] == "Image"]
    assert "Parc des bords de Bruyère" in texts(dump)
    assert f"image {sha[:12]} is not on this device yet" in r.stderr


def _jpeg(path: Path, size: tuple[int, int]) -> None:
    """A real photo-sized JPEG (a smooth gradient: quick to make, small on disk)."""
    from PIL import Image

    small = Image.linear_gradient("L").resize((64, 64)).convert("RGB")
    small.resize(size, Image.Resampling.BILINEAR).save(path, format="JPEG", quality=80)


def _png_declaring(path: Path, side: int) -> None:
    """A PNG whose header declares ``side``×``side`` pixels (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
                     + chunk(b"IEND", b""))


@pytest.mark.timeout(300)
def test_huge_page_images_are_checked_and_downscaled_like_slides_and_a_refused_one_leaves_no_box(
        tmp_path: Path) -> None:
    data = synced_device(tmp_path, demo_source_dir())
    sha = _park_image(tmp_path, data)
    with ContentCache(data / "cache") as cache:
        stored = cache.store.path_for(sha)
    original = stored.read_bytes()

    def run(name: str) -> tuple[dict, int, str]:
        r = run_scenario(STEPS, tmp_path / name, size=SIZE, data=data)
        assert r.results["errors"] == [] and r.results["finished"], r.stderr[-3000:]
        return r.dump("park"), r.dump("park")["peak_rss_kb"], r.stderr

    _park, baseline_kb, _err = run("baseline")
    stored.unlink()
    _jpeg(stored, (6000, 4000))
    park, big_kb, _err = run("big")
    images = [w for w in visible(park) if w["cls"] == "Image"]
    assert len(images) == 1  # shown…
    # …from a screen-sized copy: the texture Kivy decoded and uploaded is the copy's, not the
    # 6000×4000 original's (a full decode added ~110 MB; +157 MB measured here before the fix).
    tw, th = images[0]["texture"]
    assert tw <= SIZE[0] and th <= SIZE[1], f"a {tw}×{th} texture for a {SIZE[0]}×{SIZE[1]} screen"
    # The process's peak memory differs by tens of MB between two harness runs under load;
    # the bound only says the original was never decoded in full (24 MP: +92 MB of RGBA).
    assert (big_kb - baseline_kb) / 1024 < 150, f"+{(big_kb - baseline_kb) / 1024:.0f} MB for a 6000×4000 page image"
    derived = list((tmp_path / "big" / ".derived").glob(f"{sha}-*"))
    assert derived, "no downscaled copy"
    from PIL import Image

    with Image.open(derived[0]) as img:
        assert max(img.size) <= SIZE[0] and min(img.size) <= SIZE[1]

    stored.unlink()
    _png_declaring(stored, 30000)
    park, bomb_kb, err = run("bomb")
    # refused by its header (as the loop refuses it), one line; no empty white box on the page
    assert not [w for w in visible(park) if w["cls"] == "Image"]
    assert "Parc des bords de Bruyère" in texts(park)
    assert f"page image {sha[:12]} not shown: " in err and "over the 40 MP limit" in err
    assert (bomb_kb - baseline_kb) / 1024 < 150  # not the 3.6 GB the decoder would have asked for
    pixels = crop(tmp_path / "bomb" / "park.png", [0, SIZE[1] * 0.2, SIZE[0] * 0.6, SIZE[1] * 0.7], SIZE[1])
    white = sum(n for n, c in pixels.getcolors(pixels.width * pixels.height) or [] if c == (255, 255, 255))
    assert white < pixels.width * pixels.height * 0.01, f"{white} white pixels where the picture was"
    stored.unlink()
    stored.write_bytes(original)
