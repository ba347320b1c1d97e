"""The client reads proxies and the CA bundle from the environment once, for the API's host."""
from __future__ import annotations

import pytest

from sync import ContentApiClient, SyncSettings


def test_environment_proxy_is_used_for_the_api_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost")
    http = ContentApiClient(SyncSettings(api_url="https://contenu.example.fr")).http
    assert http.proxies["https"] == "http://proxy.example:3128"
    assert not http.trust_env  # resolved once, not per request


def test_no_proxy_host_bypasses_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "contenu.example.fr")
    http = ContentApiClient(SyncSettings(api_url="https://contenu.example.fr")).http
    assert "https" not in http.proxies


def test_configured_ca_bundle_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/ca.pem")
    assert ContentApiClient(SyncSettings(api_url="https://x.example")).http.verify == "/env/ca.pem"
    own = tmp_path / "ca.pem"
    http = ContentApiClient(SyncSettings(api_url="https://x.example", ca_bundle=own)).http
    assert http.verify == str(own)
