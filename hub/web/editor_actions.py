"""The editor's actions on a document without its form — deleting one, ending an alert now —
and the form's live "open now" check of opening hours (htmx). Routes of the ``editor``
blueprint (:mod:`hub.web.editor_pages`)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from hub.editor import convert, hours
from hub.editor.changes import Conflict, Edit
from hub.editor.folder import Document
from hub.editor.kinds import KINDS, Kind
from hub.editor.workspace import Workspace
from hub.fleet.roles import Role

from .editor_common import is_publisher, now, page, say, ws
from .editor_forms import AlertEndForm
from .editor_pages import _kind, bp, title_of
from .editor_related import loop_edits
from .guards import require
from .i18n import gettext
from .state import db


def _posted_doc(kind: Kind, item_id: str) -> tuple[Workspace, Document]:
    """The workspace and the document a button's POST acts on (400 without the form's CSRF
    token, 404 for a file or an id that is not there)."""
    w = ws()
    if not AlertEndForm().validate_on_submit():
        abort(400)
    file = w.file_for(kind, request.args.get("file", ""))
    doc = w.find(kind, file, item_id) if file and convert.ID_RE.match(item_id) else None
    if doc is None:
        abort(404)
    return w, doc


@bp.route("/<kind_name>/<item_id>/delete", methods=["POST"])
@require(Role.EDITOR)
def delete(kind_name: str, item_id: str) -> Response:
    kind = _kind(kind_name)
    w, doc = _posted_doc(kind, item_id)
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
    w, doc = _posted_doc(kind, item_id)
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

