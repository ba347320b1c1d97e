"""The touch kiosk's alerts, idle board, pictograms and list pages as plain values (no
Kivy): what the strip and the card say, when a full-screen alert covers the screen, which
pre-rendered pictogram file draws a size, and list pages built once per minute."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from content_cache import BulletinData, LocalText
from kiosk.touch.alerts import AlertView, alerts_from_answer, card_text, strip_text
from kiosk.touch.catalogue import build_catalogue
from kiosk.touch.list_pages import ListPages
from kiosk.touch.pages import PageBuilder
from kiosk.touch.pictograms import PICTOGRAM_DIR, SIZES, SYMBOLS, pictogram_file
from kiosk.touch.testing.sample import DEMO_CONTENT, content_from_document, content_from_folder
from player.engine import ScheduleEngine

from .test_content import PARIS, base_doc

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _bulletin(bid: str, severity: str, alert: str | None, title: str, **kw: object) -> BulletinData:
    return BulletinData(id=bid, category="alert", severity=severity, title=LocalText.from_mapping({"fr": title}),
                        body=LocalText.from_mapping({"fr": f"{title} : consignes."}), alert=alert, **kw)


def test_the_engines_alerts_become_the_strip_and_the_full_screen_card() -> None:
    content = content_from_document(base_doc())
    until = NOW + timedelta(hours=8)
    content = content.__class__(**{**content.__dict__, "bulletins": (
        _bulletin("works", "warning", "banner", "Travaux"),
        _bulletin("gas", "critical", None, "Fuite de gaz", valid_until=until),  # critical: full screen
    )})
    alerts = alerts_from_answer(ScheduleEngine().now_playing(content, NOW))
    assert [(a.id, a.fullscreen) for a in alerts.alerts] == [("gas", True), ("works", False)]
    view = AlertView()
    assert view.set(alerts) and not view.set(alerts)
    assert view.card() is not None and view.card().id == "gas"
    assert [a.id for a in view.strip()] == ["works"]
    view.acknowledge()  # the visitor tapped "Understood": the card joins the strip
    assert view.card() is None and [a.id for a in view.strip()] == ["gas", "works"]
    view.forget()  # a new visitor
    assert view.card() is not None
    strip = strip_text(view.strip(), "de")
    assert strip is not None and strip.text == "WARNUNG · Travaux" and strip.severity == "warning"
    card = card_text(view.card(), "fr", PARIS)
    assert (card.label, card.title, card.until) == ("ALERTE", "Fuite de gaz", "Jusqu'au 26 novembre à 18:30")
    assert strip_text((), "fr") is None and alerts_from_answer(None).alerts == ()


def test_the_idle_board_lists_the_next_events_never_the_cancelled_ones() -> None:
    builder = PageBuilder(build_catalogue(content_from_folder(DEMO_CONTENT)), "fr", NOW)
    idle = builder.idle(limit=3)
    assert idle.title == "Ville de Valbruyère" and idle.heading == "À venir"
    assert [r.title for r in idle.events] == ["Heure du conte", "Conseil municipal", "Marché de Noël"]
    assert idle.events[0].detail.startswith("Aujourd'hui · 16:30")
    home = builder.home()
    assert home.coming_up == builder.idle(limit=3).events
    assert all(t.pictogram == t.category for t in home.tiles)


def test_every_pictogram_is_shipped_at_every_size_and_drawn_from_a_file_at_least_as_large() -> None:
    for name in SYMBOLS:
        for size in SIZES:
            assert (PICTOGRAM_DIR / f"{name}-{size}.png").is_file(), (name, size)
    assert (PICTOGRAM_DIR / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert pictogram_file("menus", 100) == PICTOGRAM_DIR / "menus-128.png"
    assert pictogram_file("menus", 128) == PICTOGRAM_DIR / "menus-128.png"
    assert pictogram_file("menus", 1000) == PICTOGRAM_DIR / f"menus-{SIZES[-1]}.png"
    assert pictogram_file("nothing", 10) is None


def test_list_pages_are_built_once_a_minute() -> None:
    catalogue = build_catalogue(content_from_folder(DEMO_CONTENT))
    pages = ListPages()
    first = pages.get(catalogue, "fr", NOW, "services")
    assert pages.get(catalogue, "fr", NOW + timedelta(seconds=20), "services") is first
    assert pages.get(catalogue, "en", NOW, "services") is not first
    later = pages.get(catalogue, "fr", NOW + timedelta(minutes=1), "services")
    assert later is not first and later == PageBuilder(catalogue, "fr", NOW + timedelta(minutes=1)).list_page(
        "services")
    assert all(r.pictogram == "services" for r in first.rows)
