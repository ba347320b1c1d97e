"""Hostile and broken files for the editor's upload tests, made here (no fixtures to ship)."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A real PNG header saying 30000×30000 (900 million pixels) over a few kilobytes: the
    whole picture would need gigabytes once decoded."""
    raw = zlib.compress(b"\x00" + b"\x00" * width * 3, 9) if width <= 30000 else b""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")


def jpeg(size: tuple[int, int] = (800, 600), colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    img = Image.new("RGB", size, colour)
    for x in range(0, size[0], 7):  # detail, so the scan data is not trivially short
        for y in range(0, size[1], 5):
            img.putpixel((x, y), (255, (x * 3) % 256, (y * 5) % 256))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def corrupt_jpeg() -> bytes:
    """A JPEG cut in the middle of its scan data (a broken download, a full disk)."""
    data = jpeg()
    return data[: len(data) // 2]


HTML_AS_JPEG = (b"<!doctype html><html><head><title>affiche</title></head><body>"
                b"<script>alert(1)</script><img src=x></body></html>\n")


def truncated_mp4(tmp: Path) -> bytes:
    """A real H.264 MP4 made by the test helpers, cut to two thirds."""
    from ..helpers import write_clip

    clip = write_clip(tmp / "clip.mp4", 1.0)
    data = clip.read_bytes()
    return data[: len(data) * 2 // 3]


def mp4(tmp: Path) -> bytes:
    from ..helpers import write_clip

    return write_clip(tmp / "whole.mp4", 1.0).read_bytes()
