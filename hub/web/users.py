"""Staff accounts, for admins: make a user with roles, change roles, deactivate, reset a password."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.db.models import User
from hub.fleet.accounts import AccountError, create_user, deactivate, held_roles, set_password, set_roles
from hub.fleet.roles import Role, parse_roles

from .forms import NewUserForm, PasswordForm, RolesForm
from .guards import require
from .i18n import gettext
from .state import db, now

bp = Blueprint("users", __name__)


def _page(form: NewUserForm, status: int = 200) -> Response:
    users = db().scalars(select(User).order_by(User.username)).all()
    rows = [(u, held_roles(u), RolesForm(prefix=f"u{u.id}", roles=held_roles(u), active=u.active),
             PasswordForm(prefix=f"p{u.id}")) for u in users]
    return make_response(render_template("users.html", form=form, rows=rows), status)


@bp.route("/users", methods=["GET"])
@require(Role.ADMIN)
def index() -> Response:
    return _page(NewUserForm())


@bp.route("/users", methods=["POST"])
@require(Role.ADMIN)
def create() -> Response:
    form = NewUserForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    s = db()
    try:
        create_user(s, form.username.data or "", form.password.data or "", parse_roles(form.roles.data or []),
                    now(), language=form.language.data or "fr")
    except AccountError as e:
        form.username.errors = [str(e)]
        return _page(form, 400)
    s.commit()
    flash(gettext("User %(name)s created.", name=form.username.data), "info")
    return redirect(url_for("users.index"))


def _user(user_id: int) -> User:
    u = db().get(User, user_id)
    if u is None:
        abort(404)
    return u


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@require(Role.ADMIN)
def roles(user_id: int) -> Response:
    u = _user(user_id)
    form = RolesForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        flash(gettext("Give the user at least one role."), "error")
        return redirect(url_for("users.index"))
    if u.id == current_user.user_id and (Role.ADMIN.value not in (form.roles.data or []) or not form.active.data):
        flash(gettext("You cannot take the admin role from yourself."), "error")
        return redirect(url_for("users.index"))
    set_roles(u, parse_roles(form.roles.data or []))
    if not form.active.data and u.active:
        deactivate(u)
    elif form.active.data:
        u.active = True
    db().commit()
    flash(gettext("User %(name)s updated.", name=u.username), "info")
    return redirect(url_for("users.index"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require(Role.ADMIN)
def password(user_id: int) -> Response:
    u = _user(user_id)
    form = PasswordForm(prefix=f"p{user_id}")
    if not form.validate_on_submit():
        flash(gettext("A password has at least 10 characters."), "error")
        return redirect(url_for("users.index"))
    try:
        set_password(u, form.password.data or "")
    except AccountError as e:
        flash(str(e), "error")
        return redirect(url_for("users.index"))
    db().commit()
    flash(gettext("Password of %(name)s changed; their sessions are signed out.", name=u.username), "info")
    return redirect(url_for("users.index"))
