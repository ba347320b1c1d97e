"""``openagenda``: an agenda on OpenAgenda (API v2).

The API key goes in the ``key`` header (from ``key_file`` or ``key_env``). A cheap probe
first (the most recently updated event and the total, asked conditionally): when neither
changed, nothing else is requested and the stored agenda is used. Otherwise every page is
read, ``relative[]=current&relative[]=upcoming``, ``monolingual`` in the source's language,
following the ``after`` cursor. Each timing within ``horizon_days`` becomes a kiosk agenda
event; OpenAgenda's status (cancelled, postponed, full, rescheduled, moved online) is
shown; an event's image becomes the page's picture.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, ClassVar

from .base import (
    JSON,
    Context,
    FetchError,
    HttpGetter,
    MediaSink,
    ParseError,
    Payload,
    SourceResult,
    SourceSpec,
    StoredAnswers,
    attribution,
    stable_id,
)
from .config import Field
from .fetch import JSON_TYPES
from .text import html_to_text, https_only

FIELDS = {
    "agenda": Field("str", required=True, expected="the agenda's uid, e.g. \"12345678\""),
    "horizon_days": Field("int", default=90, minimum=1, maximum=400, expected="1 … 400 (days)"),
    "page_size": Field("int", default=100, minimum=10, maximum=300, expected="10 … 300"),
    "max_pages": Field("int", default=100, minimum=1, maximum=1000, expected="1 … 1000"),
    "max_timings": Field("int", default=20, minimum=1, maximum=400, expected="1 … 400 (per event)"),
}
DEFAULT_URL = "https://api.openagenda.com/v2/agendas/{agenda}/events"
# OpenAgenda's event status codes → what the kiosk shows (1 = scheduled: nothing).
STATUSES = {2: "rescheduled", 3: "moved-online", 4: "postponed", 5: "full", 6: "cancelled"}


class OpenAgendaSource:
    kind: ClassVar[str] = "openagenda"
    alert: ClassVar[bool] = False
    what = "OpenAgenda's JSON (application/json)"

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.url = spec.url.replace("{agenda}", str(spec.option("agenda")))

    def time_key(self, ctx: Context) -> str:
        return ctx.today.isoformat()

    def _params(self, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [("relative[]", "current"), ("relative[]", "upcoming"), ("monolingual", self.spec.language), *extra]

    def fetch(self, fetcher: HttpGetter, state: StoredAnswers) -> Payload:
        headers = {"key": self.spec.credential()}
        previous = state.body()
        probe_url = self.url + "#probe"  # validators are kept per request, not per address
        validators = state.validators(probe_url) if previous is not None else None
        kw: dict[str, Any] = {"accept": JSON_TYPES, "what": self.what, "headers": headers,
                              "max_bytes": self.spec.max_bytes, "timeout_s": self.spec.timeout_s}
        probe = fetcher.get(self.url, params=self._params([("size", "1"), ("sort", "updatedAt.desc")]),
                            validators=validators, **kw)
        if probe.not_modified and previous is not None:
            return Payload(previous, not_modified=True)
        marker = _marker(probe.body) if not probe.not_modified else None
        if previous is not None and marker is not None and json.loads(previous).get("marker") == marker:
            return Payload(previous, not_modified=True, validators=((probe_url, probe.validators),))
        events: list[Any] = []
        after: list[str] = []
        for _page in range(self.spec.option("max_pages")):
            extra = [("size", str(self.spec.option("page_size")))] + [("after[]", a) for a in after]
            answer = fetcher.get(self.url, params=self._params(extra), **kw)
            try:
                page = json.loads(answer.body)
            except ValueError:
                raise FetchError(f"a page is not JSON; expected {self.what}") from None
            if not isinstance(page, dict) or not isinstance(page.get("events"), list):
                raise FetchError(f"a page has no events list; expected {self.what}")
            events += page["events"]
            cursor = page.get("after")
            if not page["events"] or not cursor:
                break
            after = [str(c) for c in (cursor if isinstance(cursor, list) else [cursor])]
        else:
            raise FetchError(f"more than {self.spec.option('max_pages')} pages (max_pages)")
        body = json.dumps({"marker": marker, "events": events}, ensure_ascii=False, sort_keys=True).encode()
        return Payload(body, not_modified=False, validators=((probe_url, probe.validators),))

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        try:
            events = json.loads(payload.body)["events"]
        except (ValueError, KeyError, TypeError):
            raise ParseError(f"stored agenda unreadable; expected {self.what}") from None
        spec = self.spec
        lang = spec.language
        name = spec.name or "OpenAgenda"
        start, end = ctx.now - timedelta(days=1), ctx.now + timedelta(days=spec.option("horizon_days"))
        docs: list[JSON] = []
        files = []
        for ev in events:
            if not isinstance(ev, dict) or not ev.get("uid"):
                continue
            title = html_to_text(_text(ev.get("title"), lang), limit=300)
            if not title:
                continue
            base: JSON = {"title": {lang: title}}
            description = html_to_text(_text(ev.get("longDescription"), lang) or _text(ev.get("description"), lang))
            if description:
                base["description"] = {lang: description}
            place = _place(ev.get("location"))
            if place:
                base["place"] = {lang: place}
            url = https_only(ev.get("onlineAccessLink")) or https_only(
                f"https://openagenda.com/agendas/{spec.option('agenda')}/events/{ev.get('slug')}" if ev.get("slug") else "")
            if url:
                base["url"] = url
            code = ev.get("status")
            status = STATUSES.get(code, "") if isinstance(code, int) else ""
            if status:
                base["status"] = status
            if spec.tags:
                base["tags"] = list(spec.tags)
            image_url = _image(ev.get("image"))
            picture = media.image(image_url) if image_url else None
            if picture:
                base["image"] = picture.sha256
                files.append(picture)
            base["source"] = attribution(name, url, _instant(ev.get("updatedAt")) or ctx.now, spec.licence)
            kept = 0
            for timing in ev.get("timings") or ():
                t0, t1 = _instant(timing.get("begin")), _instant(timing.get("end"))
                if t0 is None or (t1 or t0) < start or t0 >= end:
                    continue
                if kept >= spec.option("max_timings"):
                    break
                kept += 1
                doc = {"id": stable_id(spec.id, ev["uid"], timing.get("begin")), **base,
                       "start": t0.astimezone(ctx.tz).isoformat()}
                if t1 is not None and t1 > t0:
                    doc["end"] = t1.astimezone(ctx.tz).isoformat()
                docs.append(doc)
        docs.sort(key=lambda d: (d["start"], d["id"]))
        return SourceResult({"events": tuple(docs)}, media=tuple({m.sha256: m for m in files}.values()))


def _marker(body: bytes) -> str | None:
    """What says the agenda changed: the total and the most recently updated event."""
    try:
        page = json.loads(body)
        first = (page.get("events") or [{}])[0]
        return f"{page.get('total')}|{first.get('uid')}|{first.get('updatedAt')}"
    except (ValueError, AttributeError, TypeError):
        raise FetchError("the probe is not OpenAgenda's JSON") from None


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):  # not monolingual: {"fr": …, "en": …}
        return str(value.get(lang) or next(iter(value.values()), "") or "")
    return str(value or "")


def _place(loc: Any) -> str:
    if not isinstance(loc, dict):
        return ""
    parts = [str(loc.get(k) or "").strip() for k in ("name", "address")]
    city = str(loc.get("city") or "").strip()
    text = ", ".join(p for p in parts if p)
    if city and city.lower() not in text.lower():
        text = f"{text}, {city}" if text else city
    return text[:300]


def _image(image: Any) -> str:
    if not isinstance(image, dict):
        return ""
    base = str(image.get("base") or "")
    for variant in image.get("variants") or ():
        if variant.get("type") == "full" and variant.get("filename"):
            return base + str(variant["filename"])
    return base + str(image["filename"]) if image.get("filename") else ""


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else None
