"""What each screen shows, as plain values: home tiles, list rows, detail blocks.

Pure Python: the Kivy screens only lay these out, so every text the visitor reads is
decided (and tested) here, for one language and one instant.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from content_cache import DEFAULT_TIMEZONE, LocalText
from player.i18n import N_, gettext_for

from . import timefmt
from .calendar import event_days, group_by_day, week_menu, weekend
from .catalogue import Catalogue
from .documents import Event
from .status_text import describe_hours

# Category keys in home-grid order, with their labels (translated at display time).
CATEGORIES: dict[str, str] = {
    "alerts": N_("Alerts"),
    "services": N_("Services and opening hours"),
    "menus": N_("Canteen menus"),
    "procedures": N_("Procedures"),
    "agenda": N_("What's on"),
    "news": N_("News"),
    "places": N_("Places"),
    "numbers": N_("Useful numbers"),
}
AGENDA_FILTERS = {"all": N_("All"), "today": N_("Today"), "weekend": N_("This weekend")}


@dataclass(frozen=True)
class Tile:
    category: str
    label: str
    count: int
    alert: bool = False


@dataclass(frozen=True)
class HomePage:
    title: str
    date_line: str
    tiles: tuple[Tile, ...]
    alert_line: str = ""  # the most severe current alert, shown above the grid


@dataclass(frozen=True)
class Row:
    """A list row; ``doc_id`` empty makes it a day or group heading (not touchable)."""

    doc_id: str
    title: str
    detail: str = ""
    tone: str = "text"  # text | open | closed | alert


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    active: bool


@dataclass(frozen=True)
class ListPage:
    category: str
    title: str
    rows: tuple[Row, ...]
    filters: tuple[Filter, ...] = ()
    empty_text: str = ""


def _excerpt(text: str, limit: int = 90) -> str:
    """The first words of ``text``, cut at a word boundary, for a list row."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


class PageBuilder:
    """Pages of one catalogue, in one language, at one instant."""

    def __init__(self, catalogue: Catalogue, lang: str, now: datetime) -> None:
        self.cat = catalogue
        self.lang = lang
        self.tz = ZoneInfo(catalogue.timezone or DEFAULT_TIMEZONE)
        self.now = now.astimezone(self.tz)
        self.today = self.now.date()
        self._ = gettext_for(lang)

    def t(self, text: LocalText) -> str:
        """A localised content field, falling back to French, then any language."""
        return text.get(self.lang) if text else ""

    # -- home --------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        c = self.cat
        menus = [m for m in c.menus if week_menu(m, self.today)[1]]
        return {
            "alerts": len(c.alerts(self.now)),
            "services": len(c.services),
            "menus": len(menus),
            "procedures": len(c.procedures),
            "agenda": sum(len(g.events) for g in group_by_day(c.events, self.now, self.tz)),
            "news": len(c.news),
            "places": len(c.places),
            "numbers": len(c.numbers),
        }

    def home(self) -> HomePage:
        _ = self._
        counts = self.counts()
        tiles = tuple(
            Tile(key, _(label), counts[key], alert=key == "alerts")
            for key, label in CATEGORIES.items() if counts[key]
        )
        alerts = self.cat.alerts(self.now)
        return HomePage(
            title=self.t(self.cat.site_name) or _("Town information"),
            date_line=f"{timefmt.day_heading(self.today, self.lang)} · {timefmt.clock(self.now, self.tz, self.lang)}",
            tiles=tiles,
            alert_line=self.t(alerts[0].title) if alerts else "",
        )

    # -- lists -------------------------------------------------------------------------
    def list_page(self, category: str, filter_key: str = "all") -> ListPage:
        _ = self._
        title = _(CATEGORIES.get(category, category))
        rows: list[Row] = []
        filters: tuple[Filter, ...] = ()
        empty = _("Nothing to show at the moment.")
        c = self.cat
        if category == "alerts":
            rows = [Row(a.id, self.t(a.title), self._until(a.valid_until) or _excerpt(self.t(a.body)), "alert")
                    for a in c.alerts(self.now)]
        elif category == "services":
            for s in c.services:
                text, tone = self.t(s.description), "text"
                if s.hours is not None or s.hours_problem:
                    text, tone = describe_hours(s.hours, self.now, self.tz, self.lang)
                rows.append(Row(s.id, self.t(s.name), text, tone))
        elif category == "menus":
            for m in c.menus:
                monday, days = week_menu(m, self.today)
                if days:
                    rows.append(Row(m.id, self.t(m.name), _("Week of {date}").format(date=timefmt.day_month(monday, self.lang))))
        elif category == "procedures":
            rows = [Row(p.id, self.t(p.title), self.t(p.summary)) for p in c.procedures]
        elif category == "agenda":
            filters = tuple(Filter(k, _(v), k == filter_key) for k, v in AGENDA_FILTERS.items())
            rows = self._agenda_rows(filter_key)
            empty = _("No events today.") if filter_key == "today" else (
                _("No events this weekend.") if filter_key == "weekend" else _("No upcoming events."))
        elif category == "news":
            rows = [Row(n.id, self.t(n.title), timefmt.full_date(n.published, self.lang) if n.published else self.t(n.summary))
                    for n in c.news]
        elif category == "places":
            for p in c.places:
                text, tone = p.address, "text"
                if p.hours is not None or p.hours_problem:
                    text, tone = describe_hours(p.hours, self.now, self.tz, self.lang)
                rows.append(Row(p.id, self.t(p.name), text, tone))
        elif category == "numbers":
            rows = [Row(n.id, self.t(n.name), n.number) for n in c.numbers]
        return ListPage(category, title, tuple(rows), filters, empty)

    def _until(self, until: datetime | None) -> str:
        if until is None:
            return ""
        local = until.astimezone(self.tz)
        return self._("Until {date} at {time}").format(
            date=timefmt.day_month(local.date(), self.lang), time=timefmt.clock(local, self.tz, self.lang))

    def _agenda_rows(self, filter_key: str) -> list[Row]:
        _ = self._
        only = None
        if filter_key == "today":
            only = (self.today, self.today)
        elif filter_key == "weekend":
            only = weekend(self.today)
        rows = []
        for group in group_by_day(self.cat.events, self.now, self.tz, only):
            if group.day == self.today:
                heading = f"{_('Today')} · {timefmt.day_heading(group.day, self.lang)}"
            else:
                heading = timefmt.day_heading(group.day, self.lang)
            rows.append(Row("", heading))
            for e in group.events:
                if e.status in ("cancelled", "postponed"):  # said before the time, in the alert colour
                    status = _("Cancelled") if e.status == "cancelled" else _("Postponed")
                    rows.append(Row(e.id, self.t(e.title), f"{status} · {self.event_when(e)}", tone="alert"))
                else:
                    rows.append(Row(e.id, self.t(e.title), self.event_when(e)))
        return rows

    def event_when(self, e: Event) -> str:
        """``19:00–21:00 · Salle des fêtes``, ``All day``, or ``Until 20 December``."""
        _ = self._
        first, last = event_days(e, self.tz)
        if last > first:
            when = _("Until {date}").format(date=timefmt.day_month(last, self.lang))
        elif e.all_day:
            when = _("All day")
        else:
            when = timefmt.time_range(e.start, e.end, self.tz, self.lang)
        place = self.t(e.place)
        return f"{when} · {place}" if place else when
