"""Play reports from the device's play log, for the town and, if need be, the electoral judge.

``plays``: per item, how often and how long it was shown between two dates.
``neutrality``: for one election, what the reserve period withheld and why, what was
shown during the period, and weekly counts by category before and during it — a medium
that existed before the period (antériorité), kept its rhythm (régularité) and its tone
(neutralité) is what a judge looks for.

Times are the site's local time. CSV is UTF-8 with a byte-order mark (spreadsheets then
read accents right); French reports use ";" between columns as French spreadsheets do.
"""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from content_cache import PlayLog, PlayRecord, WithheldRecord
from player.i18n import CATEGORY_LABELS, N_, gettext_for
from player.neutrality import Election

UNCATEGORISED = "uncategorised"


@dataclass(frozen=True)
class ItemPlays:
    item_id: str
    label: str
    kind: str
    category: str | None
    tags: tuple[str, ...]
    times_shown: int
    first_shown: datetime
    last_shown: datetime
    seconds: float


@dataclass(frozen=True)
class WeekCount:
    week: date  # the Monday
    phase: str  # "before" | "during"
    category: str
    times_shown: int
    seconds: float


@dataclass(frozen=True)
class NeutralityReport:
    election: Election
    start: datetime  # the reserve period, local time
    end: datetime  # exclusive
    generated_at: datetime
    withheld: tuple[WithheldRecord, ...]
    shown: tuple[ItemPlays, ...]
    weekly: tuple[WeekCount, ...]
    log_starts: datetime | None  # the oldest play kept (retention)


def summarize(plays: Iterable[PlayRecord], tz: ZoneInfo) -> list[ItemPlays]:
    """Per item, in the order first shown; label, category and tags of its latest play."""
    acc: dict[str, list[Any]] = {}
    for p in plays:
        a = acc.get(p.item_id)
        if a is None:
            acc[p.item_id] = [p, 1, p.start, p.start, p.duration_s]
        else:
            a[0] = p
            a[1] += 1
            a[2] = min(a[2], p.start)
            a[3] = max(a[3], p.start)
            a[4] += p.duration_s
    out = [
        ItemPlays(item_id, p.label, p.kind, p.category, p.tags, n, first.astimezone(tz),
                  last.astimezone(tz), round(seconds, 2))
        for item_id, (p, n, first, last, seconds) in acc.items()
    ]
    return sorted(out, key=lambda r: (r.first_shown, r.item_id))


def plays_report(log: PlayLog, tz: ZoneInfo, start: date | None, end: date | None) -> list[ItemPlays]:
    """Items shown from local day ``start`` to local day ``end``, both included."""
    lo = datetime.combine(start, datetime.min.time(), tz) if start else None
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), tz) if end else None
    return summarize(log.plays(lo, hi), tz)


def neutrality_report(log: PlayLog, election: Election, tz: ZoneInfo, now: datetime,
                      weeks_before: int | None = None) -> NeutralityReport:
    start, end = election.bounds(tz)
    first = log.first_play()
    lo = start - timedelta(weeks=weeks_before) if weeks_before is not None else None
    until = min(end, now)
    before_and_during = log.plays(lo, until)
    during = [p for p in before_and_during if p.start >= start]
    return NeutralityReport(
        election=election, start=start, end=end, generated_at=now.astimezone(tz),
        withheld=tuple(log.withheld(start, end)),
        shown=tuple(summarize(during, tz)),
        weekly=tuple(_weekly(before_and_during, start, tz)),
        log_starts=first.astimezone(tz) if first else None,
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly(plays: Sequence[PlayRecord], start: datetime, tz: ZoneInfo) -> list[WeekCount]:
    """Counts per (week, phase, category), zeros included, so a gap shows as a gap.

    The week the period starts in appears twice: its days before, then its days during.
    """
    counts: dict[tuple[date, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    categories: set[str] = set()
    for p in plays:
        local = p.start.astimezone(tz)
        phase = "during" if p.start >= start else "before"
        cat = p.category or UNCATEGORISED
        categories.add(cat)
        c = counts[(_monday(local.date()), phase, cat)]
        c[0] += 1
        c[1] += p.duration_s
    if not counts:
        return []
    start_local = start.astimezone(tz)
    start_monday = _monday(start_local.date())
    starts_on_monday = start_local.date() == start_monday and start_local.time() == datetime.min.time()
    monday, last = min(w for w, _p, _c in counts), max(w for w, _p, _c in counts)
    slots: list[tuple[date, str]] = []
    while monday <= last:
        if monday < start_monday:
            slots.append((monday, "before"))
        elif monday > start_monday or starts_on_monday:
            slots.append((monday, "during"))
        else:
            slots += [(monday, "before"), (monday, "during")]
        monday += timedelta(weeks=1)
    out = []
    for week, phase in slots:
        for cat in sorted(categories):
            n, secs = counts.get((week, phase, cat), (0, 0.0))
            out.append(WeekCount(week, phase, cat, int(n), round(secs, 2)))
    return out


# -- output -----------------------------------------------------------------------------
PLAY_COLUMNS = (N_("Item"), N_("Label"), N_("Kind"), N_("Category"), N_("Tags"), N_("Times shown"),
                N_("First shown"), N_("Last shown"), N_("Total duration (s)"), N_("Total duration"))
WITHHELD_COLUMNS = (N_("Item"), N_("Shown on"), N_("Label"), N_("Reason"), N_("Detail"), N_("Tags"),
                    N_("Category"), N_("Content version"), N_("Withheld from"), N_("Still withheld at"),
                    N_("Election"))
WEEKLY_COLUMNS = (N_("Week of"), N_("Period"), N_("Category"), N_("Times shown"), N_("Total duration (s)"))
KIND_LABELS = {"image": N_("image"), "video": N_("video"), "bulletin": N_("bulletin")}
REASON_LABELS = {"tag": N_("withheld tag"), "link": N_("link outside the allowed domains"),
                 "category": N_("hidden category")}
PHASE_LABELS = {"before": N_("before the reserve period"), "during": N_("during the reserve period")}
SECTION_LABELS = {"signage": N_("screen loop"), "services": N_("kiosk: services"), "menus": N_("kiosk: menus"),
                  "procedures": N_("kiosk: procedures"), "events": N_("kiosk: agenda"), "news": N_("kiosk: news"),
                  "places": N_("kiosk: places"), "numbers": N_("kiosk: useful numbers")}


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class _Text:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._ = gettext_for(lang)

    def __call__(self, message: str) -> str:
        return self._(message)

    def pick(self, table: dict[str, str], key: str | None) -> str:
        if key is None:
            return ""
        if key == UNCATEGORISED:
            return self._("uncategorised")
        return self._(table[key]) if key in table else key


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]], lang: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + buf.getvalue()


def _play_rows(items: Iterable[ItemPlays], t: _Text) -> list[list[object]]:
    return [[r.item_id, r.label, t.pick(KIND_LABELS, r.kind), t.pick(CATEGORY_LABELS, r.category or UNCATEGORISED),
             ", ".join(r.tags), r.times_shown, _stamp(r.first_shown), _stamp(r.last_shown),
             round(r.seconds), _hms(r.seconds)] for r in items]


def plays_csv(items: Sequence[ItemPlays], lang: str) -> str:
    t = _Text(lang)
    return _csv([t(c) for c in PLAY_COLUMNS], _play_rows(items, t), lang)


def _item_json(r: ItemPlays) -> dict[str, Any]:
    return {"item": r.item_id, "label": r.label, "kind": r.kind, "category": r.category,
            "tags": list(r.tags), "times_shown": r.times_shown,
            "first_shown": r.first_shown.isoformat(timespec="seconds"),
            "last_shown": r.last_shown.isoformat(timespec="seconds"),
            "total_duration_s": r.seconds}


def plays_json(items: Sequence[ItemPlays], tz: ZoneInfo, start: date | None, end: date | None) -> str:
    doc = {"timezone": str(tz), "from": start.isoformat() if start else None,
           "to": end.isoformat() if end else None, "items": [_item_json(r) for r in items]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _withheld_rows(records: Iterable[WithheldRecord], tz: ZoneInfo, t: _Text) -> list[list[object]]:
    return [[w.item_id, t.pick(SECTION_LABELS, w.surface), w.label, t.pick(REASON_LABELS, w.reason), w.detail,
             ", ".join(w.tags), t.pick(CATEGORY_LABELS, w.category) if w.surface == "signage" else
             t.pick(SECTION_LABELS, w.category), w.content_version, _stamp(w.first_at.astimezone(tz)),
             _stamp(w.last_at.astimezone(tz)), w.elections] for w in records]


def neutrality_csv(report: NeutralityReport, lang: str) -> dict[str, str]:
    """The report's three tables: {"withheld": csv, "shown": csv, "weekly": csv}."""
    t = _Text(lang)
    tz = report.start.tzinfo
    assert isinstance(tz, ZoneInfo)
    weekly = [[r.week.isoformat(), t.pick(PHASE_LABELS, r.phase), t.pick(CATEGORY_LABELS, r.category),
               r.times_shown, round(r.seconds)] for r in report.weekly]
    return {
        "withheld": _csv([t(c) for c in WITHHELD_COLUMNS], _withheld_rows(report.withheld, tz, t), lang),
        "shown": _csv([t(c) for c in PLAY_COLUMNS], _play_rows(report.shown, t), lang),
        "weekly": _csv([t(c) for c in WEEKLY_COLUMNS], weekly, lang),
    }


def neutrality_json(report: NeutralityReport) -> str:
    e = report.election
    doc = {
        "election": {"name": e.name, "first_round": e.first_round.isoformat(),
                     "last_round": e.last_round.isoformat()},
        "reserve_period": {"from": e.reserve_start.isoformat(), "until": e.reserve_end.isoformat(),
                           "timezone": str(report.start.tzinfo)},
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "play_log_starts": report.log_starts.isoformat(timespec="seconds") if report.log_starts else None,
        "withheld": [{"item": w.item_id, "shown_on": w.surface, "label": w.label, "reason": w.reason,
                      "detail": w.detail, "tags": list(w.tags), "category": w.category,
                      "content_version": w.content_version, "withheld_from": w.first_at.isoformat(timespec="seconds"),
                      "still_withheld_at": w.last_at.isoformat(timespec="seconds"), "elections": w.elections}
                     for w in report.withheld],
        "shown_during_period": [_item_json(r) for r in report.shown],
        "weekly": [{"week": r.week.isoformat(), "period": r.phase, "category": r.category,
                    "times_shown": r.times_shown, "total_duration_s": r.seconds} for r in report.weekly],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


NEUTRALITY_FILES = {"fr": {"withheld": "retenus", "shown": "diffuses", "weekly": "hebdomadaire"},
                    "en": {"withheld": "withheld", "shown": "shown", "weekly": "weekly"}}


def write_neutrality_csv(report: NeutralityReport, out_dir: Path, lang: str) -> list[Path]:
    """Write the three tables into ``out_dir`` (created); returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = NEUTRALITY_FILES.get(lang, NEUTRALITY_FILES["en"])
    prefix = ("neutralite-" if lang == "fr" else "neutrality-") + _slug(report.election.name)
    written = []
    for key, text in neutrality_csv(report, lang).items():
        path = out_dir / f"{prefix}-{names[key]}.csv"
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


def _slug(name: str) -> str:
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "election"
