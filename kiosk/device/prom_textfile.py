"""``kiosk.prom``: the device's figures for node_exporter's textfile collector.

Written atomically (a temporary file in the same folder, renamed over the old one), and
only when the folder exists — node_exporter's ``--collector.textfile.directory``, on
Debian ``/var/lib/prometheus/node-exporter``. The exposition format is a few lines of
text; writing it here keeps the hub's libraries off the device.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from content_cache import write_atomic

log = logging.getLogger(__name__)

FILE_NAME = "kiosk.prom"


@dataclass(frozen=True)
class Sample:
    name: str
    value: float
    help: str
    kind: str = "gauge"  # "gauge" | "counter"
    labels: Mapping[str, str] = field(default_factory=dict)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(samples: Iterable[Sample]) -> str:
    out: list[str] = []
    seen: set[str] = set()
    for s in samples:
        if s.name not in seen:
            seen.add(s.name)
            out.append(f"# HELP {s.name} {s.help}")
            out.append(f"# TYPE {s.name} {s.kind}")
        labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(s.labels.items()))
        out.append(f"{s.name}{{{labels}}} {s.value!r}" if labels else f"{s.name} {s.value!r}")
    return "\n".join(out) + "\n"


def write(folder: Path, samples: Iterable[Sample]) -> Path | None:
    """Replace ``folder/kiosk.prom``; None (nothing written) when the folder does not exist."""
    if not folder.is_dir():
        return None
    text = render(samples)
    # node_exporter runs as another user; it skips dot files, so never reads the temporary one
    write_atomic(folder / FILE_NAME, text.encode("utf-8"), mode=0o644, sync_dir=False)
    return folder / FILE_NAME
