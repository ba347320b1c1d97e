"""What a technician reads when `kiosk sync --once` fails: one line, once, the cause and a
remedy — run through the real CLI against a stopped port, a host that does not exist, a
server refusing the token, and a wrong URL refused before any request."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hub.publisher import publish

from .. import faultserver as fs
from ..helpers import write_source


def _start(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "--once", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _finish(proc: subprocess.Popen[str]) -> tuple[int, list[str]]:
    _out, err = proc.communicate(timeout=120)
    # the cache's creation is an INFO line of its own; every other line is the result
    return proc.returncode, [line for line in err.splitlines() if "cache database created" not in line]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once closed


@pytest.fixture
def refusing_server(tmp_path: Path):  # noqa: ANN201 - a generator fixture
    tree = tmp_path / "tree"
    publish(write_source(tmp_path / "src"), tree)
    srv = fs.FaultServer(tree)
    srv.inject_always("/v1/manifest.json", fs.status(401))
    yield srv
    srv.stop()


def test_unreachable_and_refused_servers_are_one_line_with_cause_and_remedy(
    tmp_path: Path, refusing_server: fs.FaultServer,
) -> None:
    port = _closed_port()
    token = tmp_path / "api-token"
    token.write_text("t0k-secret\n")
    token.chmod(0o644)  # as a technician's `echo > file` leaves it
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[api]\nurl = "{refusing_server.url}"\ntoken_file = "{token}"\n')
    # the three at once: each gives up after its retries (a few seconds)
    runs = {
        "stopped": _start("--api", f"http://127.0.0.1:{port}", "--data", str(tmp_path / "d1")),
        "no-host": _start("--api", "http://contenu.nowhere.invalid:8099", "--data", str(tmp_path / "d2")),
        "401": _start("--config", str(config), "--data", str(tmp_path / "d3")),
    }
    results = {name: _finish(proc) for name, proc in runs.items()}

    assert results["stopped"] == (3, [
        f"kiosk: error: cannot connect to 127.0.0.1:{port} (connection refused) after 4 attempts "
        "— is the content server up? check api.url"])
    assert results["no-host"] == (3, [
        "kiosk: error: cannot resolve contenu.nowhere.invalid (unknown host name) after 4 attempts "
        "— check api.url and the device's DNS (resolvectl query HOST)"])
    code, lines = results["401"]
    assert code == 3
    assert lines[-1] == (f"kiosk: error: {refusing_server.url}/v1/manifest.json: HTTP 401: the server refused "
                         "this device's token — check api.token_file")
    warning = [line for line in lines if "readable by other users" in line]
    assert len(warning) == 1 and f"{token} is readable by other users (mode 0644): chmod 600 {token}" in warning[0]
    assert len(lines) == 2
    assert all("t0k-secret" not in line for lines in (r[1] for r in results.values()) for line in lines)


@pytest.mark.parametrize("url, said", [
    ("contenu.valbruyere.fr", "--api: 'contenu.valbruyere.fr' has no scheme: write https://contenu.valbruyere.fr"),
    ("https://contenu.valbruyere.fr/v1/manifest.json",
     "--api: 'https://contenu.valbruyere.fr/v1/manifest.json' ends in /v1/manifest.json: give the API's base URL, "
     "https://contenu.valbruyere.fr (the device adds /v1/manifest.json)"),
    ("https://contenu.valbruyere.fr/ville/v1/", "give the API's base URL, https://contenu.valbruyere.fr/ville "),
])
def test_a_url_that_is_not_a_base_url_is_refused_up_front(tmp_path: Path, url: str, said: str) -> None:
    code, lines = _finish(_start("--api", url, "--data", str(tmp_path / "d")))
    assert code == 2 and len(lines) == 1 and lines[0].startswith("kiosk: error: ") and said in lines[0], lines
    assert not (tmp_path / "d").exists()  # nothing was tried


def test_the_config_file_url_is_checked_the_same_way(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[api]\nurl = "http://127.0.0.1:8099/v1/manifest.json"\n')
    code, lines = _finish(_start("--config", str(config), "--data", str(tmp_path / "d")))
    assert code == 2 and lines == [
        f"kiosk: error: {config}: api.url: 'http://127.0.0.1:8099/v1/manifest.json' ends in /v1/manifest.json: "
        "give the API's base URL, http://127.0.0.1:8099 (the device adds /v1/manifest.json)"]


def test_each_manifest_problem_is_printed_once(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    publish(write_source(tmp_path / "src"), tree)
    path = tree / "v1" / "manifest.json"
    doc = json.loads(path.read_bytes())
    doc["playlists"][0]["items"][1]["duration"] = -3
    path.write_text(json.dumps(doc))
    srv = fs.FaultServer(tree)
    try:
        code, lines = _finish(_start("--api", srv.url, "--data", str(tmp_path / "d")))
    finally:
        srv.stop()
    assert code == 4
    assert lines == [f"kiosk: error: {srv.url}/v1/manifest.json: playlists[0].items[1].duration: "
                     "-3 is less than or equal to the minimum of 0"], lines
