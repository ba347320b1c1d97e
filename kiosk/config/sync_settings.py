"""The one mapping from the device config to the sync client's settings."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .model import Config

if TYPE_CHECKING:
    from sync import SyncSettings


def sync_settings(
    cfg: Config,
    *,
    api_url: str | None = None,
    device_id: str | None = None,
    max_cache_bytes: int | None = None,
    manifest_deadline_s: float | None = None,
    connect_timeout_s: float | None = None,
    read_timeout_s: float | None = None,
) -> SyncSettings:
    """:class:`sync.SyncSettings` from ``cfg``; a keyword given (not None) wins over the config
    (``kiosk sync --api``, a USB pack's ``file://`` URL, provision's short timeouts).

    Raises ``ValueError`` when neither gives a content API URL.
    """
    from sync import SyncSettings  # the sync package loads on first use (kiosk.config stays light)

    url = api_url or cfg.api.url
    if not url:
        raise ValueError("no content API URL: set api.url in the config file")
    settings = SyncSettings(
        api_url=url,
        device_id=device_id or cfg.device.id,
        token=cfg.api.token,
        ca_bundle=cfg.api.ca_bundle,
        parallel_downloads=cfg.sync.parallel_downloads,
        max_cache_bytes=max_cache_bytes if max_cache_bytes is not None else cfg.cache.max_bytes,
        manifest_deadline_s=cfg.sync.manifest_deadline if manifest_deadline_s is None else manifest_deadline_s,
    )
    return replace(
        settings,
        connect_timeout_s=settings.connect_timeout_s if connect_timeout_s is None else connect_timeout_s,
        read_timeout_s=settings.read_timeout_s if read_timeout_s is None else read_timeout_s,
    )
