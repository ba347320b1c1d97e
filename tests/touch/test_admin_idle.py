"""PIN hashes, the PIN lockout, and the idle timer's phases."""
from __future__ import annotations

import pytest

from kiosk.touch.admin import MAX_ATTEMPTS, PinGate, last_sync_from_records, main, make_pin_hash, verify_pin
from kiosk.touch.idle import IdleTimer


def test_pin_hash_is_salted_scrypt_and_verifies_only_the_right_pin() -> None:
    stored = make_pin_hash("4821")
    assert stored.startswith("scrypt$16384$8$1$") and "4821" not in stored
    assert stored != make_pin_hash("4821")  # a new salt each time
    assert verify_pin("4821", stored)
    assert not verify_pin("4822", stored)
    assert not verify_pin("", stored)


@pytest.mark.parametrize("stored", [None, "", "plain4821", "md5$x$y", "scrypt$16384$8$1$!!$??"])
def test_missing_or_malformed_hash_matches_nothing(stored: str | None) -> None:
    assert not verify_pin("4821", stored)


@pytest.mark.parametrize("pin", ["123", "12a4", "1234567890123"])
def test_pin_must_be_4_to_12_digits(pin: str) -> None:
    with pytest.raises(ValueError):
        make_pin_hash(pin)


def test_too_many_wrong_pins_lock_entry_even_for_the_right_pin() -> None:
    clock = [100.0]
    gate = PinGate(make_pin_hash("4821"), lambda: clock[0])
    for _ in range(MAX_ATTEMPTS):
        assert not gate.check("0000")
    assert gate.locked_for() == pytest.approx(60.0)
    assert not gate.check("4821")
    clock[0] += 61
    assert gate.check("4821")


def test_pin_helper_prints_a_hash_that_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["4821"]) == 0
    assert verify_pin("4821", capsys.readouterr().out.strip())
    assert main(["12"]) == 2


def test_last_sync_summary_comes_from_the_newest_record() -> None:
    class Run:
        finished_at = None
        outcome = "failed"
        message = "unreachable"
    assert last_sync_from_records([]) is None
    summary = last_sync_from_records([Run()])
    assert summary is not None and (summary.outcome, summary.message) == ("failed", "unreachable")


def test_idle_timer_warns_after_the_timeout_then_resets_once() -> None:
    t = IdleTimer(timeout_s=60, countdown_s=30)
    assert t.poll(0).phase == "attract"
    t.start(0)
    assert t.poll(59.9).phase == "active"
    state = t.poll(60)
    assert (state.phase, state.seconds_left) == ("warning", 30)
    assert t.poll(89.5).seconds_left == 1
    assert t.poll(90).phase == "reset"
    assert t.poll(91).phase == "attract"


def test_a_touch_during_the_countdown_keeps_the_session() -> None:
    t = IdleTimer(timeout_s=60, countdown_s=30)
    t.start(0)
    assert t.poll(70).phase == "warning"
    t.touch(70)
    assert t.poll(71).phase == "active"


def test_countdown_is_never_shorter_than_20_seconds() -> None:
    t = IdleTimer(timeout_s=10, countdown_s=5)
    t.start(0)
    assert t.poll(10).seconds_left == 20
