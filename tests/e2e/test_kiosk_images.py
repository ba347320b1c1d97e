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
