"""Staff roles: a fixed set that grows by adding members here (no schema change).

A user holds roles; a role may imply others (an admin is a technician, a viewer, an editor
and a publisher; a publisher is an editor: editors propose, publishers publish). Every
staff route names the one role it needs (``hub.web.guards.require``), and the docs' route ×
role table is made from those declarations (a test walks it).
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"          # sees the fleet, devices, screenshots, plays
    TECHNICIAN = "technician"  # asks screenshots, enrols devices, revokes tokens, names places
    ADMIN = "admin"            # manages staff accounts and deletes devices
    EDITOR = "editor"          # writes content in the editor (posters, bulletins, alerts, pages)
    PUBLISHER = "publisher"    # also publishes, and approves editors' changes in a reserve period


# What each role brings besides itself.
IMPLIES: dict[Role, frozenset[Role]] = {
    Role.VIEWER: frozenset(),
    Role.TECHNICIAN: frozenset({Role.VIEWER}),
    Role.ADMIN: frozenset({Role.TECHNICIAN, Role.VIEWER, Role.EDITOR, Role.PUBLISHER}),
    Role.EDITOR: frozenset(),
    Role.PUBLISHER: frozenset({Role.EDITOR}),
}


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Known role names only; an unknown one raises ValueError naming the known ones."""
    out = set()
    for name in names:
        try:
            out.add(Role(name.strip()))
        except ValueError:
            raise ValueError(f"unknown role {name!r} (known: {', '.join(r.value for r in Role)})") from None
    return frozenset(out)


def effective(held: Iterable[str]) -> frozenset[Role]:
    """The roles a user acts with: those held and those they imply (unknown names ignored,
    so a database written by a newer hub still signs in with what this one knows)."""
    out: set[Role] = set()
    for name in held:
        try:
            role = Role(name)
        except ValueError:
            continue
        out.add(role)
        out |= IMPLIES[role]
    return frozenset(out)
