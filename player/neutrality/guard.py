"""What a reserve period withholds, item by item and page by page, and why."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from content_cache import DEFAULT_TIMEZONE, ItemData, LiveContent

from .rules import Election, NeutralityRules, rules_for


@dataclass(frozen=True)
class ReservePeriod:
    """The reserve period in force: the elections it covers and the instants it spans."""

    elections: tuple[Election, ...]
    start: datetime
    end: datetime  # exclusive
    clock_trusted: bool = True

    @property
    def names(self) -> str:
        return ", ".join(e.name for e in self.elections)

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    def describe(self) -> str:
        text = f"election reserve period ({self.names}) until {self.last_day.isoformat()} included"
        if not self.clock_trusted:
            text += " (clock not trusted: applied while it may be in force)"
        return text


@dataclass(frozen=True)
class Withheld:
    """A thing not shown because of the reserve period, and why."""

    item_id: str
    surface: str  # "signage" or the kiosk section
    reason: str  # "tag" | "link" | "category"
    detail: str  # the tag, the link's domain, or the category
    label: str = ""
    tags: tuple[str, ...] = ()
    category: str | None = None

    def describe(self) -> str:
        if self.reason == "tag":
            return f"tag {self.detail!r} is withheld during the reserve period"
        if self.reason == "link":
            return f"links to {self.detail}, not an allowed domain during the reserve period"
        return f"category {self.detail!r} is hidden during the reserve period"



# -- decisions --------------------------------------------------------------------------
def domain_allowed(url: str, allowed: Iterable[str]) -> bool:
    """True if ``url``'s host is one of ``allowed`` or below one (``www.x.fr`` under ``x.fr``)."""
    host = link_domain(url)
    if not host:
        return False
    return any(host == d or host.endswith("." + d) for d in allowed)


def link_domain(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    try:
        return host.encode("idna").decode("ascii").rstrip(".")
    except UnicodeError:
        return host.rstrip(".")


class NeutralityGuard:
    """The rules of one content version (and the device's override), ready to apply."""

    def __init__(self, rules: NeutralityRules, tz: ZoneInfo, published_at: datetime) -> None:
        self.rules = rules
        self.tz = tz
        self._spans = [(e, *e.bounds(tz)) for e in rules.elections]
        self._published = published_at

    def __bool__(self) -> bool:
        return bool(self._spans)

    def period_at(self, now: datetime, *, clock_trusted: bool = True) -> ReservePeriod | None:
        """The reserve period in force at ``now``, or None.

        With an untrusted clock (a Pi booted without network may read 1970), every
        period not over when the content was published counts as in force: the guard
        errs on the side of withholding.
        """
        if not self._spans:
            return None
        if clock_trusted:
            on = [(e, s, t) for e, s, t in self._spans if s <= now < t]
        else:
            on = [(e, s, t) for e, s, t in self._spans if self._published < t]
        if not on:
            return None
        return ReservePeriod(tuple(e for e, _s, _t in on), min(s for _e, s, _t in on),
                             max(t for _e, _s, t in on), clock_trusted)

    def next_change(self, now: datetime) -> datetime | None:
        """The next instant a period starts or ends after ``now`` (for the engine's deadline)."""
        later = [x for _e, s, t in self._spans for x in (s, t) if x > now]
        return min(later, default=None)

    def upcoming(self, now: datetime) -> Election | None:
        """The next election whose period has not ended (for status lines)."""
        return next((e for e, _s, t in sorted(self._spans, key=lambda x: x[1]) if now < t), None)

    # what is withheld while a period is in force
    def item(self, item: ItemData, label: str = "") -> Withheld | None:
        policy = self.rules.policy
        category = item.report_category
        for tag in sorted(item.tags & policy.withhold_tags):
            return Withheld(item.id, "signage", "tag", tag, label, tuple(sorted(item.tags)), category)
        if category and category in policy.hide_categories:
            return Withheld(item.id, "signage", "category", category, label, tuple(sorted(item.tags)), category)
        return None

    def kiosk_page(self, section: str, doc: Mapping[str, Any]) -> Withheld | None:
        policy = self.rules.policy
        doc_id = str(doc.get("id", ""))
        tags = tuple(sorted(t for t in doc.get("tags") or () if isinstance(t, str)))
        label = _doc_label(doc)
        if section in policy.hide_categories:
            return Withheld(doc_id, section, "category", section, label, tags, section)
        for tag in sorted(set(tags) & policy.withhold_tags):
            return Withheld(doc_id, section, "tag", tag, label, tags, section)
        url = doc.get("url")
        if isinstance(url, str) and url and not domain_allowed(url, policy.allowed_domains):
            return Withheld(doc_id, section, "link", link_domain(url) or url, label, tags, section)
        return None

    def filter_kiosk(self, content: LiveContent) -> tuple[LiveContent, tuple[Withheld, ...]]:
        """``content`` without the kiosk pages withheld during a period (call only then)."""
        withheld: list[Withheld] = []
        sections: dict[str, tuple[Mapping[str, object], ...]] = {}
        for section, docs in content.kiosk_sections.items():
            kept = []
            for doc in docs:
                w = self.kiosk_page(section, doc) if isinstance(doc, Mapping) else None
                if w is None:
                    kept.append(doc)
                else:
                    withheld.append(w)
            sections[section] = tuple(kept)
        return replace(content, kiosk_sections=sections), tuple(withheld)


def _doc_label(doc: Mapping[str, Any]) -> str:
    for key in ("title", "name"):
        v = doc.get(key)
        if isinstance(v, Mapping):
            return str(v.get("fr") or next(iter(v.values()), ""))
        if isinstance(v, str):
            return v
    return ""


def guard_for(content: LiveContent, local: Any = None) -> NeutralityGuard:
    """A guard for ``content`` in its site's time zone."""
    try:
        tz = ZoneInfo(content.timezone)
    except (ValueError, KeyError, OSError):
        tz = ZoneInfo(DEFAULT_TIMEZONE)
    published = content.published_at
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return NeutralityGuard(rules_for(content, local), tz, published)
