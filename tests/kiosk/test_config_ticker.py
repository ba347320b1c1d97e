"""display.ticker: where the bulletin ticker goes, or none; a mistake is one line naming it."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config

from ..e2e.device import run_kiosk


@pytest.mark.parametrize("value, place", [("true", "bottom"), ("false", None), ('"bottom"', "bottom"),
                                          ('"top"', "top")])
def test_ticker_place_is_read(tmp_path: Path, value: str, place: str | None) -> None:
    f = tmp_path / "kiosk.toml"
    f.write_text(f"[display]\nticker = {value}\n")
    assert load_config(f).display.ticker == place


def test_no_ticker_by_default(tmp_path: Path) -> None:
    f = tmp_path / "kiosk.toml"
    f.write_text("[display]\norientation = 90\n")
    assert load_config(f).display.ticker is None


@pytest.mark.parametrize("value, problem", [
    ('"left"', "display.ticker: 'left' is not true, false, \"bottom\" or \"top\""),
    ("1", "display.ticker: 1 is not true, false, \"bottom\" or \"top\""),
])
def test_a_bad_ticker_value_is_one_line_naming_the_key(tmp_path: Path, value: str, problem: str) -> None:
    f = tmp_path / "kiosk.toml"
    f.write_text(f"[display]\nticker = {value}\n")
    with pytest.raises(ConfigError) as exc:
        load_config(f)
    assert exc.value.problems == [problem]


def test_player_refuses_a_bad_ticker_with_one_line(tmp_path: Path) -> None:
    f = tmp_path / "kiosk.toml"
    f.write_text('[display]\nticker = "sideways"\n')
    r = run_kiosk("player", "--config", str(f), "--data", str(tmp_path / "d"), "--headless", "--duration", "1")
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [
        f"kiosk: error: {f}: display.ticker: 'sideways' is not true, false, \"bottom\" or \"top\""]
