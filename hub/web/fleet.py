"""The fleet pages: every screen at a glance, one device in detail, screenshots, and the
technician's actions (ask a screenshot, name the place, enrol, revoke). The fragments
(``…/rows``, ``…/panel``) are what htmx fetches to refresh a page without reloading it."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from hub.db.models import Device, Screenshot
from hub.fleet import devices as fleet_devices
from hub.fleet.roles import Role
from hub.fleet.views import device_page, fleet

from .forms import ActionForm, EnrolForm, PlaceForm
from .guards import public, require
from .i18n import gettext
from .state import db, hub, now, settings, tz

bp = Blueprint("fleet", __name__)


def page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)


def _fleet_context() -> dict[str, Any]:
    cfg = settings()
    s = db()
    rows, summary = fleet(s, hub().published.get(), now(), cfg.offline_polls, cfg.default_poll_s)
    s.commit()  # offline spells noted
    return {"rows": rows, "summary": summary, "refresh_s": cfg.fleet_refresh_s, "action": ActionForm()}


@bp.route("/")
@public
def root() -> Response:
    """The fleet, or the editor for staff who only edit content."""
    if current_user.is_authenticated and Role.VIEWER not in current_user.roles and Role.EDITOR in current_user.roles:
        return redirect(url_for("editor.index"))
    return redirect(url_for("fleet.index"))


@bp.route("/healthz")
@public
def healthz() -> Response:
    db().execute(select(1))
    return Response("ok\n", mimetype="text/plain")


@bp.route("/fleet")
@require(Role.VIEWER)
def index() -> Response:
    return page("fleet.html", **_fleet_context())


@bp.route("/fleet/rows")
@require(Role.VIEWER)
def rows() -> Response:
    return page("_fleet_rows.html", **_fleet_context())


def _device_context(device_id: str) -> dict[str, Any]:
    cfg = settings()
    s = db()
    info = device_page(s, device_id, hub().published.get(), now(), cfg.offline_polls, cfg.default_poll_s, tz())
    if info is None:
        abort(404)
    s.commit()
    return {"d": info, "action": ActionForm(), "place_form": PlaceForm(place=info.row.place),
            "refresh_s": cfg.fleet_refresh_s, "published": hub().published.get()}


@bp.route("/fleet/devices/<device_id>")
@require(Role.VIEWER)
def device(device_id: str) -> Response:
    return page("device.html", **_device_context(device_id))


@bp.route("/fleet/devices/<device_id>/panel")
@require(Role.VIEWER)
def panel(device_id: str) -> Response:
    return page("_device_panel.html", **_device_context(device_id))


@bp.route("/fleet/screenshots/<int:shot_id>.jpg")
@require(Role.VIEWER)
def screenshot(shot_id: int) -> Response:
    jpeg = db().scalar(select(Screenshot.jpeg).where(Screenshot.id == shot_id))
    if jpeg is None:
        abort(404)
    resp = Response(jpeg, mimetype="image/jpeg")
    resp.headers["Cache-Control"] = "private, max-age=86400, immutable"  # a screenshot never changes
    return resp


def _back(device_id: str) -> Response:
    target = url_for("fleet.device", device_id=device_id)
    if request.headers.get("HX-Request") == "true":
        return page("_device_panel.html", **_device_context(device_id))
    return redirect(target)


@bp.route("/fleet/devices/<device_id>/screenshot", methods=["POST"])
@require(Role.TECHNICIAN)
def ask_screenshot(device_id: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    s = db()
    if not fleet_devices.request_screenshot(s, device_id, now(), current_user.username):
        abort(404)
    s.commit()
    if request.headers.get("HX-Request") != "true":  # htmx shows the button's new state instead
        flash(gettext("Screenshot asked: it comes with the device's next poll."), "info")
    elif request.form.get("from") == "fleet":
        return page("_fleet_rows.html", **_fleet_context())
    return _back(device_id)


@bp.route("/fleet/devices/<device_id>/place", methods=["POST"])
@require(Role.TECHNICIAN)
def set_place(device_id: str) -> Response:
    form = PlaceForm()
    if not form.validate_on_submit():
        abort(400)
    s = db()
    d = s.get(Device, device_id)
    if d is None:
        abort(404)
    d.place = (form.place.data or "").strip()
    s.commit()
    return _back(device_id)


@bp.route("/fleet/devices/<device_id>/revoke", methods=["POST"])
@require(Role.TECHNICIAN)
def revoke(device_id: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    s = db()
    if s.get(Device, device_id) is None:
        abort(404)
    fleet_devices.revoke_tokens(s, device_id, now(), current_user.username)
    s.commit()
    flash(gettext("Token revoked: the device gets nothing more until it is enrolled again."), "info")
    return redirect(url_for("fleet.device", device_id=device_id))


@bp.route("/fleet/devices/<device_id>/delete", methods=["POST"])
@require(Role.ADMIN)
def delete(device_id: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    s = db()
    d = s.get(Device, device_id)
    if d is None:
        abort(404)
    s.delete(d)
    s.commit()
    flash(gettext("Device %(id)s deleted with its reports.", id=device_id), "info")
    return redirect(url_for("fleet.index"))


@bp.route("/fleet/enrol", methods=["GET", "POST"])
@require(Role.TECHNICIAN)
def enrol() -> Response:
    form = EnrolForm()
    code = None
    if form.validate_on_submit():
        s = db()
        device_id = (form.device_id.data or "").strip() or None
        code = fleet_devices.make_enrol_code(s, current_user.username, now(), device_id=device_id,
                                             place=form.place.data or "",
                                             valid=timedelta(hours=int(form.hours.data or 24)))
        s.commit()
        resp = page("enrol.html", form=form, code=code, device_id=device_id, valid_h=int(form.hours.data or 24))
        resp.headers["Cache-Control"] = "no-store"  # the code is shown once
        return resp
    return page("enrol.html", 400 if form.errors else 200, form=form, code=None)
