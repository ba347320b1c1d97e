"""``meteofrance-vigilance``: Météo-France's weather vigilance for the town's département.

Reads the vigilance JSON (``product.periods[].timelaps.domain_ids[]``, the shape of
Météo-France's DPVigilance "carte vigilance en cours" and of its open data files). For the
département (``departement = "87"``) each phenomenon at ``min_level`` or above becomes an
alert bulletin per period: orange → a warning banner, red → a critical full-screen alert,
from the period's (or the phenomenon's time steps') start to its end. A phenomenon back to
green or yellow has no bulletin: the alert is withdrawn with the next publish.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from .alerts import LEVEL_NAMES, LEVELS, bulletin, parse_instant
from .base import JSON, Context, MediaSink, ParseError, Payload, SourceResult, stable_id
from .config import Field
from .fetch import JSON_TYPES
from .simple import OneUrlSource

FIELDS = {
    "departement": Field("str", required=True, expected='the département\'s number, e.g. "87" or "2A"'),
    "min_level": Field("choice", default="orange", choices=("yellow", "orange", "red")),
}
PHENOMENA = {
    "1": ("vent violent", "strong wind"), "2": ("pluie-inondation", "rain and flooding"),
    "3": ("orages", "thunderstorms"), "4": ("crues", "river floods"), "5": ("neige-verglas", "snow and ice"),
    "6": ("canicule", "heatwave"), "7": ("grand froid", "extreme cold"), "8": ("avalanches", "avalanches"),
    "9": ("vagues-submersion", "waves and coastal flooding"),
}


class VigilanceSource(OneUrlSource):
    kind: ClassVar[str] = "meteofrance-vigilance"
    alert: ClassVar[bool] = True
    accept = JSON_TYPES
    what = "Météo-France's vigilance JSON (application/json)"

    def request_headers(self) -> dict[str, str]:
        # The public API (portail-api.meteofrance.fr) wants its key in an "apikey" header;
        # an open-data copy of the file needs none.
        return {"apikey": self.spec.credential()} if (self.spec.key_file or self.spec.key_env) else {}

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        try:
            data = json.loads(payload.body)
            product = data.get("product", data)
            periods = product["periods"]
        except (ValueError, KeyError, TypeError):
            raise ParseError(f"no product.periods; expected {self.what}") from None
        dept = str(self.spec.option("departement")).upper().zfill(2)
        min_level = LEVELS[self.spec.option("min_level")]
        updated = parse_instant(product.get("update_time")) if isinstance(product, dict) else None
        found_domain = False
        bulletins: list[JSON] = []
        for period in periods if isinstance(periods, list) else ():
            begin, end = parse_instant(period.get("begin_validity_time")), parse_instant(period.get("end_validity_time"))
            domains = ((period.get("timelaps") or {}).get("domain_ids")) or []
            for domain in domains:
                if str(domain.get("domain_id", "")).upper().zfill(2) != dept:
                    continue
                found_domain = True
                for ph in domain.get("phenomenon_items") or ():
                    level = _int(ph.get("phenomenon_max_color_id"))
                    if level < min_level or begin is None or end is None or end <= ctx.now:
                        continue
                    start, stop = _window(ph.get("timelaps_items"), min_level, begin, end)
                    bulletins.append(self._bulletin(dept, str(ph.get("phenomenon_id")), level, start, stop, updated,
                                                     ctx.tz))
        if not found_domain:
            raise ParseError(f"département {dept} is not in the vigilance file (check departement)")
        bulletins.sort(key=lambda b: b["id"])
        return SourceResult(bulletins=tuple(bulletins))

    def _bulletin(self, dept: str, phenomenon: str, level: int, start: datetime, end: datetime,
                  updated: datetime | None, tz: ZoneInfo) -> JSON:
        fr_name, en_name = PHENOMENA.get(phenomenon, ("phénomène " + phenomenon, "phenomenon " + phenomenon))
        colour_fr, colour_en = LEVEL_NAMES[min(level, 4)]
        title = {"fr": f"Vigilance {colour_fr} : {fr_name}", "en": f"{colour_en.capitalize()} weather warning: {en_name}"}
        # In the town's time, as a passer-by reads the screen's clock.
        when = updated.astimezone(tz).strftime("%d/%m/%Y %H:%M") if updated else ""
        who = self.spec.name
        body = {"fr": f"Département {dept}. Consignes sur vigilance.meteofrance.fr.\n\nSource : {who}"
                      + (f", vigilance du {when}" if when else "") + ".",
                "en": f"Département {dept}. Advice at vigilance.meteofrance.fr.\n\nSource: {who}"
                      + (f", bulletin of {when}" if when else "") + "."}
        bid = stable_id(self.spec.id, dept, phenomenon, start.date().isoformat())
        return bulletin(bid, level, title, body, start, end)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _window(steps: Any, min_level: int, begin: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The part of the period where the phenomenon is at ``min_level`` or above."""
    starts, ends = [], []
    for s in steps or ():
        if _int(s.get("color_id")) >= min_level:
            a, b = parse_instant(s.get("begin_time")), parse_instant(s.get("end_time"))
            if a and b:
                starts.append(a)
                ends.append(b)
    if starts:
        return max(begin, min(starts)), min(end, max(ends))
    return begin, end
