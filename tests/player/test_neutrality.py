"""Election-period neutrality: reserve periods (Code électoral L.52-1), policy checks and
what the engine and the kiosk withhold, at fixed Europe/Paris instants."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from player.engine import ScheduleEngine
from player.neutrality import (
    DEFAULT_ALLOWED_DOMAINS,
    Election,
    domain_allowed,
    guard_for,
    parse_neutrality,
    reserve_start,
    rules_for,
)

from .builders import PARIS, at, bulletin, bulletin_item, content, ids, image

MUNICIPALES = {"name": "Municipales 2026", "first_round": "2026-03-15", "last_round": "2026-03-22"}
POLICY = {"withhold_tags": ["bilan", "promotion"], "allowed_domains": ["valbruyere.fr", "service-public.fr"],
          "hide_categories": ["news"]}


@pytest.mark.parametrize(
    "first_round, start",
    [
        (date(2026, 3, 15), date(2025, 9, 1)),  # the law's own example: municipales 2026
        (date(2027, 6, 13), date(2026, 12, 1)),  # June → December of the year before
        (date(2027, 4, 11), date(2026, 10, 1)),
        (date(2027, 7, 4), date(2027, 1, 1)),  # July → 1 January, same year
        (date(2027, 1, 10), date(2026, 7, 1)),  # January → July of the year before
        (date(2026, 12, 6), date(2026, 6, 1)),
        (date(2028, 2, 29), date(2027, 8, 1)),  # a 29 February round
        (date(2026, 3, 1), date(2025, 9, 1)),  # first of the month: still the sixth month before
        (date(2026, 3, 31), date(2025, 9, 1)),
    ],
)
def test_reserve_period_starts_on_the_first_day_of_the_sixth_month_before_the_first_round(first_round, start) -> None:
    assert reserve_start(first_round) == start


def test_a_two_round_election_is_in_force_until_the_end_of_its_last_round_day() -> None:
    guard = guard_for(_with(content(image("a")), {"elections": [MUNICIPALES]}))
    assert guard.period_at(at(2025, 8, 31, 23, 59, 59)) is None
    period = guard.period_at(at(2025, 9, 1, 0, 0))
    assert period is not None and period.names == "Municipales 2026"
    assert period.start == at(2025, 9, 1) and period.last_day == date(2026, 3, 22)
    assert guard.period_at(at(2026, 3, 15, 12)) is not None  # between the rounds
    assert guard.period_at(at(2026, 3, 22, 23, 59, 59)) is not None
    assert guard.period_at(at(2026, 3, 23, 0, 0)) is None
    # the end is local midnight, whatever the UTC offset (winter time here)
    assert guard.next_change(at(2026, 3, 20)) == at(2026, 3, 23)


def test_a_single_round_election_ends_with_its_first_round() -> None:
    guard = guard_for(_with(content(image("a")), {"elections": [{"name": "Européennes", "first_round": "2029-06-10"}]}))
    assert guard.period_at(at(2028, 12, 1)) is not None
    assert guard.period_at(at(2029, 6, 10, 22)) is not None
    assert guard.period_at(at(2029, 6, 11)) is None


def test_overlapping_elections_make_one_period_naming_both() -> None:
    guard = guard_for(_with(content(image("a")), {"elections": [
        {"name": "Présidentielle 2027", "first_round": "2027-04-11", "last_round": "2027-04-25"},
        {"name": "Législatives 2027", "first_round": "2027-06-13", "last_round": "2027-06-20"},
    ]}))
    period = guard.period_at(at(2027, 1, 5))
    assert period is not None and period.names == "Présidentielle 2027, Législatives 2027"
    assert period.end == at(2027, 6, 21)
    only = guard.period_at(at(2027, 5, 1))
    assert only is not None and only.names == "Législatives 2027"


@pytest.mark.parametrize(
    "raw, line",
    [
        ({"elections": [{"name": "X", "first_round": "2026-02-30"}]},
         "neutrality.elections[0].first_round: '2026-02-30' is not a calendar date; election ignored"),
        ({"elections": [{"name": "X", "first_round": "2026-03-22", "last_round": "2026-03-15"}]},
         "neutrality.elections[0].last_round: 2026-03-15 is before first_round 2026-03-22; election ignored"),
        ({"elections": [{"name": "X", "first_round": "2026-03-15", "last_round": "2027-03-22"}]},
         "neutrality.elections[0].last_round: 2027-03-22 is more than 3 months after first_round 2026-03-15; "
         "rounds of one election are weeks apart; election ignored"),
        ({"elections": [{"name": "X", "first_round": "15/03/2026"}]},
         "neutrality.elections[0].first_round: '15/03/2026' is not a date (YYYY-MM-DD); election ignored"),
        ({"elections": [{"first_round": "2026-03-15"}]},
         "neutrality.elections[0].name: missing; election ignored"),
        ({"elections": [{"name": "X", "first_round": "2026-03-15", "second_round": "2026-03-22"}]},
         "neutrality.elections[0].second_round: unknown key (did you mean 'last_round'?); election ignored"),
        ({"policy": {"withhold_tags": ["promotoin"]}},
         "neutrality.policy.withhold_tags[0]: unknown tag 'promotoin' (no item or page carries it) "
         "(did you mean 'promotion'?); ignored"),
        ({"policy": {"allowed_domains": ["https://valbruyere.fr/"]}},
         "neutrality.policy.allowed_domains[0]: 'https://valbruyere.fr/' is a URL; write a domain name "
         "such as 'valbruyere.fr'; ignored"),
        ({"policy": {"hide_categories": ["nouvelles"]}},
         "neutrality.policy.hide_categories[0]: unknown category 'nouvelles'; ignored"),
        ({"policy": {"withold_tags": ["bilan"]}},
         "neutrality.policy.withold_tags: unknown key (did you mean 'withhold_tags'?); ignored"),
        ({"elections": {"name": "X"}}, "neutrality.elections: not a list; ignored"),
    ],
)
def test_each_bad_entry_is_one_line_naming_the_field(raw, line) -> None:
    rules = parse_neutrality(raw)
    assert rules.problems == (line,)


def test_a_bad_election_is_left_out_and_the_others_still_apply() -> None:
    rules = parse_neutrality({"elections": [
        {"name": "Bad", "first_round": "2026-02-30"},
        MUNICIPALES,
        {"name": "municipales  2026", "first_round": "2026-03-15"},  # same name, other spelling
    ], "policy": {"withhold_tags": ["bilan", "nope"]}})
    assert [e.name for e in rules.elections] == ["Municipales 2026"]
    assert len(rules.problems) == 3
    assert rules.problems[1] == "neutrality.elections[2].name: 'municipales  2026' is listed twice; election ignored"
    assert rules.policy.withhold_tags == {"bilan"}
    assert rules.election("MUNICIPALES 2026") is rules.elections[0]
    assert rules.election("municipales-2026") is rules.elections[0]  # the slug works on a command line


def test_a_tag_carried_by_the_content_is_known_to_the_policy() -> None:
    c = _with(content(image("a", tags={"fete-du-village"})),
              {"policy": {"withhold_tags": ["fete-du-village"]}})
    assert rules_for(c).problems == ()
    assert rules_for(c).policy.withhold_tags == {"fete-du-village"}


def test_a_policy_key_whose_every_entry_is_refused_does_not_switch_the_guard_off() -> None:
    c = _with(content(image("a")), {"elections": [MUNICIPALES], "policy": POLICY})
    rules = rules_for(c, {"policy": {"withhold_tags": ["promotoin"], "allowed_domains": ["https://x.fr/"]}})
    assert rules.policy.withhold_tags == {"bilan", "promotion"}  # the published value stays
    assert rules.policy.allowed_domains == ("valbruyere.fr", "service-public.fr")
    assert len(rules.problems) == 2
    alone = parse_neutrality({"policy": {"withhold_tags": ["promotoin"]}})
    assert alone.policy.withhold_tags == {"promotion", "bilan", "campagne"}  # the default
    explicit = parse_neutrality({"policy": {"withhold_tags": []}})
    assert explicit.policy.withhold_tags == frozenset()  # withholding nothing is a choice


def test_defaults_without_a_policy() -> None:
    rules = parse_neutrality({"elections": [MUNICIPALES]})
    assert rules.policy.withhold_tags == {"promotion", "bilan", "campagne"}
    assert rules.policy.allowed_domains == DEFAULT_ALLOWED_DOMAINS
    assert rules.problems == ()


def test_the_device_config_overrides_the_published_policy_key_by_key() -> None:
    c = _with(content(image("a")), {"elections": [MUNICIPALES], "policy": POLICY})
    local = {"policy": {"withhold_tags": ["campagne"]},
             "elections": [{"name": "Partielle", "first_round": "2027-02-07", "last_round": "2027-02-14"}]}
    rules = rules_for(c, local)
    assert rules.policy.withhold_tags == {"campagne"}
    assert rules.policy.allowed_domains == ("valbruyere.fr", "service-public.fr")  # published kept
    assert [e.name for e in rules.elections] == ["Municipales 2026", "Partielle"]
    bad = rules_for(c, {"elections": [{"name": "Y", "first_round": "2027-13-01"}]})
    assert bad.problems == ("config neutrality.elections[0].first_round: '2027-13-01' is not a calendar date; "
                            "election ignored",)
    assert [e.name for e in bad.elections] == ["Municipales 2026"]


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://valbruyere.fr/agenda", True),
        ("https://www.valbruyere.fr/", True),  # a subdomain of an allowed domain
        ("https://VALBRUYERE.FR./x", True),
        ("https://www.service-public.fr/particuliers", True),
        ("https://valbruyere.fr.evil.example/", False),
        ("https://notvalbruyere.fr/", False),
        ("https://liste-avenir-valbruyere.fr/programme", False),
        ("https://valbruyere.fr@evil.example/", False),  # user-info tricks name the real host
        ("not a url", False),
    ],
)
def test_link_domains_against_the_allow_list(url, allowed) -> None:
    assert domain_allowed(url, ("valbruyere.fr", "service-public.fr")) is allowed


# -- the engine -------------------------------------------------------------------------
def _with(c, neutrality, **kw):
    return replace(c, neutrality=neutrality, **kw)


LOOP = _with(
    content(
        image("bilan-mandat", tags={"bilan"}),
        image("fete", tags={"culture"}),
        image("piscine", category="sport"),
        bulletin_item("travaux", bulletin("b-travaux")),
    ),
    {"elections": [MUNICIPALES], "policy": {**POLICY, "hide_categories": ["sport"]}},
    published_at=at(2025, 6, 1),
)


@pytest.mark.parametrize(
    "now, expected, withheld",
    [
        (at(2025, 8, 31, 23, 59), ["bilan-mandat", "fete", "piscine", "travaux"], []),
        (at(2025, 9, 1, 0, 0), ["fete", "travaux"], ["bilan-mandat", "piscine"]),
        (at(2026, 1, 15, 9), ["fete", "travaux"], ["bilan-mandat", "piscine"]),
        (at(2026, 3, 22, 19, 59), ["fete", "travaux"], ["bilan-mandat", "piscine"]),
        (at(2026, 3, 23, 0, 0), ["bilan-mandat", "fete", "piscine", "travaux"], []),
    ],
)
def test_tagged_items_are_withheld_only_inside_the_reserve_period(now, expected, withheld) -> None:
    answer = ScheduleEngine().now_playing(LOOP, now)
    assert sorted(ids(answer)) == expected
    assert [w.item_id for w in answer.withheld] == withheld
    assert (answer.reserve is not None) == bool(withheld)


def test_the_engine_asks_again_when_the_period_starts_and_ends() -> None:
    engine = ScheduleEngine()
    before = engine.now_playing(LOOP, at(2025, 8, 20, 10))
    assert before.valid_until == at(2025, 9, 1)
    during = engine.now_playing(LOOP, at(2026, 3, 20, 10))
    assert during.valid_until == at(2026, 3, 23)
    reason = {w.item_id: w for w in during.withheld}
    assert reason["bilan-mandat"].reason == "tag" and reason["bilan-mandat"].detail == "bilan"
    assert reason["piscine"].reason == "category" and reason["piscine"].detail == "sport"


def test_withheld_items_are_logged_once_per_item_and_content_version(caplog) -> None:
    engine = ScheduleEngine()
    with caplog.at_level(logging.INFO, logger="player.engine"):
        for minute in range(5):
            engine.now_playing(LOOP, at(2026, 1, 15, 9, minute))
        newer = replace(LOOP, version_id="v2")
        engine.now_playing(newer, at(2026, 1, 15, 10))
    lines = [r.getMessage() for r in caplog.records if "withheld:" in r.getMessage()]
    assert lines == [
        "content v1: item bilan-mandat withheld: tag 'bilan' is withheld during the reserve period",
        "content v1: item piscine withheld: category 'sport' is hidden during the reserve period",
        "content v2: item bilan-mandat withheld: tag 'bilan' is withheld during the reserve period",
        "content v2: item piscine withheld: category 'sport' is hidden during the reserve period",
    ]
    periods = [r for r in caplog.records if "reserve period (" in r.getMessage()]
    assert len(periods) == 1


def test_with_an_untrusted_clock_the_guard_errs_on_the_side_of_withholding() -> None:
    answer = ScheduleEngine().now_playing(LOOP, datetime(1970, 1, 1, 0, 0, 5, tzinfo=PARIS))
    assert not answer.clock_trusted
    assert "bilan-mandat" not in ids(answer) and "fete" in ids(answer)
    assert answer.reserve is not None and not answer.reserve.clock_trusted
    # content published after the election: nothing is withheld on a 1970 clock
    late = replace(LOOP, published_at=at(2026, 4, 1))
    assert "bilan-mandat" in ids(ScheduleEngine().now_playing(late, datetime(1970, 1, 1, tzinfo=PARIS)))


def test_alerts_are_never_withheld() -> None:
    alert = bulletin("crue", "critical")
    c = _with(content(image("a", tags={"bilan"}), bulletin_item("crue-item", alert, tags=frozenset({"bilan"})),
                      bulletins=(alert,), published_at=at(2025, 6, 1)),
              {"elections": [MUNICIPALES], "policy": {"withhold_tags": ["bilan"]}})
    answer = ScheduleEngine().now_playing(c, at(2026, 1, 10))
    assert [a.id for a in answer.alerts] == ["crue"]


def test_without_elections_nothing_changes() -> None:
    c = _with(content(image("a", tags={"bilan"})), {"policy": POLICY})
    answer = ScheduleEngine().now_playing(c, at(2026, 1, 10))
    assert ids(answer) == ["a"] and answer.reserve is None and answer.withheld == ()


def test_a_local_election_applies_to_published_content() -> None:
    c = _with(content(image("a", tags={"bilan"}), image("b"), published_at=at(2026, 6, 1)), None)
    engine = ScheduleEngine(neutrality={"elections": [{"name": "Partielle", "first_round": "2027-02-07"}]})
    assert ids(engine.now_playing(c, at(2026, 7, 31, 12))) == ["a", "b"]
    assert ids(engine.now_playing(c, at(2026, 8, 1))) == ["b"]  # 1 August: six months before February


# -- kiosk pages ------------------------------------------------------------------------
KIOSK = _with(
    content(image("a"), published_at=at(2025, 6, 1)),
    {"elections": [MUNICIPALES], "policy": POLICY},
    kiosk_sections={
        "services": (
            {"id": "mairie", "name": {"fr": "Mairie"}, "url": "https://www.valbruyere.fr/mairie"},
            {"id": "caf", "name": {"fr": "CAF"}, "url": "https://www.caf.fr/"},
            {"id": "etat-civil", "name": {"fr": "État civil"}, "url": "https://www.service-public.fr/x"},
            {"id": "piscine", "name": {"fr": "Piscine"}},
        ),
        "events": (
            {"id": "inauguration", "title": {"fr": "Inauguration du gymnase"}, "start": "2025-10-01T10:00:00+02:00",
             "tags": ["bilan"]},
            {"id": "concert", "title": {"fr": "Concert"}, "start": "2025-10-02T20:00:00+02:00"},
        ),
        "news": ({"id": "n1", "title": {"fr": "Nouvelles"}},),
    },
)


def test_kiosk_pages_linking_outside_the_allow_list_tagged_or_in_a_hidden_category_are_withheld() -> None:
    guard = guard_for(KIOSK)
    assert guard.period_at(at(2025, 10, 1)) is not None
    shown, withheld = guard.filter_kiosk(KIOSK)
    assert [d["id"] for d in shown.kiosk_sections["services"]] == ["mairie", "etat-civil", "piscine"]
    assert [d["id"] for d in shown.kiosk_sections["events"]] == ["concert"]
    assert shown.kiosk_sections["news"] == ()
    why = {w.item_id: (w.surface, w.reason, w.detail, w.label) for w in withheld}
    assert why == {
        "caf": ("services", "link", "www.caf.fr", "CAF"),
        "inauguration": ("events", "tag", "bilan", "Inauguration du gymnase"),
        "n1": ("news", "category", "news", "Nouvelles"),
    }
    assert KIOSK.kiosk_sections["services"][1]["id"] == "caf"  # the content itself is untouched


def test_election_bounds_follow_the_site_time_zone() -> None:
    e = Election("X", date(2026, 3, 15), date(2026, 3, 22))
    start, end = e.bounds(PARIS)
    assert start.utcoffset() == timedelta(hours=2) and end.utcoffset() == timedelta(hours=1)
