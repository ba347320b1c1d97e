"""A throw-away copy of the content folder with changes applied: what the folder would be.

The form's values are checked, and previews rendered, on such a copy, so nothing reaches
the content folder before it passes (and an editor's change waiting for approval can be
previewed). TOML files are copied; media are hard links into a mirror of the folder's
media kept in the hub's data folder (copied once when the content folder is on another
file system), so a copy costs the TOML files only.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)
_mirror_lock = threading.Lock()
TOML_FOLDERS = ("playlists", "bulletins", "kiosk")


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copy2(src, tmp)
    os.replace(tmp, dest)


class Stager:
    """Makes stages of ``content`` under ``work`` (the hub's ``DATA/editor``)."""

    def __init__(self, content: Path, work: Path) -> None:
        self.content = content.resolve()
        self.work = work
        self.mirror = work / "media-mirror"

    def sync_mirror(self) -> None:
        """Bring the media mirror up to the folder's media (new or changed files only)."""
        media = self.content / "media"
        with _mirror_lock:
            self.mirror.mkdir(parents=True, exist_ok=True)
            if not media.is_dir():
                return
            for src in media.rglob("*"):
                if not src.is_file() or src.name.startswith("."):
                    continue
                dest = self.mirror / src.relative_to(media)
                st = src.stat()
                try:
                    dt = dest.stat()
                    if dt.st_ino == st.st_ino or (dt.st_size == st.st_size and dt.st_mtime_ns == st.st_mtime_ns):
                        continue
                except FileNotFoundError:
                    pass
                _link_or_copy(src, dest)

    @contextlib.contextmanager
    def stage(self, extra_media: dict[str, Path] | None = None) -> Iterator[Path]:
        """A copy of the folder for the block's length. ``extra_media``: files not yet in
        the folder (an upload being checked), by the name they would have (``media/…``)."""
        self.sync_mirror()
        root = self.work / "stages"
        root.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix="stage-", dir=root))
        try:
            for name in ("site.toml",):
                if (self.content / name).is_file():
                    shutil.copy2(self.content / name, stage / name)
            for folder in TOML_FOLDERS:
                for f in sorted((self.content / folder).glob("*.toml")):
                    (stage / folder).mkdir(exist_ok=True)
                    shutil.copy2(f, stage / folder / f.name)
            if self.mirror.is_dir():
                for src in self.mirror.rglob("*"):
                    if src.is_file() and not src.name.startswith("."):
                        dest = stage / "media" / src.relative_to(self.mirror)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        os.link(src, dest)
            for rel, path in (extra_media or {}).items():
                dest = (stage / rel).resolve()
                if dest.is_relative_to(stage):
                    _link_or_copy(path, dest)
            yield stage
        finally:
            shutil.rmtree(stage, ignore_errors=True)
