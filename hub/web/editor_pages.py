"""The editor's blueprint (``editor``: its endpoints are the templates' ``url_for``
targets) and what its document pages share: the kind named in the address, a document's
section, title and status, the page of a document's form (with the notes by field, the
media to choose from) and the page said when a file of the folder cannot be read."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, url_for
from werkzeug.wrappers import Response

from hub.editor import convert
from hub.editor.checks import Note
from hub.editor.folder import Document, FolderError
from hub.editor.kinds import KINDS, SITE, Kind
from hub.editor.workspace import Site

from .editor_common import common_context, now, page, ws
from .editor_forms import AlertEndForm, DocumentForm
from .editor_related import screens

bp = Blueprint("editor", __name__, url_prefix="/editor")
# Manifest field names that the form spells otherwise.
_FIELD_ALIASES = {"media": "file", "opening_hours": "hours"}


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def section_of(kind: Kind) -> str:
    if kind.name == "alert":
        return "alert"
    return "signage" if kind.folder in ("playlists", "bulletins") else kind.name


def title_of(kind: Kind, values: dict[str, Any], site: Site) -> str:
    return convert.text_of(values.get(kind.title_key), site.languages) or str(values.get("id", ""))


def status_of(values: dict[str, Any], site: Site) -> str:
    """on | future | ended | always, at the hub's now."""
    t = now()
    start, end = values.get("valid_from") or values.get("start"), values.get("valid_until") or values.get("end")

    def instant(v: Any) -> datetime | None:
        if isinstance(v, datetime):
            return v if v.tzinfo else v.replace(tzinfo=site.tz)
        return None

    a, b = instant(start), instant(end)
    if b is not None and b <= t:
        return "ended"
    if a is not None and a > t:
        return "future"
    return "on" if a is not None or b is not None else "always"


@bp.errorhandler(FolderError)
def folder_error(e: FolderError) -> Response:
    """A file of the folder that cannot be read (a hand edit's mistake): said, not a crash."""
    return page("editor_broken.html", 409, problem=str(e), **common_context())


def _form_page(kind: Kind, doc: Document | None, form: DocumentForm, site: Site, notes: list[Note],
               verdicts: list[str], status: int = 200, **more: Any) -> Response:
    by_field: dict[str, list[Note]] = {}
    general: list[Note] = []
    for n in notes:
        key = _FIELD_ALIASES.get(n.field or "", n.field or "")
        if key and key != "*" and kind.field(key) is not None:
            by_field.setdefault(key, []).append(n)
        else:
            general.append(n)
    if kind is SITE:
        action = url_for("editor.site_settings")
    elif doc is not None:
        action = url_for("editor.edit", kind_name=kind.name, item_id=doc.id, file=doc.ref.file.split("/", 1)[1])
    else:
        action = url_for("editor.new", kind_name=kind.name)
    media = _media_choices(kind) if doc is None or any(f.type in ("media", "image") for f in kind.fields) else []
    more["devices"] = screens() if kind.field("screens") is not None else []
    template = "editor_alerts.html" if kind.name == "alert" and doc is None else "editor_form.html"
    ctx: dict[str, Any] = {}
    if template == "editor_alerts.html":
        rows = [{"doc": d, "title": title_of(kind, d.values, site), "status": status_of(d.values, site),
                 "file": d.ref.file.split("/", 1)[1]} for d in ws().documents(kind)]
        ctx = {"rows": rows, "end_form": AlertEndForm()}
    return page(template, status, kind=kind, doc=doc, form=form, by_field=by_field, general=general,
                verdicts=verdicts, action=action, media_choices=media, notes=notes, **ctx, **more,
                **common_context(site))


def _media_choices(kind: Kind) -> list[str]:
    wanted = {"video": (".mp4", ".webm")}.get(kind.name, (".jpg", ".jpeg", ".png", ".webp"))
    root = ws().folder.root / "media"
    if not root.is_dir():
        return []
    return sorted(str(p.relative_to(ws().folder.root)) for p in root.rglob("*")
                  if p.is_file() and p.suffix.lower() in wanted and not p.name.startswith("."))[:500]

