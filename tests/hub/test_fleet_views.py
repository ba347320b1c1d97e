"""What the fleet pages decide: offline after N missed polls (time injected), plays per
local day across both DST changes."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from hub.db.models import DeviceLog
from hub.fleet.views import PublishedVersion, fleet, plays_by_day

from .harness import Hub

PARIS = ZoneInfo("Europe/Paris")


def test_plays_belong_to_the_local_day_on_both_dst_changes() -> None:
    # spring: 2027-03-28 has 23 hours; 00:30 local is 23:30 UTC the day before
    spring = [(datetime(2027, 3, 27, 23, 30, tzinfo=UTC), 10.0),   # 28th 00:30 CET
              (datetime(2027, 3, 28, 21, 59, tzinfo=UTC), 5.0),    # 28th 23:59 CEST
              (datetime(2027, 3, 28, 22, 0, tzinfo=UTC), 5.0)]     # 29th 00:00 CEST
    days = plays_by_day(spring, PARIS, date(2027, 3, 29), 3)
    assert [(d.day.isoformat(), d.plays, d.seconds) for d in days] == [
        ("2027-03-29", 1, 5.0), ("2027-03-28", 2, 15.0), ("2027-03-27", 0, 0.0)]
    # autumn: 2027-10-31 has 25 hours; both 02:30 of the repeated hour are the 31st
    autumn = [(datetime(2027, 10, 31, 0, 30, tzinfo=UTC), 1.0),   # 02:30 CEST
              (datetime(2027, 10, 31, 1, 30, tzinfo=UTC), 1.0),   # 02:30 CET
              (datetime(2027, 10, 31, 22, 59, tzinfo=UTC), 1.0),  # 23:59 CET
              (datetime(2027, 10, 31, 23, 0, tzinfo=UTC), 1.0)]   # Nov 1st 00:00
    days = plays_by_day(autumn, PARIS, date(2027, 11, 1), 2)
    assert [(d.day.isoformat(), d.plays) for d in days] == [("2027-11-01", 1), ("2027-10-31", 3)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_device_is_offline_after_its_missed_polls_and_back_online_at_its_next_contact(hub: Hub) -> None:
    hub.enrol("totem-1")
    now = datetime.now(UTC).isoformat()
    requests.post(f"{hub.url}/v1/devices/totem-1/events", headers=hub.auth("totem-1"), timeout=10, json={
        "events": [{"key": "h", "kind": "heartbeat", "created_at": now, "payload": {"poll_interval_s": 60}}]})
    published = PublishedVersion(hub.settings.published_dir).get()

    def state(after: timedelta) -> str:
        with hub.db.transaction() as s:
            rows, _summary = fleet(s, published, hub.clock() + after, 3, 300)
            return rows[0].state

    assert state(timedelta(seconds=170)) == "online"   # 3 polls of 60 s not yet missed
    assert state(timedelta(seconds=190)) == "offline"
    assert state(timedelta(seconds=200)) == "offline"  # noted once
    hub.clock.offset = timedelta(seconds=400)
    assert requests.get(f"{hub.url}/v1/manifest.json", headers=hub.auth("totem-1"), timeout=10).status_code == 200
    assert state(timedelta()) == "online"
    with hub.db.session() as s:
        kinds = [k for k, in s.execute(select(DeviceLog.kind).order_by(DeviceLog.id))]
        text = s.scalars(select(DeviceLog.text).where(DeviceLog.kind == "online")).one()
    assert kinds == ["enrolled", "offline", "online"] and text.startswith("back online after 6 min")
