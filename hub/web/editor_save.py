"""Saving a document's form: the form read (Flask-WTF), uploads decoded, the folder checked
as it would be with the publisher's own checks, the election-period verdict and the
warnings shown, a hand edit made meanwhile noticed (both versions shown), then the change
written into the content folder — or, for an editor during a reserve period, kept waiting
for a publisher."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from hub.editor import convert
from hub.editor.changes import Conflict, Edit
from hub.editor.checks import ERROR, WARNING
from hub.editor.folder import DocRef, Document, FolderError
from hub.editor.kinds import KINDS, SITE, Kind
from hub.editor.neutrality import verdict
from hub.editor.workspace import Site, Workspace

from .editor_common import common_context, is_publisher, now, page, pending_edits, say, ws
from .editor_forms import DocumentForm
from .editor_pages import _form_page, section_of, title_of
from .editor_related import for_the_record, loop_edits, write_targets
from .editor_values import Extras, read_extras, toml_snippet
from .i18n import gettext
from .state import db, settings


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

