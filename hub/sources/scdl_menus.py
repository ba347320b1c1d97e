"""``scdl-menus``: canteen menus in the SCDL "menus collectifs" CSV (``;`` separated, one
row per dish), in both spellings of the columns — 1.2 (``menuTypeRepas``, ``menuTypePlat``,
``menuNomPlat``) and 1.2.1 and later (``menuRepasType``, ``menuPlatType``, ``menuPlatNom``).

Rows are grouped by restaurant and meal into kiosk menus, days from this week's Monday over
four weeks; each dish keeps its course, its labels (organic from the SIQO, local, vegetarian,
pork-free, homemade) and its allergens. List fields are read as written by either version
(``["lait","gluten"]`` or ``lait;gluten``).
"""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from .base import JSON, Context, MediaSink, ParseError, Payload, SourceResult, attribution, stable_id
from .config import Field
from .fetch import CSV_TYPES
from .simple import OneUrlSource

FIELDS = {
    "restaurants": Field("str_list", default=(), expected="restaurant names or ids to keep (default: all)"),
    "meals": Field("str_list", default=("déjeuner",), expected='meals such as ["déjeuner", "goûter"]'),
}
# Both spellings: the first name of each tuple is the 1.2.1+ one.
COLUMNS = {
    "restaurant": ("menuRestaurantNom",),
    "restaurant_id": ("menuRestaurantId",),
    "date": ("menuDate",),
    "meal": ("menuRepasType", "menuTypeRepas"),
    "course": ("menuPlatType", "menuTypePlat"),
    "dish": ("menuPlatNom", "menuNomPlat"),
    "siqo": ("menuPlatSiqo",),
    "label": ("menuPlatLabel",),
    "precision": ("menuPlatPrecision",),
    "regime": ("menuPlatRegime",),
    "allergens": ("menuPlatAllergene",),
    "modified": ("menuModificationDate", "menuPublicationDate"),
    "publisher": ("menuCollNom",),
}
COURSES = {"entrée": "starter", "entree": "starter", "plat principal": "main", "plat": "main",
           "garniture": "side", "accompagnement": "side", "produit laitier": "cheese", "fromage": "cheese",
           "laitage": "cheese", "dessert": "dessert", "goûter": "snack", "autre": "main"}
ORDER = ("starter", "main", "side", "cheese", "dessert", "snack")
WEEKS = 4


class ScdlMenusSource(OneUrlSource):
    kind: ClassVar[str] = "scdl-menus"
    accept = CSV_TYPES
    what = "the SCDL menus CSV (text/csv)"

    def time_key(self, ctx: Context) -> str:
        return _monday(ctx.today).isoformat()

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        text = _decode(payload.body)
        reader = csv.DictReader(io.StringIO(text), delimiter=";")
        names = reader.fieldnames or []
        cols = {k: next((c for c in options if c in names), None) for k, options in COLUMNS.items()}
        missing = [COLUMNS[k][0] for k in ("restaurant", "date", "meal", "course", "dish") if cols[k] is None]
        if missing:
            raise ParseError(f"columns {', '.join(missing)} not found (read {len(names)} column(s) separated by "
                             f"';'); expected {self.what}, version 1.2 or later")
        spec = self.spec
        lang = spec.language
        first = _monday(ctx.today)
        last = first + timedelta(days=7 * WEEKS - 1)
        keep_restaurants = {r.lower() for r in spec.option("restaurants")}
        keep_meals = {m.lower() for m in spec.option("meals")}
        menus: dict[tuple[str, str], dict[str, Any]] = {}
        days: dict[tuple[str, str], dict[date, list[JSON]]] = defaultdict(lambda: defaultdict(list))
        warnings: list[str] = []
        latest: date | None = None
        publisher = ""

        def get(row: dict[str, str], key: str) -> str:
            col = cols[key]
            return (row.get(col) or "").strip() if col else ""

        for n, row in enumerate(reader, start=2):
            restaurant, rid = get(row, "restaurant"), get(row, "restaurant_id")
            meal = get(row, "meal").lower()
            if keep_restaurants and restaurant.lower() not in keep_restaurants and rid.lower() not in keep_restaurants:
                continue
            if keep_meals and meal not in keep_meals:
                continue
            try:
                day = date.fromisoformat(get(row, "date")[:10])
            except ValueError:
                warnings.append(f"line {n}: menuDate {get(row, 'date')!r} is not a date (AAAA-MM-JJ); left out")
                continue
            if not first <= day <= last:
                continue
            course = COURSES.get(get(row, "course").lower())
            dish = get(row, "dish")
            if course is None or not dish:
                continue  # bread, or a row without a dish
            if meal in ("goûter", "collation"):
                course = "snack"
            key = (rid or restaurant, meal)
            menus.setdefault(key, {"restaurant": restaurant or rid, "meal": meal})
            entry: JSON = {"course": course, "dish": {lang: dish[:300]}}
            labels = _labels(get(row, "siqo"), get(row, "label"), get(row, "regime"), get(row, "precision"))
            if labels:
                entry["labels"] = labels
            allergens = _list(get(row, "allergens"))
            if allergens:
                entry["allergens"] = allergens[:14]
            days[key][day].append(entry)
            modified = _datetime(get(row, "modified"))
            if modified and (latest is None or modified > latest):
                latest = modified
            publisher = publisher or get(row, "publisher")
        docs = []
        for key, info in sorted(menus.items()):
            name = info["restaurant"] if info["meal"] in ("déjeuner", "") else f"{info['restaurant']} — {info['meal']}"
            doc_days = []
            for day in sorted(days[key]):
                courses = sorted(days[key][day], key=lambda c: ORDER.index(c["course"]))[:12]
                doc_days.append({"date": day.isoformat(), "courses": courses})
            doc: JSON = {"id": stable_id(spec.id, *key), "name": {lang: name[:300]}, "days": doc_days}
            doc["source"] = attribution(spec.name or publisher or "Menus", None, latest or ctx.now, spec.licence)
            docs.append(doc)
        return SourceResult({"menus": tuple(docs)}, warnings=tuple(warnings[:20]))


def _decode(body: bytes) -> str:
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")  # a spreadsheet's export


def _list(value: str) -> list[str]:
    """``["lait","gluten"]`` (1.2.1+) or ``lait;gluten`` / ``lait, gluten`` (1.2)."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("["):
        try:
            parsed = json.loads(value)
            return [str(v).strip() for v in parsed if str(v).strip()]
        except ValueError:
            value = value.strip("[]")
    sep = ";" if ";" in value else ","
    return [v.strip().strip('"').strip() for v in value.split(sep) if v.strip().strip('"').strip()]


def _labels(siqo: str, label: str, regime: str, precision: str) -> list[str]:
    words = " ".join([*_list(siqo), *_list(label), *_list(regime), *_list(precision)]).lower()
    out = []
    if "biologique" in words or " bio" in f" {words}":
        out.append("organic")
    if "local" in words or "circuit court" in words or "régional" in words:
        out.append("local")
    if "végétarien" in words or "vegetarien" in words:
        out.append("vegetarian")
    if "sans porc" in words:
        out.append("pork-free")
    if "fait maison" in words or "maison" in words.split():
        out.append("homemade")
    return out


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _datetime(value: str) -> date | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date() if value else None
    except ValueError:
        return None
