"""Which screens show an alert: ``screens.toml`` in the content folder, applied when the hub
serves a device its own manifest (``/v1/devices/<id>/manifest.json``).

::

    # Which screens show each alert (an alert not listed shows on every screen).
    [alerts]
    coupure-eau-rue-haute = ["totem-mairie", "totem-ecole"]

The published tree is not changed: every device asking its own manifest gets the shared one,
less the alerts meant for other screens (and the loop items that show them), under a version
of its own (``<version>-s<8 hex digits>``, so a device playing the shared version takes the
change at its next poll). A static server or CDN, which has no per-device answer, serves the
shared manifest: every alert on every screen, the safe side. The file is the editor's (the
alert page's "Screens"), read again when it changes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

FILE = "screens.toml"
_SUFFIX = re.compile(r"-s[0-9a-f]{8}$")


@dataclass(frozen=True)
class Targets:
    alerts: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        text = json.dumps({k: sorted(v) for k, v in sorted(self.alerts.items())})
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse(data: Mapping[str, object]) -> Targets:
    raw = data.get("alerts")
    alerts: dict[str, frozenset[str]] = {}
    if isinstance(raw, Mapping):
        for alert_id, screens in raw.items():
            if isinstance(screens, list) and all(isinstance(s, str) for s in screens):
                alerts[str(alert_id)] = frozenset(screens)
    return Targets(alerts)


class TargetsFile:
    """``screens.toml`` of a content folder, read again when its size or mtime changes."""

    def __init__(self, content: Path | None) -> None:
        self.path = content / FILE if content is not None else None
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._targets = Targets()

    def get(self) -> Targets:
        if self.path is None:
            return Targets()
        try:
            st = self.path.stat()
        except OSError:
            return Targets()
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if key != self._key:
                try:
                    self._targets = parse(tomllib.loads(self.path.read_text("utf-8")))
                except (OSError, ValueError) as e:
                    log.warning("%s: %s; alerts show on every screen until it is fixed", self.path, e)
                    self._targets = Targets()
                self._key = key
            return self._targets


def base_version(version: str | None) -> str | None:
    """The published version a device's own version comes from."""
    return _SUFFIX.sub("", version) if version else version


def for_device(body: bytes, targets: Targets, device_id: str) -> bytes | None:
    """The manifest ``body`` without the alerts meant for other screens; None when it is
    the same for this device (serve the shared one)."""
    if not targets.alerts:
        return None
    doc = json.loads(body)
    hidden = {b.get("id") for b in doc.get("bulletins", ())
              if b.get("id") in targets.alerts and device_id not in targets.alerts[b["id"]]}
    if not hidden:
        return None
    doc["bulletins"] = [b for b in doc["bulletins"] if b.get("id") not in hidden]
    for p in doc.get("playlists", ()):
        p["items"] = [i for i in p.get("items", ()) if i.get("bulletin") not in hidden]
    mine = hashlib.sha256(f"{device_id}:{targets.digest}".encode()).hexdigest()[:8]
    doc["version"] = f"{doc['version']}-s{mine}"
    from sync import manifest_bytes

    return manifest_bytes(doc)
