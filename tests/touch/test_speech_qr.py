"""Read-aloud with espeak-ng when installed, absent when not; QR codes made on the device."""
from __future__ import annotations

import stat
import time
from pathlib import Path

from kiosk.touch.qr import qr_matrix
from kiosk.touch.speech import ReadAloud


def fake_espeak(tmp_path: Path) -> Path:
    exe = tmp_path / "espeak-ng"
    exe.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/spoken.txt\n', encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def test_read_aloud_is_unavailable_without_espeak_ng() -> None:
    speech = ReadAloud(which=lambda name: None)
    assert not speech.available
    assert not speech.speak("Bonjour", "fr")


def test_read_aloud_runs_espeak_ng_with_the_language_voice(tmp_path: Path) -> None:
    exe = fake_espeak(tmp_path)
    speech = ReadAloud(which=lambda name: str(exe) if name == "espeak-ng" else None)
    assert speech.available and speech.speak("Guten Tag", "de")
    for _ in range(50):
        if (tmp_path / "spoken.txt").exists():
            break
        time.sleep(0.05)
    assert (tmp_path / "spoken.txt").read_text().split("\n")[:5] == ["-v", "de", "-s", "150", "--"]
    speech.stop()
    assert not speech.speaking


def test_qr_code_of_a_link_has_the_three_finder_patterns() -> None:
    m = qr_matrix("https://www.valbruyere.example/piscine")
    n = len(m)
    assert n >= 21 and all(len(row) == n for row in m)
    finder = [[True] * 7, [True] + [False] * 5 + [True]] + [[True, False, True, True, True, False, True]] * 3 + [
        [True] + [False] * 5 + [True], [True] * 7]
    for r0, c0 in ((0, 0), (0, n - 7), (n - 7, 0)):
        assert [list(m[r0 + r][c0:c0 + 7]) for r in range(7)] == finder
    assert qr_matrix("https://a.example/x") != qr_matrix("https://a.example/y")
