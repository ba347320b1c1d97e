"""What goes with a document in the editor: a bulletin's items in the loops, an alert's
screens (screens.toml) and its default end, the fleet's devices to choose from, and the
election-period verdict as the trail records it."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask_login import current_user

from hub.editor.changes import Edit
from hub.editor.folder import DocRef, FolderError
from hub.editor.text import Message
from hub.editor.workspace import Site

from .editor_common import now, ws
from .i18n import translations
from .state import db

ALERT_DEFAULT_HOURS = 4


def alert_default_end(t: datetime, site: Site) -> str:
    """A new alert's end: four real hours from ``t`` (across a DST change too), local."""
    end = (t + timedelta(hours=ALERT_DEFAULT_HOURS)).astimezone(site.tz).replace(second=0, microsecond=0)
    return end.strftime("%Y-%m-%dT%H:%M")


def alert_defaults(site: Site) -> dict[str, Any]:
    return {"severity": "warning", "alert": "banner", "valid_until": alert_default_end(now(), site)}


def screens() -> list[tuple[str, str]]:
    """The fleet's devices (id, place), for an alert's "Screens"."""
    from sqlalchemy import select

    from hub.db.models import Device

    return [(d.id, d.place) for d in db().scalars(select(Device).order_by(Device.id))]


def targets_of(item_id: str) -> list[str]:
    from hub.alert_screens import FILE, parse

    try:
        values, _d = ws().folder.load(FILE)
    except FolderError:
        return []
    return sorted(parse(values).alerts.get(item_id, ()))


def loops_of(bulletin_id: str) -> list[tuple[str, str]]:
    """(playlist, item id) of the loop items showing the bulletin."""
    out = []
    for d in ws().folder.documents("playlists", "items"):
        if d.values.get("type") == "bulletin" and d.values.get("bulletin") == bulletin_id:
            out.append((Path(d.ref.file).stem, d.id))
    return out


def loop_edits(bulletin_id: str, wanted: list[str], site: Site, title: str) -> list[Edit]:
    """The loop items to add or remove so the bulletin shows in ``wanted`` loops."""
    have = loops_of(bulletin_id)
    edits = []
    for playlist, item_id in have:
        if playlist not in wanted:
            edits.append(Edit("bulletin", DocRef(f"playlists/{playlist}.toml", "items", item_id), "delete", None, (),
                              "", title))
    for playlist in wanted:
        if playlist in site.playlists and playlist not in {p for p, _i in have}:
            taken = {d.id for d in ws().folder.documents("playlists", "items")
                     if d.ref.file == f"playlists/{playlist}.toml"}
            item_id = bulletin_id if bulletin_id not in taken else f"bulletin-{bulletin_id}"[:64]
            edits.append(Edit("bulletin", DocRef(f"playlists/{playlist}.toml", "items", item_id), "create",
                              {"type": "bulletin", "bulletin": bulletin_id}, ("type", "bulletin"), "absent", title))
    return edits


def write_targets(alert_id: str, devices: list[str], site: Site) -> None:
    """The alert's screens in screens.toml (none: the alert's line goes, every screen)."""
    from hub.alert_screens import FILE

    ref = DocRef(FILE, None, "alerts", table="alerts")
    before = targets_of(alert_id)
    if ws().folder.read_bytes(FILE) is None and devices:
        ws().folder.add_file(FILE, b"# Which screens show each alert (written by the hub's editor; an alert not\n"
                                   b"# listed here shows on every screen). Device ids as on the fleet page.\n")
    if sorted(devices) == before:
        return
    edit = Edit("alert", ref, "update", {alert_id: sorted(devices) or None}, (alert_id,), "", title=alert_id)
    ws().changes.save(db(), edit, current_user.username, now(), hold=False,
                      in_reserve=ws().reserve_period(now()) is not None, force=True)


def for_the_record(messages: list[Message]) -> str:
    """The verdict as the trail keeps it: in French, the language of the town's judge."""
    fr = translations("fr")
    return "\n".join(fr.gettext(m.text) % m.params for m in messages)
