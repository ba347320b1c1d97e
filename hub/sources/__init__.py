"""Content sources: the town's existing data (news feeds, agendas, the national directory's
opening hours, canteen menus, official weather and flood warnings) ingested by the publisher.

Runs in the ``kiosk publish`` process (and ``kiosk sources check``) on the town's server,
started by hand or by the ``kiosk-publish`` / ``kiosk-alerts`` systemd timers; never on a
device. ``sources.toml`` in the content folder declares the sources (:mod:`.config`); one
module per kind reads one format with a maintained parser; :mod:`.fetch` makes every
request conditional and bounded; :mod:`.state` keeps each source's last good result outside
the served tree; :class:`SourcesRun` fetches them and hands the publisher what to merge.
"""
from __future__ import annotations

from .base import Context, FetchError, MediaFile, ParseError, Payload, Source, SourceError, SourceResult
from .config import SourcesConfig, SourceSpec
from .fetch import Fetcher
from .kinds import ALERT_KINDS, KINDS
from .run import Outcome, SourcesRun
from .state import default_state_dir

__all__ = [
    "ALERT_KINDS", "KINDS", "Context", "FetchError", "Fetcher", "MediaFile", "Outcome", "ParseError", "Payload",
    "Source", "SourceError", "SourceResult", "SourceSpec", "SourcesConfig", "SourcesRun", "default_state_dir",
]
