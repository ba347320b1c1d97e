"""``/metrics`` for Prometheus: the fleet as the database holds it, read at each scrape.

Every figure comes from the database (not from one worker's memory), so any gunicorn
worker answers the same. Behind the metrics token (``DATA/metrics-token``, a bearer token).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.alert_screens import base_version
from hub.db.models import Counter, Device, Play
from hub.fleet.devices import offline_after
from hub.fleet.views import Published

from .guards import metrics as metrics_access
from .state import db, hub, now, settings

bp = Blueprint("metrics", __name__)


class FleetCollector(Collector):
    def __init__(self, s: Session, at: datetime, published: Published, polls: int, default_poll_s: float) -> None:
        self.s, self.at, self.published = s, at, published
        self.polls, self.default_poll_s = polls, default_poll_s

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        devices = list(self.s.scalars(select(Device)))
        total = GaugeMetricFamily("kiosk_hub_devices", "Devices enrolled, by state", labels=["state"])
        seen = GaugeMetricFamily("kiosk_hub_device_last_seen_timestamp_seconds",
                                 "When the device last reached the hub", labels=["device"])
        up = GaugeMetricFamily("kiosk_hub_device_online", "1 if the device polled within its offline threshold",
                               labels=["device"])
        lag = GaugeMetricFamily("kiosk_hub_device_version_behind",
                                "1 if the device's live content version is not the published one", labels=["device"])
        screen = GaugeMetricFamily("kiosk_hub_device_screen_on", "Screen power as last reported (1 on, 0 off)",
                                   labels=["device"])
        disk = GaugeMetricFamily("kiosk_hub_device_disk_free_bytes", "Free disk space as last reported",
                                 labels=["device"])
        states = {"online": 0, "offline": 0, "never": 0}
        for d in devices:
            if d.last_seen_at is None:
                states["never"] += 1
                continue
            online = self.at - d.last_seen_at <= offline_after(d, self.polls, self.default_poll_s)
            states["online" if online else "offline"] += 1
            seen.add_metric([d.id], d.last_seen_at.timestamp())
            up.add_metric([d.id], 1.0 if online else 0.0)
            if d.live_version is not None and self.published.version is not None:
                lag.add_metric([d.id], 0.0 if base_version(d.live_version) == self.published.version else 1.0)
            if d.screen_on is not None:
                screen.add_metric([d.id], 1.0 if d.screen_on else 0.0)
            if d.disk_free_bytes is not None:
                disk.add_metric([d.id], float(d.disk_free_bytes))
        for state, n in states.items():
            total.add_metric([state], float(n))
        yield from (total, seen, up, lag, screen, disk)
        plays = GaugeMetricFamily("kiosk_hub_plays_last_hour", "Items shown in the last hour (proof of play)",
                                  labels=["device"])
        for device_id, n in self.s.execute(select(Play.device_id, func.count()).where(
                Play.start >= self.at - timedelta(hours=1)).group_by(Play.device_id)):
            plays.add_metric([device_id], float(n))
        yield plays
        refused = CounterMetricFamily("kiosk_hub_uploads_refused", "Device requests refused, by reason",
                                      labels=["reason"])
        for name, value in self.s.execute(select(Counter.name, Counter.value)):
            if name.startswith("refused_"):
                refused.add_metric([name.removeprefix("refused_")], float(value))
        yield refused


@bp.route("/metrics")
@metrics_access
def scrape() -> Response:
    cfg = settings()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FleetCollector(db(), now(), hub().published.get(), cfg.offline_polls, cfg.default_poll_s))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
