"""Detail pages: one document as a column of blocks, plus its link and image."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from player.i18n import N_

from . import timefmt
from .calendar import week_menu
from .documents import Attribution
from .hours import OpeningHours
from .pages import PageBuilder
from .status_text import describe_hours, upcoming_exceptions, week_table

COURSES = {
    "starter": N_("Starter"), "main": N_("Main course"), "side": N_("Side dish"),
    "cheese": N_("Cheese"), "dessert": N_("Dessert"), "snack": N_("Afternoon snack"),
}
DISH_LABELS = {
    "organic": N_("organic"), "local": N_("local"), "vegetarian": N_("vegetarian"),
    "pork-free": N_("pork-free"), "homemade": N_("homemade"),
}
EVENT_STATUSES = {
    "cancelled": N_("Cancelled"), "postponed": N_("Postponed"), "full": N_("Full"),
    "rescheduled": N_("Rescheduled"), "moved-online": N_("Moved online"),
}
# Detail category → the catalogue's field, for the pages a content source can give.
SOURCED = {"services": "services", "places": "places", "menus": "menus", "procedures": "procedures",
           "agenda": "events", "news": "news"}
PLACE_KINDS = {
    "toilets": N_("Public toilets"), "parking": N_("Car park"), "park": N_("Park"),
    "sport": N_("Sports ground"), "culture": N_("Culture"), "health": N_("Health"),
    "transport": N_("Transport"), "school": N_("School"), "public_service": N_("Public service"),
    "shop": N_("Market and shops"), "other": N_("Place"),
}


class _Document(Protocol):
    @property
    def id(self) -> str: ...


D = TypeVar("D", bound=_Document)


@dataclass(frozen=True)
class Block:
    """One line or paragraph of a detail page.

    ``style``: heading | text | field (``label``: ``text``) | status | row (a table line).
    """

    style: str
    text: str
    label: str = ""
    tone: str = "text"  # text | open | closed | alert | today


@dataclass(frozen=True)
class DetailPage:
    category: str
    doc_id: str
    title: str
    blocks: tuple[Block, ...]
    link: str = ""  # https URL shown as a QR code
    image: str = ""  # sha256 of an optional image

    def speech(self) -> str:
        """The page as one text to read aloud."""
        parts = [self.title]
        for b in self.blocks:
            parts.append(f"{b.label}: {b.text}" if b.label else b.text)
        return ".\n".join(p.rstrip(".") for p in parts if p)


class DetailBuilder(PageBuilder):
    def detail(self, category: str, doc_id: str) -> DetailPage | None:
        """The page of ``doc_id`` in ``category``, or None if it is not in the content."""
        build = getattr(self, f"_detail_{category}", None)
        page = build(doc_id) if build else None
        if page is not None and category in SOURCED:
            # A page from a content source says where it comes from (Licence Ouverte asks for it).
            doc = self._find(getattr(self.cat, SOURCED[category]), doc_id)
            if doc is not None and doc.source is not None:
                page = replace(page, blocks=(*page.blocks, Block("field", self._source(doc.source), self._("Source"))))
        return page

    def _source(self, src: Attribution) -> str:
        parts = [src.name]
        if src.date:
            parts.append(timefmt.full_date(src.date, self.lang))
        if src.licence:
            parts.append(src.licence)
        return " · ".join(parts)

    def _find(self, docs: tuple[D, ...], doc_id: str) -> D | None:
        return next((d for d in docs if d.id == doc_id), None)

    def _contact(self, address: str, phone: str) -> list[Block]:
        _ = self._
        out = []
        if address:
            out.append(Block("field", address, _("Address")))
        if phone:
            out.append(Block("field", phone, _("Phone")))
        return out

    def _hours_blocks(self, hours: OpeningHours | None, problem: str) -> list[Block]:
        _ = self._
        if hours is None and not problem:
            return []
        text, tone = describe_hours(hours, self.now, self.tz, self.lang)
        out = [Block("status", text, tone=tone), Block("heading", _("Opening hours"))]
        if hours is None:
            out.append(Block("text", _("The opening hours could not be read. Please call or check the website.")))
            return out
        for day, slots, today in week_table(hours, self.now, self.tz, self.lang):
            out.append(Block("row", slots, day, tone="today" if today else "text"))
        exceptions = upcoming_exceptions(hours, self.now, self.tz, self.lang)
        if exceptions:
            out.append(Block("heading", _("Coming changes")))
            out += [Block("text", line) for line in exceptions]
        return out

    def _detail_services(self, doc_id: str) -> DetailPage | None:
        s = self._find(self.cat.services, doc_id)
        if s is None:
            return None
        blocks = self._hours_blocks(s.hours, s.hours_problem)
        if s.description:
            blocks.insert(min(1, len(blocks)), Block("text", self.t(s.description)))
        blocks += self._contact(s.address, s.phone)
        return DetailPage("services", s.id, self.t(s.name), tuple(blocks), s.url, s.image)

    def _detail_places(self, doc_id: str) -> DetailPage | None:
        _ = self._
        p = self._find(self.cat.places, doc_id)
        if p is None:
            return None
        blocks = [Block("field", _(PLACE_KINDS.get(p.kind, PLACE_KINDS["other"])), _("Type"))]
        if p.description:
            blocks.append(Block("text", self.t(p.description)))
        blocks += self._hours_blocks(p.hours, p.hours_problem)
        blocks += self._contact(p.address, p.phone)
        if p.latitude is not None and p.longitude is not None:
            blocks.append(Block("field", f"{p.latitude:.5f}, {p.longitude:.5f}", _("GPS coordinates")))
        link = p.url
        if not link and p.latitude is not None and p.longitude is not None:
            # A map link the visitor's phone opens in its own map application.
            link = f"https://www.openstreetmap.org/?mlat={p.latitude:.5f}&mlon={p.longitude:.5f}#map=18/{p.latitude:.5f}/{p.longitude:.5f}"
        return DetailPage("places", p.id, self.t(p.name), tuple(blocks), link, p.image)

    def _detail_menus(self, doc_id: str) -> DetailPage | None:
        _ = self._
        m = self._find(self.cat.menus, doc_id)
        if m is None:
            return None
        monday, days = week_menu(m, self.today)
        blocks = [Block("text", _("Week of {date}").format(date=timefmt.day_month(monday, self.lang)))]
        for d in days:
            heading = timefmt.day_heading(d.day, self.lang)
            if d.day == self.today:
                heading = f"{_('Today')} · {heading}"
            blocks.append(Block("heading", heading, tone="today" if d.day == self.today else "text"))
            for c in d.courses:
                labels = ", ".join(_(DISH_LABELS.get(x, x)) for x in c.labels)
                dish = f"{self.t(c.dish)} ({labels})" if labels else self.t(c.dish)
                if c.allergens:
                    dish += f" — {_('Allergens')}: {', '.join(c.allergens)}"
                blocks.append(Block("field", dish, _(COURSES.get(c.course, c.course))))
        return DetailPage("menus", m.id, self.t(m.name), tuple(blocks))

    def _detail_procedures(self, doc_id: str) -> DetailPage | None:
        _ = self._
        p = self._find(self.cat.procedures, doc_id)
        if p is None:
            return None
        blocks = [Block("text", self.t(x)) for x in (p.summary, p.body) if x]
        if p.steps:
            blocks.append(Block("heading", _("Steps")))
            blocks += [Block("text", f"{i}. {self.t(step)}") for i, step in enumerate(p.steps, 1)]
        if p.documents:
            blocks.append(Block("heading", _("Documents to bring")))
            blocks += [Block("text", f"• {self.t(doc)}") for doc in p.documents]
        if p.where:
            blocks.append(Block("field", self.t(p.where), _("Where")))
        blocks += self._contact("", p.phone)
        return DetailPage("procedures", p.id, self.t(p.title), tuple(blocks), p.url, p.image)

    def _detail_agenda(self, doc_id: str) -> DetailPage | None:
        _ = self._
        e = self._find(self.cat.events, doc_id)
        if e is None:
            return None
        start = e.start.astimezone(self.tz)
        blocks = [Block("status", _(EVENT_STATUSES[e.status]), tone="alert")] if e.status in EVENT_STATUSES else []
        blocks += [Block("field", timefmt.day_heading(start.date(), self.lang), _("Date")),
                   Block("field", self.event_when(e).split(" · ")[0], _("Time"))]
        if e.place:
            blocks.append(Block("field", self.t(e.place), _("Place")))
        if e.description:
            blocks.append(Block("text", self.t(e.description)))
        return DetailPage("agenda", e.id, self.t(e.title), tuple(blocks), e.url, e.image)

    def _detail_news(self, doc_id: str) -> DetailPage | None:
        _ = self._
        n = self._find(self.cat.news, doc_id)
        if n is None:
            return None
        blocks = []
        if n.published:
            blocks.append(Block("field", timefmt.full_date(n.published, self.lang), _("Published")))
        blocks += [Block("text", self.t(x)) for x in (n.summary, n.body) if x]
        return DetailPage("news", n.id, self.t(n.title), tuple(blocks), n.url, n.image)

    def _detail_numbers(self, doc_id: str) -> DetailPage | None:
        _ = self._
        n = self._find(self.cat.numbers, doc_id)
        if n is None:
            return None
        blocks = [Block("field", n.number, _("Phone"))]
        if n.available:
            blocks.append(Block("field", self.t(n.available), _("Available")))
        if n.description:
            blocks.append(Block("text", self.t(n.description)))
        return DetailPage("numbers", n.id, self.t(n.name), tuple(blocks))

    def _detail_alerts(self, doc_id: str) -> DetailPage | None:
        a = self._find(self.cat.alerts(self.now), doc_id)
        if a is None:
            return None
        blocks = [Block("status", self._until(a.valid_until), tone="alert")] if a.valid_until else []
        if a.body:
            blocks.append(Block("text", self.t(a.body)))
        return DetailPage("alerts", a.id, self.t(a.title), tuple(blocks))
