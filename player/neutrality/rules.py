"""Elections and the neutrality policy: values, the L.52-1 reserve period, and checking
a ``neutrality`` section (manifest JSON or device TOML) into them, one line per problem."""
from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from content_cache import LiveContent

STANDARD_TAGS = frozenset({"promotion", "bilan", "campagne", "politique", "inauguration", "elus"})
DEFAULT_WITHHOLD_TAGS = frozenset({"promotion", "bilan", "campagne"})
# Public-service domains; the town adds its own (links to it stay shown).
DEFAULT_ALLOWED_DOMAINS = ("service-public.fr", "gouv.fr")
KIOSK_SECTIONS = ("services", "menus", "procedures", "events", "news", "places", "numbers")
ITEM_CATEGORIES = ("info", "event", "works", "alert", "culture", "sport", "transport", "health")
# Rounds of one election are weeks apart; a wider gap is a typo (a year, a month).
MAX_ROUNDS_GAP = timedelta(days=92)
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KEYS = ("elections", "policy")
_ELECTION_KEYS = ("name", "first_round", "last_round")
_POLICY_KEYS = ("withhold_tags", "allowed_domains", "hide_categories")


def reserve_start(first_round: date) -> date:
    """First day of the sixth month before the first round's month (L.52-1).

    Municipal elections on 15 March 2026 → 1 September 2025.
    """
    months = first_round.year * 12 + first_round.month - 1 - 6
    return date(months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class Election:
    name: str
    first_round: date
    last_round: date

    @property
    def reserve_start(self) -> date:
        return reserve_start(self.first_round)

    @property
    def reserve_end(self) -> date:
        """The last day of the period (the last round, included)."""
        return self.last_round

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as instants in ``tz``: [first day 00:00, day after the last round 00:00)."""
        return (datetime.combine(self.reserve_start, time(), tz),
                datetime.combine(self.last_round + timedelta(days=1), time(), tz))

    def matches(self, name: str) -> bool:
        return _fold(name) in (_fold(self.name), _slug(self.name))


@dataclass(frozen=True)
class Policy:
    withhold_tags: frozenset[str] = DEFAULT_WITHHOLD_TAGS
    allowed_domains: tuple[str, ...] = DEFAULT_ALLOWED_DOMAINS
    hide_categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NeutralityRules:
    """Elections and policy after checking; ``problems`` holds one line per thing left out.

    ``policy_set`` names the policy keys given explicitly (a local override replaces
    only those).
    """

    elections: tuple[Election, ...] = ()
    policy: Policy = Policy()
    problems: tuple[str, ...] = ()
    policy_set: frozenset[str] = frozenset()

    def election(self, name: str) -> Election | None:
        return next((e for e in self.elections if e.matches(name)), None)

    def over(self, base: NeutralityRules) -> NeutralityRules:
        """These (local) rules over ``base`` (published): elections are added, a local one
        replacing a published one of the same name; policy keys given here win."""
        mine = {_fold(e.name) for e in self.elections}
        elections = tuple(e for e in base.elections if _fold(e.name) not in mine) + self.elections
        policy = replace(base.policy, **{k: getattr(self.policy, k) for k in self.policy_set})
        return NeutralityRules(
            tuple(sorted(elections, key=lambda e: (e.first_round, e.name))), policy,
            base.problems + self.problems, base.policy_set | self.policy_set,
        )



# -- parsing ----------------------------------------------------------------------------
def parse_neutrality(raw: Any, *, known_tags: Iterable[str] = (),
                     where: str = "neutrality") -> NeutralityRules:
    """Check a ``neutrality`` section (manifest JSON or device TOML).

    Never raises for bad input: each problem is one line naming the field, the bad
    election or entry is left out, the rest applies.
    """
    if raw is None:
        return NeutralityRules()
    if not isinstance(raw, Mapping):
        return NeutralityRules(problems=(f"{where}: not a table/object; ignored",))
    problems: list[str] = []
    for key in raw:
        if key not in _KEYS:
            problems.append(f"{where}.{key}: unknown key{_did_you_mean(key, _KEYS)}; ignored")
    elections = _elections(raw.get("elections"), f"{where}.elections", problems)
    policy, policy_set = _policy(raw.get("policy"), f"{where}.policy", problems,
                                 STANDARD_TAGS | frozenset(known_tags))
    return NeutralityRules(elections, policy, tuple(problems), policy_set)


def content_tags(content: LiveContent) -> frozenset[str]:
    """Every tag carried by an item or a kiosk page of ``content``."""
    tags: set[str] = set()
    for pl in content.playlists.values():
        for item in pl.items:
            tags |= item.tags
    for docs in content.kiosk_sections.values():
        for doc in docs:
            found = doc.get("tags") if isinstance(doc, Mapping) else None
            if isinstance(found, list):
                tags |= {t for t in found if isinstance(t, str)}
    return frozenset(tags)


def rules_for(content: LiveContent, local: Any = None) -> NeutralityRules:
    """The rules in force for ``content``: its published section, with the device's
    ``[neutrality]`` config (``local``, raw) over it."""
    known = content_tags(content)
    rules = parse_neutrality(content.neutrality, known_tags=known)
    if local is not None:
        rules = parse_neutrality(local, known_tags=known, where="config neutrality").over(rules)
    return rules


def _elections(raw: Any, where: str, problems: list[str]) -> tuple[Election, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where}: not a list; ignored")
        return ()
    out: list[Election] = []
    seen: set[str] = set()
    for i, e in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(e, Mapping):
            problems.append(f"{at}: not a table/object; election ignored")
            continue
        bad = [f"{at}.{k}: unknown key{_did_you_mean(k, _ELECTION_KEYS)}" for k in e if k not in _ELECTION_KEYS]
        name = e.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 120:
            bad.append(f"{at}.name: {'missing' if name is None else 'must be a text of 1 to 120 characters'}")
        elif _fold(name) in seen:
            bad.append(f"{at}.name: {name!r} is listed twice")
        first = _date(e.get("first_round"), f"{at}.first_round", bad, required=True)
        last = _date(e.get("last_round"), f"{at}.last_round", bad, required=False)
        if first and last:
            if last < first:
                bad.append(f"{at}.last_round: {last.isoformat()} is before first_round {first.isoformat()}")
            elif last - first > MAX_ROUNDS_GAP:
                bad.append(f"{at}.last_round: {last.isoformat()} is more than 3 months after "
                           f"first_round {first.isoformat()}; rounds of one election are weeks apart")
        if bad:
            problems += [f"{line}; election ignored" for line in bad]
            continue
        assert first is not None and isinstance(name, str)
        seen.add(_fold(name))
        out.append(Election(name.strip(), first, last or first))
    return tuple(sorted(out, key=lambda el: (el.first_round, el.name)))


def _date(value: Any, where: str, problems: list[str], *, required: bool) -> date | None:
    if value is None:
        if required:
            problems.append(f"{where}: missing")
        return None
    if isinstance(value, datetime):
        problems.append(f"{where}: {value.isoformat()} is a date and time; write a date (YYYY-MM-DD)")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems.append(f"{where}: {value!r} is not a calendar date")
            return None
    problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    return None


def _policy(raw: Any, where: str, problems: list[str],
            known_tags: frozenset[str]) -> tuple[Policy, frozenset[str]]:
    if raw is None:
        return Policy(), frozenset()
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: not a table/object; the default policy applies")
        return Policy(), frozenset()
    for key in raw:
        if key not in _POLICY_KEYS:
            problems.append(f"{where}.{key}: unknown key{_did_you_mean(key, _POLICY_KEYS)}; ignored")
    values: dict[str, Any] = {}
    # A key whose every entry is refused counts as not given (the default, or the published
    # value under a device override, applies): a typo must not switch the guard off.
    if "withhold_tags" in raw:
        tags = _strings(raw["withhold_tags"], f"{where}.withhold_tags", problems)
        kept = set()
        for i, tag in tags:
            at = f"{where}.withhold_tags[{i}]"
            if not _TAG_RE.match(tag):
                problems.append(f"{at}: {tag!r} is not a tag id; ignored")
            elif tag not in known_tags:
                problems.append(f"{at}: unknown tag {tag!r} (no item or page carries it)"
                                f"{_did_you_mean(tag, sorted(known_tags))}; ignored")
            else:
                kept.add(tag)
        if kept or not raw["withhold_tags"]:
            values["withhold_tags"] = frozenset(kept)
    if "allowed_domains" in raw:
        domains = []
        for i, d in _strings(raw["allowed_domains"], f"{where}.allowed_domains", problems):
            name = d.strip().lower().rstrip(".")
            if name.startswith("*."):
                name = name[2:]  # "*.gouv.fr" means what "gouv.fr" means here
            with contextlib.suppress(UnicodeError):
                name = name.encode("idna").decode("ascii")
            if "/" in name or ":" in name:
                problems.append(f"{where}.allowed_domains[{i}]: {d!r} is a URL; write a domain name "
                                "such as 'valbruyere.fr'; ignored")
            elif not _DOMAIN_RE.match(name):
                problems.append(f"{where}.allowed_domains[{i}]: {d!r} is not a domain name; ignored")
            else:
                domains.append(name)
        if domains or not raw["allowed_domains"]:
            values["allowed_domains"] = tuple(dict.fromkeys(domains))
    if "hide_categories" in raw:
        known = KIOSK_SECTIONS + ITEM_CATEGORIES
        cats = set()
        for i, c in _strings(raw["hide_categories"], f"{where}.hide_categories", problems):
            if c in known:
                cats.add(c)
            else:
                problems.append(f"{where}.hide_categories[{i}]: unknown category {c!r}"
                                f"{_did_you_mean(c, known)}; ignored")
        if cats or not raw["hide_categories"]:
            values["hide_categories"] = frozenset(cats)
    return Policy(**values), frozenset(values)


def _strings(raw: Any, where: str, problems: list[str]) -> list[tuple[int, str]]:
    if not isinstance(raw, list):
        problems.append(f"{where}: not a list; ignored")
        return []
    out = []
    for i, v in enumerate(raw):
        if isinstance(v, str) and v:
            out.append((i, v))
        else:
            problems.append(f"{where}[{i}]: {v!r} is not a text; ignored")
    return out


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold(text)).strip("-")
