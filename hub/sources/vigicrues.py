"""``vigicrues``: the flood vigilance level of chosen river sections (Vigicrues' GeoJSON of
``InfoVigiCru``: one feature per section, ``CdEntCru`` its code, ``NivInfViCr`` its level
1 green … 4 red).

Each listed section (``sections = ["LO7"]``) at ``min_level`` or above becomes an alert
bulletin: orange → a warning banner, red → a critical full-screen alert. Vigicrues gives no
end, so the bulletin's window is a fixed twelve-hour step (it starts at the last 00:00 or
12:00 UTC and lasts ``valid_hours``): it is renewed by each publish while the level holds,
ends by itself if the publisher stops, and does not make a new version at every run.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import ClassVar

from .alerts import LEVEL_NAMES, LEVELS, bucket, bulletin
from .base import JSON, Context, MediaSink, ParseError, Payload, SourceResult, stable_id
from .config import Field
from .fetch import JSON_TYPES
from .simple import OneUrlSource

FIELDS = {
    "sections": Field("str_list", required=True, expected='section codes, e.g. ["LO7"] (vigicrues.gouv.fr)'),
    "min_level": Field("choice", default="orange", choices=("yellow", "orange", "red")),
    "valid_hours": Field("int", default=24, minimum=13, maximum=72, expected="13 … 72 (hours)"),
}
DEFAULT_URL = "https://www.vigicrues.gouv.fr/services/1/InfoVigiCru.geojson"


class VigicruesSource(OneUrlSource):
    kind: ClassVar[str] = "vigicrues"
    alert: ClassVar[bool] = True
    accept = JSON_TYPES
    what = "Vigicrues' GeoJSON (application/json)"

    def time_key(self, ctx: Context) -> str:
        return bucket(ctx.now).isoformat()

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        try:
            features = json.loads(payload.body)["features"]
        except (ValueError, KeyError, TypeError):
            raise ParseError(f"no features; expected {self.what}") from None
        wanted = {s.upper() for s in self.spec.option("sections")}
        min_level = LEVELS[self.spec.option("min_level")]
        start = bucket(ctx.now)
        end = start + timedelta(hours=self.spec.option("valid_hours"))
        seen = set()
        bulletins: list[JSON] = []
        for f in features if isinstance(features, list) else ():
            props = f.get("properties") if isinstance(f, dict) else None
            if not isinstance(props, dict):
                continue
            code = str(props.get("CdEntCru") or props.get("CdEntVigiCru") or "").upper()
            if code not in wanted:
                continue
            seen.add(code)
            try:
                level = int(props.get("NivInfViCr") or 0)
            except (TypeError, ValueError):
                continue
            if level < min_level:
                continue
            name = str(props.get("lbentcru") or props.get("LbEntCru") or code)
            colour_fr, colour_en = LEVEL_NAMES[min(level, 4)]
            title = {"fr": f"Vigilance crues {colour_fr} : {name}", "en": f"{colour_en.capitalize()} flood warning: {name}"}
            body = {"fr": f"Tronçon {code}. Suivez l'évolution sur vigicrues.gouv.fr.\n\nSource : {self.spec.name}.",
                    "en": f"Section {code}. Updates at vigicrues.gouv.fr.\n\nSource: {self.spec.name}."}
            bulletins.append(bulletin(stable_id(self.spec.id, code, level), level, title, body, start, end))
        missing = wanted - seen
        warnings = (f"section(s) {', '.join(sorted(missing))} not in the Vigicrues data (check sections)",) if missing else ()
        if not seen:
            raise ParseError(f"none of the sections {', '.join(sorted(wanted))} is in the Vigicrues data")
        bulletins.sort(key=lambda b: b["id"])
        return SourceResult(bulletins=tuple(bulletins), warnings=warnings)
