"""A video that cannot play shows its poster (its caption on a neutral card) in its place,
never a black frame; it is still quarantined and logged once."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from hub.demo import demo_source_dir

from ..helpers import COLOURS, write_source
from .device import run_kiosk, synced_device

W, H = 480, 270
CARD = (47, 54, 64)  # player/render/slides.py POSTER_CARD (#2F3640)


def test_truncated_video_shows_its_caption_on_a_card_instead_of_black(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", images=1)
    clip = (demo_source_dir() / "media" / "valbruyere.mp4").read_bytes()
    (src / "media" / "cut.mp4").write_bytes(clip[:3000])  # truncated: no frame decodes
    lobby = src / "playlists" / "lobby.toml"
    text = lobby.read_text()
    lobby.write_text(
        text[:text.index('[[items]]\nid = "news"')]
        + '[[items]]\nid = "cut-clip"\ntype = "video"\nfile = "media/cut.mp4"\nduration = 2\n'
          '[items.caption]\nfr = "Fête de la musique"\nen = "Music day"\n'
        + '\n[[items]]\nid = "silent-cut"\ntype = "video"\nfile = "media/cut.mp4"\nduration = 2\n')
    data = synced_device(tmp_path, src)
    shots = tmp_path / "shots"
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots),
                  "--duration", "14", "--max-slide-seconds", "2", "--size", f"{W}x{H}", timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    names = [f.name.split("-", 1)[1].removesuffix(".png") for f in sorted(shots.glob("*.png"))]
    assert "cut-clip" in names and names.count("cut-clip") >= 2, names  # its slot, on every pass
    assert "silent-cut" not in names, names  # no caption, nothing to show: skipped
    assert set(names) == {"img-0", "cut-clip"}, names
    for bad in ("cut-clip", "silent-cut"):
        assert r.stderr.count(f"item {bad} cannot be shown") == 1, (bad, r.stderr[-3000:])
    for poster in shots.glob("*-cut-clip.png"):
        with Image.open(poster) as img:
            rgb = img.convert("RGB")
            counts = {c: n for n, c in rgb.getcolors(W * H) or []}
        card = counts.get(CARD, 0)
        white = sum(n for c, n in counts.items() if min(c) > 200)
        black = sum(n for c, n in counts.items() if max(c) < 20)
        assert card > W * H * 0.5, f"{poster.name}: not the poster card"
        assert white > 300, f"{poster.name}: no caption text"
        assert black < W * H * 0.1, f"{poster.name}: black frame"
        # the caption sits in the middle of the card
        middle = rgb.crop((0, int(H * 0.35), W, int(H * 0.6)))
        assert any(min(c) > 200 for _n, c in middle.getcolors(W * H) or []), poster.name
    assert COLOURS[0] in {Image.open(f).convert("RGB").getpixel((W // 2, int(H * 0.6)))
                          for f in shots.glob("*-img-0.png")}


def test_poster_of_a_video_without_duration_lasts_an_image_slot_not_the_video_cap(tmp_path: Path) -> None:
    """#17.3: a broken clip with a caption and no ``duration`` used to keep its card up for
    the 600 s video cap, whatever --max-slide-seconds said: the loop stalled on it."""
    src = write_source(tmp_path / "src", images=1)
    clip = (demo_source_dir() / "media" / "valbruyere.mp4").read_bytes()
    (src / "media" / "cut.mp4").write_bytes(clip[:3000])
    lobby = src / "playlists" / "lobby.toml"
    text = lobby.read_text()
    lobby.write_text(
        text[:text.index('[[items]]\nid = "news"')]
        + '[[items]]\nid = "cut-clip"\ntype = "video"\nfile = "media/cut.mp4"\n'
          '[items.caption]\nfr = "Fête de la musique"\nen = "Music day"\n')
    data = synced_device(tmp_path, src)
    shots = tmp_path / "shots"
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots),
                  "--duration", "16", "--max-slide-seconds", "2", "--size", f"{W}x{H}", timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    names = [f.name.split("-", 1)[1].removesuffix(".png") for f in sorted(shots.glob("*.png"))]
    # each slot about 2 s: both slides come back several times in 16 s
    assert names.count("cut-clip") >= 2 and names.count("img-0") >= 3, names
