"""Election-period neutrality: the reserve period of each election and what it withholds.

French towns must keep their communication neutral before general elections (Code
électoral L.52-1): from the first day of the sixth month before the month of the first
round until the last round, no promotional campaign for the town's record and no link to
a list's site. The town lists its elections and a policy in the manifest's ``neutrality``
section (a device may override the policy in its config); this module computes the
reserve periods and decides, item by item and page by page, what is withheld and why.

Pure Python, no clock reading: ``now`` is passed in. A problem in the section is one line
naming the field; the bad part is left out and everything else still applies and plays.
Alerts are never withheld: safety information is not communication about a record.
"""
from __future__ import annotations

from .guard import NeutralityGuard, ReservePeriod, Withheld, domain_allowed, guard_for, link_domain
from .rules import (
    DEFAULT_ALLOWED_DOMAINS,
    DEFAULT_WITHHOLD_TAGS,
    ITEM_CATEGORIES,
    KIOSK_SECTIONS,
    STANDARD_TAGS,
    Election,
    NeutralityRules,
    Policy,
    content_tags,
    parse_neutrality,
    reserve_start,
    rules_for,
)

__all__ = [
    "DEFAULT_ALLOWED_DOMAINS", "DEFAULT_WITHHOLD_TAGS", "ITEM_CATEGORIES", "KIOSK_SECTIONS", "STANDARD_TAGS",
    "Election", "NeutralityGuard", "NeutralityRules", "Policy", "ReservePeriod", "Withheld",
    "content_tags", "domain_allowed", "guard_for", "link_domain", "parse_neutrality", "reserve_start",
    "rules_for",
]
