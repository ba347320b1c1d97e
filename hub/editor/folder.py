"""The content folder as the editor sees it: documents found by kind and id, read with
tomllib, written in place with tomlkit (the comments and layout of hand edits kept), one
file at a time, atomically.

A *document* is one table of an array in a TOML file (a playlist's ``[[items]]``, a
``[[bulletins]]``, a kiosk page ``[[services]]`` …) or a whole file's top level (a
playlist's name, the site). Only the keys the editor knows are touched; any other key a
hand edit put there stays as it is.
"""
from __future__ import annotations

import difflib
import logging
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, InlineTable, Table

from content_cache import write_atomic

from .values import digest, file_digest, plain

log = logging.getLogger(__name__)

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Keys the editor writes as one multi-line text (a sub-table) rather than an inline table.
_LONG_TEXT = 60


def toml_loads(text: str) -> dict[str, Any]:
    """As the publisher reads the folder: TOML 1.1 (tomli 2.4+: date-times without seconds)."""
    try:
        import tomli
    except ImportError:  # the hub extra brings it; tomllib reads TOML 1.0
        return tomllib.loads(text)
    return tomli.loads(text)


def _toml_errors() -> tuple[type[Exception], ...]:
    try:
        import tomli
    except ImportError:
        return (tomllib.TOMLDecodeError,)
    return (tomllib.TOMLDecodeError, tomli.TOMLDecodeError)


LOAD_ERRORS: tuple[type[Exception], ...] = (*_toml_errors(), UnicodeDecodeError)


class FolderError(Exception):
    """A file of the folder cannot be read or written; the message names it (one line)."""


@dataclass(frozen=True)
class DocRef:
    """Where a document lives: ``file`` (relative), the ``array`` of tables holding it
    (None: the file's top level) and its ``id``."""

    file: str
    array: str | None
    item_id: str
    table: str | None = None  # array None: the keys live in this table ([site]), else at the top


@dataclass(frozen=True)
class Document:
    ref: DocRef
    values: dict[str, Any]  # as tomllib reads them
    file_digest: str  # the whole file's bytes
    digest: str  # this document's values

    @property
    def id(self) -> str:
        return self.ref.item_id


@dataclass(frozen=True)
class Written:
    """What a write did: the file's text before and after (for the audit's diff)."""

    ref: DocRef
    before: str
    after: str

    def unified_diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(True), self.after.splitlines(True),
                                            f"a/{self.ref.file}", f"b/{self.ref.file}", n=2))


class ContentFolder:
    """The folder ``kiosk publish`` reads (site.toml, playlists/, bulletins/, kiosk/, media/)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, rel: str) -> Path:
        """The file ``rel`` names, refused if it would leave the folder."""
        p = (self.root / rel).resolve()
        if not p.is_relative_to(self.root) or p == self.root:
            raise FolderError(f"{rel}: not inside the content folder")
        return p

    def read_bytes(self, rel: str) -> bytes | None:
        try:
            return self.path(rel).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise FolderError(f"{rel}: {e.strerror}") from None

    def load(self, rel: str) -> tuple[dict[str, Any], str]:
        """The file's values and its digest; a missing file is empty."""
        data = self.read_bytes(rel)
        if data is None:
            return {}, file_digest(None)
        try:
            return toml_loads(data.decode("utf-8")), file_digest(data)
        except LOAD_ERRORS as e:
            raise FolderError(f"{rel}: {e} (fix it in the file; the editor leaves it as it is)") from None

    def files(self, folder: str) -> list[str]:
        d = self.root / folder
        return [f"{folder}/{p.name}" for p in sorted(d.glob("*.toml"))] if d.is_dir() else []

    def documents(self, folder: str, array: str) -> Iterator[Document]:
        """Every document of ``array`` in the files of ``folder``, in the publisher's order.
        A file that cannot be read raises FolderError."""
        for rel in self.files(folder):
            values, fd = self.load(rel)
            for raw in values.get(array) or ():
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    yield Document(DocRef(rel, array, raw["id"]), raw, fd, digest(raw))

    def find(self, ref: DocRef) -> Document | None:
        values, fd = self.load(ref.file)
        if ref.array is None:
            part = values.get(ref.table) if ref.table else values
            return Document(ref, part, fd, digest(part)) if isinstance(part, dict) and part else None
        for raw in values.get(ref.array) or ():
            if isinstance(raw, dict) and raw.get("id") == ref.item_id:
                return Document(ref, raw, fd, digest(raw))
        return None

    # -- writing -------------------------------------------------------------------------
    def write(self, ref: DocRef, values: Mapping[str, Any] | None, keys: tuple[str, ...] | None = None) -> Written:
        """Set the document's ``keys`` (None: all of ``values``' keys) from ``values``;
        a key whose value is None or empty is removed; other keys stay. ``values`` None
        deletes the document. A new document is appended to its array."""
        path = self.path(ref.file)
        before_bytes = self.read_bytes(ref.file)
        before = before_bytes.decode("utf-8") if before_bytes is not None else ""
        try:
            doc = tomlkit.parse(before)
        except Exception as e:  # tomlkit's parse errors have no common base worth naming
            raise FolderError(f"{ref.file}: {e} (fix it in the file; the editor leaves it as it is)") from None
        if ref.array is None:
            if values is None:
                raise FolderError(f"{ref.file}: a whole file is not deleted from the editor")
            target = doc
            if ref.table:
                if ref.table not in doc:
                    doc.append(ref.table, tomlkit.table())
                target = doc[ref.table]
            _apply(target, values, keys)
        else:
            _write_in_array(doc, ref, values, keys)
        after = tomlkit.dumps(doc)
        if not after.endswith("\n"):
            after += "\n"
        toml_loads(after)  # never write a file the publisher could not read
        _atomic_write(path, after.encode("utf-8"))
        log.info("%s: %s %s", ref.file, "deleted" if values is None else "wrote", ref.item_id)
        return Written(ref, before, after)

    def move(self, ref: DocRef, step: int) -> Written | None:
        """Move a document of an array ``step`` places (-1: up); None when it cannot move."""
        before = (self.read_bytes(ref.file) or b"").decode("utf-8")
        doc = tomlkit.parse(before)
        arr = doc.get(ref.array or "")
        if not isinstance(arr, AoT):
            raise FolderError(f"{ref.file}: no [[{ref.array}]] tables")
        index = next((i for i, t in enumerate(arr) if t.get("id") == ref.item_id), None)
        if index is None:
            raise FolderError(f"{ref.file}: {ref.item_id} not found")
        target = index + step
        if not 0 <= target < len(arr):
            return None
        tables = [arr[i] for i in range(len(arr))]
        tables[index], tables[target] = tables[target], tables[index]
        fresh = tomlkit.aot()
        for t in tables:
            fresh.append(t)
        doc[ref.array or ""] = fresh
        after = tomlkit.dumps(doc)
        toml_loads(after)
        _atomic_write(self.path(ref.file), after.encode("utf-8"))
        return Written(ref, before, after)

    def add_file(self, rel: str, data: bytes) -> None:
        """A new file (an upload under media/); never replaces one."""
        path = self.path(rel)
        if path.exists():
            raise FolderError(f"{rel}: exists already")
        _atomic_write(path, data)


def _write_in_array(doc: Any, ref: DocRef, values: Mapping[str, Any] | None, keys: tuple[str, ...] | None) -> None:
    assert ref.array is not None
    arr = doc.get(ref.array)
    if arr is None:
        if values is None:
            raise FolderError(f"{ref.file}: {ref.item_id} not found")
        arr = tomlkit.aot()
        doc.append(ref.array, arr)
    if not isinstance(arr, AoT):
        raise FolderError(f"{ref.file}: {ref.array} is not a list of [[{ref.array}]] tables; edit it by hand")
    index = next((i for i, t in enumerate(arr) if t.get("id") == ref.item_id), None)
    if values is None:
        if index is None:
            raise FolderError(f"{ref.file}: {ref.item_id} not found")
        del arr[index]
        return
    if index is None:
        table = tomlkit.table()
        table["id"] = ref.item_id
        _apply(table, values, keys)
        if len(arr):
            last = arr[len(arr) - 1]
            last.add(tomlkit.nl())
        arr.append(table)
    else:
        _apply(arr[index], values, keys)


def _apply(table: Any, values: Mapping[str, Any], keys: tuple[str, ...] | None) -> None:
    for key in keys if keys is not None else tuple(values):
        if key == "id" and key in table:
            continue
        value = values.get(key)
        if value is None or value == "" or value == [] or value == {}:
            if key in table:
                del table[key]
            continue
        existing = table.get(key)
        if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
            _set_text(table, key, existing, value)
        elif key not in table:
            _add(table, key, _item(value))
        elif plain(existing) != value:
            table[key] = _item(value)


def _set_text(table: Any, key: str, existing: Any, value: Mapping[str, str]) -> None:
    """A localised text: an existing table keeps its style (its other languages too)."""
    if isinstance(existing, Table | InlineTable):
        for lang in [k for k in existing if k not in value]:
            del existing[lang]
        for lang, text in value.items():
            item = tomlkit.string(text, multiline="\n" in text) if isinstance(existing, Table) else text
            if lang not in existing and isinstance(existing, Table):
                _add(existing, lang, item)
            elif plain(existing.get(lang)) != text:
                existing[lang] = item
        return
    if any("\n" in t or len(t) > _LONG_TEXT for t in value.values()):
        sub = tomlkit.table()
        for lang, text in value.items():
            sub[lang] = tomlkit.string(text, multiline="\n" in text)
        _add(table, key, sub)
    else:
        inline = tomlkit.inline_table()
        inline.update(dict(value))
        _add(table, key, inline) if key not in table else table.__setitem__(key, inline)


def _add(table: Any, key: str, item: Any) -> None:
    """A new key where a person would have written it: after the table's last key, not
    after the comments and blank lines that lead to the next table (which tomlkit keeps as
    the end of this one)."""
    container = getattr(table, "value", table)
    body = getattr(container, "body", None)
    if key in table or not isinstance(body, list):
        table[key] = item
        return
    last = max((i for i, (k, _v) in enumerate(body) if k is not None), default=-1)
    try:
        if isinstance(item, Table) and last >= 0 and isinstance(body[last][1], Table):
            # the trailing comments of the last sub-table move after the new one
            previous = body[last][1].value.body
            trailing: list[Any] = []
            while previous and previous[-1][0] is None:
                trailing.insert(0, previous.pop())
            table[key] = item
            table[key].value.body.extend(trailing)
        elif not isinstance(item, Table) and 0 <= last < len(body) - 1:
            container._insert_at(last + 1, key, item)  # tomlkit keeps plain keys above sub-tables
        else:
            table[key] = item
    except (AttributeError, IndexError, TypeError):  # another tomlkit's insides: at the end
        if key not in table:
            table[key] = item


def _item(value: Any) -> Any:
    """A value as tomlkit writes it: lists of tables inline, on one line."""
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        arr = tomlkit.array()
        for v in value:
            inline = tomlkit.inline_table()
            inline.update({k: _item(x) for k, x in v.items()})
            arr.append(inline)
        return arr
    if isinstance(value, Mapping):
        inline = tomlkit.inline_table()
        inline.update({k: _item(x) for k, x in value.items()})
        return inline
    return value


def _atomic_write(path: Path, data: bytes) -> None:
    """A content file replaced atomically, keeping its mode (a new one is world-readable)."""
    write_atomic(path, data, mode=None if path.exists() else 0o644)
