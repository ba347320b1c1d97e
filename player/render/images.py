"""Checking and preparing still images before Kivy sees them (Pillow, no Kivy).

An image is opened by header first: format allow-list and a pixel-count limit, so a
30000×30000 PNG (a decompression bomb) or a renamed file is refused before any decoding.
Images larger than the screen are downscaled once into a derived file, so the GPU holds
a screen-sized texture, not a 24-megapixel one.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageEnhance, ImageFilter, UnidentifiedImageError

from content_cache import write_atomic

log = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # 40 MP: any real poster fits; a bomb does not
# Files already decoded in full, by path, size and mtime: a poster that comes back in the
# loop is not decoded again before each showing (a screen-sized buffer and ~10 ms each
# time). Bounded by count.
DECODED_MAX = 64
# The backdrop behind a poster that does not fill its box: the poster itself, small (the
# GPU scales it up smoothly), blurred and darkened so white text on it stays over 4.5:1.
BACKDROP_SIDE = 96
BACKDROP_BLUR = 5
BACKDROP_BRIGHTNESS = 0.42


class ImageRejected(ValueError):
    """The file is not an image the player will decode; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def inspect_image(path: Path, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Read only the header; raise :class:`ImageRejected` for anything not allowed."""
    try:
        with Image.open(path) as img:
            fmt, (w, h) = img.format or "?", img.size
    except FileNotFoundError:
        raise ImageRejected(f"{path.name}: file missing") from None
    except Image.DecompressionBombError:
        raise ImageRejected(f"{path.name}: over the {max_pixels // 1_000_000} MP limit (decompression bomb)") from None
    except (UnidentifiedImageError, OSError) as e:
        raise ImageRejected(f"{path.name}: not a readable image ({type(e).__name__})") from None
    if fmt not in ALLOWED_FORMATS:
        raise ImageRejected(f"{path.name}: format {fmt} is not allowed ({', '.join(sorted(ALLOWED_FORMATS))})")
    if w * h > max_pixels:
        raise ImageRejected(f"{path.name}: {w}×{h} is over the {max_pixels // 1_000_000} MP limit")
    if w == 0 or h == 0:
        raise ImageRejected(f"{path.name}: empty image")
    return ImageInfo(fmt, w, h)


def prepared_image(path: Path, screen: tuple[int, int], derived_dir: Path,
                   max_pixels: int = MAX_PIXELS) -> Path:
    """The file Kivy should load: ``path`` itself, or a screen-sized copy of it.

    The copy is decoded fully once (so a truncated JPEG is caught here, not on screen)
    and kept under ``derived_dir`` by source name and screen size.
    """
    info = inspect_image(path, max_pixels)
    sw, sh = screen
    if info.width <= sw and info.height <= sh:
        _decode_fully(path)
        return path
    target = derived_dir / f"{path.name}-{sw}x{sh}.{'png' if info.format == 'PNG' else 'jpg'}"
    if target.exists():
        return target
    derived_dir.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(path) as img:
            img.draft("RGB", (sw, sh))  # JPEG: decode at a reduced scale directly
            small = img.convert("RGBA" if info.format == "PNG" else "RGB")
            small.thumbnail((sw, sh), Image.Resampling.LANCZOS)
            _save_derived(small, target, "PNG" if info.format == "PNG" else "JPEG", quality=90)
    except (OSError, Image.DecompressionBombError) as e:
        raise ImageRejected(f"{path.name}: cannot be decoded ({type(e).__name__}: {e})") from None
    log.info("downscaled %s from %d×%d for a %d×%d screen", path.name, info.width, info.height, sw, sh)
    return target


def _decode_fully(path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        raise ImageRejected(f"{path.name}: file missing") from None
    _decode_once(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=DECODED_MAX)
def _decode_once(path: str, _size: int, _mtime_ns: int) -> None:
    """Decode ``path`` in full; remembered by path, size and mtime (a failure is not)."""
    try:
        with Image.open(path) as img:
            img.load()
    except (OSError, Image.DecompressionBombError) as e:
        raise ImageRejected(f"{Path(path).name}: cannot be decoded ({type(e).__name__})") from None


def backdrop_image(path: Path, derived_dir: Path) -> Path:
    """A small, blurred, darkened copy of the (already checked) image ``path``, made once
    into ``derived_dir`` and reused every time the poster comes back: blurring is never
    done per frame."""
    target = derived_dir / f"{path.name}-backdrop.jpg"
    if target.exists():
        return target
    derived_dir.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(path) as img:
            img.draft("RGB", (BACKDROP_SIDE * 4, BACKDROP_SIDE * 4))
            small = img.convert("RGB")
            small.thumbnail((BACKDROP_SIDE, BACKDROP_SIDE), Image.Resampling.BILINEAR)
            small = small.filter(ImageFilter.GaussianBlur(BACKDROP_BLUR))
            small = ImageEnhance.Brightness(small).enhance(BACKDROP_BRIGHTNESS)
            _save_derived(small, target, "JPEG", quality=85)
    except (OSError, Image.DecompressionBombError) as e:
        raise ImageRejected(f"{path.name}: cannot be decoded ({type(e).__name__}: {e})") from None
    return target


def _save_derived(img: Image.Image, target: Path, fmt: str, quality: int) -> None:
    """Encode ``img`` into ``target`` atomically and durably (content_cache.write_atomic):
    a derived file is made once and then trusted by its name, so a power cut must not
    leave a truncated one that would be refused every time after."""
    out = io.BytesIO()
    img.save(out, format=fmt, quality=quality)
    write_atomic(target, out.getvalue(), sync_dir=False)
