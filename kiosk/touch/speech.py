"""Read a page aloud with espeak-ng, when the device has it installed.

Without ``espeak-ng`` on the PATH the UI shows no read-aloud button at all.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable

log = logging.getLogger(__name__)

VOICES = {"fr": "fr", "en": "en-gb", "es": "es", "de": "de"}
MAX_CHARS = 4000  # a page, not a book: espeak-ng's argument stays reasonable


class ReadAloud:
    """One utterance at a time; a new one (or ``stop()``) cuts the previous one."""

    def __init__(self, which: Callable[[str], str | None] = shutil.which) -> None:
        self._exe = which("espeak-ng")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def available(self) -> bool:
        return self._exe is not None

    @property
    def speaking(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def speak(self, text: str, lang: str) -> bool:
        """Start reading ``text`` in ``lang``'s voice; False when it could not start."""
        self.stop()
        if not self._exe or not text.strip():
            return False
        args = [self._exe, "-v", VOICES.get(lang, lang), "-s", "150", "--", text[:MAX_CHARS]]
        try:
            self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
        except OSError as e:
            log.warning("read-aloud unavailable: %s", e)
            self._exe = None
            return False
        return True

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None
