"""``kiosk publish`` with its content sources, and ``kiosk sources check [ID]``.

The ``kiosk`` command (kiosk/cli) wires these in: ``add_publish_arguments`` and
``cmd_publish`` for ``publish``, ``register_sources_commands`` for ``sources``.

Exit codes of ``kiosk publish`` (the same numbers as kiosk/cli/exit_codes.py):
  0  published (or unchanged), every source fresh
  4  not published: the content folder has problems (each on its own line)
  8  published, but with stale sources: each failing source named on its own line with its
     problem; its last good result was published instead
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the sources (requests, parsers) load when a command runs, not to build the parser
    from hub.sources import SourcesRun

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_INVALID = 4
EXIT_STALE_SOURCES = 8

PUBLISH_EPILOG = """content sources: sources.toml in SRC declares them (docs/sources.md); each is
fetched (conditionally) and merged after the hand-written content. Their last good results
are kept in the state folder (--state; default: SRC.sources-state beside SRC), never in DEST.

exit codes:
  0  published (or unchanged), every source fresh
  4  not published: the content folder has problems (each on its own line)
  8  published with stale sources: a source failed (named on its own line with its
     problem) and its last good result was published instead"""


def add_publish_arguments(s: argparse.ArgumentParser) -> None:
    s.epilog = PUBLISH_EPILOG
    s.formatter_class = argparse.RawDescriptionHelpFormatter
    s.add_argument("--state", type=Path, default=None,
                   help="the sources' state folder (default: SRC.sources-state beside SRC; never inside DEST)")
    s.add_argument("--alerts-only", action="store_true",
                   help="ask only the alert sources (cap, meteofrance-vigilance, vigicrues); publish only if "
                        "one changed (the every-minute timer)")
    s.add_argument("--release", action="append", default=[], metavar="ID",
                   help="publish this item held for review during the election reserve period (repeatable)")


def _print(line: str, level: str = "warning") -> None:
    print(f"kiosk: {level}: {line}", file=sys.stderr)


def _reported_here(args: argparse.Namespace) -> None:
    """The command prints each source's problem and its summary itself, once: the run's and
    the publisher's own log lines of the same (for the hub's journal when it publishes)
    would say them twice."""
    if not getattr(args, "verbose", False):
        logging.getLogger("hub.sources.run").setLevel(logging.ERROR)
        logging.getLogger("hub.publisher").setLevel(logging.WARNING)


def cmd_publish(args: argparse.Namespace) -> int:
    from hub.publisher import publish
    from hub.sources import SourcesRun
    from hub.sources.state import default_state_dir, locked, write_atomic

    _reported_here(args)
    src, dest = Path(args.src), Path(args.dest)
    state = Path(args.state) if getattr(args, "state", None) else default_state_dir(src)
    if _inside(state, dest):
        _print(f"--state {state}: inside the published tree {dest}; keep it elsewhere "
               f"(default: {default_state_dir(src)})", "error")
        return EXIT_USAGE
    now = args.published_at or datetime.now(UTC)
    run = SourcesRun(src, state, now=now, alerts_only=getattr(args, "alerts_only", False),
                     release=getattr(args, "release", ()))
    if not run.has_sources and not run.release:
        return _publish_and_report(lambda: publish(src, dest, args.published_at, sources=run), run)
    try:
        with locked(state):
            run.fetch()
            marker = state / "published-alerts.json"
            digest = _alerts_digest(run)
            if run.alerts_only and not run.release and _read(marker) == digest \
                    and (dest / "v1" / "manifest.json").is_file():
                for line in run.problems:
                    _print(line)
                print(f"unchanged: no alert source changed ({_requests(run)})")
                return EXIT_STALE_SOURCES if run.stale else EXIT_OK
            code = _publish_and_report(lambda: publish(src, dest, args.published_at, sources=run), run)
            if code != EXIT_INVALID:
                write_atomic(marker, digest.encode())
            return code
    except TimeoutError as e:
        _print(str(e), "error")
        return EXIT_USAGE


def _publish_and_report(do: Callable[[], Any], run: SourcesRun) -> int:
    from hub.publisher import PublishError

    try:
        r = do()
    except PublishError as e:
        for line in e.problems:
            _print(line, "error")
        return EXIT_INVALID
    for line in r.warnings:
        _print(line)
    for held in run.held:
        print(f"kiosk: {held.describe()}", file=sys.stderr)
    state = "published" if r.changed else "unchanged"
    extra = f", {_requests(run)}" if run.has_sources else ""
    print(f"{state}: version {r.version}, {r.media_count} media file(s), "
          f"{r.media_bytes / 1e6:.1f} MB{extra} → {r.manifest_path}")
    if run.stale or run.config.problems:
        names = ", ".join(o.spec.id for o in run.stale) or "sources.toml"
        _print(f"published with stale sources: {names} (see the lines above; `kiosk sources check` shows more)")
        return EXIT_STALE_SOURCES
    return EXIT_OK


def _requests(run: SourcesRun) -> str:
    asked = [o for o in run.outcomes if o.fresh]
    f = run.fetcher_stats
    return (f"{len(asked)} source(s) asked: {f.get('requests', 0)} request(s), "
            f"{f.get('not_modified', 0)} answered 304")


def _alerts_digest(run: SourcesRun) -> str:
    parts = [{"id": o.spec.id, "result": o.result.to_json() if o.result else None}
             for o in run.outcomes if o.spec.kind in _alert_kinds()]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _alert_kinds() -> frozenset[str]:
    from hub.sources import ALERT_KINDS

    return ALERT_KINDS


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _inside(state: Path, dest: Path) -> bool:
    s, d = state.resolve(), dest.resolve()
    return s == d or s.is_relative_to(d)


# -- kiosk sources check -------------------------------------------------------------------
def register_sources_commands(sub: Any, commands: dict[str, Any]) -> None:
    s = sub.add_parser("sources", help="the content sources of a content folder (sources.toml)")
    ssub = s.add_subparsers(dest="sources_command", required=True, metavar="SUBCOMMAND")
    c = ssub.add_parser("check", help="fetch a source (or all) and show what it would give, without publishing")
    c.add_argument("id", nargs="?", default=None, help="the source's id (default: every source)")
    c.add_argument("--src", type=Path, default=Path("."), help="the content folder (default: the current one)")
    c.add_argument("--at", default=None, help="as if the clock read this ISO date-time (default: now)")
    commands["sources"] = cmd_sources


def cmd_sources(args: argparse.Namespace) -> int:
    from hub.sources import SourcesRun

    _reported_here(args)
    now = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.astimezone()
    with tempfile.TemporaryDirectory(prefix="kiosk-sources-check-") as tmp:
        run = SourcesRun(Path(args.src), Path(tmp), now=now, only=[args.id] if args.id else ())
        if not run.has_sources:
            _print(f"{Path(args.src) / 'sources.toml'}: not found (docs/sources.md says what to write)", "error")
            return EXIT_USAGE
        for line in run.config.problems:
            _print(line, "error")
        if args.id and run.config.get(args.id) is None:
            known = ", ".join(s.id for s in run.config.sources) or "none"
            _print(f'no source has id "{args.id}" (sources: {known})', "error")
            return EXIT_USAGE
        run.fetch()
        for o in run.outcomes:
            for line in describe_outcome(o, run):
                print(line)
    if run.stale:
        return EXIT_UNREACHABLE
    return EXIT_USAGE if run.config.problems else EXIT_OK


def describe_outcome(o: Any, run: SourcesRun, show: int = 5) -> list[str]:
    head = f'source "{o.spec.id}" ({o.spec.kind}, {o.spec.url})'
    if not o.ok:
        return [f"{head}: FAILED — {o.message}"]
    r = o.result
    counts = [f"{len(docs)} {section}" for section, docs in sorted(r.documents.items())]
    if r.bulletins:
        alerts = sum(1 for b in r.bulletins if b.get("category") == "alert")
        counts.append(f"{len(r.bulletins)} bulletin(s)" + (f" ({alerts} alert(s))" if alerts else ""))
    if r.items:
        counts.append(f"{len(r.items)} poster(s) for {', '.join(sorted({p for p, _ in r.items}))}")
    if r.media:
        counts.append(f"{len(r.media)} image(s)")
    lines = [f"{head}: OK — {', '.join(counts) or 'nothing at the moment'}"]
    for section, docs in sorted(r.documents.items()):
        for d in docs[:show]:
            lines.append(f"  {section:<9} {_first(d.get('title') or d.get('name'))}{_when(d)}")
        if len(docs) > show:
            lines.append(f"  {section:<9} … and {len(docs) - show} more")
    for b in r.bulletins[:show]:
        lines.append(f"  {b.get('severity', ''):<9} {_first(b.get('title'))} (until {b.get('valid_until', '?')})")
    lines += [f"  warning: {w}" for w in r.warnings]
    held = [h for h in run.held if h.source_id == o.spec.id]
    lines += [f"  {h.describe()}" for h in held]
    return lines


def _first(text: Any) -> str:
    if isinstance(text, dict) and text:
        return str(next(iter(text.values())))[:90]
    return str(text or "")[:90]


def _when(d: dict[str, Any]) -> str:
    for key in ("start", "date"):
        if d.get(key):
            status = f" [{d['status']}]" if d.get("status") else ""
            return f"  ({str(d[key])[:16].replace('T', ' ')}){status}"
    if d.get("days"):
        return f"  ({len(d['days'])} day(s) from {d['days'][0]['date']})"
    return ""
