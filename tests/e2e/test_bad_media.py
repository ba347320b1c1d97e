"""Bad media in the playlist: each is skipped, logged once, and the next slide shows."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image

from content_cache import ContentCache
from hub.demo import demo_source_dir
from hub.refserver import ContentTreeServer

from ..helpers import image_stats, write_png, write_source
from .device import run_kiosk


def _bomb_png(path: Path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_corrupt_jpeg_truncated_mp4_huge_png_and_zero_byte_file_are_skipped(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", images=2)
    media = src / "media"
    good = media / "corrupt.jpg"
    Image.new("RGB", (320, 180), (0, 0, 0)).save(good, format="JPEG")
    good.write_bytes(good.read_bytes()[:200] + b"\x00" * 400)          # header fine, body garbage
    clip = (demo_source_dir() / "media" / "valbruyere.mp4").read_bytes()
    (media / "cut.mp4").write_bytes(clip[:3000])                       # truncated MP4
    _bomb_png(media / "bomb.png")                                      # 30000×30000 header
    write_png(media / "soon-empty.png", (90, 30, 160))                 # emptied on disk later
    extra = "".join(
        f'\n[[items]]\nid = "{i}"\ntype = "{t}"\nfile = "media/{f}"\nduration = 2\n'
        for i, t, f in (("corrupt-jpeg", "image", "corrupt.jpg"), ("cut-mp4", "video", "cut.mp4"),
                        ("bomb-png", "image", "bomb.png"), ("empty-file", "image", "soon-empty.png"))
    )
    lobby = src / "playlists" / "lobby.toml"
    lobby.write_text(lobby.read_text() + extra)
    tree, data, shots = tmp_path / "tree", tmp_path / "device", tmp_path / "shots"
    r = run_kiosk("publish", str(src), str(tree))
    assert r.returncode == 0, r.stderr
    # published (the screens skip them), and said at publish time, one line each
    warned = [line for line in r.stderr.splitlines() if line.startswith("kiosk: warning: ")]
    for item in ("corrupt-jpeg", "cut-mp4", "bomb-png"):
        assert sum(f'item "{item}": file: ' in line for line in warned) == 1, warned
    server = ContentTreeServer(tree).start_background()
    try:
        assert run_kiosk("sync", "--once", "--api", server.url, "--data", str(data)).returncode == 0
    finally:
        server.stop()
    with ContentCache(data / "cache") as cache:
        item = next(i for i in cache.read_live().playlist().items if i.id == "empty-file")
        item.media.path.write_bytes(b"")                                # zero bytes on disk

    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots),
                  "--duration", "24", "--max-slide-seconds", "2", "--size", "480x270", timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    names = [f.name.split("-", 1)[1].removesuffix(".png") for f in sorted(shots.glob("*.png"))]
    assert set(names) == {"img-0", "img-1", "news"}, names
    assert len(names) >= 6, names  # the loop went round more than once
    for bad in ("corrupt-jpeg", "cut-mp4", "bomb-png", "empty-file"):
        assert r.stderr.count(f"item {bad} cannot be shown") == 1, (bad, r.stderr[-3000:])
    for f in shots.glob("*.png"):
        assert image_stats(f)[1] > 8
