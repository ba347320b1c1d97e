from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from player.render.images import ImageRejected, inspect_image, prepared_image


def _png_header_only(path: Path, w: int, h: int) -> Path:
    """A PNG whose header claims w×h (a decompression bomb's shape), with a tiny body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
                     + chunk(b"IEND", b""))
    return path


def test_a_30000_pixel_square_png_is_refused_from_its_header(tmp_path: Path) -> None:
    bomb = _png_header_only(tmp_path / "bomb", 30000, 30000)
    with pytest.raises(ImageRejected, match="over the 40 MP limit"):
        inspect_image(bomb)
    big = _png_header_only(tmp_path / "big", 8000, 6000)  # under Pillow's own limit, over ours
    with pytest.raises(ImageRejected, match="8000×6000 is over the 40 MP limit"):
        inspect_image(big)


@pytest.mark.parametrize("content, reason", [
    (b"", "not a readable image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "not a readable image"),
    (b"GIF89a" + b"\x00" * 50, "not a readable image"),
])
def test_broken_or_foreign_files_are_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    f = tmp_path / "x"
    f.write_bytes(content)
    with pytest.raises(ImageRejected, match=reason):
        inspect_image(f)


def test_gif_is_not_an_allowed_format(tmp_path: Path) -> None:
    f = tmp_path / "anim"
    Image.new("RGB", (10, 10)).save(f, format="GIF")
    with pytest.raises(ImageRejected, match="format GIF is not allowed"):
        inspect_image(f)


def test_a_truncated_jpeg_is_caught_before_the_screen(tmp_path: Path) -> None:
    f = tmp_path / "cut"
    Image.new("RGB", (400, 300), (200, 10, 10)).save(f, format="JPEG")
    f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])
    with pytest.raises(ImageRejected, match="cannot be decoded"):
        prepared_image(f, (1280, 720), tmp_path / "derived")


def test_large_images_are_downscaled_once_to_the_screen(tmp_path: Path) -> None:
    f = tmp_path / "big"
    Image.new("RGB", (4000, 3000), (10, 120, 200)).save(f, format="JPEG")
    out = prepared_image(f, (1280, 720), tmp_path / "derived")
    with Image.open(out) as img:
        assert img.size == (960, 720)
    mtime = out.stat().st_mtime_ns
    assert prepared_image(f, (1280, 720), tmp_path / "derived") == out and out.stat().st_mtime_ns == mtime
    small = tmp_path / "small"
    Image.new("RGB", (640, 360)).save(small, format="PNG")
    assert prepared_image(small, (1280, 720), tmp_path / "derived") == small
