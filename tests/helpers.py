"""Small real content for tests: a source folder with generated images, and pixel checks."""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image, ImageStat

COLOURS = [(200, 40, 40), (40, 160, 60), (40, 70, 200), (220, 180, 30)]


def rgb255(rgba: tuple[float, ...]) -> tuple[int, int, int]:
    """A Kivy colour (0…1) as the 8-bit RGB a screenshot holds."""
    return (round(rgba[0] * 255), round(rgba[1] * 255), round(rgba[2] * 255))
ORANGE = (230, 120, 30)  # test clips' colour


def write_png(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (320, 180)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, colour)
    # a white stripe so the image is not one flat colour
    for x in range(size[0] // 4, size[0] // 2):
        for y in range(size[1] // 3, size[1] // 3 + 10):
            img.putpixel((x, y), (255, 255, 255))
    img.save(path, format="PNG")
    return path


def write_source(root: Path, images: int = 3, title: str = "Travaux rue Haute") -> Path:
    """A minimal but complete content source folder."""
    (root / "playlists").mkdir(parents=True, exist_ok=True)
    (root / "bulletins").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(
        '[site]\nid = "testville"\ntimezone = "Europe/Paris"\nlanguages = ["fr", "en"]\n'
        'default_playlist = "lobby"\n[site.name]\nfr = "Testville"\nen = "Testville"\n',
        encoding="utf-8",
    )
    items = []
    for i in range(images):
        write_png(root / "media" / f"img{i}.png", COLOURS[i % len(COLOURS)])
        items.append(f'[[items]]\nid = "img-{i}"\ntype = "image"\nfile = "media/img{i}.png"\nduration = 5\n')
    items.append('[[items]]\nid = "news"\ntype = "bulletin"\nbulletin = "works"\nduration = 5\n')
    (root / "playlists" / "lobby.toml").write_text(
        'id = "lobby"\n[name]\nfr = "Hall"\n\n' + "\n".join(items), encoding="utf-8"
    )
    (root / "bulletins" / "news.toml").write_text(
        '[[bulletins]]\nid = "works"\ncategory = "works"\nseverity = "warning"\n'
        f'[bulletins.title]\nfr = "{title}"\nen = "Roadworks"\n'
        '[bulletins.body]\nfr = "Circulation alternée."\nen = "Alternating traffic."\n',
        encoding="utf-8",
    )
    return root


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_doc(**overrides: Any) -> dict[str, Any]:
    """A valid manifest document with one image, for validation tests."""
    sha = "a" * 64
    doc: dict[str, Any] = {
        "schema_version": 1,
        "version": "c1",
        "published_at": "2026-11-26T07:00:00Z",
        "site": {
            "id": "testville",
            "name": {"fr": "Testville"},
            "timezone": "Europe/Paris",
            "languages": ["fr"],
            "default_playlist": "lobby",
        },
        "media": [{"sha256": sha, "size": 10, "type": "image/png", "name": "a.png"}],
        "playlists": [
            {"id": "lobby", "items": [{"id": "one", "type": "image", "media": sha, "duration": 5}]}
        ],
        "bulletins": [],
    }
    doc.update(overrides)
    return doc


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def image_stats(path: Path) -> tuple[float, float]:
    """(mean brightness, standard deviation) of a screenshot."""
    with Image.open(path) as img:
        stat = ImageStat.Stat(img.convert("L"))
    return stat.mean[0], stat.stddev[0]


def mean_abs_diff(a: Path, b: Path) -> float:
    with Image.open(a) as ia, Image.open(b) as ib:
        la, lb = ia.convert("L"), ib.convert("L").resize(ia.size)
        da, db = la.tobytes(), lb.tobytes()
    return sum(abs(x - y) for x, y in zip(da[::7], db[::7], strict=False)) / len(da[::7])


def write_clip(path: Path, seconds: float, pix_fmt: str = "yuv420p", size: tuple[int, int] = (320, 180),
               fps: int = 25) -> Path:
    """An orange clip with a white band across its top quarter (to see it is upright)."""
    from ffpyplayer.pic import Image as FFImage
    from ffpyplayer.writer import MediaWriter

    w, h = size
    frame = Image.new("RGB", size, ORANGE)
    frame.paste((255, 255, 255), (0, 0, w, h // 4))
    data = frame.tobytes()
    stream = dict(pix_fmt_in="rgb24", width_in=w, height_in=h, codec="libx264",
                  frame_rate=(fps, 1), pix_fmt_out=pix_fmt)
    writer = MediaWriter(str(path), [stream], lib_opts={"preset": "ultrafast", "threads": "1"})
    try:
        for i in range(int(seconds * fps)):
            writer.write_frame(img=FFImage(plane_buffers=[data], pix_fmt="rgb24", size=size),
                               pts=i / fps, stream=0)
    finally:
        writer.close()
    return path


T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float, step: float = 0.05) -> T | None:
    """``predicate()``'s first true value within ``timeout`` seconds (asked every ``step``),
    or None: for what a real process does in its own time."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None
