"""The editor's publishing pages: changes waiting for approval (publishers approve or
reject them, seeing the diff and the election-period verdict), publishing, the audit trail
(and its CSV for a judge), previews (``kiosk preview`` on the folder as it would be) and a
loop's order."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from hub.db.models import ContentChange
from hub.editor import audit, convert, preview
from hub.editor.changes import PENDING, Conflict
from hub.editor.folder import DocRef, FolderError
from hub.editor.publishing import record, run_publish
from hub.fleet.roles import Role

from .editor_common import common_context, now, page, pending_edits, ws
from .editor_forms import AlertEndForm, PreviewForm
from .editor_values import toml_snippet
from .guards import require
from .i18n import current_language, gettext
from .state import db, settings

bp = Blueprint("editor_publish", __name__, url_prefix="/editor")


def publish_now() -> bool:
    """Publish the folder into the hub's tree now, recorded; says how it went (flash)."""
    cfg = settings()
    w = ws()
    result = run_publish(w.folder.root, cfg.published_dir, cfg.sources_state_dir, now())
    if not result.ok:
        flash(gettext("Nothing was published: the content folder has problems."), "error")
        for line in result.lines[:20]:
            flash(line, "error")
        return False
    in_reserve = w.reserve_period(now()) is not None
    record(db(), current_user.username, result, cfg.published_dir, now(), in_reserve)
    db().commit()
    if result.changed:
        flash(gettext("Published: version %(version)s. Screens take it at their next poll.",
                      version=result.version or "?"), "info")
    else:
        flash(gettext("Nothing new to publish: the screens have this version already."), "info")
    for line in result.lines[:20]:
        flash(line, "warning")
    return True


@bp.route("/publish", methods=["POST"])
@require(Role.PUBLISHER)
def publish() -> Response:
    if not AlertEndForm().validate_on_submit():
        abort(400)
    publish_now()
    return redirect(url_for("editor_publish.changes"))


@bp.route("/changes")
@require(Role.EDITOR)
def changes() -> Response:
    w = ws()
    s = db()
    waiting = []
    for row in w.changes.pending(s):
        current = w.changes.current(row)
        waiting.append({"row": row, "conflict": (current.digest if current else "absent") != row.base_digest})
    from sqlalchemy import select

    recent = list(s.scalars(select(ContentChange).where(ContentChange.status != PENDING)
                            .order_by(ContentChange.at.desc(), ContentChange.id.desc()).limit(30)))
    published = ws_published()
    return page("editor_changes.html", rows=waiting, recent=recent, action=AlertEndForm(),
                published=published, **common_context())


def ws_published() -> dict[str, Any] | None:
    import json

    try:
        doc = json.loads((settings().published_dir / "v1" / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return {"version": doc.get("version"), "when": _published_at(doc)}


def _row(change_id: int) -> ContentChange:
    row = db().get(ContentChange, change_id)
    if row is None or row.status != PENDING:
        abort(404)
    return row


@bp.route("/changes/<int:change_id>/approve", methods=["POST"])
@require(Role.PUBLISHER)
def approve(change_id: int) -> Response:
    if not AlertEndForm().validate_on_submit():
        abort(400)
    row = _row(change_id)
    w = ws()
    try:
        w.changes.approve(db(), row, current_user.username, now(), force=bool(request.form.get("force")))
    except Conflict as c:
        edit = w.changes.edit_of(row)
        from hub.editor.changes import _merged

        return page("editor_approve_conflict.html", 409, row=row, theirs=toml_snippet(edit.ref.array, c.current.values
                                                                                       if c.current else None),
                    yours=toml_snippet(edit.ref.array, _merged(c.current.values if c.current else None, edit.values,
                                                               edit.keys)),
                    action=AlertEndForm(), **common_context())
    except FolderError as e:
        flash(str(e), "error")
        return redirect(url_for("editor_publish.changes"))
    db().commit()
    flash(gettext("Approved: «%(title)s» is in the content folder.", title=row.title), "info")
    return redirect(url_for("editor_publish.changes"))


@bp.route("/changes/<int:change_id>/reject", methods=["POST"])
@require(Role.PUBLISHER)
def reject(change_id: int) -> Response:
    if not AlertEndForm().validate_on_submit():
        abort(400)
    row = _row(change_id)
    ws().changes.reject(row, current_user.username, now())
    db().commit()
    flash(gettext("Refused: «%(title)s».", title=row.title), "info")
    return redirect(url_for("editor_publish.changes"))


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.route("/audit")
@require(Role.EDITOR)
def audit_page() -> Response:
    site = ws().site()
    start, end = _day(request.args.get("from")), _day(request.args.get("to"))
    if start is None and end is None:
        start = (now().astimezone(site.tz) - timedelta(days=30)).date()
    changes, pubs = audit.trail(db(), start, end, site.tz)
    return page("editor_audit.html", changes=changes[::-1], publications=pubs[::-1], start=start, end=end,
                **common_context(site))


@bp.route("/audit.csv")
@require(Role.EDITOR)
def audit_csv() -> Response:
    site = ws().site()
    start, end = _day(request.args.get("from")), _day(request.args.get("to"))
    changes, pubs = audit.trail(db(), start, end, site.tz)
    lang = current_language()
    text = audit.to_csv(audit.rows(changes, pubs, site.tz, lang), lang)
    name = f"{'journal-editeur' if lang == 'fr' else 'editor-audit'}-{start or 'debut'}-{end or 'fin'}.csv"
    resp = Response(text.encode("utf-8"), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.route("/preview")
@require(Role.EDITOR)
def preview_page() -> Response:
    w = ws()
    site = w.site()
    form = PreviewForm(request.args)
    result = None
    at_text = request.args.get("at")
    if at_text and form.validate():
        at = convert.parse_local_datetime(at_text)
        playlist = request.args.get("playlist") or None
        if playlist is not None and playlist not in site.playlists:
            playlist = None
        orientation = form.orientation.data or "landscape"
        size = (1280, 720) if orientation == "landscape" else (720, 1280)
        ask = preview.PreviewAsk(at, form.what.data or "loop", playlist, None, size, orientation)
        with w.staged(pending_edits()) as stage:
            result = preview.render(stage, ask, w.previews_dir, settings().preview_timeout_s)
    return page("editor_preview.html", form=form, result=result, available=preview.available(), **common_context(site))


@bp.route("/previews/<token>.<ext>")
@require(Role.EDITOR)
def preview_file(token: str, ext: str) -> Response:
    path = preview.file_of(ws().previews_dir, token, f".{ext}")
    if path is None:
        abort(404)
    mimetype = {"png": "image/png", "json": "application/json", "html": "text/plain"}[ext]
    return send_file(path, mimetype=mimetype, max_age=0)


@bp.route("/playlists/<playlist>")
@require(Role.EDITOR)
def playlist(playlist: str) -> Response:
    w = ws()
    site = w.site()
    if playlist not in site.playlists:
        abort(404)
    rel = f"playlists/{playlist}.toml"
    try:
        values, _digest = w.folder.load(rel)
    except FolderError as e:
        flash(str(e), "error")
        values = {}
    items = [i for i in values.get("items") or () if isinstance(i, dict)]
    bulletins = {d.id: d.values for d in w.folder.documents("bulletins", "bulletins")}
    return page("editor_playlist.html", playlist=playlist, name=values.get("name"), items=items,
                bulletins=bulletins, action=AlertEndForm(), **common_context(site))


@bp.route("/playlists/<playlist>/move", methods=["POST"])
@require(Role.EDITOR)
def move(playlist: str) -> Response:
    """Move an item of a loop up or down (publishers only during a reserve period)."""
    if not AlertEndForm().validate_on_submit():
        abort(400)
    w = ws()
    site = w.site()
    if playlist not in site.playlists:
        abort(404)
    if w.reserve_period(now()) is not None and Role.PUBLISHER not in current_user.roles:
        flash(gettext("During the election reserve period, a publisher changes the order of a loop."), "error")
        return redirect(url_for("editor_publish.playlist", playlist=playlist))
    item_id = request.form.get("item", "")
    step = -1 if request.form.get("direction") == "up" else 1
    rel = f"playlists/{playlist}.toml"
    try:
        written = w.folder.move(DocRef(rel, "items", item_id), step)
    except FolderError as e:
        flash(str(e), "error")
        return redirect(url_for("editor_publish.playlist", playlist=playlist))
    if written is not None:
        db().add(ContentChange(at=now(), username=current_user.username, action="move", kind="playlist",
                               item_id=playlist, file=rel, title=item_id, diff=f"{item_id}: {'up' if step < 0 else 'down'}",
                               file_diff=written.unified_diff(), values=None, media=[], base_digest="",
                               status="applied", in_reserve=w.reserve_period(now()) is not None, verdict=""))
        db().commit()
    return redirect(url_for("editor_publish.playlist", playlist=playlist))


def _published_at(doc: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(doc.get("published_at")).replace("Z", "+00:00"))
    except ValueError:
        return None
