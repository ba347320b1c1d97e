"""``cap``: Common Alerting Protocol 1.2 warnings — one CAP document, or MeteoAlarm's Atom
feed of CAP entries for France, filtered by the town's geocodes (EMMA_ID or NUTS3 codes).

For the Atom feed, the CAP document each matching entry links to is fetched once (its
address names one message, so it never changes) for its headline, description and
instruction in the site's languages. ``Actual`` messages only; an ``Update`` or ``Cancel``
replaces or withdraws the messages it references. Extreme → a critical full-screen alert,
Severe → a warning banner, Moderate → a banner too when ``min_severity = "Moderate"``. The
end is the CAP ``expires`` (``default_hours`` after the start when a message has none).
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, ClassVar

from .alerts import bulletin, parse_instant
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
    stable_id,
)
from .config import Field
from .fetch import XML_TYPES
from .text import html_to_text, safe_xml

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
SEVERITY_LEVEL = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1}
FIELDS = {
    "geocodes": Field("str_list", default=(), expected='codes of the town\'s area, e.g. ["FR087", "FRI23"]'),
    "min_severity": Field("choice", default="Severe", choices=("Extreme", "Severe", "Moderate")),
    "default_hours": Field("int", default=12, minimum=1, maximum=72, expected="1 … 72 (hours)"),
}


class CapSource:
    kind: ClassVar[str] = "cap"
    alert: ClassVar[bool] = True
    what = "a CAP 1.2 document or an Atom feed of CAP entries"

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec

    def time_key(self, ctx: Context) -> str:
        return ""

    def fetch(self, fetcher: HttpGetter, state: StoredAnswers) -> Payload:
        previous = state.body()
        validators = state.validators(self.spec.url) if previous is not None else None
        kw: dict[str, Any] = {"accept": XML_TYPES, "what": self.what, "max_bytes": self.spec.max_bytes,
                              "timeout_s": self.spec.timeout_s}
        answer = fetcher.get(self.spec.url, validators=validators, **kw)
        if answer.not_modified:
            if previous is None:
                raise FetchError("answered 304 Not Modified to a first request")
            return Payload(previous, not_modified=True)
        root = safe_xml(answer.body, self.what)
        caps: dict[str, str] = {}
        if root.tag == f"{ATOM}feed":
            known = json.loads(previous).get("caps", {}) if previous else {}
            for entry in root.findall(f"{ATOM}entry"):
                if not self._matches(entry):
                    continue
                link = _cap_link(entry)
                if not link:
                    continue
                if link in known:
                    caps[link] = known[link]
                    continue
                try:
                    doc = fetcher.get(link, **{**kw, "max_bytes": 1024 * 1024})
                except FetchError as e:
                    raise FetchError(f"CAP document of {entry.findtext(f'{CAP}areaDesc') or 'an entry'}: {e}") from None
                caps[link] = doc.body.decode("utf-8", errors="replace")
        body = json.dumps({"document": answer.body.decode("utf-8", errors="replace"), "caps": caps},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        return Payload(body, not_modified=False, validators=((self.spec.url, answer.validators),))

    def _matches(self, node: Any) -> bool:
        wanted = set(self.spec.option("geocodes"))
        if not wanted:
            return True
        # <value> sits in the CAP namespace in a CAP document, in Atom's (the default) in a feed.
        codes = {(child.text or "").strip() for g in node.iter() if _local(g.tag) == "geocode"
                 for child in g if _local(child.tag) == "value"}
        return bool(codes & wanted)

    def parse(self, payload: Payload, ctx: Context, media: MediaSink) -> SourceResult:
        try:
            envelope = json.loads(payload.body)
            document = envelope["document"].encode("utf-8")
            caps = envelope.get("caps") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ParseError("stored answer unreadable") from None
        root = safe_xml(document, self.what)
        messages: list[JSON] = []
        if root.tag == f"{CAP}alert":
            messages.append(self._message(root, None))
        elif root.tag == f"{ATOM}feed":
            for entry in root.findall(f"{ATOM}entry"):
                if not self._matches(entry):
                    continue
                link = _cap_link(entry)
                cap_root = safe_xml(caps[link].encode("utf-8"), "a CAP 1.2 document") if link in caps else None
                messages.append(self._message(cap_root, entry))
        else:
            raise ParseError(f"root element {root.tag.split('}')[-1]!r}; expected {self.what}")
        referenced = {r for m in messages for r in m["references"]}
        min_level = SEVERITY_LEVEL[self.spec.option("min_severity")]
        bulletins = []
        for m in messages:
            if m["status"] != "Actual" or m["msg_type"] in ("Cancel", "Ack", "Error"):
                continue
            if m["identifier"] in referenced:
                continue  # superseded by an Update, or withdrawn by a Cancel, in the same answer
            if m["level"] < min_level:
                continue
            start = m["start"] or ctx.now
            end = m["expires"] or start + timedelta(hours=self.spec.option("default_hours"))
            if end <= ctx.now:
                continue
            body = {lang: f"{text}\n\n{_source_line(lang, m['sender'] or self.spec.name)}".strip()
                    for lang, text in m["body"].items()}
            bulletins.append(bulletin(stable_id(self.spec.id, m["identifier"]), m["level"], m["title"], body,
                                      start, end))
        bulletins.sort(key=lambda b: b["id"])
        return SourceResult(bulletins=tuple(bulletins))

    def _message(self, alert: Any, entry: Any) -> JSON:
        """One CAP message from its document (and/or its Atom entry)."""
        langs: dict[str, Any] = {}
        for info in alert.findall(f"{CAP}info") if alert is not None else []:
            code = (info.findtext(f"{CAP}language") or "en-US").split("-")[0].lower()
            langs.setdefault(code, info)
        node = alert if alert is not None else entry

        def field(name: str) -> str:
            value = node.findtext(f"{CAP}{name}") if node is not None else None
            if value is None and entry is not None:
                value = entry.findtext(f"{CAP}{name}")
            return (value or "").strip()

        first = next(iter(langs.values()), None)

        def info_field(name: str) -> str:
            for source in (first, entry):
                if source is not None and source.findtext(f"{CAP}{name}"):
                    return str(source.findtext(f"{CAP}{name}")).strip()
            return ""

        title: dict[str, str] = {}
        body: dict[str, str] = {}
        for lang, info in langs.items():
            headline = (info.findtext(f"{CAP}headline") or "").strip() or (info.findtext(f"{CAP}event") or "").strip()
            if headline:
                title[lang] = headline[:300]
            text = "\n\n".join(html_to_text(info.findtext(f"{CAP}{k}") or "") for k in ("description", "instruction"))
            if text.strip():
                body[lang] = text.strip()[:4000]
        if not title:
            area = entry.findtext(f"{CAP}areaDesc") if entry is not None else ""
            event = info_field("event") or (entry.findtext(f"{ATOM}title") if entry is not None else "") or "Alerte"
            title[self.spec.language] = f"{event} — {area}".strip(" —")[:300]
        identifier = field("identifier") or (entry.findtext(f"{ATOM}id") if entry is not None else "") or ""
        references = set()
        for ref in field("references").split():
            parts = ref.split(",")
            if len(parts) >= 2:
                references.add(parts[1])
        start = parse_instant(info_field("effective")) or parse_instant(info_field("onset")) or parse_instant(
            field("sent"))
        return {
            "identifier": identifier, "status": field("status") or "Actual", "msg_type": field("msgType") or "Alert",
            "references": references, "level": SEVERITY_LEVEL.get(info_field("severity"), 0), "title": title,
            "body": body, "start": start, "expires": parse_instant(info_field("expires")),
            "sender": info_field("senderName"),
        }


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _cap_link(entry: Any) -> str:
    for link in entry.findall(f"{ATOM}link"):
        if "cap" in (link.get("type") or "") and link.get("href"):
            return str(link.get("href"))
    return ""


def _source_line(lang: str, who: str) -> str:
    who = who or "CAP"
    return f"Source : {who}" if lang == "fr" else f"Source: {who}"
