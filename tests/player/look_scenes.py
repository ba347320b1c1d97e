"""Renders the signage look's scenes in a headless Kivy (run as a script by
tests/player/test_signage_look.py: Kivy is configured once per process).

    python tests/player/look_scenes.py OUT_DIR WIDTH HEIGHT

For each scene it saves ``OUT_DIR/<scene>.png`` and writes ``OUT_DIR/scenes.json``: the
boxes of every fitted text (window coordinates, y up), their fitted lines, size and
whether they were shortened, the size Kivy lays those lines out at without a box (what
a clipped glyph would exceed), and each scene's own boxes (picture, caption band, pill...).
"""
from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from kiosk.device.kivy_env import prepare_kivy  # noqa: E402

OUT = Path(sys.argv[1])
W, H = int(sys.argv[2]), int(sys.argv[3])
prepare_kivy(OUT / "kivy", headless=True, fullscreen=False, size=(W, H))

from kivy.base import EventLoop  # noqa: E402
from kivy.core.text import Label as CoreLabel  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from PIL import Image as PILImage  # noqa: E402

from content_cache import BulletinData, ItemData, LocalText, MediaRef, Presentation  # noqa: E402
from player.render import slides  # noqa: E402
from player.render.bands import AlertBanner  # noqa: E402
from player.render.fitted_label import FittedLabel  # noqa: E402
from player.render.side_zone import SideContent, SideZone  # noqa: E402
from player.render.ticker_strip import TickerStrip  # noqa: E402

FR = ("Renouvellement complet du réseau d'eau potable et des branchements particuliers rue Haute, "
      "place de la Mairie et avenue des Tilleuls : circulation alternée de 7 h à 19 h, stationnement "
      "interdit, bus 3 et 5 déviés par le boulevard Jean-Jaurès jusqu'à la fin des travaux, prévue "
      "le vendredi 20 décembre.")
DE = ("Bürgerinformationsveranstaltung zur Trinkwasserversorgungsunterbrechung: Die "
      "Gemeindeverwaltungsangelegenheiten werden in der Mehrzweckhalle besprochen; "
      "Straßenbauarbeiten und Donaudampfschifffahrtsgesellschaftskapitänsmützen inklusive.")
EN = ("Temporary traffic management arrangements: the northbound carriageway of the high street "
      "will be closed overnight for resurfacing, with a signed diversion via the ring road; "
      "pedestrian access to all shops is maintained throughout the works.")
TITLE_FR = "Travaux de renouvellement du réseau d'eau potable jusqu'à fin décembre"
TITLE_DE = "Trinkwasserversorgungsunterbrechungsankündigung der Gemeindeverwaltung"
TITLE_EN = "Water main renewal works on the high street until the end of December"
CAPTION = "Piscine des Tilleuls : nouveaux horaires d'hiver, jusqu'à l'équinoxe — réservations conseillées"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def frame() -> None:
    EventLoop.idle()


def picture(name: str, colour: tuple[int, int, int], size: tuple[int, int]) -> MediaRef:
    path = OUT / f"{name}.png"
    img = PILImage.new("RGB", size, colour)
    # a light frame one pixel inside the edges: where the picture's pixels end is visible
    for x in range(size[0]):
        img.putpixel((x, 0), (250, 250, 250))
        img.putpixel((x, size[1] - 1), (250, 250, 250))
    img.save(path)
    return MediaRef(name.ljust(64, "0")[:64], path, "image/png", path.stat().st_size, path.name)


def box(w: object) -> list[float]:
    return [float(w.x), float(w.y), float(w.width), float(w.height)]  # type: ignore[attr-defined]


def texts(root: object) -> list[dict]:
    out = []
    for w in root.walk(restrict=True):  # type: ignore[attr-defined]
        if not isinstance(w, FittedLabel) or not w.fit or not w.fit.lines:
            continue
        core = CoreLabel(text=w.text, font_size=w.font_size, bold=w.bold, italic=w.italic, font_name=w.font_name)
        core.refresh()
        out.append({"box": box(w), "source": w.source, "lines": list(w.fit.lines), "size": w.fit.font_size,
                    "shortened": w.fit.shortened, "natural": list(core.texture.size), "colour": list(w.color)})
    return out


scenes: dict[str, dict] = {}


def shoot(name: str, widget: object, extra: object = None) -> None:
    """Render ``widget`` alone; ``extra``: a function giving the scene's own boxes, once laid out."""
    Window.add_widget(widget)
    for _ in range(3):
        frame()
    boxes = extra() if callable(extra) else {}
    path = OUT / f"{name}.png"
    written = Window.screenshot(name=str(path))
    Path(written).replace(path)
    scenes[name] = {"texts": texts(widget), **boxes}
    Window.remove_widget(widget)
    if hasattr(widget, "stop"):
        widget.stop()


def bulletin(bid: str, severity: str, title: dict, body: dict, **kw: object) -> BulletinData:
    return BulletinData(bid, "works", severity, LocalText.from_mapping(title), LocalText.from_mapping(body), **kw)


screen = (W, H)
derived = OUT / "derived"

# Bulletins: long French, German and English in the display and the other language.
photo = picture("photo", (40, 70, 120), (640, 360))
b_fr = bulletin("fr", "warning", {"fr": TITLE_FR, "en": TITLE_EN}, {"fr": FR, "en": EN},
                link="https://valbruyere.example/travaux-rue-haute", picture=photo)
slide = slides.build_slide(ItemData("b-fr", "bulletin", 0, 10.0, bulletin=b_fr), "fr", "en", screen, derived)
shoot("bulletin-fr", slide, lambda slide=slide: {"pill": box(slide.pill), "qr": box(slide.qr),
                             "picture": list(slide.picture.drawn) if slide.picture else None})
b_de = bulletin("de", "info", {"de": TITLE_DE, "en": TITLE_EN}, {"de": DE, "en": EN})
slide = slides.build_slide(ItemData("b-de", "bulletin", 0, 10.0, bulletin=b_de), "de", "en", screen, derived)
shoot("bulletin-de", slide, lambda slide=slide: {"pill": box(slide.pill)})
b_long = bulletin("long", "info", {"fr": TITLE_FR}, {"fr": " ".join([FR] * 14)})
slide = slides.build_slide(ItemData("b-long", "bulletin", 0, 10.0, bulletin=b_long), "fr", None, screen, derived)
shoot("bulletin-long", slide, lambda slide=slide: {"pill": box(slide.pill)})
b_alert = bulletin("storm", "critical", {"fr": "Alerte météo : vents violents", "en": "Weather alert: severe winds"},
                   {"fr": "Parcs et cimetière fermés.", "en": "Parks and cemetery closed."})
slide = slides.build_slide(ItemData("alert-storm", "bulletin", -1, None, bulletin=b_alert), "fr", "en", screen, derived)
shoot("alert-critical", slide, lambda slide=slide: {"pill": box(slide.pill)})

# Posters: a landscape poster (contain, caption in its band), with a portrait variant.
wide = picture("wide", (30, 110, 60), (800, 450))
tall = picture("tall", (150, 40, 120), (450, 800))
item = ItemData("poster", "image", 0, 8.0, media=wide, caption=LocalText.from_mapping({"fr": CAPTION}),
                look=Presentation(portrait=tall))
slide = slides.build_slide(item, "fr", "en", screen, derived)
shoot("poster-variant", slide, lambda slide=slide: {"picture": list(slide.picture.drawn), "caption": box(slide.caption_band)})
item = ItemData("poster-plain", "image", 0, 8.0, media=wide, caption=LocalText.from_mapping({"fr": CAPTION}),
                bulletin=b_fr)
slide = slides.build_slide(item, "fr", "en", screen, derived)
shoot("poster-contain", slide, lambda slide=slide: {"picture": list(slide.picture.drawn), "caption": box(slide.caption_band),
                                "text": box(slide.body_band) if slide.body_band and slide.body_band.parent else None})
# Cover around a focal point: the left half of the picture is blue, the right half orange.
halves = PILImage.new("RGB", (1600, 400), (30, 60, 200))
halves.paste((230, 120, 30), (800, 0, 1600, 400))
halves.save(OUT / "halves.png")
halves_ref = MediaRef("h".ljust(64, "0"), OUT / "halves.png", "image/png", (OUT / "halves.png").stat().st_size,
                      "halves.png")
for side, fx in (("left", 0.0), ("right", 1.0)):
    item = ItemData(f"cover-{side}", "image", 0, 8.0, media=halves_ref,
                    look=Presentation(fit="cover", focus=(fx, 0.5)))
    slide = slides.build_slide(item, "fr", None, screen, derived)
    shoot(f"cover-{side}", slide, lambda slide=slide: {"picture": list(slide.picture.drawn)})

# The banner: two long alerts, the most severe a warning.
banner = AlertBanner()
banner.show((bulletin("w1", "warning", {"en": TITLE_EN}, {}), bulletin("w2", "info", {"en": EN}, {})), "en")
shoot("banner-warning", banner, lambda banner=banner: {"band": box(banner)})

# The ticker: a warning title, in amber.
ticker = TickerStrip(size_hint=(1, 0.08), pos_hint={"x": 0, "y": 0})
ticker.set_titles(("Travaux rue Haute", "Marché de Noël"), ("warning", "info"))
shoot("ticker", ticker, lambda ticker=ticker: {"band": box(ticker)})
ticker.pause()

# The side zone: clock, next events, alerts.
events = [
    {"id": "past", "title": {"fr": "Conseil municipal"}, "start": "2026-12-01T18:00:00Z", "end": "2026-12-01T20:00:00Z"},
    {"id": "concert", "title": {"fr": "Concert de Noël de l'harmonie municipale"}, "start": "2026-12-12T19:30:00Z",
     "place": {"fr": "Église Saint-Martin"}},
    {"id": "later", "title": {"fr": "Vœux du maire"}, "start": "2027-01-09T17:00:00Z"},
]
zone = SideZone(lambda: NOW.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris")))
portrait = H > W
zone.size_hint = (1, 0.2) if portrait else (0.27, 0.85)
zone.pos_hint = {"x": 0, "y": 0.07} if portrait else {"x": 0.73, "y": 0.07}
zone.set_content(SideContent("fr", events, (), (b_alert,), ("clock", "events", "alerts")))
Window.add_widget(zone)
for _ in range(3):
    frame()
zone.refresh()
frame()
first = zone.event_titles[0]
expected = CoreLabel(text=first.text, font_size=first.font_size, bold=True)
expected.refresh()
expected_png = OUT / "expected-event.png"
PILImage.frombytes("RGBA", expected.texture.size, expected.texture.pixels).save(expected_png)
Window.remove_widget(zone)
shoot("side-zone", zone, lambda: {"zone": box(zone), "first_event": box(first), "first_event_source": first.source,
                          "expected_event_png": str(expected_png), "event_titles": [t.source for t in zone.event_titles]})

(OUT / "scenes.json").write_text(json.dumps({"window": [W, H], "scenes": scenes}))
print("DONE")
