"""``open-meteo``: the day-by-day weather forecast at the town's coordinates, from
Open-Meteo's forecast API (JSON; no key; data under CC BY 4.0, "Weather data by
Open-Meteo.com"), for the side zone's ``forecast`` panel.

The request asks for the daily WMO weather code and the lowest and highest temperature in
°C, by the local days of the coordinates' own time zone (``timezone=auto``), for ``days`` days from today. Each day becomes one document of
the kiosk's ``forecast`` section: ``date``, a ``summary`` in French, English, Spanish and
German (the WMO code's words, as Open-Meteo's documentation lists them), ``low`` and
``high`` rounded to the degree. The screens show today's entry; the days after it keep the
panel filled while the publisher cannot reach the API (its last good result is published).
"""
from __future__ import annotations

import json
import math
from datetime import date
from typing import Any, ClassVar

from .base import JSON, Context, MediaSink, ParseError, Payload, SourceResult
from .config import Field
from .fetch import JSON_TYPES
from .simple import OneUrlSource

FIELDS = {
    "latitude": Field("number", required=True, minimum=-90, maximum=90,
                      expected="the town's latitude in decimal degrees (WGS84), e.g. 45.83"),
    "longitude": Field("number", required=True, minimum=-180, maximum=180,
                       expected="the town's longitude in decimal degrees (WGS84), e.g. 1.26"),
    "days": Field("int", default=3, minimum=1, maximum=16, expected="1 … 16 (days from today)"),
}
DEFAULT_URL = "https://api.open-meteo.com/v1/forecast"
DAILY = ("weather_code", "temperature_2m_max", "temperature_2m_min")

# WMO weather interpretation codes (WW), as Open-Meteo's documentation groups them.
_WORDS: dict[tuple[int, ...], dict[str, str]] = {
    (0,): {"fr": "Ciel dégagé", "en": "Clear sky", "es": "Cielo despejado", "de": "Klarer Himmel"},
    (1,): {"fr": "Plutôt ensoleillé", "en": "Mainly clear", "es": "Mayormente despejado", "de": "Überwiegend klar"},
    (2,): {"fr": "Éclaircies", "en": "Partly cloudy", "es": "Parcialmente nublado", "de": "Teilweise bewölkt"},
    (3,): {"fr": "Couvert", "en": "Overcast", "es": "Cubierto", "de": "Bedeckt"},
    (45, 48): {"fr": "Brouillard", "en": "Fog", "es": "Niebla", "de": "Nebel"},
    (51, 53, 55): {"fr": "Bruine", "en": "Drizzle", "es": "Llovizna", "de": "Nieselregen"},
    (56, 57): {"fr": "Bruine verglaçante", "en": "Freezing drizzle", "es": "Llovizna helada",
               "de": "Gefrierender Nieselregen"},
    (61,): {"fr": "Pluie faible", "en": "Light rain", "es": "Lluvia débil", "de": "Leichter Regen"},
    (63,): {"fr": "Pluie", "en": "Rain", "es": "Lluvia", "de": "Regen"},
    (65,): {"fr": "Forte pluie", "en": "Heavy rain", "es": "Lluvia fuerte", "de": "Starker Regen"},
    (66, 67): {"fr": "Pluie verglaçante", "en": "Freezing rain", "es": "Lluvia helada", "de": "Gefrierender Regen"},
    (71,): {"fr": "Neige faible", "en": "Light snow", "es": "Nevada débil", "de": "Leichter Schneefall"},
    (73,): {"fr": "Neige", "en": "Snow", "es": "Nieve", "de": "Schneefall"},
    (75,): {"fr": "Forte neige", "en": "Heavy snow", "es": "Nevada fuerte", "de": "Starker Schneefall"},
    (77,): {"fr": "Grains de neige", "en": "Snow grains", "es": "Granos de nieve", "de": "Schneegriesel"},
    (80, 81): {"fr": "Averses", "en": "Showers", "es": "Chubascos", "de": "Regenschauer"},
    (82,): {"fr": "Fortes averses", "en": "Violent showers", "es": "Chubascos fuertes", "de": "Heftige Regenschauer"},
    (85, 86): {"fr": "Averses de neige", "en": "Snow showers", "es": "Chubascos de nieve", "de": "Schneeschauer"},
    (95,): {"fr": "Orages", "en": "Thunderstorms", "es": "Tormentas", "de": "Gewitter"},
    (96, 99): {"fr": "Orages avec grêle", "en": "Thunderstorms with hail", "es": "Tormentas con granizo",
               "de": "Gewitter mit Hagel"},
}
WMO_WORDS: dict[int, dict[str, str]] = {code: words for codes, words in _WORDS.items() for code in codes}


class OpenMeteoSource(OneUrlSource):
    kind: ClassVar[str] = "open-meteo"
    accept = JSON_TYPES
    what = "Open-Meteo's forecast JSON (application/json)"

    def request_params(self) -> list[tuple[str, str]]:
        return [("latitude", f"{float(self.spec.option('latitude')):.4f}"),
                ("longitude", f"{float(self.spec.option('longitude')):.4f}"),
                ("daily", ",".join(DAILY)), ("temperature_unit", "celsius"),
                ("timezone", "auto"), ("forecast_days", str(self.spec.option("days")))]

    def time_key(self, ctx: Context) -> str:
        return ctx.today.isoformat()  # yesterday's days are dropped from the result each day

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        try:
            raw = json.loads(payload.body)
            daily = raw["daily"]
            days = daily["time"]
        except (ValueError, KeyError, TypeError):
            raise ParseError(f"no daily forecast; expected {self.what} with daily.time") from None
        units = raw.get("daily_units") or {}
        unit = units.get("temperature_2m_max") if isinstance(units, dict) else None
        if unit not in (None, "°C"):
            raise ParseError(f"temperatures in {unit}; expected °C (temperature_unit=celsius)")
        codes = _column(daily, "weather_code", "weathercode")
        highs = _column(daily, "temperature_2m_max")
        lows = _column(daily, "temperature_2m_min")
        out: list[JSON] = []
        unknown: set[str] = set()
        for i, day_text in enumerate(days if isinstance(days, list) else ()):
            try:
                day = date.fromisoformat(str(day_text))
            except ValueError:
                continue
            if day < ctx.today:
                continue
            code = _at(codes, i)
            words = WMO_WORDS.get(int(code)) if code is not None else None
            if words is None:
                unknown.add(str(int(code)) if code is not None else "none")
                continue
            doc: JSON = {"id": f"{self.spec.id[:50]}-{day:%Y%m%d}", "order": len(out), "date": day.isoformat(),
                         "summary": dict(words)}
            for key, column in (("low", lows), ("high", highs)):
                value = _at(column, i)
                if value is not None and -80 <= value <= 70:
                    doc[key] = round(value)
            out.append(doc)
        if not out:
            raise ParseError("no forecast for today or later in the answer"
                             + (f" (unknown weather codes {', '.join(sorted(unknown))})" if unknown else ""))
        warnings = (f"unknown WMO weather code(s) {', '.join(sorted(unknown))}: those days are left out",) if unknown else ()
        return SourceResult(documents={"forecast": tuple(out[:31])}, warnings=warnings)


def _column(daily: Any, *names: str) -> list[Any]:
    for name in names:
        value = daily.get(name) if isinstance(daily, dict) else None
        if isinstance(value, list):
            return value
    return []


def _at(column: list[Any], i: int) -> float | None:
    value = column[i] if i < len(column) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)
