"""Uploads checked by decoding them, before anything reaches the content folder.

An image is opened by its header first with the player's own check (format allow-list,
pixel-count limit: :func:`player.render.images.inspect_image`), so a 30000×30000 PNG is
refused without being decoded; then decoded in full (a truncated or corrupt JPEG, or an
HTML page named ``.jpg``, is refused); an image larger than the screens is reduced to
their size, in its own orientation (a landscape picture to fit a landscape screen, a
portrait one a portrait screen). A video's container is walked (an MP4 whose boxes run
past the end of the file is cut short) and its first frame decoded by the player's video
decoder process (:class:`player.render.video_process.DecoderProcess`). The stored name is
made from the file's sha256, never from the name it was sent with.
"""
from __future__ import annotations

import hashlib
import logging
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .text import N_, Message

log = logging.getLogger(__name__)

IMAGE_MAX_BYTES = 30 * 1024 * 1024
VIDEO_MAX_BYTES = 500 * 1024 * 1024
VIDEO_FIRST_FRAME_S = 15.0
_EXT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
_MIME = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".mp4": "video/mp4", ".webm": "video/webm"}


class UploadRefused(ValueError):
    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message


@dataclass(frozen=True)
class CheckedMedia:
    """A file that passed: where its bytes wait, and what it is."""

    path: Path  # a temporary file (the caller moves it into the folder or deletes it)
    kind: str  # image | video
    mime: str
    ext: str
    width: int
    height: int
    reduced_from: tuple[int, int] | None = None  # an image reduced to the screens' size

    @property
    def sha256(self) -> str:
        h = hashlib.sha256()
        with self.path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()

    def stored_name(self) -> str:
        """``media/editor/<first 20 hex digits of the sha256>.<ext>``: the same file is kept once."""
        return f"media/editor/{self.sha256[:20]}{self.ext}"


def _refuse(text: str, **params: object) -> UploadRefused:
    return UploadRefused(Message(text, dict(params)))


def check_upload(path: Path, kind: str, screen: tuple[int, int], work_dir: Path) -> CheckedMedia:
    """Check the file at ``path`` as an ``image`` or a ``video``; raises UploadRefused
    (one plain message). ``path`` is left where it is; a reduced image is a new file in
    ``work_dir``."""
    size = path.stat().st_size
    if size == 0:
        raise _refuse(N_("The file is empty."))
    if kind == "image":
        if size > IMAGE_MAX_BYTES:
            raise _refuse(N_("The picture is %(mb)s MB; at most %(max)s MB."), mb=round(size / 1e6, 1),
                          max=IMAGE_MAX_BYTES // 1_000_000)
        return _check_image(path, screen, work_dir)
    if size > VIDEO_MAX_BYTES:
        raise _refuse(N_("The video is %(mb)s MB; at most %(max)s MB."), mb=round(size / 1e6), max=VIDEO_MAX_BYTES // 1_000_000)
    return _check_video(path)


def _check_image(path: Path, screen: tuple[int, int], work_dir: Path) -> CheckedMedia:
    from PIL import Image, ImageOps

    from player.render.images import MAX_PIXELS, ImageRejected, inspect_image

    try:
        info = inspect_image(path)
    except ImageRejected as e:
        text = str(e)
        if "MP limit" in text:
            raise _refuse(N_("This picture is too large to be decoded safely (over %(mp)s million pixels); "
                             "save it smaller, e.g. 3840×2160."), mp=MAX_PIXELS // 1_000_000) from None
        if "is not allowed" in text:
            raise _refuse(N_("This picture's format is not taken; use JPEG, PNG or WebP.")) from None
        raise _refuse(N_("This file is not a picture the screens can show (JPEG, PNG or WebP); "
                         "it may be another kind of file with a picture's name.")) from None
    try:
        with Image.open(path) as img:
            img.load()
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as e:
        log.info("upload refused: %s does not decode: %s", path.name, e)
        raise _refuse(N_("This picture is damaged or cut short and cannot be decoded; export it again.")) from None
    ext = _EXT[info.format]
    long_side, short_side = max(screen), min(screen)
    box = (long_side, short_side) if info.width >= info.height else (short_side, long_side)
    if info.width <= box[0] and info.height <= box[1]:
        return CheckedMedia(path, "image", _MIME[ext], ext, info.width, info.height)
    work_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(path) as img:
        img.draft("RGB", box)
        out_img = ImageOps.exif_transpose(img)
        keep_alpha = info.format == "PNG" and out_img.mode in ("RGBA", "LA", "P")
        out_img = out_img.convert("RGBA" if keep_alpha else "RGB")
        out_img.thumbnail(box, Image.Resampling.LANCZOS)
        fmt, ext = ("PNG", ".png") if keep_alpha else ("JPEG", ".jpg")
        fd, tmp = tempfile.mkstemp(dir=work_dir, suffix=ext)
        with os.fdopen(fd, "wb") as f:
            out_img.save(f, format=fmt, quality=90)
        w, h = out_img.size
    log.info("upload reduced from %d×%d to %d×%d", info.width, info.height, w, h)
    return CheckedMedia(Path(tmp), "image", _MIME[ext], ext, w, h, (info.width, info.height))


def _check_video(path: Path) -> CheckedMedia:
    with path.open("rb") as f:
        head = f.read(16)
    if head[4:8] == b"ftyp":
        ext = ".mp4"
        _check_mp4_boxes(path)
    elif head.startswith(b"\x1a\x45\xdf\xa3"):
        ext = ".webm"
    else:
        raise _refuse(N_("This file is not a video the screens can play (MP4 or WebM); "
                         "it may be another kind of file with a video's name."))
    w, h = _first_frame(path)
    return CheckedMedia(path, "video", _MIME[ext], ext, w, h)


def _check_mp4_boxes(path: Path) -> None:
    """The top-level boxes of an MP4 must tile the file, with a complete ``moov``."""
    size = path.stat().st_size
    seen = set()
    with path.open("rb") as f:
        at = 0
        while at < size:
            f.seek(at)
            header = f.read(16)
            if len(header) < 8:
                raise _refuse(N_("This video is cut short (its last part is missing); send the whole file."))
            box_size, box_type = struct.unpack(">I4s", header[:8])
            if box_size == 1 and len(header) >= 16:
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:
                box_size = size - at  # to the end of the file
            if box_size < 8 or at + box_size > size:
                raise _refuse(N_("This video is cut short (its last part is missing); send the whole file."))
            seen.add(box_type)
            at += box_size
    if b"moov" not in seen:
        raise _refuse(N_("This video has no index (no 'moov' box); export it again."))


def _first_frame(path: Path) -> tuple[int, int]:
    from player.render.video_process import DecoderProcess

    decoder = DecoderProcess(path, (640, 360))
    try:
        frame, ended = decoder.take(timeout=VIDEO_FIRST_FRAME_S)
    finally:
        decoder.close()
    if frame is None:
        why = ended.error if ended is not None and ended.error else "no picture"
        log.info("upload refused: %s has no first frame: %s", path.name, why)
        raise _refuse(N_("This video cannot be decoded (no first picture); export it again as MP4 (H.264) or WebM."))
    return frame.width, frame.height
