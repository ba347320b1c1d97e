"""The hub's settings, given to :func:`hub.web.create_app` (no app object at import time)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from content_cache import DEFAULT_TIMEZONE
from hub.db import sqlite_url


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class HubSettings:
    """Where the hub keeps things and how it judges devices. Times in seconds."""

    data_dir: Path
    content_dir: Path | None = None  # the content folder published at start, if given
    database_url: str | None = None  # None: SQLite in data_dir
    # Session cookies are Secure (HTTPS only) unless turned off for plain-HTTP tests on 127.0.0.1.
    secure_cookies: bool = True
    # A device counts as offline after this many of its poll intervals without contact
    # (its interval comes with its heartbeat; default_poll_s until one has come).
    offline_polls: int = 3
    default_poll_s: float = 300.0
    timezone: str = DEFAULT_TIMEZONE
    screenshots_kept: int = 48  # per device
    plays_kept_days: int = 92
    max_upload_bytes: int = 4 * 1024 * 1024
    fleet_refresh_s: int = 10  # how often the fleet page refreshes itself
    login_per_user: int = 5
    login_per_address: int = 20
    login_window: timedelta = timedelta(minutes=15)
    # The editor: the screens' size (uploads larger than it are reduced to it), and how
    # long a preview may take.
    screen_size: tuple[int, int] = (1920, 1080)
    preview_timeout_s: float = 60.0
    now: Callable[[], datetime] = field(default=_utc_now, compare=False)

    @property
    def published_dir(self) -> Path:
        """The tree devices are served: ``published/v1/manifest.json``, ``v1/media/…``."""
        return self.data_dir / "published"

    @property
    def editor_dir(self) -> Path:
        """The editor's work: stages, uploads being checked, changes waiting, previews."""
        return self.data_dir / "editor"

    @property
    def sources_state_dir(self) -> Path:
        """The content sources' state (their last good results), as the publish timer's."""
        return self.data_dir / "sources"

    @property
    def url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret-key"

    @property
    def metrics_token_file(self) -> Path:
        return self.data_dir / "metrics-token"
