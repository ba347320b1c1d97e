"""The editor's document pages: the list of each kind, the form to make or change one
(posters, videos, bulletins, alerts, the kiosk's pages), deleting, ending an alert now,
and the live "open now" check of opening hours.

A save reads the form (Flask-WTF), decodes uploads, checks the folder as it would be with
the publisher's own checks, shows the election-period verdict and the warnings, notices a
hand edit made meanwhile (both versions shown), then writes into the content folder — or,
for an editor during a reserve period, keeps the change waiting for a publisher.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from hub.editor import convert, hours
from hub.editor.changes import Conflict, Edit
from hub.editor.checks import ERROR, WARNING, Note
from hub.editor.folder import DocRef, Document, FolderError
from hub.editor.kinds import KINDS, SITE, Kind
from hub.editor.neutrality import verdict
from hub.editor.workspace import Site, Workspace
from hub.fleet.roles import Role

from .editor_common import common_context, is_publisher, now, page, pending_edits, say, ws
from .editor_forms import AlertEndForm, DocumentForm, form_class
from .editor_related import (
    alert_defaults,
    for_the_record,
    loop_edits,
    loops_of,
    screens,
    targets_of,
    write_targets,
)
from .editor_values import Extras, form_data, read_extras, toml_snippet
from .guards import require
from .i18n import gettext
from .state import db, settings

bp = Blueprint("editor", __name__, url_prefix="/editor")
# Manifest field names that the form spells otherwise.
_FIELD_ALIASES = {"media": "file", "opening_hours": "hours"}


@bp.route("/site", methods=["GET", "POST"])
@require(Role.EDITOR)
def site_settings() -> Response:
    """The site's name, its default loop and its public holidays ([site] of site.toml)."""
    doc = ws().folder.find(DocRef("site.toml", None, "site", table="site"))
    if doc is None:
        abort(404)
    return _edit(SITE, doc, "site.toml")


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


@bp.route("/")
@require(Role.EDITOR)
def index() -> Response:
    w = ws()
    site = w.site()
    counts = {}
    broken = []
    for name, kind in KINDS.items():
        try:
            counts[name] = len(w.documents(kind))
        except FolderError as e:
            broken.append(str(e))
    return page("editor_index.html", kinds=KINDS, counts=counts, broken=sorted(set(broken)), **common_context(site))


@bp.route("/<kind_name>/")
@require(Role.EDITOR)
def documents(kind_name: str) -> Response:
    kind = _kind(kind_name)
    w = ws()
    site = w.site()
    try:
        docs = w.documents(kind)
    except FolderError as e:
        return page("editor_list.html", kind=kind, rows=[], broken=str(e), **common_context(site))
    rows = [{"doc": d, "title": title_of(kind, d.values, site), "status": status_of(d.values, site),
             "file": d.ref.file.split("/", 1)[1]} for d in docs]
    if kind.name == "alert":
        form = form_class(kind, site.languages, new=True, screens=[d for d, _p in screens()])(
            data={**alert_defaults(site), "doc_digest": "absent"}, formdata=None)
        return _form_page(kind, None, form, site, [], [])
    ctx = common_context(site)
    return page("editor_list.html", kind=kind, rows=rows, broken=None, **ctx)


def _unique_id(w: Workspace, kind: Kind, file: str, wanted: str) -> str:
    taken = set()
    for k in KINDS.values():
        if k.folder == kind.folder and k.array == kind.array:
            for d in w.documents(k):
                if kind.folder != "playlists" or d.ref.file == file:
                    taken.add(d.id)
    candidate, n = wanted, 2
    while candidate in taken:
        candidate = f"{wanted[:60]}-{n}"
        n += 1
    return candidate


@bp.route("/<kind_name>/new", methods=["GET", "POST"])
@require(Role.EDITOR)
def new(kind_name: str) -> Response:
    return _edit(_kind(kind_name), None, None)


@bp.route("/<kind_name>/<item_id>", methods=["GET", "POST"])
@require(Role.EDITOR)
def edit(kind_name: str, item_id: str) -> Response:
    kind = _kind(kind_name)
    w = ws()
    file = w.file_for(kind, request.args.get("file", ""))
    if file is None or not convert.ID_RE.match(item_id):
        abort(404)
    doc = w.find(kind, file, item_id)
    if doc is None:
        abort(404)
    return _edit(kind, doc, file)


def _edit(kind: Kind, doc: Document | None, file: str | None) -> Response:
    w = ws()
    site = w.site()
    cls = form_class(kind, site.languages, playlists=site.playlists, new=doc is None,
                     screens=[d for d, _p in screens()])
    if request.method == "GET":
        data = form_data(kind, doc.values, site.languages) if doc else (
            alert_defaults(site) if kind.name == "alert" else {})
        if doc is not None and kind.field("screens") is not None:
            data["screens"] = targets_of(doc.id)
        if kind.field("loops") is not None:
            data["loops"] = [p for p, _i in loops_of(doc.id)] if doc is not None else (
                [site.default_playlist] if site.default_playlist in site.playlists else [])
        form = cls(data={**data, "doc_digest": doc.digest if doc else "absent",
                         "file_digest": doc.file_digest if doc else ""}, formdata=None)
        if doc is None and kind.item_type is not None and site.default_playlist in site.playlists:
            form["playlist"].data = site.default_playlist
        verdicts = [say(m) for m in verdict(section_of(kind), doc.values, site.rules, now(), site.tz)] if doc else []
        return _form_page(kind, doc, form, site, [], verdicts)
    form = cls()
    extras = Extras()
    try:
        return _save(kind, doc, file, form, site, extras)
    finally:
        extras.cleanup()


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


def _save(kind: Kind, doc: Document | None, file: str | None, form: DocumentForm, site: Site,
          extras: Extras) -> Response:
    w = ws()
    if not form.validate_on_submit():
        if not form.csrf_token.errors:
            read_extras(form, kind, request.files, w, doc.values if doc else None, settings().screen_size)
        if form.csrf_token.errors:
            abort(400)
        return _form_page(kind, doc, form, site, [], [], 400)
    more, ok = read_extras(form, kind, request.files, w, doc.values if doc else None, settings().screen_size)
    extras.temp += more.temp
    if not ok:
        return _form_page(kind, doc, form, site, [], [], 400)
    values = {**form.values, **more.values}
    if kind.name == "menus" and values.get("days") and doc is not None:  # dishes in other languages stay
        values["days"] = convert.keep_other_languages(values["days"], doc.values.get("days"))
    targets = values.pop("screens", None) if kind.field("screens") is not None else None
    loops = values.pop("loops", None) if kind.field("loops") is not None else None
    keys = [k for k in (*kind.keys, *more.keys) if k not in ("screens", "loops")]
    if kind.item_type is not None:
        values["type"] = kind.item_type
        keys.insert(0, "type")
    if kind.name == "alert":
        values["category"] = "alert"
        keys.append("category")
    keys = list(dict.fromkeys(k for k in keys if k != "hours" or "hours" in more.keys))
    if doc is None:
        if kind.item_type is not None:
            playlist = form["playlist"].data or ""
            if playlist not in site.playlists:
                abort(400)
            file = f"playlists/{playlist}.toml"
        else:
            file = kind.file
        wanted = (form["new_id"].data or "").strip()
        try:
            item_id = convert.parse_id(wanted) if wanted else convert.slug(
                convert.text_of(values.get(kind.title_key), site.languages), kind.name)
        except convert.Invalid as e:
            form["new_id"].errors = [say(e.message)]
            return _form_page(kind, doc, form, site, [], [], 400)
        if not wanted:
            item_id = _unique_id(w, kind, file, item_id)
        ref = DocRef(file, kind.array, item_id)
    else:
        ref = doc.ref
    assert file is not None
    action = "create" if doc is None else "update"
    edit = Edit(kind.name, ref, action, values, tuple(keys), form.doc_digest.data or "absent",
                title_of(kind, values, site), tuple(more.media))
    current = w.folder.find(ref)
    if (current.digest if current else "absent") != edit.base_digest and not form.force.data:
        return _conflict(kind, doc, form, site, edit, current)  # before anything else: the base is stale
    judged = verdict(section_of(kind), values, site.rules, now(), site.tz)
    verdicts = [say(m) for m in judged]
    with_loops = loop_edits(ref.item_id, loops or [], site, edit.title) if kind.field("loops") is not None else []
    notes = w.check([*pending_edits(), edit, *with_loops], ref, now())
    errors = [n for n in notes if n.severity == ERROR]
    if errors and not all(n.mine for n in errors):
        before = {n.line for n in w.check(pending_edits(), None, now()) if n.severity == ERROR}
        errors = [n for n in errors if n.mine or n.line not in before]
    mine_warnings = [n for n in notes if n.severity == WARNING and n.mine]
    shown = errors + mine_warnings
    if errors or request.form.get("check"):
        return _form_page(kind, doc, form, site, shown, verdicts, 400 if errors else 200)
    if mine_warnings and not request.form.get("accept_warnings"):
        return _form_page(kind, doc, form, site, shown, verdicts, 200, confirm=True)
    period = w.reserve_period(now())
    hold = period is not None and not is_publisher() and kind.name != "alert"
    try:
        row = w.changes.save(db(), edit, current_user.username, now(), hold=hold, in_reserve=period is not None,
                             verdict=for_the_record(judged), force=bool(form.force.data))
    except Conflict as c:
        return _conflict(kind, doc, form, site, edit, c.current)
    except FolderError as e:
        flash(str(e), "error")
        return _form_page(kind, doc, form, site, shown, verdicts, 409)
    if kind.field("screens") is not None:
        write_targets(ref.item_id, targets or [], site)
    for loop_edit in with_loops:
        w.changes.save(db(), loop_edit, current_user.username, now(), hold=hold, in_reserve=period is not None,
                       force=True)
    db().commit()
    if more.reduced:
        w_, h_ = more.reduced[0]
        flash(gettext("The picture (%(w)s×%(h)s) was reduced to the screens' size.", w=w_, h=h_), "info")
    if hold:
        flash(gettext("Saved, waiting for a publisher's approval (election reserve period): "
                      "nothing changes on the screens until then."), "info")
    else:
        flash(gettext("Saved: «%(title)s». It goes on the screens at the next publication.", title=row.title), "info")
    if request.form.get("publish") and is_publisher():
        from .editor_publish import publish_now

        publish_now()
    return redirect(url_for("editor.site_settings") if kind is SITE else
                    url_for("editor.documents", kind_name=kind.name))


def _conflict(kind: Kind, doc: Document | None, form: DocumentForm, site: Site, edit: Edit,
              current: Document | None) -> Response:
    theirs = toml_snippet(kind.array, current.values if current else None)
    from hub.editor.changes import _merged

    yours = toml_snippet(kind.array, _merged(current.values if current else (doc.values if doc else None),
                                             edit.values, edit.keys))
    for name, path in edit.media:  # an upload already checked stays, to post the form again
        if w_read(name) is None:
            ws().folder.add_file(name, path.read_bytes())
    carried = [(k, v) for k, v in request.form.items(multi=True)
               if k not in ("csrf_token", "force", "doc_digest", "check", "accept_warnings")]
    for spec in kind.fields:
        if spec.type in ("media", "image") and edit.values and edit.values.get(spec.key):
            carried = [(k, v) for k, v in carried if k != f"{spec.key}_keep"]
            carried.append((f"{spec.key}_keep", str(edit.values[spec.key])))
    return page("editor_conflict.html", 409, kind=kind, doc=doc, theirs=theirs, yours=yours, carried=carried,
                new_digest=current.digest if current else "absent", gone=current is None,
                action=request.path + (f"?{request.query_string.decode()}" if request.query_string else ""),
                **common_context(site))


def w_read(name: str) -> bytes | None:
    try:
        return ws().folder.read_bytes(name)
    except FolderError:
        return None


@bp.route("/<kind_name>/<item_id>/delete", methods=["POST"])
@require(Role.EDITOR)
def delete(kind_name: str, item_id: str) -> Response:
    kind = _kind(kind_name)
    w = ws()
    if not AlertEndForm().validate_on_submit():
        abort(400)
    file = w.file_for(kind, request.args.get("file", ""))
    doc = w.find(kind, file, item_id) if file and convert.ID_RE.match(item_id) else None
    if doc is None:
        abort(404)
    site = w.site()
    period = w.reserve_period(now())
    hold = period is not None and not is_publisher() and kind.name != "alert"
    edit = Edit(kind.name, doc.ref, "delete", None, (), request.form.get("doc_digest") or doc.digest,
                title_of(kind, doc.values, site))
    try:
        w.changes.save(db(), edit, current_user.username, now(), hold=hold, in_reserve=period is not None)
        if kind.folder == "bulletins":  # the loop items showing it go with it
            for loop_edit in loop_edits(doc.id, [], site, edit.title):
                w.changes.save(db(), loop_edit, current_user.username, now(), hold=hold,
                               in_reserve=period is not None, force=True)
    except Conflict:
        flash(gettext("It was changed meanwhile (by hand or by someone else): open it again before deleting."),
              "error")
        return redirect(url_for("editor.documents", kind_name=kind.name))
    db().commit()
    flash(gettext("Deleted: «%(title)s».", title=edit.title) if not hold else
          gettext("Deletion waiting for a publisher's approval (election reserve period)."), "info")
    return redirect(url_for("editor.documents", kind_name=kind.name))


@bp.route("/alert/<item_id>/end", methods=["POST"])
@require(Role.EDITOR)
def end_alert(item_id: str) -> Response:
    """The alert ends now (its end set to this minute), and — for a publisher — is published."""
    kind = KINDS["alert"]
    w = ws()
    if not AlertEndForm().validate_on_submit():
        abort(400)
    file = w.file_for(kind, request.args.get("file", ""))
    doc = w.find(kind, file, item_id) if file and convert.ID_RE.match(item_id) else None
    if doc is None:
        abort(404)
    site = w.site()
    end = now().astimezone(site.tz).replace(second=0, microsecond=0, tzinfo=None)
    edit = Edit(kind.name, doc.ref, "end-alert", {"valid_until": end}, ("valid_until",), doc.digest,
                title_of(kind, doc.values, site))
    period = w.reserve_period(now())
    w.changes.save(db(), edit, current_user.username, now(), hold=False, in_reserve=period is not None)
    db().commit()
    flash(gettext("The alert «%(title)s» ends now.", title=edit.title), "info")
    if is_publisher():
        from .editor_publish import publish_now

        publish_now()
    return redirect(url_for("editor.documents", kind_name="alert"))


@bp.route("/hours/check", methods=["POST"])
@require(Role.EDITOR)
def hours_check() -> Response:
    """htmx: "open now?" for the hours being typed (OpenStreetMap syntax or the week grid)."""
    site = ws().site()
    mode = request.form.get("hours_mode", "osm")
    if mode == "grid":
        weekly: dict[str, list[list[str]]] = {}
        for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            try:
                slots = convert.parse_slots(request.form.get(f"hours_{d}", "")[:200])
            except convert.Invalid as e:
                return page("_hours_status.html", ok=False, text=say(e.message))
            if slots:
                weekly[d] = slots
        expression = hours.grid_expression(weekly, bool(request.form.get("hours_holidays")))
    elif mode == "osm":
        expression = request.form.get("hours_osm", "")[:2000]
    else:
        return page("_hours_status.html", ok=True, text="")
    if not expression.strip():
        return page("_hours_status.html", ok=True, text="")
    result = hours.status(expression, site.tz, now())
    return page("_hours_status.html", ok=result.ok, text=say(result.message), open_now=result.open_now)
