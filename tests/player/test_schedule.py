from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from content_cache import BulletinData, ItemData, LiveContent, LocalText, MediaRef, PlaylistData
from player.engine import ClockPolicy, NowPlaying, ScheduleEngine
from player.rotation import Rotation
from player.schedule import (
    MAX_VIDEO_SECONDS,
    DurationLimits,
    alert_item,
    is_alert_slide,
    poster_seconds,
    slide_seconds,
)

PARIS = ZoneInfo("Europe/Paris")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def image(item_id: str, **kw) -> ItemData:
    media = MediaRef("a" * 64, Path("/x"), "image/jpeg", 1, "x.jpg")
    return ItemData(id=item_id, kind="image", position=0, duration_s=kw.pop("duration_s", 8.0), media=media, **kw)


def answer_at(c: LiveContent, now: datetime) -> NowPlaying:
    """The engine's answer for the site's playlist at ``now``."""
    return ScheduleEngine().now_playing(c, now)


def content(*items: ItemData) -> LiveContent:
    return LiveContent(
        version_id="v1", generation=1, published_at=at(2026, 1, 1), site_id="t",
        site_name=LocalText.from_mapping({"fr": "Testville"}), timezone="Europe/Paris",
        languages=("fr",), default_playlist="lobby",
        playlists={"lobby": PlaylistData("lobby", LocalText(), tuple(items))}, bulletins=(),
    )


def test_items_outside_their_validity_window_are_not_played_and_the_deadline_is_the_next_edge() -> None:
    c = content(
        image("always"),
        image("from-noon", valid_from=at(2026, 11, 26, 12)),
        image("until-ten", valid_until=at(2026, 11, 26, 10)),
    )
    plan = answer_at(c, at(2026, 11, 26, 9))
    assert [i.id for i in plan.items] == ["always", "until-ten"]
    assert plan.valid_until == at(2026, 11, 26, 10)
    plan = answer_at(c, at(2026, 11, 26, 10))  # the end is exclusive
    assert [i.id for i in plan.items] == ["always"] and plan.valid_until == at(2026, 11, 26, 12)
    plan = answer_at(c, at(2026, 11, 26, 12))
    # No window edge left: the only deadline is where the clock stops being trusted.
    assert [i.id for i in plan.items] == ["always", "from-noon"]
    assert plan.valid_until == at(2026, 1, 1) + ClockPolicy().ahead


def test_a_bulletin_item_follows_its_bulletins_window_too() -> None:
    b = BulletinData("storm", "alert", "critical", LocalText.from_mapping({"fr": "Tempête"}), LocalText(),
                     valid_until=at(2026, 11, 27, 6))
    item = ItemData(id="b", kind="bulletin", position=0, duration_s=10.0, bulletin=b)
    c = content(item)
    assert [i.id for i in answer_at(c, at(2026, 11, 27, 5, 59)).items] == ["b"]
    assert answer_at(c, at(2026, 11, 27, 6)).items == ()


@pytest.mark.parametrize(
    "local_now, expected",
    [
        # 28 March 2027: 02:00 → 03:00 in Paris; the window ends at 03:30 local = 01:30 UTC
        (datetime(2027, 3, 28, 1, 59, tzinfo=PARIS), ["dst"]),
        (datetime(2027, 3, 28, 3, 29, tzinfo=PARIS), ["dst"]),
        (datetime(2027, 3, 28, 3, 30, tzinfo=PARIS), []),
    ],
)
def test_windows_are_instants_across_the_spring_dst_change(local_now: datetime, expected: list[str]) -> None:
    c = content(image("dst", valid_until=datetime(2027, 3, 28, 1, 30, tzinfo=UTC)))
    assert [i.id for i in answer_at(c, local_now).items] == expected


def test_autumn_dst_repeated_hour_is_told_apart_by_fold() -> None:
    # 31 October 2027: 03:00 → 02:00; the item ends at the second 02:30 (01:30 UTC)
    c = content(image("x", valid_until=datetime(2027, 10, 31, 1, 30, tzinfo=UTC)))
    first = datetime(2027, 10, 31, 2, 45, tzinfo=PARIS, fold=0)  # 00:45 UTC
    second = datetime(2027, 10, 31, 2, 45, tzinfo=PARIS, fold=1)  # 01:45 UTC
    assert [i.id for i in answer_at(c, first).items] == ["x"]
    assert answer_at(c, second).items == ()


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        answer_at(content(image("a")), datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "kind, duration, expected",
    [("image", 0.1, 2.0), ("image", 10_000.0, 300.0), ("image", None, 10.0), ("image", 7.5, 7.5),
     ("video", None, MAX_VIDEO_SECONDS), ("bulletin", None, 12.0)],
)
def test_durations_are_clamped(kind: str, duration: float | None, expected: float) -> None:
    item = ItemData(id="i", kind=kind, position=0, duration_s=duration)
    assert slide_seconds(item, DurationLimits()) == expected


@pytest.mark.parametrize(
    "duration, maximum, expected",
    [(None, 300.0, 10.0), (None, 3.0, 3.0), (4.0, 300.0, 4.0), (120.0, 300.0, 10.0), (120.0, 5.0, 5.0)],
)
def test_a_failed_videos_poster_lasts_an_image_slot_within_the_limits(
        duration: float | None, maximum: float, expected: float) -> None:
    item = ItemData(id="v", kind="video", position=0, duration_s=duration)
    assert poster_seconds(item, DurationLimits(minimum=2.0, maximum=maximum)) == expected


def test_rotation_loops_and_continues_after_the_current_item_when_the_plan_changes() -> None:
    c = content(image("a"), image("b"), image("c"))
    rot = Rotation()
    rot.set_plan(answer_at(c, at(2026, 1, 2)))
    assert [rot.next_item().id for _ in range(4)] == ["a", "b", "c", "a"]
    c2 = content(image("z"), image("a"), image("b"))
    rot.set_plan(answer_at(c2, at(2026, 1, 2)))
    assert [rot.next_item().id for _ in range(3)] == ["b", "z", "a"]
    rot.set_plan(answer_at(content(), at(2026, 1, 2)))
    assert rot.next_item() is None


def test_local_text_falls_back_to_french_then_anything() -> None:
    t = LocalText.from_mapping({"fr": "Bonjour", "en": "Hello"})
    assert (t.get("en"), t.get("de"), LocalText.from_mapping({"es": "Hola"}).get("de")) == ("Hello", "Bonjour", "Hola")


def test_deadline_is_never_in_the_past() -> None:
    now = at(2026, 11, 26, 9)
    items = [image(f"i{k}", valid_from=now + timedelta(minutes=k - 5), valid_until=now + timedelta(minutes=k))
             for k in range(10)]
    plan = answer_at(content(*items), now)
    assert plan.valid_until is not None and plan.valid_until > now


def test_a_fullscreen_alert_replaces_the_loop_as_an_alert_slide() -> None:
    storm = BulletinData("storm", "alert", "critical", LocalText.from_mapping({"fr": "Tempête"}), LocalText(),
                         valid_until=at(2026, 11, 27, 6))
    c = replace(content(image("a"), image("b")), bulletins=(storm,))
    plan = answer_at(c, at(2026, 11, 26, 9))
    assert plan.fullscreen_alert is not None
    slide = alert_item(plan.fullscreen_alert)
    assert slide.id == "alert-storm" and slide.bulletin == storm and is_alert_slide(slide.id)
    assert not is_alert_slide("a") and not is_alert_slide(None)
    assert plan.valid_until == at(2026, 11, 27, 6)
    assert [i.id for i in plan.items] == ["a", "b"]
    after = answer_at(c, at(2026, 11, 27, 6))
    assert after.fullscreen_alert is None and [i.id for i in after.items] == ["a", "b"]


def test_banner_alerts_come_beside_the_loop() -> None:
    water = BulletinData("water", "works", "warning", LocalText.from_mapping({"fr": "Coupure d'eau"}),
                         LocalText(), alert="banner")
    c = replace(content(image("a"), image("b")), bulletins=(water,))
    plan = answer_at(c, at(2026, 11, 26, 9))
    assert [a.id for a in plan.banner_alerts] == ["water"] and plan.fullscreen_alert is None
    assert [i.id for i in plan.items] == ["a", "b"]


def test_rotation_walks_a_weighted_loop_whole_even_though_items_repeat() -> None:
    c = content(image("a", weight=2), image("b"), image("c"))
    rot = Rotation()
    rot.set_plan(answer_at(c, at(2026, 1, 2)))
    assert [rot.next_item().id for _ in range(8)] == ["a", "b", "a", "c", "a", "b", "a", "c"]
    # the same loop again (a re-plan at a deadline) does not restart it
    rot.set_plan(answer_at(c, at(2026, 1, 2, 1)))
    assert rot.next_item().id == "a"


def test_when_the_item_on_screen_is_replaced_the_loop_carries_on_from_its_place() -> None:
    rot = Rotation()
    rot.set_plan(answer_at(content(image("a"), image("b"), image("c")), at(2026, 1, 2)))
    assert [rot.next_item().id for _ in range(2)] == ["a", "b"]
    rot.set_plan(answer_at(content(image("a"), image("b2"), image("c")), at(2026, 1, 2)))
    assert rot.next_item().id == "c"
