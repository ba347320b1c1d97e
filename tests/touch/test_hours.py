"""Opening hours: "open now" table tests with fixed times in Europe/Paris."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from content_cache import LocalText
from kiosk.touch.hours import ClosedDay, HoursError, open_status, parse_hours
from kiosk.touch.status_text import describe_hours, week_table

PARIS = ZoneInfo("Europe/Paris")
NB = "\u202f"  # CLDR's narrow no-break space between an English time and AM/PM
UTC = UTC

TOWN_HALL = {
    "weekly": {
        "mon": [["08:30", "12:00"], ["13:30", "17:30"]],
        "tue": [["08:30", "12:00"], ["13:30", "17:30"]],
        "wed": [["08:30", "12:00"]],
        "thu": [["08:30", "12:00"], ["13:30", "19:00"]],
        "fri": [["08:30", "12:00"], ["13:30", "16:30"]],
        "sat": [["09:00", "12:00"]],
    },
    "exceptions": [
        {"date": "2026-12-24", "slots": [["08:30", "12:00"]], "label": {"fr": "Veille de Noël", "en": "Christmas Eve"}},
        {"date": "2026-12-25", "closed": True, "label": {"fr": "Noël", "en": "Christmas Day"}},
        {"date": "2026-12-26", "closed": True},
    ],
}
NIGHT = {"weekly": {d: [["22:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
ARMISTICE = ClosedDay(date(2026, 11, 11), LocalText.from_mapping({"fr": "Armistice", "en": "Armistice Day"}), holiday=True)
UNLABELLED_HOLIDAY = ClosedDay(date(2026, 11, 11), LocalText(), holiday=True)


def at(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=PARIS).replace(fold=fold)


@pytest.mark.parametrize(
    ("now", "expected", "tone"),
    [
        # Thursday 26 November 2026
        (at(2026, 11, 26, 10, 30), f"Open now · closes at 12:00{NB}PM", "open"),
        (at(2026, 11, 26, 8, 0), f"Closed now · opens at 8:30{NB}AM", "closed"),
        (at(2026, 11, 26, 12, 0), f"Closed now · opens at 1:30{NB}PM", "closed"),  # lunch break, end exclusive
        (at(2026, 11, 26, 13, 30), f"Open now · closes at 7:00{NB}PM", "open"),
        (at(2026, 11, 26, 19, 0), f"Closed now · opens tomorrow at 8:30{NB}AM", "closed"),
        # Saturday after closing, Sunday closed all day
        (at(2026, 11, 28, 12, 30), f"Closed now · opens Monday at 8:30{NB}AM", "closed"),
        (at(2026, 11, 29, 11, 0), f"Closed now · opens tomorrow at 8:30{NB}AM", "closed"),
        # Wednesday afternoon: no second slot
        (at(2026, 11, 25, 15, 0), f"Closed now · opens tomorrow at 8:30{NB}AM", "closed"),
        # Special hours on Christmas Eve, then two closed days
        (at(2026, 12, 24, 11, 0), f"Open now · closes at 12:00{NB}PM", "open"),
        (at(2026, 12, 24, 13, 0), f"Closed now · opens Monday at 8:30{NB}AM", "closed"),
        (at(2026, 12, 25, 10, 0), f"Closed today (Christmas Day) · opens Monday at 8:30{NB}AM", "closed"),
        (at(2026, 12, 26, 10, 0), f"Closed today (exceptional closure) · opens Monday at 8:30{NB}AM", "closed"),
    ],
)
def test_town_hall_status_sentences_in_english(now: datetime, expected: str, tone: str) -> None:
    hours = parse_hours(TOWN_HALL)
    assert describe_hours(hours, now, PARIS, "en") == (expected, tone)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "Fermé · ouvre lundi à 08:30"),
        ("en", f"Closed now · opens Monday at 8:30{NB}AM"),
        ("es", "Cerrado ahora · abre el lunes a las 8:30"),
        ("de", "Jetzt geschlossen · öffnet Montag um 08:30"),
    ],
)
def test_opens_monday_reads_naturally_in_each_language(lang: str, expected: str) -> None:
    hours = parse_hours(TOWN_HALL)
    assert describe_hours(hours, at(2026, 11, 28, 12, 30), PARIS, lang)[0] == expected


def test_open_sentence_in_french() -> None:
    assert describe_hours(parse_hours(TOWN_HALL), at(2026, 11, 26, 14, 0), PARIS, "fr")[0] == "Ouvert · ferme à 19:00"


def test_public_holiday_closes_a_service_with_its_label() -> None:
    hours = parse_hours(TOWN_HALL, holidays=[ARMISTICE])
    assert describe_hours(hours, at(2026, 11, 11, 10, 0), PARIS, "fr")[0] == "Fermé aujourd'hui (Armistice) · ouvre demain à 08:30"
    assert describe_hours(hours, at(2026, 11, 11, 10, 0), PARIS, "en")[0] == f"Closed today (Armistice Day) · opens tomorrow at 8:30{NB}AM"


def test_unlabelled_public_holiday_says_public_holiday() -> None:
    hours = parse_hours(TOWN_HALL, holidays=[UNLABELLED_HOLIDAY])
    assert describe_hours(hours, at(2026, 11, 11, 10, 0), PARIS, "en")[0] == f"Closed today (public holiday) · opens tomorrow at 8:30{NB}AM"


def test_service_open_on_public_holidays_keeps_its_weekly_hours() -> None:
    hours = parse_hours({**TOWN_HALL, "public_holidays": "open"}, holidays=[ARMISTICE])
    assert describe_hours(hours, at(2026, 11, 11, 10, 0), PARIS, "en")[0] == f"Open now · closes at 12:00{NB}PM"


def test_a_holiday_on_a_day_already_closed_is_still_named() -> None:
    sunday_holiday = ClosedDay(date(2026, 11, 29), LocalText.from_mapping({"en": "Town fair"}), holiday=True)
    hours = parse_hours(TOWN_HALL, holidays=[sunday_holiday])
    assert describe_hours(hours, at(2026, 11, 29, 10, 0), PARIS, "en")[0] == f"Closed today (Town fair) · opens tomorrow at 8:30{NB}AM"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 11, 26, 21, 0), f"Closed now · opens at 10:00{NB}PM"),
        (at(2026, 11, 26, 23, 0), f"Open now · closes tomorrow at 6:00{NB}AM"),
        (at(2026, 11, 27, 2, 0), f"Open now · closes at 6:00{NB}AM"),  # the slot that began yesterday
        (at(2026, 11, 27, 6, 0), f"Closed now · opens at 10:00{NB}PM"),
    ],
)
def test_overnight_hours_belong_to_the_day_they_start(now: datetime, expected: str) -> None:
    assert describe_hours(parse_hours(NIGHT), now, PARIS, "en")[0] == expected


def test_back_to_back_slots_across_midnight_are_one_opening() -> None:
    hours = parse_hours({"weekly": {"fri": [["18:00", "24:00"]], "sat": [["00:00", "03:00"], ["10:00", "12:00"]]}})
    assert describe_hours(hours, at(2026, 11, 27, 23, 0), PARIS, "en")[0] == f"Open now · closes tomorrow at 3:00{NB}AM"


def test_always_open_has_no_closing_time() -> None:
    hours = parse_hours({"weekly": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}})
    assert describe_hours(hours, at(2026, 11, 26, 3, 0), PARIS, "en") == ("Open now", "open")


def test_never_open_is_closed_without_a_next_opening() -> None:
    assert describe_hours(parse_hours({"weekly": {}}), at(2026, 11, 26, 3, 0), PARIS, "en") == ("Closed now", "closed")


def test_opening_more_than_a_week_away_gives_the_date() -> None:
    hours = parse_hours({"weekly": {"mon": [["09:00", "12:00"]]},
                         "exceptions": [{"date": "2026-11-30", "closed": True}, {"date": "2026-12-07", "closed": True}]})
    assert describe_hours(hours, at(2026, 11, 27, 10, 0), PARIS, "en")[0] == f"Closed now · opens on 14 December at 9:00{NB}AM"


# -- DST 2027: 28 March (02:00 → 03:00) and 31 October (03:00 → 02:00) -------------------

def test_spring_change_night_opening_closes_at_six_local_one_hour_earlier_in_utc() -> None:
    hours = parse_hours(NIGHT)
    status = open_status(hours, at(2027, 3, 28, 1, 30), PARIS)
    assert status.state == "open"
    assert status.closes_at == datetime(2027, 3, 28, 4, 0, tzinfo=UTC)  # 06:00 CEST
    assert describe_hours(hours, at(2027, 3, 28, 3, 30), PARIS, "en")[0] == f"Open now · closes at 6:00{NB}AM"


def test_spring_change_slot_inside_the_skipped_hour_opens_after_it() -> None:
    hours = parse_hours({"weekly": {"sun": [["02:30", "05:00"]]}})
    status = open_status(hours, at(2027, 3, 28, 1, 59), PARIS)
    assert status.state == "closed"
    assert status.opens_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST, the first real instant
    assert open_status(hours, at(2027, 3, 28, 3, 45), PARIS).state == "open"


def test_autumn_change_night_opening_lasts_through_the_repeated_hour() -> None:
    hours = parse_hours(NIGHT)
    for fold in (0, 1):  # 02:30 CEST, then 02:30 CET an hour later
        status = open_status(hours, at(2027, 10, 31, 2, 30, fold=fold), PARIS)
        assert status.state == "open"
        assert status.closes_at == datetime(2027, 10, 31, 5, 0, tzinfo=UTC)  # 06:00 CET
    assert describe_hours(hours, at(2027, 10, 31, 5, 59), PARIS, "en")[0] == f"Open now · closes at 6:00{NB}AM"


def test_autumn_change_compares_instants_not_wall_clock_times() -> None:
    # Closing at 02:30 means the first 02:30; the second 02:15 comes after it.
    hours = parse_hours({"weekly": {"sun": [["00:00", "02:30"]]}})
    assert open_status(hours, at(2027, 10, 31, 2, 15, fold=0), PARIS).state == "open"
    assert open_status(hours, at(2027, 10, 31, 2, 15, fold=1), PARIS).state == "closed"


def test_status_is_the_same_whatever_zone_now_is_expressed_in() -> None:
    hours = parse_hours(TOWN_HALL)
    local = at(2026, 11, 26, 10, 30)
    assert open_status(hours, local, PARIS) == open_status(hours, local.astimezone(UTC), PARIS)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        open_status(parse_hours(TOWN_HALL), datetime(2026, 11, 26, 10, 30), PARIS)


# -- malformed hours: one message naming the field -----------------------------------------

@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"weekly": {"mon": [["25:00", "26:00"]]}}, "hours.weekly.mon[0]: '25:00' is not a time of day"),
        ({"weekly": {"mon": [["08:00", "24:30"]]}}, "hours.weekly.mon[0]: '24:30' is not a time of day"),
        ({"weekly": {"tue": [["8h", "12:00"]]}}, "hours.weekly.tue[0]: '8h' is not a time (HH:MM)"),
        ({"weekly": {"wed": [["09:00", "09:00"]]}}, "hours.weekly.wed[0]: 09:00–09:00 is an empty slot"),
        ({"weekly": {"thu": [["08:00", "12:00"], ["11:00", "14:00"]]}}, "hours.weekly.thu: slots overlap (08:00–12:00 and 11:00–14:00)"),
        ({"weekly": {"mo": []}}, "hours.weekly.mo: not a weekday (mon … sun)"),
        ({"weekly": {"fri": [["08:00"]]}}, 'hours.weekly.fri[0]: expected ["HH:MM", "HH:MM"]'),
        ({"exceptions": [{"date": "2026-02-30", "closed": True}]}, "hours.exceptions[0].date: '2026-02-30' is not a date"),
    ],
)
def test_malformed_hours_name_the_field(raw: dict, message: str) -> None:
    with pytest.raises(HoursError) as e:
        parse_hours(raw)
    assert str(e.value) == message


def test_unreadable_hours_are_shown_as_see_details() -> None:
    assert describe_hours(None, at(2026, 11, 26, 10, 30), PARIS, "fr") == ("Voir le détail", "text")


def test_week_table_starts_today_and_applies_exceptions() -> None:
    rows = week_table(parse_hours(TOWN_HALL), at(2026, 12, 23, 10, 0), PARIS, "en")
    assert rows[0] == ("Today, 23 December", f"8:30{NB}AM–12:00{NB}PM", True)  # a Wednesday
    assert rows[1] == ("Thursday 24 December", f"8:30{NB}AM–12:00{NB}PM (Christmas Eve)", False)
    assert rows[2] == ("Friday 25 December", "Closed (Christmas Day)", False)
    assert rows[4] == ("Sunday 27 December", "Closed", False)
    assert len(rows) == 7


# -- clocks per language: English 12-hour, French, Spanish and German 24-hour --------------

@pytest.mark.parametrize(
    ("lang", "opens", "closes"),
    [
        ("en", f"Closed now · opens Monday at 9:00{NB}AM", f"Open now · closes at 7:00{NB}PM"),
        ("fr", "Fermé · ouvre lundi à 09:00", "Ouvert · ferme à 19:00"),
        ("es", "Cerrado ahora · abre el lunes a las 9:00", "Abierto ahora · cierra a las 19:00"),
        ("de", "Jetzt geschlossen · öffnet Montag um 09:00", "Jetzt geöffnet · schließt um 19:00"),
    ],
)
def test_opening_sentences_use_each_languages_clock(lang: str, opens: str, closes: str) -> None:
    hours = parse_hours({"weekly": {"mon": [["09:00", "19:00"]]}})
    assert describe_hours(hours, at(2026, 11, 28, 12, 0), PARIS, lang)[0] == opens  # a Saturday
    assert describe_hours(hours, at(2026, 11, 30, 12, 0), PARIS, lang)[0] == closes  # Monday noon


@pytest.mark.parametrize(
    ("minutes", "en", "fr", "es", "de"),
    [
        (0, f"12:00{NB}AM", "00:00", "0:00", "00:00"),  # midnight
        (9 * 60 + 5, f"9:05{NB}AM", "09:05", "9:05", "09:05"),
        (12 * 60, f"12:00{NB}PM", "12:00", "12:00", "12:00"),  # noon
        (12 * 60 + 30, f"12:30{NB}PM", "12:30", "12:30", "12:30"),
        (19 * 60, f"7:00{NB}PM", "19:00", "19:00", "19:00"),
        (23 * 60 + 59, f"11:59{NB}PM", "23:59", "23:59", "23:59"),
        (24 * 60, f"12:00{NB}AM", "00:00", "0:00", "00:00"),  # a slot ending at 24:00
    ],
)
def test_times_of_day_per_language(minutes: int, en: str, fr: str, es: str, de: str) -> None:
    from kiosk.touch.timefmt import minutes_clock

    assert [minutes_clock(minutes, lang) for lang in ("en", "fr", "es", "de")] == [en, fr, es, de]


def test_english_slots_and_event_times_are_12_hour() -> None:
    from kiosk.touch.timefmt import time_range

    start = at(2026, 12, 5, 19, 0)
    assert time_range(start, at(2026, 12, 5, 21, 30), PARIS, "en") == f"7:00{NB}PM–9:30{NB}PM"
    assert time_range(start, at(2026, 12, 5, 21, 30), PARIS, "de") == "19:00–21:30"
    assert time_range(start, None, PARIS, "en") == f"7:00{NB}PM"
    rows = week_table(parse_hours(TOWN_HALL), at(2026, 11, 23, 10, 0), PARIS, "en")  # a Monday
    assert rows[0][1] == f"8:30{NB}AM–12:00{NB}PM, 1:30{NB}PM–5:30{NB}PM"
