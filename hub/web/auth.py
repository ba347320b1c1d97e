"""Staff sign-in and sign-out, one's own password, the page language.

Sessions are Flask's signed cookie (Secure, HttpOnly, SameSite=Lax) carrying the user's
id and session version: a password change, a role change or a deactivation bumps the
version, which ends every session of that user at its next request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, Flask, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from hub.db.models import User
from hub.fleet.accounts import AccountError, LoginLimits, set_password, sign_in
from hub.fleet.roles import Role, effective

from .forms import LanguageForm, LoginForm, PasswordForm
from .guards import public, safe_next, signed_in
from .i18n import LANGUAGES, gettext
from .state import db, now, settings

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
SESSION_HOURS = 12


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """The signed-in user as the pages see it (not the ORM row)."""

    user_id: int
    username: str
    roles: frozenset[Role]
    language: str
    session_version: int

    def get_id(self) -> str:
        return f"{self.user_id}:{self.session_version}"


def staff_user(u: User) -> StaffUser:
    return StaffUser(u.id, u.username, effective(r.role for r in u.roles), u.language, u.session_version)


@login_manager.user_loader
def load_user(key: str) -> StaffUser | None:
    try:
        uid, version = (int(x) for x in key.split(":"))
    except ValueError:
        return None
    u = db().get(User, uid)
    if u is None or not u.active or u.session_version != version:
        return None
    return staff_user(u)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str:
    form = LoginForm()
    limited = None
    if form.validate_on_submit():
        cfg = settings()
        s = db()
        result = sign_in(s, form.username.data or "", form.password.data or "", request.remote_addr or "?", now(),
                         LoginLimits(cfg.login_per_user, cfg.login_per_address, cfg.login_window))
        s.commit()
        if result.user is not None:
            session.clear()  # a new session for a new identity (no fixation)
            session.permanent = True
            login_user(staff_user(result.user))
            return redirect(safe_next(request.args.get("next")) or url_for("fleet.root"))
        if result.limited_until is not None:
            minutes = max(1, round((result.limited_until - now()).total_seconds() / 60))
            limited = gettext("Too many failed attempts. Try again in %(minutes)s min.", minutes=minutes)
        else:
            flash(gettext("Wrong user name or password."), "error")
    failed = request.method == "POST"
    status = 429 if limited else (401 if failed and not form.errors else 400 if failed else 200)
    return make_response(render_template("login.html", form=form, limited=limited), status)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account() -> Response | str:
    form = PasswordForm()
    if form.validate_on_submit():
        s = db()
        u = s.get(User, current_user.user_id)
        assert u is not None
        from argon2 import PasswordHasher
        from argon2.exceptions import VerificationError

        try:
            PasswordHasher().verify(u.password_hash, form.current.data or "")
        except VerificationError:
            flash(gettext("The current password is wrong."), "error")
            return render_template("account.html", form=form)
        try:
            set_password(u, form.password.data or "")
        except AccountError as e:
            flash(str(e), "error")
            return render_template("account.html", form=form)
        s.commit()
        login_user(staff_user(u))  # this session stays, the others end
        flash(gettext("Password changed. Your other sessions are signed out."), "info")
        return redirect(url_for("fleet.index"))
    return render_template("account.html", form=form)


@bp.route("/language", methods=["POST"])
@public
def language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LANGUAGES:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            s = db()
            u = s.get(User, current_user.user_id)
            if u is not None:
                u.language = form.lang.data
                s.commit()
                login_user(staff_user(u))
    return redirect(safe_next(request.form.get("next")) or url_for("fleet.index"))


def init(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"



SESSION_LIFETIME = timedelta(hours=SESSION_HOURS)
