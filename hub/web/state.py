"""The request's view of the hub: its settings, its database session (one per request,
closed when the request ends) and ``now``. Blueprints read these; only create_app sets them."""
from __future__ import annotations

import atexit
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from flask import current_app, g
from sqlalchemy.orm import Session

from hub.fleet.devices import ContactBuffer
from hub.tree_http import ManifestEtags

if TYPE_CHECKING:
    from hub.db import Database
    from hub.fleet.views import PublishedVersion
    from hub.settings import HubSettings

EXTENSION = "town_kiosk_hub"
log = logging.getLogger(__name__)


class HubState:
    """What create_app attaches to the app (``app.extensions["town_kiosk_hub"]``)."""

    def __init__(self, settings: HubSettings, database: Database, published: PublishedVersion) -> None:
        self.settings = settings
        self.database = database
        self.published = published
        self.metrics_token_hash: str | None = None
        self.etags = ManifestEtags()
        self.pruned_at: datetime | None = None  # last pruning of old plays by this process
        self.contacts = ContactBuffer()
        from hub.alert_screens import TargetsFile

        self.targets = TargetsFile(settings.content_dir)
        # A device's own manifest (the shared one less alerts for other screens), by
        # (shared ETag, targets, device): built once, not at every poll.
        self.device_manifests: dict[tuple[str, str, str], tuple[bytes, str] | None] = {}
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()

    def start_flusher(self, every_s: float = 1.0) -> None:
        """The thread writing the noted contacts every ``every_s`` (and once more at exit)."""
        if self._flusher is not None:
            return

        def run() -> None:
            while not self._stop.wait(every_s):
                self.flush_contacts()
            self.flush_contacts()

        self._flusher = threading.Thread(target=run, name="hub-contacts", daemon=True)
        self._flusher.start()
        atexit.register(self.stop_flusher)

    def flush_contacts(self) -> None:
        try:
            with self.database.transaction() as s:
                self.contacts.flush(s)
        except Exception:  # the next flush tries again; a request never waits on this
            log.exception("writing device contacts failed")

    def stop_flusher(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(5)


def hub() -> HubState:
    return cast(HubState, current_app.extensions[EXTENSION])


def settings() -> HubSettings:
    return hub().settings


def db() -> Session:
    """The request's session; committed by the view that writes, closed at teardown."""
    s = g.get("db_session")
    if s is None:
        s = g.db_session = hub().database.session()
    return cast(Session, s)


def close_session(_exc: BaseException | None = None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()


def now() -> datetime:
    return settings().now()


def tz() -> ZoneInfo:
    return ZoneInfo(settings().timezone)
