"""The kinds of source, by name: their class, their own options and their defaults."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import annuaire, cap, feeds, ics, openagenda, scdl_menus, vigicrues, vigilance, weather
from .base import Source, SourceSpec
from .config import Field

ETALAB = "Licence Ouverte / Etalab 2.0"

KINDS: dict[str, tuple[Callable[[SourceSpec], Source], Mapping[str, Field]]] = {
    "rss": (feeds.FeedSource, feeds.FIELDS),
    "atom": (feeds.AtomSource, feeds.FIELDS),
    "ics": (ics.IcsSource, ics.FIELDS),
    "openagenda": (openagenda.OpenAgendaSource, openagenda.FIELDS),
    "annuaire": (annuaire.AnnuaireSource, annuaire.FIELDS),
    "scdl-menus": (scdl_menus.ScdlMenusSource, scdl_menus.FIELDS),
    "cap": (cap.CapSource, cap.FIELDS),
    "meteofrance-vigilance": (vigilance.VigilanceSource, vigilance.FIELDS),
    "vigicrues": (vigicrues.VigicruesSource, vigicrues.FIELDS),
    "open-meteo": (weather.OpenMeteoSource, weather.FIELDS),
}
DEFAULTS: dict[str, Mapping[str, Any]] = {
    "openagenda": {"url": openagenda.DEFAULT_URL, "name": "OpenAgenda"},
    "annuaire": {"url": annuaire.DEFAULT_URL, "name": "Annuaire de l'administration (service-public.fr)",
                 "licence": ETALAB},
    "cap": {"name": "MeteoAlarm", "category": "alert"},
    "meteofrance-vigilance": {"name": "Météo-France", "licence": ETALAB, "category": "alert"},
    "vigicrues": {"url": vigicrues.DEFAULT_URL, "name": "Vigicrues", "licence": ETALAB, "category": "alert"},
    "open-meteo": {"url": weather.DEFAULT_URL, "name": "Open-Meteo", "licence": "CC BY 4.0"},
}
ALERT_KINDS = frozenset(k for k, (cls, _f) in KINDS.items() if getattr(cls, "alert", False))


def make_source(spec: SourceSpec) -> Source:
    return KINDS[spec.kind][0](spec)


def kind_fields() -> dict[str, Mapping[str, Field]]:
    return {k: f for k, (_c, f) in KINDS.items()}
