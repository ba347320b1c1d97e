"""What the editor edits: each kind of document, where it lives in the content folder,
and its fields with their type and the format expected (the content API's, docs/content-api.md).

The web forms are made from these specs (hub.web.editor_forms), so a field of the content
API is added here once.
"""
from __future__ import annotations

from dataclasses import dataclass

from .text import N_

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CATEGORIES = ("info", "event", "works", "alert", "culture", "sport", "transport", "health")
SEVERITIES = ("info", "warning", "critical")
ALERT_MODES = ("banner", "fullscreen")
PLACE_KINDS = ("toilets", "parking", "park", "sport", "culture", "health", "transport", "school",
               "public_service", "shop", "other")
EVENT_STATUSES = ("cancelled", "postponed", "full", "rescheduled", "moved-online")
COURSES = ("starter", "main", "side", "cheese", "dessert", "snack")
MENU_LABELS = ("organic", "local", "vegetarian", "pork-free", "homemade")
SUGGESTED_TAGS = ("promotion", "bilan", "campagne", "politique", "inauguration", "elus")


@dataclass(frozen=True)
class Field:
    """One field of a document. ``type`` says how it is entered and written:

    text / longtext (one entry per site language) · string · id · int · number · bool ·
    choice · choices (several) · datetime (local, the site's zone) · date · dates (a list)
    · dayparts ("08:00-12:00, 14:00-18:00") · tags · url (https) · phone · langs (site
    languages) · media (an uploaded image or video) · focus ("x, y") · image (a page's picture) · hours
    (OpenStreetMap syntax or a week grid) · textlist (one line each, per language) · menu
    (one line per course) · holidays (one line per date) · screens (devices; kept in
    screens.toml, not in the document) · loops (a bulletin's playlists: items written there).
    """

    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 500
    group: str = "main"  # main | schedule | more


def _look() -> tuple[Field, ...]:
    """How a loop's picture or video is drawn: a file per orientation, fit, focus, caption."""
    return (
        Field("file_portrait", N_("Version for portrait screens"), "media", group="look",
              help=N_("Optional: shown instead on screens taller than wide.")),
        Field("file_landscape", N_("Version for landscape screens"), "media", group="look",
              help=N_("Optional: shown instead on screens wider than tall.")),
        Field("fit", N_("Fit"), "choice", choices=("", "contain", "cover"), group="look",
              help=N_("Whole picture (contain, the default) or filling the screen, cropped (cover).")),
        Field("focus", N_("Point to keep in view"), "focus", group="look",
              help=N_("With cover: two fractions of the width and height from the top left, e.g. 0.5, 0.3 "
                      "(empty: the centre).")),
        Field("caption_position", N_("Caption"), "choice", choices=("", "band", "over"), group="look",
              help=N_("In its own band (the default) or over the picture, for posters designed for it.")),
    )


def _schedule(duration: bool = True) -> tuple[Field, ...]:
    out = [
        Field("valid_from", N_("Starts"), "datetime", group="schedule",
              help=N_("Date and time it starts showing. Empty: at once.")),
        Field("valid_until", N_("Ends"), "datetime", group="schedule",
              help=N_("Date and time it stops showing: at that minute it is gone. Empty: no end.")),
        Field("weekdays", N_("Days of the week"), "choices", choices=WEEKDAYS, group="schedule",
              help=N_("None ticked: every day.")),
        Field("dayparts", N_("Times of day"), "dayparts", group="schedule",
              help=N_("From–to, several separated by commas, e.g. 08:00-12:00, 14:00-18:00. "
                      "22:00-06:00 runs overnight. Empty: all day.")),
        Field("skip_dates", N_("Dates left out"), "dates", group="schedule",
              help=N_("Days it does not show, e.g. 2027-12-24, 2027-12-31.")),
        Field("skip_holidays", N_("Not on public holidays"), "bool", group="schedule",
              help=N_("Not shown on the holidays listed in the site settings.")),
        Field("priority", N_("Priority"), "int", minimum=-100, maximum=100, group="more",
              help=N_("A whole number from -100 to 100 (default 0): only the highest priority that can play plays.")),
        Field("weight", N_("Weight"), "int", minimum=1, maximum=100, group="more",
              help=N_("A whole number from 1 to 100 (default 1): how many times it comes per loop.")),
        Field("languages", N_("Only for screens in"), "langs", group="more",
              help=N_("None ticked: every language.")),
        Field("tags", N_("Tags"), "tags", group="more",
              help=N_("Words separated by commas (a-z, 0-9, '-'), e.g. bilan, sport. "
                      "In an election period, some tags are withheld.")),
        Field("category", N_("Category"), "choice", choices=("", *CATEGORIES), group="more",
              help=N_("For the play reports.")),
    ]
    if duration:
        out.insert(0, Field("duration", N_("Duration on screen (seconds)"), "number", minimum=0.5, maximum=86400,
                            help=N_("A number of seconds, e.g. 8. Empty: the screen's default.")))
    return tuple(out)


@dataclass(frozen=True)
class Kind:
    """A kind of document: where it lives (``folder``/``array``; ``file``: where a new one
    goes, ``{playlist}`` replaced), which of its tables are of this kind, and its fields."""

    name: str
    label: str  # plural, for the list
    one: str  # singular, for the form
    folder: str
    array: str | None
    file: str
    fields: tuple[Field, ...]
    title_key: str = "title"
    item_type: str | None = None  # playlist items: "image" | "video"

    def matches(self, values: dict[str, object]) -> bool:
        if self.item_type is not None:
            return values.get("type") == self.item_type
        if self.name == "alert":
            return is_alert(values)
        if self.name == "bulletin":
            return not is_alert(values)
        return True

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


def is_alert(values: dict[str, object]) -> bool:
    return values.get("severity") == "critical" or values.get("alert") is not None


_CAPTION = Field("caption", N_("Caption"), "text", max_length=300,
                 help=N_("A short line shown over the picture. Leave empty for none."))
_TITLE = Field("title", N_("Title"), "text", required=True, max_length=300)
_URL = Field("url", N_("Web link"), "url", max_length=2000,
             help=N_("Starts with https://, e.g. https://www.valbruyere.fr/piscine"))
_PHONE = Field("phone", N_("Phone"), "phone", max_length=40, help=N_("e.g. 05 55 12 34 56"))
_IMAGE = Field("image", N_("Picture"), "image", help=N_("A JPEG, PNG or WebP picture (optional)."))
_TAGS = Field("tags", N_("Tags"), "tags", group="more",
              help=N_("Words separated by commas (a-z, 0-9, '-'), e.g. bilan, sport. "
                      "In an election period, some tags are withheld."))
_ORDER = Field("order", N_("Order in its list"), "int", group="more", minimum=-100000, maximum=100000,
               help=N_("A whole number; smaller first. Empty: by id."))
_HOURS = Field("hours", N_("Opening hours"), "hours",
               help=N_("OpenStreetMap syntax, e.g. Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off — "
                       "or fill in the week below."))

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("poster", N_("Posters"), N_("Poster"), "playlists", "items", "playlists/{playlist}.toml",
         (Field("file", N_("Picture file"), "media", required=True,
                help=N_("A JPEG, PNG or WebP picture, at most 30 MB. A very large picture is reduced to the screens' size.")),
          _CAPTION, *_look(), *_schedule()), title_key="caption", item_type="image"),
    Kind("video", N_("Videos"), N_("Video"), "playlists", "items", "playlists/{playlist}.toml",
         (Field("file", N_("Video file"), "media", required=True,
                help=N_("An MP4 or WebM video, at most 500 MB.")),
          _CAPTION, *_look()[:2], *_schedule()), title_key="caption", item_type="video"),
    Kind("bulletin", N_("Bulletins"), N_("Bulletin"), "bulletins", "bulletins", "bulletins/bulletins.toml",
         (_TITLE,
          Field("body", N_("Text"), "longtext", max_length=20000),
          Field("category", N_("Category"), "choice", required=True, choices=CATEGORIES),
          Field("severity", N_("Importance"), "choice", required=True, choices=("info", "warning")),
          Field("loops", N_("In the loops"), "loops",
                help=N_("The loops of screens it shows in. None ticked: only a screen's ticker strip shows it.")),
          Field("link", N_("Web link"), "url", max_length=2000,
                help=N_("Where to read more, shown as a QR code: starts with https://")),
          Field("picture", N_("Picture"), "image", help=N_("A JPEG, PNG or WebP picture beside the text (optional).")),
          Field("valid_from", N_("Starts"), "datetime", group="schedule",
                help=N_("Date and time it starts showing. Empty: at once.")),
          Field("valid_until", N_("Ends"), "datetime", group="schedule",
                help=N_("Date and time it stops showing: at that minute it is gone. Empty: no end.")))),
    Kind("alert", N_("Alerts"), N_("Alert"), "bulletins", "bulletins", "bulletins/alerts.toml",
         (_TITLE,
          Field("body", N_("Text"), "longtext", max_length=20000),
          Field("severity", N_("Severity"), "choice", required=True, choices=SEVERITIES),
          Field("alert", N_("Shown as"), "choice", required=True, choices=ALERT_MODES),
          Field("valid_from", N_("Starts"), "datetime",
                help=N_("Date and time it starts showing. Empty: at once.")),
          Field("valid_until", N_("Ends"), "datetime", required=True,
                help=N_("An alert always has an end: at that minute it leaves every screen.")),
          Field("screens", N_("Screens"), "screens",
                help=N_("None ticked: every screen. New screens get alerts meant for every screen.")))),
    Kind("services", N_("Services"), N_("Service"), "kiosk", "services", "kiosk/services.toml",
         (Field("name", N_("Name"), "text", required=True, max_length=300),
          Field("description", N_("Description"), "longtext", max_length=20000),
          Field("address", N_("Address"), "string", max_length=500), _PHONE, _URL, _IMAGE, _HOURS,
          _TAGS, _ORDER), title_key="name"),
    Kind("places", N_("Places"), N_("Place"), "kiosk", "places", "kiosk/places.toml",
         (Field("name", N_("Name"), "text", required=True, max_length=300),
          Field("kind", N_("Kind of place"), "choice", choices=("", *PLACE_KINDS)),
          Field("description", N_("Description"), "longtext", max_length=20000),
          Field("address", N_("Address"), "string", max_length=500),
          Field("latitude", N_("Latitude"), "number", minimum=-90, maximum=90,
                help=N_("Decimal degrees, e.g. 45.8336 (with the longitude, or neither).")),
          Field("longitude", N_("Longitude"), "number", minimum=-180, maximum=180,
                help=N_("Decimal degrees, e.g. 1.2611 (with the latitude, or neither).")),
          _PHONE, _URL, _IMAGE, _HOURS, _TAGS, _ORDER), title_key="name"),
    Kind("events", N_("Agenda"), N_("Event"), "kiosk", "events", "kiosk/events.toml",
         (_TITLE,
          Field("description", N_("Description"), "longtext", max_length=20000),
          Field("start", N_("Starts"), "datetime", required=True, help=N_("Date and time, e.g. 14/03/2027 20:30.")),
          Field("end", N_("Ends"), "datetime", help=N_("Empty: listed until the end of its day.")),
          Field("all_day", N_("All day"), "bool"),
          Field("status", N_("Status"), "choice", choices=("", *EVENT_STATUSES),
                help=N_("Empty: takes place as announced.")),
          Field("place", N_("Where"), "text", max_length=300), _URL, _IMAGE, _TAGS, _ORDER)),
    Kind("news", N_("News"), N_("News item"), "kiosk", "news", "kiosk/news.toml",
         (_TITLE,
          Field("summary", N_("Summary"), "longtext", max_length=2000),
          Field("body", N_("Text"), "longtext", max_length=20000),
          Field("date", N_("Date"), "date"), _URL, _IMAGE, _TAGS, _ORDER)),
    Kind("procedures", N_("Procedures"), N_("Procedure"), "kiosk", "procedures", "kiosk/procedures.toml",
         (_TITLE,
          Field("summary", N_("Summary"), "longtext", max_length=2000),
          Field("body", N_("Text"), "longtext", max_length=20000),
          Field("steps", N_("Steps"), "textlist", help=N_("One step per line, in order.")),
          Field("documents", N_("Documents to bring"), "textlist", help=N_("One document per line.")),
          Field("where", N_("Where"), "text", max_length=300), _PHONE, _URL, _IMAGE, _TAGS, _ORDER)),
    Kind("numbers", N_("Useful numbers"), N_("Useful number"), "kiosk", "numbers", "kiosk/numbers.toml",
         (Field("name", N_("Name"), "text", required=True, max_length=300),
          Field("number", N_("Number"), "phone", required=True, max_length=40,
                help=N_("Digits, spaces and + . ( ) -, e.g. 112 or 05 55 12 34 56")),
          Field("description", N_("Description"), "longtext", max_length=2000),
          Field("available", N_("When"), "text", max_length=200, help=N_("e.g. 24/7")), _ORDER), title_key="name"),
    Kind("menus", N_("Menus"), N_("Menu"), "kiosk", "menus", "kiosk/menus.toml",
         (Field("name", N_("Name"), "text", required=True, max_length=300),
          Field("days", N_("Courses"), "menu", required=True,
                help=N_("One line per course: date | course | dish | labels, e.g. "
                        "2027-03-01 | main | Poulet rôti | organic, local. Courses: starter, main, side, cheese, "
                        "dessert, snack. Labels: organic, local, vegetarian, pork-free, homemade.")),
          _ORDER), title_key="name"),
)}

SITE = Kind("site", N_("Site"), N_("Site settings"), ".", None, "site.toml", (
    Field("name", N_("Town's name"), "text", required=True, max_length=300),
    Field("default_playlist", N_("Loop of screens without their own"), "choice", required=True),
    Field("holidays", N_("Public holidays and closures"), "holidays",
          help=N_("One per line: date and name, e.g. 2027-12-25 Noël. Items ticked 'Not on public holidays' "
                  "do not show on these days, and services close.")),
), title_key="name")

# What a choice is called on the pages (translated where shown).
CHOICE_LABELS: dict[str, str] = {
    "mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
    "fri": N_("Friday"), "sat": N_("Saturday"), "sun": N_("Sunday"),
    "info": N_("Information"), "warning": N_("Warning"), "critical": N_("Critical"),
    "banner": N_("A banner over the loop"), "fullscreen": N_("Full screen, instead of the loop"),
    "event": N_("Event"), "works": N_("Works"), "alert": N_("Alert"), "culture": N_("Culture"),
    "sport": N_("Sport"), "transport": N_("Transport"), "health": N_("Health"),
    "toilets": N_("Toilets"), "parking": N_("Parking"), "park": N_("Park"), "school": N_("School"),
    "public_service": N_("Public service"), "shop": N_("Shop"), "other": N_("Other"),
    "cancelled": N_("Cancelled"), "postponed": N_("Postponed"), "full": N_("Full"),
    "rescheduled": N_("Rescheduled"), "moved-online": N_("Moved online"),
    "contain": N_("Whole picture"), "cover": N_("Fill the screen (cropped)"),
    "band": N_("In its own band"), "over": N_("Over the picture"),
    "": N_("(none)"),
}

# How the trail's actions and states read on the pages.
ACTION_LABELS: dict[str, str] = {"create": N_("created"), "update": N_("changed"), "delete": N_("deleted"),
                                 "end-alert": N_("alert ended"), "move": N_("moved in its loop")}
STATUS_LABELS: dict[str, str] = {"applied": N_("in the folder"), "pending": N_("waiting for approval"),
                                 "rejected": N_("refused")}
