"""`kiosk sync --once` on a technician's terminal (a real pseudo-terminal)."""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

from hub.refserver import ContentTreeServer


def test_progress_line_ends_before_the_switch_is_logged(server: ContentTreeServer, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "sync", "--once", "--api", server.url, "--data", str(tmp_path / "d")],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, close_fds=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other side is closed: the process has ended
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(10) == 0
    text = out.decode().replace("\r\n", "\n")
    assert "\r  files 0/3 · 0.0/0.0 MB · 0.0 MB/s   \r  files 3/3 · 0.0/0.0 MB · " in text
    # the finished progress line is a line of its own: the switch's log line starts a new one
    line, rest = text.split("\r  files 3/3 · ", 1)[1].split("\n", 1)
    assert line.endswith(" MB/s   "), line
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d INFO content_cache\.writes: content version \S+ is live "
                        r"\(previous: None, generation 1\)", rest.splitlines()[0]), rest
    assert rest.splitlines()[-1].endswith(", 3 file(s) / 0.0 MB fetched, 4 request(s)")
