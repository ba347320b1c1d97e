"""The live content's kiosk sections → typed documents, checked at display time.

The manifest was validated by its schema before it went live; what the schema cannot say
(an event ending before it starts, 25:00 in opening hours, a section written by an older
publisher) is checked here. Each problem is logged once per content version, as one line
naming the document by id and the field
(``kiosk.services[id=pool].hours.weekly.mon[0]: '25:00' is not a time of day``), and the
document is shown without the broken part — or skipped when nothing is left to show.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from dataclasses import fields as fields_of
from datetime import date, datetime
from typing import Any, TypeVar

from content_cache import DEFAULT_TIMEZONE, LiveContent, LocalText

from .documents import (
    Alert,
    Attribution,
    Course,
    Event,
    Menu,
    MenuDay,
    NewsItem,
    Place,
    Procedure,
    Service,
    UsefulNumber,
)
from .hours import ClosedDay, HoursError, OpeningHours, parse_hours

log = logging.getLogger(__name__)

ALERT_SEVERITIES = ("critical", "warning")
T = TypeVar("T")


class DocumentError(ValueError):
    """A document cannot be shown; the message names the field."""


@dataclass(frozen=True)
class Catalogue:
    """Everything the touch UI can show from one content version."""

    version_id: str = ""
    site_name: LocalText = LocalText()
    timezone: str = DEFAULT_TIMEZONE
    services: tuple[Service, ...] = ()
    menus: tuple[Menu, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    events: tuple[Event, ...] = ()
    news: tuple[NewsItem, ...] = ()
    places: tuple[Place, ...] = ()
    numbers: tuple[UsefulNumber, ...] = ()
    bulletins: tuple[Any, ...] = ()  # BulletinData; alerts are picked at display time
    problems: tuple[str, ...] = field(default=(), compare=False)

    def alerts(self, now: datetime) -> tuple[Alert, ...]:
        """Warning and critical bulletins valid at ``now``, critical first."""
        out = [
            Alert(b.id, b.severity, b.title, b.body, b.valid_until)
            for b in self.bulletins
            if b.severity in ALERT_SEVERITIES
            and (b.valid_from is None or b.valid_from <= now)
            and (b.valid_until is None or now < b.valid_until)
        ]
        return tuple(sorted(out, key=lambda a: (ALERT_SEVERITIES.index(a.severity), a.id)))


def _text(doc: Mapping[str, Any], key: str) -> LocalText:
    value = doc.get(key)
    return LocalText.from_mapping(value) if isinstance(value, Mapping) else LocalText()


def _texts(doc: Mapping[str, Any], key: str) -> tuple[LocalText, ...]:
    return tuple(LocalText.from_mapping(v) for v in doc.get(key) or () if isinstance(v, Mapping))


def _str(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key)
    return value if isinstance(value, str) else ""


def _url(doc: Mapping[str, Any], where: str, problems: list[str]) -> str:
    url = _str(doc, "url")
    if url and not url.startswith("https://"):
        problems.append(f"{where}.url: only https links are shown")
        return ""
    return url


def _required_text(doc: Mapping[str, Any], key: str, where: str) -> LocalText:
    text = _text(doc, key)
    if not text:
        raise DocumentError(f"{where}.{key}: missing")
    return text


def _datetime(value: Any, where: str) -> datetime:
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise DocumentError(f"{where}: {value!r} is not a date-time") from None
    if dt.tzinfo is None:
        raise DocumentError(f"{where}: {value!r} has no UTC offset")
    return dt


def _hours(doc: Mapping[str, Any], where: str, holidays: tuple[ClosedDay, ...],
           problems: list[str]) -> tuple[OpeningHours | None, str]:
    if "hours" not in doc:
        return None, ""
    try:
        return parse_hours(doc["hours"], f"{where}.hours", holidays), ""
    except HoursError as e:
        problems.append(str(e))
        return None, str(e)


def _service(doc: Mapping[str, Any], where: str, ctx: _Ctx) -> Service:
    hours, problem = _hours(doc, where, ctx.holidays, ctx.problems)
    return Service(
        id=str(doc["id"]), name=_required_text(doc, "name", where), description=_text(doc, "description"),
        address=_str(doc, "address"), phone=_str(doc, "phone"), url=_url(doc, where, ctx.problems),
        image=_str(doc, "image"), hours=hours, hours_problem=problem,
    )


def _menu(doc: Mapping[str, Any], where: str, ctx: _Ctx) -> Menu:
    days = []
    for i, d in enumerate(doc.get("days") or ()):
        try:
            day = date.fromisoformat(str(d.get("date")))
        except ValueError:
            ctx.problems.append(f"{where}.days[{i}].date: {d.get('date')!r} is not a date")
            continue
        courses = tuple(
            Course(str(c.get("course", "main")), LocalText.from_mapping(c.get("dish")), tuple(c.get("labels") or ()),
                   tuple(str(a) for a in c.get("allergens") or ()))
            for c in d.get("courses") or () if isinstance(c, Mapping) and c.get("dish")
        )
        days.append(MenuDay(day, courses))
    return Menu(str(doc["id"]), _required_text(doc, "name", where), tuple(sorted(days, key=lambda d: d.day)))


def _procedure(doc: Mapping[str, Any], where: str, ctx: _Ctx) -> Procedure:
    return Procedure(
        id=str(doc["id"]), title=_required_text(doc, "title", where), summary=_text(doc, "summary"),
        body=_text(doc, "body"), steps=_texts(doc, "steps"), documents=_texts(doc, "documents"),
        where=_text(doc, "where"), phone=_str(doc, "phone"), url=_url(doc, where, ctx.problems),
        image=_str(doc, "image"),
    )


def _event(doc: Mapping[str, Any], where: str, ctx: _Ctx) -> Event:
    if "start" not in doc:
        raise DocumentError(f"{where}.start: missing")
    start = _datetime(doc["start"], f"{where}.start")
    end = _datetime(doc["end"], f"{where}.end") if doc.get("end") else None
    if end is not None and end <= start:
        ctx.problems.append(f"{where}.end: {doc['end']} is not after the start {doc['start']}; end ignored")
        end = None
    return Event(
        id=str(doc["id"]), title=_required_text(doc, "title", where), description=_text(doc, "description"),
        start=start, end=end, all_day=bool(doc.get("all_day")), place=_text(doc, "place"),
        url=_url(doc, where, ctx.problems), image=_str(doc, "image"), status=_str(doc, "status"),
    )


def _news(doc: Mapping[str, Any], where: str, ctx: _Ctx) -> NewsItem:
    published = None
    if doc.get("date"):
        try:
            published = date.fromisoformat(str(doc["date"]))
        except ValueError:
            ctx.problems.append(f"{where}.date: {doc['date']!r} is not a date")
    return NewsItem(
        id=str(doc["id"]), title=_required_text(doc, "title", where), summary=_text(doc, "summary"),
        body=_text(doc, "body"), published=published, url=_url(doc, where, ctx.problems),
        image=_str(doc, "image"),
    )


def _place(doc: Mapping[str, Any], where: str, ctx: _Ctx) -> Place:
    hours, problem = _hours(doc, where, ctx.holidays, ctx.problems)
    lat, lon = doc.get("latitude"), doc.get("longitude")
    if lat is not None and lon is not None:
        if not (isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and -90 <= lat <= 90 and -180 <= lon <= 180):
            ctx.problems.append(f"{where}.latitude: ({lat!r}, {lon!r}) are not coordinates; ignored")
            lat = lon = None
    else:
        lat = lon = None
    return Place(
        id=str(doc["id"]), name=_required_text(doc, "name", where), kind=_str(doc, "kind") or "other",
        description=_text(doc, "description"), address=_str(doc, "address"),
        latitude=float(lat) if lat is not None else None, longitude=float(lon) if lon is not None else None,
        phone=_str(doc, "phone"), url=_url(doc, where, ctx.problems), image=_str(doc, "image"),
        hours=hours, hours_problem=problem,
    )


def _number(doc: Mapping[str, Any], where: str, ctx: _Ctx) -> UsefulNumber:
    number = _str(doc, "number")
    if not number:
        raise DocumentError(f"{where}.number: missing")
    return UsefulNumber(str(doc["id"]), _required_text(doc, "name", where), number,
                        _text(doc, "description"), _text(doc, "available"))


def _attribution(doc: Mapping[str, Any]) -> Attribution | None:
    """A content source's ``source`` (name, date, licence), when the document has one."""
    raw = doc.get("source")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        return None
    try:
        day = date.fromisoformat(str(raw["date"])) if raw.get("date") else None
    except ValueError:
        day = None
    return Attribution(raw["name"].strip(), day, str(raw.get("licence") or ""))


@dataclass
class _Ctx:
    holidays: tuple[ClosedDay, ...]
    problems: list[str]


# section name in the manifest → (Catalogue field, parser)
PARSERS: dict[str, tuple[str, Callable[[Mapping[str, Any], str, _Ctx], Any]]] = {
    "services": ("services", _service),
    "menus": ("menus", _menu),
    "procedures": ("procedures", _procedure),
    "events": ("events", _event),
    "news": ("news", _news),
    "places": ("places", _place),
    "numbers": ("numbers", _number),
}


def build_catalogue(content: LiveContent | None) -> Catalogue:
    """Typed documents of ``content``; problems are logged, one line each."""
    if content is None:
        return Catalogue()
    # Site holidays arrived with the schedule engine; older snapshots have none.
    holidays = tuple(
        ClosedDay(h.day, h.label, holiday=True) for h in getattr(content, "holidays", ()) or ()
    )
    ctx = _Ctx(holidays, [])
    fields: dict[str, list[Any]] = {name: [] for name, _ in PARSERS.values()}
    for section, docs in content.kiosk_sections.items():
        if section not in PARSERS:
            continue  # free-form sections are kept for later UI versions
        name, parse = PARSERS[section]
        for i, doc in enumerate(docs):
            # The cache keeps documents by (order, id), not in manifest order: name them by id.
            where = f"kiosk.{section}[id={doc.get('id', i) if isinstance(doc, Mapping) else i}]"
            try:
                parsed = parse(doc, where, ctx)
                source = _attribution(doc)
                if source is not None and "source" in {f.name for f in fields_of(parsed)}:
                    parsed = replace(parsed, source=source)
                fields[name].append(parsed)
            except DocumentError as e:
                ctx.problems.append(f"{e}; not shown")
            except (KeyError, TypeError, AttributeError) as e:
                ctx.problems.append(f"{where}: unreadable document ({type(e).__name__}: {e}); not shown")
    for line in ctx.problems:
        log.warning("content %s: %s", content.version_id, line)
    fields["events"].sort(key=lambda e: (e.start, e.id))
    fields["news"].sort(key=lambda n: (n.published or date.min), reverse=True)
    return Catalogue(
        version_id=content.version_id, site_name=content.site_name, timezone=content.timezone,
        bulletins=content.bulletins, problems=tuple(ctx.problems),
        **{k: tuple(v) for k, v in fields.items()},
    )
