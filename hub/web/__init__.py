"""The hub's web application (Flask): the content API for devices, staff sign-in, the fleet
pages, staff accounts, the communication team's editor and the Prometheus metrics — one
blueprint per area.

Run by the hub's gunicorn workers (``kiosk hub serve``; each worker calls
:func:`create_app` once) and by tests on werkzeug's server. Nothing happens at import time:
:func:`create_app` takes the settings, opens the database engine and builds the app.
"""
from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from hub.db import Database
from hub.fleet.credentials import token_hash
from hub.fleet.roles import Role
from hub.fleet.views import PublishedVersion
from hub.settings import HubSettings

from . import api, auth, editor, editor_publish, fleet, metrics, users
from .filters import register_filters
from .guards import check_access
from .i18n import current_language, raw_gettext, raw_ngettext
from .state import EXTENSION, HubState, close_session

log = logging.getLogger(__name__)

# Content Security Policy: scripts, styles and images from the hub only (htmx is a static file).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


def read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """A secret kept in a 0600 file, made on first use (several workers may race: O_EXCL)."""
    import secrets

    try:
        return path.read_text("utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    log.info("%s created (mode 0600)", path)
    return value


def create_app(settings: HubSettings, database: Database | None = None) -> Flask:
    """The hub for ``settings``; ``database`` may be given to share an engine (tests)."""
    app = Flask(__name__)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=read_or_create_secret(settings.secret_key_file),
        SESSION_COOKIE_NAME="kiosk_hub_session",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.SESSION_HOURS),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=settings.secure_cookies,
        TEMPLATES_AUTO_RELOAD=False,
    )
    state = HubState(settings, database or Database(settings.url), PublishedVersion(settings.published_dir))
    state.metrics_token_hash = token_hash(read_or_create_secret(settings.metrics_token_file))
    app.extensions[EXTENSION] = state
    state.start_flusher()

    app.before_request(allow_editor_uploads)  # before CSRFProtect reads the form
    CSRFProtect(app).exempt(api.bp)  # devices use their token, never a cookie
    auth.init(app)
    for bp in (api.bp, auth.bp, fleet.bp, users.bp, metrics.bp, editor.bp, editor_publish.bp):
        app.register_blueprint(bp)
    app.before_request(check_access)
    app.teardown_appcontext(close_session)

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(raw_gettext, raw_ngettext, newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    from hub.editor.kinds import ACTION_LABELS, CHOICE_LABELS, KINDS, STATUS_LABELS, WEEKDAYS

    app.jinja_env.globals.update(current_language=current_language, Role=Role, CHOICE_LABELS=CHOICE_LABELS,
                                 WEEKDAYS=WEEKDAYS, ACTION_LABELS=ACTION_LABELS, STATUS_LABELS=STATUS_LABELS,
                                 KINDS=KINDS)
    register_filters(app)

    @app.after_request
    def security_headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if request.blueprint not in ("api",) and "Cache-Control" not in resp.headers:
            resp.headers["Cache-Control"] = "no-store" if request.endpoint != "static" else "public, max-age=3600"
        return resp

    @app.errorhandler(CSRFError)
    def csrf_error(e: CSRFError) -> tuple[str, int]:
        return render_template("error.html", code=400, message=e.description), 400

    for code in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _error_page)
    return app


# An upload to the editor (a video) may be far over the hub's request limit (device reports).
EDITOR_UPLOAD_BYTES = 520 * 1024 * 1024


def allow_editor_uploads() -> None:
    """A signed-in editor's form may carry a poster or a video; every other request keeps
    the hub's limit (so nobody else can make the hub read a large body)."""
    if request.method != "POST" or request.blueprint != "editor":
        return
    from flask_login import current_user

    if current_user.is_authenticated and Role.EDITOR in current_user.roles:
        request.max_content_length = EDITOR_UPLOAD_BYTES


def _error_page(e: Exception) -> tuple[str, int] | Response:
    code = getattr(e, "code", 500) or 500
    if request.blueprint == "api" or request.path.startswith("/v1/"):
        return Response(status=code)  # devices get a status, never a page
    return render_template("error.html", code=code, message=None), code


__all__ = ["create_app"]
