"""``ics``: an iCalendar agenda (the town's CMS, Google Calendar, Nextcloud, Outlook …).

Occurrences over ``horizon_days`` (default 90) from today become kiosk agenda events:
RRULE, RDATE and EXDATE expanded and a moved occurrence (RECURRENCE-ID) taken where it moved
to, by recurring-ical-events; times in the event's VTIMEZONE (a weekly 10:00 stays at 10:00
local across both DST changes), Google's ``X-WR-TIMEZONE`` honoured, floating times read in
the site's time zone, all-day events kept as days, ``STATUS:CANCELLED`` shown as cancelled.
An occurrence's id is the event's UID and the start it had in the series, so a moved
occurrence keeps its id.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from .base import JSON, Context, MediaSink, ParseError, Payload, SourceResult, attribution, stable_id
from .config import Field
from .fetch import ICS_TYPES
from .simple import OneUrlSource
from .text import html_to_text, https_only

FIELDS = {
    "horizon_days": Field("int", default=90, minimum=1, maximum=400, expected="1 … 400 (days)"),
    "max_events": Field("int", default=2000, minimum=1, maximum=5000, expected="1 … 5000"),
}
STATUSES = {"CANCELLED": "cancelled", "TENTATIVE": "", "CONFIRMED": ""}


class IcsSource(OneUrlSource):
    kind: ClassVar[str] = "ics"
    accept = ICS_TYPES
    what = "an iCalendar file (text/calendar)"

    def time_key(self, ctx: Context) -> str:
        return ctx.today.isoformat()  # the horizon moves with the day

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        import icalendar
        import recurring_ical_events

        if not payload.body.lstrip().startswith(b"BEGIN:VCALENDAR"):
            raise ParseError(f"does not start with BEGIN:VCALENDAR; expected {self.what}")
        try:
            cal = icalendar.Calendar.from_ical(payload.body.decode("utf-8", errors="replace"))
        except ValueError as e:
            raise ParseError(f"not a readable iCalendar file ({str(e)[:120]})") from None
        spec = self.spec
        lang = spec.language
        name = spec.name or str(cal.get("X-WR-CALNAME") or "") or spec.url
        start = datetime.combine(ctx.today, time(0), ctx.tz)
        end = start + timedelta(days=spec.option("horizon_days"))
        try:
            occurrences = recurring_ical_events.of(cal, skip_bad_series=True).between(start, end)
        except Exception as e:  # the library's own errors for a malformed series
            raise ParseError(f"cannot expand the calendar's events ({type(e).__name__}: {str(e)[:120]})") from None
        cal_tz = _calendar_tz(cal, ctx.tz)
        events: list[JSON] = []
        skipped = 0
        for ev in occurrences:
            doc = self._event(ev, cal_tz, lang, name, ctx)
            if doc is None:
                skipped += 1
            else:
                events.append(doc)
        events.sort(key=lambda d: (d["start"], d["id"]))
        warnings = []
        if skipped:
            warnings.append(f"{skipped} event(s) without a title or a start left out")
        limit = spec.option("max_events")
        if len(events) > limit:
            warnings.append(f"{len(events)} events over {spec.option('horizon_days')} days; the first {limit} "
                            f"are published (max_events)")
            events = events[:limit]
        return SourceResult({"events": tuple(events)}, warnings=tuple(warnings))

    def _event(self, ev: Any, tz: ZoneInfo, lang: str, name: str, ctx: Context) -> JSON | None:
        title = html_to_text(str(ev.get("SUMMARY") or ""), limit=300)
        if not title or ev.get("DTSTART") is None:
            return None
        uid = str(ev.get("UID") or title)
        rid = ev.get("RECURRENCE-ID")
        dtstart = ev.decoded("DTSTART")
        original = rid.dt if rid is not None else dtstart
        all_day = isinstance(dtstart, date) and not isinstance(dtstart, datetime)
        start = _aware(dtstart, tz)
        dtend = ev.decoded("DTEND") if ev.get("DTEND") is not None else None
        if dtend is None and ev.get("DURATION") is not None:
            dtend = dtstart + ev.decoded("DURATION")
        if dtend is None and all_day:
            dtend = dtstart + timedelta(days=1)
        doc: JSON = {"id": stable_id(self.spec.id, uid, _key(original)), "title": {lang: title},
                     "start": _iso(start)}
        if dtend is not None:
            end = _aware(dtend, tz)
            if end > start:
                doc["end"] = _iso(end)
        if all_day:
            doc["all_day"] = True
        description = html_to_text(str(ev.get("DESCRIPTION") or ""))
        if description:
            doc["description"] = {lang: description}
        place = html_to_text(str(ev.get("LOCATION") or ""), limit=300)
        if place:
            doc["place"] = {lang: place}
        url = https_only(str(ev.get("URL") or ""))
        if url:
            doc["url"] = url
        status = STATUSES.get(str(ev.get("STATUS") or "").upper(), "")
        if status:
            doc["status"] = status
        if self.spec.tags:
            doc["tags"] = list(self.spec.tags)
        modified = ev.get("LAST-MODIFIED") or ev.get("DTSTAMP")
        updated = modified.dt if modified is not None else ctx.now
        doc["source"] = attribution(name, url or self.spec.url, updated, self.spec.licence)
        return doc


def _calendar_tz(cal: Any, default: ZoneInfo) -> ZoneInfo:
    raw = str(cal.get("X-WR-TIMEZONE") or "")
    try:
        return ZoneInfo(raw) if raw else default
    except (ValueError, KeyError):
        return default


def _aware(value: date | datetime, tz: ZoneInfo) -> datetime:
    """An instant in the calendar's zone: floating times are read there, others shown there."""
    if isinstance(value, datetime):
        return value.astimezone(tz) if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(0), tz)


def _iso(value: datetime) -> str:
    """Local time with its offset (2026-03-29T10:00:00+02:00): what the agenda shows."""
    return value.replace(microsecond=0).isoformat()


def _key(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ") if value.tzinfo else value.isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)
