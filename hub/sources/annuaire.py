"""``annuaire``: the town's public services from the API Annuaire de l'administration
(service-public.fr's national directory, Opendatasoft "explore" API v2.1).

The records of the commune (``insee``) whose ``pivot`` type is one of ``types`` (``mairie``,
``bibliotheque``, ``cpam`` …) become kiosk services (or places, ``section = "places"``):
name, address, phone, web site, and opening hours from ``plage_ouverture`` (day ranges with
one or two slots; the directory's free-text ``commentaire`` is shown as a note). Several
fields arrive as JSON written inside a string: both forms are read.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from .base import JSON, Context, MediaSink, ParseError, Payload, SourceResult, attribution, stable_id
from .config import Field
from .fetch import JSON_TYPES
from .simple import OneUrlSource
from .text import html_to_text, https_only

FIELDS = {
    "insee": Field("str", required=True, expected="the commune's INSEE code, e.g. \"87085\""),
    "types": Field("str_list", default=(), expected='pivot types such as ["mairie", "bibliotheque"]'),
    "section": Field("choice", default="services", choices=("services", "places")),
}
DEFAULT_URL = ("https://api-lannuaire.service-public.fr/api/explore/v2.1/catalog/datasets/"
               "api-lannuaire-administration/records")
DAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class AnnuaireSource(OneUrlSource):
    kind: ClassVar[str] = "annuaire"
    accept = JSON_TYPES
    what = "the Annuaire's JSON records (application/json)"

    def request_params(self) -> list[tuple[str, str]]:
        return [("where", f'code_insee_commune="{self.spec.option("insee")}"'), ("limit", "100")]

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        try:
            data = json.loads(payload.body)
        except ValueError:
            raise ParseError(f"not JSON; expected {self.what}") from None
        records = data.get("results") if isinstance(data, dict) else None
        if not isinstance(records, list):
            raise ParseError(f"no results list; expected {self.what}")
        spec = self.spec
        wanted = set(spec.option("types"))
        section = spec.option("section")
        docs: list[JSON] = []
        warnings: list[str] = []
        for rec in records:
            if not isinstance(rec, dict) or not rec.get("nom"):
                continue
            types = {p.get("type_service_local") for p in _list(rec.get("pivot")) if isinstance(p, dict)}
            if wanted and not types & wanted:
                continue
            doc, problems = self._doc(rec, section, ctx)
            warnings += problems
            docs.append(doc)
        docs.sort(key=lambda d: d["id"])
        return SourceResult({section: tuple(docs)}, warnings=tuple(warnings))

    def _doc(self, rec: dict[str, Any], section: str, ctx: Context) -> tuple[JSON, list[str]]:
        spec = self.spec
        lang = spec.language
        doc: JSON = {"id": stable_id(spec.id, rec.get("id") or rec["nom"]), "name": {lang: str(rec["nom"])[:300]}}
        addresses = [a for a in _list(rec.get("adresse")) if isinstance(a, dict)]
        if addresses:
            a = next((x for x in addresses if x.get("type_adresse") == "Adresse"), addresses[0])
            line = ", ".join(p for p in (str(a.get("complement1") or "").strip(), str(a.get("numero_voie") or "").strip(),
                                         f"{a.get('code_postal') or ''} {a.get('nom_commune') or ''}".strip()) if p)
            if line:
                doc["address"] = line[:500]
            if section == "places":
                lat, lon = _float(a.get("latitude")), _float(a.get("longitude"))
                if lat is not None and lon is not None:
                    doc["latitude"], doc["longitude"] = lat, lon
        phones = [p for p in _list(rec.get("telephone")) if isinstance(p, dict) and p.get("valeur")]
        if phones:
            doc["phone"] = str(phones[0]["valeur"])[:40]
        sites = [s for s in _list(rec.get("site_internet")) if isinstance(s, dict)]
        url = next((https_only(str(s.get("valeur") or "")) for s in sites if https_only(str(s.get("valeur") or ""))), "")
        if url:
            doc["url"] = url
        hours, notes, problems = _hours(_list(rec.get("plage_ouverture")), doc["id"])
        if hours:
            doc["hours"] = hours
        if notes:
            doc["description"] = {lang: "\n".join(notes)}
        if section == "places":
            doc["kind"] = "public_service"
        if spec.tags:
            doc["tags"] = list(spec.tags)
        doc["source"] = attribution(spec.name, https_only(str(rec.get("url_service_public") or "")) or None,
                                    _modified(rec.get("date_modification")) or ctx.now, spec.licence)
        return doc, problems


def _list(value: Any) -> list[Any]:
    """A field that may be a list or a JSON-encoded list (the directory sends both)."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return []
    if isinstance(value, dict):
        return [value]
    return value if isinstance(value, list) else []


def _hhmm(value: Any) -> str | None:
    text = str(value or "").strip()
    if len(text) >= 5 and text[2] == ":" and text[:2].isdigit() and text[3:5].isdigit():
        return text[:5]
    return None


def _hours(plages: list[Any], where: str) -> tuple[JSON | None, list[str], list[str]]:
    weekly: dict[str, list[list[str]]] = {}
    notes: list[str] = []
    problems: list[str] = []
    for p in plages:
        if not isinstance(p, dict):
            continue
        first = DAYS.get(str(p.get("nom_jour_debut") or "").strip().lower())
        last = DAYS.get(str(p.get("nom_jour_fin") or p.get("nom_jour_debut") or "").strip().lower())
        comment = html_to_text(str(p.get("commentaire") or ""), limit=500)
        if comment and comment not in notes:
            notes.append(comment)
        if first is None or last is None:
            problems.append(f"{where}: plage_ouverture: unknown day {p.get('nom_jour_debut')!r}; left out")
            continue
        slots = []
        for n in (1, 2, 3):
            a, b = _hhmm(p.get(f"valeur_heure_debut_{n}")), _hhmm(p.get(f"valeur_heure_fin_{n}"))
            if a and b and a != b:
                slots.append([a, b])
        day = first
        while True:
            weekly.setdefault(WEEKDAYS[day], []).extend(slots)
            if day == last:
                break
            day = (day + 1) % 7
    weekly = {d: sorted(s) for d, s in weekly.items() if s}
    return ({"weekly": weekly} if weekly else None), notes, problems


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _modified(value: Any) -> datetime | None:
    text = str(value or "")
    for fmt in ("%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
