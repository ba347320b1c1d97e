"""Typed kiosk documents: the values the touch UI shows, one class per kind.

Built from the live content's kiosk sections by :mod:`kiosk.touch.catalogue`; frozen so
they can be shared between the UI and the page builders without copies.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from content_cache import LocalText

from .hours import OpeningHours


@dataclass(frozen=True)
class Service:
    id: str
    name: LocalText
    description: LocalText
    address: str = ""
    phone: str = ""
    url: str = ""
    image: str = ""  # sha256 of an image in the media store, or ""
    hours: OpeningHours | None = None
    hours_problem: str = ""  # the malformed field, when hours could not be read


@dataclass(frozen=True)
class Course:
    course: str  # starter | main | side | cheese | dessert | snack
    dish: LocalText
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuDay:
    day: date
    courses: tuple[Course, ...]


@dataclass(frozen=True)
class Menu:
    id: str
    name: LocalText
    days: tuple[MenuDay, ...]


@dataclass(frozen=True)
class Procedure:
    id: str
    title: LocalText
    summary: LocalText
    body: LocalText
    steps: tuple[LocalText, ...] = ()
    documents: tuple[LocalText, ...] = ()
    where: LocalText = LocalText()
    phone: str = ""
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class Event:
    id: str
    title: LocalText
    description: LocalText
    start: datetime  # aware
    end: datetime | None = None
    all_day: bool = False
    place: LocalText = LocalText()
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class NewsItem:
    id: str
    title: LocalText
    summary: LocalText
    body: LocalText
    published: date | None = None
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class Place:
    id: str
    name: LocalText
    kind: str
    description: LocalText
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""
    url: str = ""
    image: str = ""
    hours: OpeningHours | None = None
    hours_problem: str = ""


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
