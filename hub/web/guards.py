"""Who may reach each route: one declaration per view, checked before every request.

Each view carries exactly one of :func:`public`, :func:`signed_in`, :func:`require`
(a staff role), :func:`device` (a device's bearer token) or :func:`metrics` (the metrics
token). A route without a declaration is refused (403) — fail closed — and the docs' route
× role table is made from these declarations by :func:`route_table` (a test walks it).
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from hub.fleet.credentials import token_hash
from hub.fleet.roles import Role

F = TypeVar("F", bound=Callable[..., Any])
ATTR = "hub_access"


@dataclass(frozen=True)
class Access:
    kind: str  # "public" | "signed-in" | "role" | "device" | "metrics"
    role: Role | None = None

    def describe(self) -> str:
        return {"public": "anyone", "signed-in": "any signed-in staff", "device": "a device's token",
                "metrics": "the metrics token"}.get(self.kind, f"role {self.role}")


def _mark(access: Access) -> Callable[[F], F]:
    def deco(view: F) -> F:
        setattr(view, ATTR, access)
        return view
    return deco


def public(view: F) -> F:
    return _mark(Access("public"))(view)


def signed_in(view: F) -> F:
    return _mark(Access("signed-in"))(view)


def require(role: Role) -> Callable[[F], F]:
    return _mark(Access("role", role))


def device(view: F) -> F:
    """The view gets ``g.device_id`` (the token's device); the token is checked in
    hub.web.api before the view runs."""
    return _mark(Access("device"))(view)


def metrics(view: F) -> F:
    return _mark(Access("metrics"))(view)


def access_of(app: Flask, endpoint: str | None) -> Access | None:
    if endpoint is None:
        return None
    if endpoint == "static":
        return Access("public")
    view = app.view_functions.get(endpoint)
    return getattr(view, ATTR, None)


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def check_access() -> Any:
    """before_request: enforce the view's declaration (device tokens: see hub.web.api)."""
    access = access_of(current_app, request.endpoint)
    if request.endpoint is None:
        return None  # 404/405 follow
    if access is None:
        abort(403)
    if access.kind in ("public", "device"):
        return None
    if access.kind == "metrics":
        expected = current_app.extensions["town_kiosk_hub"].metrics_token_hash
        given = request.headers.get("Authorization", "")
        token = given[7:].strip() if given.lower().startswith("bearer ") else ""
        if not expected or not token or not hmac.compare_digest(token_hash(token), expected):
            return current_app.response_class(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return None
    if not current_user.is_authenticated:
        if _is_htmx():  # a fragment asked by a page whose session ended: send the page to sign in
            return current_app.response_class(status=401, headers={"HX-Redirect": url_for("auth.login")})
        if request.method != "GET":
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if access.kind == "role" and access.role not in current_user.roles:
        abort(403)
    g.user = current_user
    return None


@dataclass(frozen=True)
class RouteAccess:
    rule: str
    methods: tuple[str, ...]
    endpoint: str
    access: Access | None


def route_table(app: Flask) -> list[RouteAccess]:
    """Every route with its methods and who may reach it, in rule order."""
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        methods = tuple(sorted(m for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS")))
        out.append(RouteAccess(rule.rule, methods, rule.endpoint, access_of(app, rule.endpoint)))
    return out


def role_table_markdown(app: Flask) -> str:
    """The docs' table: route, methods, who; ✓ per staff role that may use it."""
    roles = list(Role)
    lines = ["| route | methods | who | " + " | ".join(r.value for r in roles) + " |",
             "| --- | --- | --- | " + " | ".join("---" for _ in roles) + " |"]
    from hub.fleet.roles import effective

    for r in route_table(app):
        a = r.access
        marks = []
        for role in roles:
            ok = a is not None and (a.kind in ("public", "signed-in") or (a.kind == "role" and a.role in effective([role])))
            marks.append("✓" if ok else "")
        who = a.describe() if a else "nobody (undeclared)"
        lines.append(f"| `{r.rule}` | {', '.join(r.methods)} | {who} | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it stays on this site (a path, not //host or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


