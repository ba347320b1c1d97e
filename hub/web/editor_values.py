"""Between a document's TOML values and its form: what a form shows for a document, and
the uploads and opening hours that the form alone cannot check (decoding, the sources'
evaluation)."""
from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import tomlkit
from werkzeug.datastructures import FileStorage

from hub.editor import convert, hours
from hub.editor.convert import Invalid
from hub.editor.kinds import WEEKDAYS, Kind
from hub.editor.kinds import Field as Spec
from hub.editor.uploads import CheckedMedia, UploadRefused, check_upload
from hub.editor.values import plain
from hub.editor.workspace import Workspace

from .editor_forms import DocumentForm, say
from .i18n import gettext

MEDIA_KIND = {"poster": "image", "video": "video"}


def form_data(kind: Kind, values: Mapping[str, Any], langs: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for spec in kind.fields:
        v = values.get(spec.key)
        t, key = spec.type, spec.key
        if t in ("text", "longtext"):
            for lang in langs:
                data[f"{key}__{lang}"] = str(v.get(lang, "")) if isinstance(v, Mapping) else (v if lang == langs[0] and
                                                                                               isinstance(v, str) else "")
        elif t == "textlist":
            for lang in langs:
                data[f"{key}__{lang}"] = convert.format_textlist(v, lang)
        elif t == "bool":
            data[key] = bool(v)
        elif t in ("choices", "langs", "screens", "loops"):
            data[key] = list(v or [])
        elif t in ("media", "image"):
            data[f"{key}_keep"] = str(v or values.get("file") or "") if t == "image" else str(v or "")
        elif t == "hours":
            grid, closed = hours.grid_of(values.get("hours"))
            data["hours_mode"] = "osm" if values.get("opening_hours") else "grid" if values.get("hours") else "none"
            data["hours_osm"] = str(values.get("opening_hours") or "")
            data["hours_holidays"] = closed
            for d in WEEKDAYS:
                data[f"hours_{d}"] = grid[d]
        elif t == "datetime":
            data[key] = convert.format_local_datetime(v)
        elif t == "date":
            data[key] = v.isoformat() if isinstance(v, date) else str(v or "")
        elif t == "dates":
            data[key] = convert.format_dates(v)
        elif t == "dayparts":
            data[key] = convert.format_dayparts(v)
        elif t == "tags":
            data[key] = ", ".join(v) if isinstance(v, list) else ""
        elif t == "menu":
            data[key] = convert.format_menu(v, langs[0])
        elif t == "focus":
            data[key] = convert.format_focus(v)
        elif t == "holidays":
            data[key] = convert.format_holidays(v, langs[0])
        else:
            data[key] = "" if v is None else str(v)
    return data


@dataclass
class Extras:
    """What the view adds to the form's values: uploads (checked) and hours."""

    values: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    media: list[tuple[str, Path]] = field(default_factory=list)
    temp: list[Path] = field(default_factory=list)
    reduced: list[tuple[int, int]] = field(default_factory=list)

    def cleanup(self) -> None:
        for p in self.temp:
            with contextlib.suppress(OSError):
                p.unlink()


def _error(form: DocumentForm, name: str, text: str) -> None:
    f = getattr(form, name)
    if isinstance(f.errors, tuple):
        f.errors = list(f.errors)
    f.errors.append(text)


def read_extras(form: DocumentForm, kind: Kind, files: Mapping[str, FileStorage], w: Workspace,
                current: Mapping[str, Any] | None, screen: tuple[int, int]) -> tuple[Extras, bool]:
    """Uploads and hours of a posted form; errors go beside their field. (extras, ok)."""
    out = Extras()
    ok = True
    for spec in kind.fields:
        if spec.type in ("media", "image"):
            ok = _media(form, spec, kind, files, w, screen, out) and ok
        elif spec.type == "hours":
            ok = _hours(form, w, current, out) and ok
    return out, ok


def _media(form: DocumentForm, spec: Spec, kind: Kind, files: Mapping[str, FileStorage], w: Workspace,
           screen: tuple[int, int], out: Extras) -> bool:
    upload = files.get(spec.key)
    media_kind = MEDIA_KIND.get(kind.name, "image") if spec.type == "media" else "image"
    key = spec.key
    out.keys.append(key)
    if upload is not None and upload.filename:
        w.uploads_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=w.uploads_dir, prefix="upload-", delete=False) as f:
            upload.save(f)
            path = Path(f.name)
        out.temp.append(path)
        try:
            checked: CheckedMedia = check_upload(path, media_kind, screen, w.uploads_dir)
        except UploadRefused as e:
            _error(form, key, say(e.message))
            return False
        if checked.path != path:
            out.temp.append(checked.path)
        if checked.reduced_from:
            out.reduced.append(checked.reduced_from)
        name = checked.stored_name()
        out.media.append((name, checked.path))
        out.values[key] = name
        if key == "image":
            out.values["file"] = None  # a page's picture is written once, as image
            out.keys.append("file")
        return True
    keep = (form[f"{key}_keep"].data or "").strip()
    if keep:
        if not keep.startswith("media/") or not _is_media(w, keep):
            _error(form, key, gettext("The file %(name)s is not in the content folder's media any more; "
                                      "choose a file.", name=keep))
            return False
        out.values[key] = keep
        return True
    if spec.required:
        _error(form, key, gettext("Choose a file."))
        return False
    out.values[key] = None
    return True


def _is_media(w: Workspace, rel: str) -> bool:
    try:
        return w.folder.path(rel).is_file()
    except Exception:
        return False


def _hours(form: DocumentForm, w: Workspace, current: Mapping[str, Any] | None, out: Extras) -> bool:
    from hub.web.state import now

    site = w.site()
    mode = form["hours_mode"].data  # made by form_class for kinds with hours
    out.keys += ["hours", "opening_hours"]
    if mode == "osm":
        expression = (form["hours_osm"].data or "").strip()
        problem = hours.check_expression(expression, site.tz, now()) if expression else None
        if not expression:
            _error(form, "hours_osm", gettext("Write the hours, or choose another way."))
            return False
        if problem is not None:
            _error(form, "hours_osm", say(problem))
            return False
        out.values.update(opening_hours=expression, hours=None)
        return True
    if mode == "grid":
        weekly: dict[str, list[list[str]]] = {}
        ok = True
        for d in WEEKDAYS:
            text = (form[f"hours_{d}"].data or "").strip()
            try:
                slots = convert.parse_slots(text) if text else []
            except Invalid as e:
                _error(form, f"hours_{d}", say(e.message))
                ok = False
                continue
            if slots:
                weekly[d] = slots
        if not ok:
            return False
        value: dict[str, Any] = {"weekly": weekly,
                                 "public_holidays": "closed" if form["hours_holidays"].data else "open"}
        previous = (current or {}).get("hours")
        if isinstance(previous, Mapping) and previous.get("exceptions"):
            value["exceptions"] = plain(previous["exceptions"])  # written by hand: kept
        out.values.update(hours=value, opening_hours=None)
        return True
    out.values.update(hours=None, opening_hours=None)
    return True


def toml_snippet(array: str | None, values: Mapping[str, Any] | None) -> str:
    """A document as its TOML would read (for the conflict page: theirs and yours)."""
    if values is None:
        return "(deleted)"
    from hub.editor.folder import _item

    doc = tomlkit.document()
    table = tomlkit.table()
    for k, v in plain(values).items():
        if v is not None and v != "" and v != [] and v != {}:
            table[k] = _item(v)
    if array:
        aot = tomlkit.aot()
        aot.append(table)
        doc.append(array, aot)
    else:
        doc.update(table)
    return tomlkit.dumps(doc)
