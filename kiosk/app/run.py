"""`kiosk player`: Kivy configured, then the player app run until it is stopped.

The player never touches the network. It notices a new live version by polling one row
of the cache (the live pointer's generation) and switches at the next slide boundary.
"""
from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kiosk.app.options import PlayerOptions
from kiosk.app.player_cache import PlayerCache
from kiosk.device.kivy_env import prepare_kivy

log = logging.getLogger(__name__)


def preview_clock(at: datetime) -> Callable[[], datetime]:
    """A clock that reads ``at`` now and runs on from it at the real pace."""
    t0 = time.monotonic()
    return lambda: (at + timedelta(seconds=time.monotonic() - t0)).astimezone(UTC)


def run_player(options: PlayerOptions, now: Callable[[], datetime] | None = None) -> int:
    """Configure Kivy, run the app until closed (or ``duration_s``); returns an exit code."""
    prepare_kivy(
        options.data_dir / "kivy",
        headless=options.headless,
        fullscreen=options.fullscreen,
        size=options.size,
    )
    from kiosk.app.player_app import PlayerApp  # Kivy is imported only now, configured

    if now is None and options.preview_at is not None:
        now = preview_clock(options.preview_at)
        log.info("preview: the clock reads %s (nothing is recorded as played)",
                 options.preview_at.isoformat(timespec="minutes"))

    cache = PlayerCache.open(options.data_dir, now)
    try:
        app = PlayerApp(options, cache, now or (lambda: datetime.now(UTC)))
        from kivy.clock import Clock

        def on_sigterm(*_: object) -> None:
            log.info("SIGTERM: stopping the player")
            Clock.schedule_once(lambda _dt: app.stop(), 0)

        signal.signal(signal.SIGTERM, on_sigterm)
        app.run()
        return app.exit_code
    finally:
        cache.close()
