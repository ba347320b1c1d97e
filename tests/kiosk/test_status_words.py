"""`kiosk status` and `kiosk next` say what a kiosk-mode player shows, never a Python None."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kiosk.cli.player import next_line
from kiosk.device.status import render
from kiosk.touch.on_screen import TouchStatus, describe

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _info(player: dict) -> dict:
    return {"player": {"watchdog": {}, "uptime_s": 12, "slides_shown": 0, "screen": [1080, 1920], **player},
            "content": {"live_version": "c1", "previous_version": None, "switched_at": None, "media_problems": {}},
            "last_sync": None}


def test_a_kiosk_mode_player_is_described_in_words() -> None:
    home = TouchStatus("interactive", "home", "de", seconds_to_idle=40.2, alerts=("storm",))
    assert describe(home) == "touch kiosk: home screen, German, 40 s to idle, alert storm"
    page = TouchStatus("interactive", "detail", "fr", category="services", doc_id="pool", overlay="idle countdown")
    assert describe(page) == "touch kiosk: services page pool, French, idle countdown shown"
    text = render(_info({"showing": None, "showing_kind": None, "why": "", "mode": "kiosk",
                         "touch_screen": home.as_dict()}), now=NOW)
    assert "None" not in text
    assert text.splitlines()[0] == "on screen   touch kiosk: home screen, German, 40 s to idle, alert storm"
    assert "previous none" in text


def test_hybrid_mode_names_the_slide_under_the_attract_screen_or_the_paused_loop() -> None:
    attract = TouchStatus("attract", "attract", "fr", attract="signage loop").as_dict()
    text = render(_info({"showing": "img-0", "showing_kind": "image", "why": "playlist lobby: always",
                         "mode": "hybrid", "touch_screen": attract}), now=NOW)
    assert text.splitlines()[0] == ("on screen   img-0 (image) — playlist lobby: always; "
                                    "touch kiosk: attract screen (signage loop)")
    session = TouchStatus("interactive", "list", "en", category="agenda", seconds_to_idle=75).as_dict()
    text = render(_info({"showing": "img-0", "showing_kind": "image", "mode": "hybrid", "touch_screen": session}),
                  now=NOW)
    assert text.splitlines()[0] == "on screen   touch kiosk: agenda list, English, 75 s to idle; the loop is paused on img-0"
    starting = render(_info({"showing": None, "showing_kind": None, "why": None, "mode": "signage"}), now=NOW)
    assert "None" not in starting and starting.startswith("on screen   no slide yet")


def test_kiosk_next_says_why_nothing_was_skipped() -> None:
    touch = TouchStatus("attract", "attract", "fr", attract="idle board").as_dict()
    assert next_line({"showing": None, "mode": "kiosk", "touch": touch}) == (
        "kiosk mode has no slide loop to skip; on screen: touch kiosk: attract screen (idle board)")
    session = TouchStatus("interactive", "home", "de", seconds_to_idle=40).as_dict()
    assert next_line({"showing": "img-0", "mode": "hybrid", "touch": session}).startswith(
        "the loop is paused while a visitor uses the touch kiosk; on screen: touch kiosk: home screen, German")
    assert next_line({"showing": "img-1", "mode": "signage", "touch": None}) == "showing img-1"
    assert next_line({"showing": None, "mode": "signage", "touch": None}).startswith("showing nothing yet")


def test_a_player_that_is_not_running_is_said_once(tmp_path: Path) -> None:
    from kiosk.device.control import ControlError, call, socket_path

    try:
        call(socket_path(tmp_path), "status")
    except ControlError as e:
        error = str(e)
    assert error == f"no player running (no control socket at {tmp_path / 'control.sock'})"
    text = render({**_info({}), "player": {"running": False, "error": error}}, now=NOW)
    assert text.splitlines()[0] == f"player      not running (no control socket at {tmp_path / 'control.sock'})"
    other = render({**_info({}), "player": {"running": False, "error": "the player did not answer within 5 s"}},
                   now=NOW)
    assert other.splitlines()[0] == "player      not running (the player did not answer within 5 s)"
