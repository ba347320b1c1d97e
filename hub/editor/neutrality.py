"""The election-period guard's verdict on a document, said in the form, and whether a
reserve period is in force (then every change waits for a publisher's approval).

The rules are the player's (:mod:`player.neutrality`): the same tags, categories and link
domains are withheld on the screens, over the same days, as the devices will decide.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from player.neutrality import Election, NeutralityRules, domain_allowed, link_domain, parse_neutrality

from .text import N_, Message

KIOSK = ("services", "menus", "procedures", "events", "news", "places", "numbers")


@dataclass(frozen=True)
class Period:
    names: str
    first_day: date
    last_day: date


def rules_of(site_file: Mapping[str, Any], known_tags: Sequence[str] = ()) -> NeutralityRules:
    """The elections and policy of site.toml's ``[neutrality]`` (problems ignored here:
    ``kiosk publish`` says them)."""
    raw = site_file.get("neutrality")
    return parse_neutrality(_jsonable(raw), known_tags=known_tags) if raw is not None else NeutralityRules()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def _period(e: Election) -> Period:
    return Period(e.name, e.reserve_start, e.reserve_end)


def period_now(rules: NeutralityRules, now: datetime, tz: ZoneInfo) -> Period | None:
    """The reserve period in force at ``now`` (several elections: their union)."""
    on = [e for e in rules.elections if e.bounds(tz)[0] <= now < e.bounds(tz)[1]]
    if not on:
        return None
    return Period(", ".join(e.name for e in on), min(e.reserve_start for e in on), max(e.reserve_end for e in on))


def _overlaps(e: Election, tz: ZoneInfo, start: datetime | None, end: datetime | None, now: datetime) -> bool:
    a, b = e.bounds(tz)
    if b <= now:
        return False
    return (start is None or start < b) and (end is None or end > a)


def _when(value: Any, tz: ZoneInfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time(), tz)
    return None


def verdict(section: str, values: Mapping[str, Any], rules: NeutralityRules, now: datetime,
            tz: ZoneInfo) -> list[Message]:
    """What the screens will withhold of this document during the reserve periods still to
    come or in force, one message each ("tagged bilan: withheld on every screen from
    2027-09-01 to 2028-03-19"). ``section``: ``signage`` (a loop's item or a bulletin),
    ``alert`` or a kiosk section."""
    if section == "alert" or not rules.elections:
        return []
    policy = rules.policy
    tags = [t for t in values.get("tags") or () if isinstance(t, str)]
    start = _when(values.get("valid_from") or values.get("start"), tz)
    end = _when(values.get("valid_until") or values.get("end"), tz)
    reasons: list[tuple[str, dict[str, Any]]] = []
    for tag in sorted(set(tags) & policy.withhold_tags):
        reasons.append((N_("tagged %(tag)s: withheld on every screen from %(start)s to %(end)s"), {"tag": tag}))
    category = section if section in KIOSK else values.get("category")
    if isinstance(category, str) and category in policy.hide_categories:
        reasons.append((N_("category %(category)s: hidden on every screen from %(start)s to %(end)s"),
                        {"category": category}))
    url = values.get("url")
    if section in KIOSK and isinstance(url, str) and url and not domain_allowed(url, policy.allowed_domains):
        reasons.append((N_("links to %(domain)s, not an allowed domain: withheld on every screen from %(start)s "
                           "to %(end)s"), {"domain": link_domain(url) or url}))
    out = []
    for e in rules.elections:
        if not _overlaps(e, tz, start, end, now):
            continue
        for text, params in reasons:
            out.append(Message(text, {**params, "start": e.reserve_start.isoformat(),
                                      "end": e.reserve_end.isoformat(), "election": e.name}))
    return out


def describe_period(p: Period) -> Message:
    return Message(N_("Election reserve period (%(names)s) from %(start)s to %(end)s: every change waits for a "
                      "publisher's approval."), {"names": p.names, "start": p.first_day.isoformat(),
                                                   "end": p.last_day.isoformat()})


def next_period(rules: NeutralityRules, now: datetime, tz: ZoneInfo, within: timedelta = timedelta(days=120)) -> Period | None:
    """The next reserve period starting within ``within`` (the pages warn ahead)."""
    ahead = [e for e in rules.elections if now < e.bounds(tz)[0] <= now + within]
    return _period(min(ahead, key=lambda e: e.first_round)) if ahead else None
