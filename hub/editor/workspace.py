"""The editor's view of one content folder: the site (languages, time zone, loops,
election rules), the documents of each kind, checks and previews on a stage of the folder
with the waiting changes (and the one being made) applied."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from player.neutrality import NeutralityRules

from .changes import Changes, Edit
from .checks import Note, check_stage
from .folder import ContentFolder, DocRef, Document, FolderError
from .kinds import KINDS, Kind
from .neutrality import Period, period_now, rules_of
from .stage import Stager


@dataclass(frozen=True)
class Site:
    name: str
    languages: tuple[str, ...]
    tz: ZoneInfo
    playlists: tuple[str, ...]
    default_playlist: str
    rules: NeutralityRules
    raw: dict[str, object]


class Workspace:
    def __init__(self, content: Path, work: Path) -> None:
        self.folder = ContentFolder(content)
        self.work = work
        self.stager = Stager(content, work)
        self.changes = Changes(self.folder, work / "pending")

    @property
    def uploads_dir(self) -> Path:
        return self.work / "uploads"

    @property
    def previews_dir(self) -> Path:
        return self.work / "previews"

    def site(self) -> Site:
        try:
            raw, _d = self.folder.load("site.toml")
        except FolderError:
            raw = {}
        site = raw.get("site") if isinstance(raw.get("site"), dict) else {}
        assert isinstance(site, dict)
        langs = site.get("languages")
        languages = tuple(x for x in langs if isinstance(x, str)) if isinstance(langs, list) else ()
        try:
            tz = ZoneInfo(str(site.get("timezone", "Europe/Paris")))
        except (ValueError, KeyError):
            tz = ZoneInfo("Europe/Paris")
        name = site.get("name")
        title = (name.get("fr") or next(iter(name.values()), "")) if isinstance(name, dict) else str(name or "")
        playlists = tuple(Path(f).stem for f in self.folder.files("playlists"))
        tags = self._tags()
        return Site(str(title), languages or ("fr",), tz, playlists, str(site.get("default_playlist", "")),
                    rules_of(raw, tags), raw)

    def _tags(self) -> list[str]:
        tags: set[str] = set()
        for folder, arrays in (("playlists", ("items",)), ("kiosk", ("services", "procedures", "events", "news",
                                                                     "places"))):
            for rel in self.folder.files(folder):
                with contextlib.suppress(FolderError):
                    values, _d = self.folder.load(rel)
                    for a in arrays:
                        for t in values.get(a) or ():
                            if isinstance(t, dict):
                                tags.update(x for x in t.get("tags") or () if isinstance(x, str))
        return sorted(tags)

    def reserve_period(self, now: datetime) -> Period | None:
        site = self.site()
        return period_now(site.rules, now, site.tz)

    def documents(self, kind: Kind) -> list[Document]:
        assert kind.array is not None
        return [d for d in self.folder.documents(kind.folder, kind.array) if kind.matches(d.values)]

    def kind_of(self, doc: Document) -> Kind | None:
        return next((k for k in KINDS.values() if k.folder == doc.ref.file.split("/")[0]
                     and k.array == doc.ref.array and k.matches(doc.values)), None)

    def file_for(self, kind: Kind, name: str) -> str | None:
        """``name`` (a file name from a request) if it is one of the kind's files."""
        for rel in self.folder.files(kind.folder):
            if Path(rel).name == name:
                return rel
        return None

    def find(self, kind: Kind, file: str, item_id: str) -> Document | None:
        doc = self.folder.find(DocRef(file, kind.array, item_id))
        return doc if doc is not None and kind.matches(doc.values) else None

    @contextlib.contextmanager
    def staged(self, edits: Sequence[Edit]) -> Iterator[Path]:
        """A stage of the folder with ``edits`` applied in order (their uploads included)."""
        media = {name: path for e in edits for name, path in e.media}
        with self.stager.stage(media) as stage:
            folder = ContentFolder(stage)
            for e in edits:
                with contextlib.suppress(FolderError):
                    folder.write(e.ref, e.values, e.keys)
            yield stage

    def check(self, edits: Sequence[Edit], ref: DocRef | None, now: datetime) -> list[Note]:
        with self.staged(edits) as stage:
            return check_stage(stage, ref, now)
