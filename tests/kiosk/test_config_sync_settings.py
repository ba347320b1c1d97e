"""kiosk.config.sync_settings: the one mapping from the device config to the sync client's settings."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config, sync_settings


def _config(tmp_path: Path) -> Path:
    (tmp_path / "token").write_text("s3cret\n")
    f = tmp_path / "kiosk.toml"
    f.write_text('[device]\nid = "totem-12"\n[api]\nurl = "https://contenu.valbruyere.fr"\ntoken_file = "token"\n'
                 'ca_bundle = "/etc/kiosk/town-ca.pem"\n[sync]\nparallel_downloads = 2\n[cache]\nmax_bytes = "1G"\n')
    return f


def test_the_config_gives_url_identity_credentials_and_limits(tmp_path: Path) -> None:
    s = sync_settings(load_config(_config(tmp_path)))
    assert (s.api_url, s.device_id, s.token, s.ca_bundle) == (
        "https://contenu.valbruyere.fr", "totem-12", "s3cret", Path("/etc/kiosk/town-ca.pem"))
    assert (s.parallel_downloads, s.max_cache_bytes) == (2, 1024**3)
    assert "s3cret" not in repr(s)


def test_what_the_caller_gives_wins_over_the_config(tmp_path: Path) -> None:
    s = sync_settings(load_config(_config(tmp_path)), api_url="file:///media/usb", device_id="totem-9",
                      max_cache_bytes=4096, connect_timeout_s=5.0, read_timeout_s=10.0)
    assert (s.api_url, s.device_id, s.max_cache_bytes) == ("file:///media/usb", "totem-9", 4096)
    assert (s.connect_timeout_s, s.read_timeout_s, s.token) == (5.0, 10.0, "s3cret")


def test_without_an_api_url_there_are_no_settings() -> None:
    from kiosk.config import Config

    with pytest.raises(ValueError, match="api.url"):
        sync_settings(Config())
