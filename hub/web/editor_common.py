"""What the editor's pages share: the workspace of the hub's content folder, the site, the
reserve period, the waiting changes, and turning the editor's messages into the page's
language."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, make_response, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from hub.editor.changes import Edit
from hub.editor.neutrality import Period
from hub.editor.text import Message
from hub.editor.workspace import Site, Workspace
from hub.fleet.roles import Role

from .i18n import gettext
from .state import db, settings
from .state import now as hub_now

_workspaces: dict[str, Workspace] = {}


def ws() -> Workspace:
    """The workspace of the hub's content folder (404 with a page saying why when the hub
    was started without ``--content``)."""
    cfg = settings()
    if cfg.content_dir is None:
        abort(make_response(render_template("editor_none.html"), 404))
    key = f"{cfg.content_dir}|{cfg.editor_dir}"
    w = _workspaces.get(key)
    if w is None:
        w = _workspaces[key] = Workspace(cfg.content_dir, cfg.editor_dir)
    return w


def now() -> datetime:
    return hub_now()


def say(m: Message | None) -> str:
    return gettext(m.text, **m.params) if m is not None else ""


def is_publisher() -> bool:
    return Role.PUBLISHER in current_user.roles


def pending_edits() -> list[Edit]:
    return ws().changes.preview_edits(db())


def page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)


def common_context(site: Site | None = None) -> dict[str, Any]:
    w = ws()
    site = site or w.site()
    period: Period | None = w.reserve_period(now())
    waiting = len(w.changes.pending(db()))
    from hub.editor.neutrality import describe_period

    return {"site": site, "period": period, "period_text": say(describe_period(period)) if period else "",
            "waiting": waiting, "say": say, "is_publisher": is_publisher()}
