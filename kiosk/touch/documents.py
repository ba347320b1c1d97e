"""Typed kiosk documents: the values the touch UI shows, one class per kind.

Built from the live content's kiosk sections by :mod:`kiosk.touch.catalogue`; frozen so
they can be shared between the UI and the page builders without copies. What several
kinds share is declared once, in the small classes they derive from: every page has an id,
a link and an image (:class:`Page`); services and places have a name, a description, an
address, a phone and opening hours (:class:`Venue`); procedures and news are articles
(:class:`Article`). The shared optional fields are keyword-only, so each kind's own fields
keep their order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from content_cache import LocalText

from .hours import OpeningHours


@dataclass(frozen=True)
class Attribution:
    """Where an ingested page comes from (a content source): shown as its "Source" line."""

    name: str
    date: date | None = None
    licence: str = ""


@dataclass(frozen=True)
class Page:
    """What every page document has."""

    id: str
    url: str = field(default="", kw_only=True)  # https, shown as a QR code
    image: str = field(default="", kw_only=True)  # sha256 of an image in the media store, or ""
    source: Attribution | None = field(default=None, kw_only=True)  # set on pages from a content source


@dataclass(frozen=True)
class Venue(Page):
    """A page about somewhere to go."""

    name: LocalText
    description: LocalText
    address: str = field(default="", kw_only=True)
    phone: str = field(default="", kw_only=True)
    hours: OpeningHours | None = field(default=None, kw_only=True)
    hours_problem: str = field(default="", kw_only=True)  # the malformed field, when hours could not be read


@dataclass(frozen=True)
class Service(Venue):
    """A town service (town hall, pool, library…): a venue and nothing more."""


@dataclass(frozen=True)
class Place(Venue):
    kind: str = "other"
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Titled(Page):
    title: LocalText


@dataclass(frozen=True)
class Article(Titled):
    summary: LocalText
    body: LocalText


@dataclass(frozen=True)
class Procedure(Article):
    steps: tuple[LocalText, ...] = ()
    documents: tuple[LocalText, ...] = ()
    where: LocalText = LocalText()
    phone: str = ""


@dataclass(frozen=True)
class NewsItem(Article):
    published: date | None = None


@dataclass(frozen=True)
class Event(Titled):
    description: LocalText
    start: datetime  # aware
    end: datetime | None = None
    all_day: bool = False
    place: LocalText = LocalText()
    status: str = ""  # "" (as announced) | cancelled | postponed | full | rescheduled | moved-online


@dataclass(frozen=True)
class Course:
    course: str  # starter | main | side | cheese | dessert | snack
    dish: LocalText
    labels: tuple[str, ...] = ()
    allergens: tuple[str, ...] = ()  # as the menu's publisher names them


@dataclass(frozen=True)
class MenuDay:
    day: date
    courses: tuple[Course, ...]


@dataclass(frozen=True)
class Menu:
    id: str
    name: LocalText
    days: tuple[MenuDay, ...]
    source: Attribution | None = None


@dataclass(frozen=True)
class UsefulNumber:
    id: str
    name: LocalText
    number: str
    description: LocalText = LocalText()
    available: LocalText = LocalText()


@dataclass(frozen=True)
class Alert:
    """A bulletin of severity warning or critical, valid now."""

    id: str
    severity: str
    title: LocalText
    body: LocalText
    valid_until: datetime | None = None
