"""The player's side of a video decoder process (``player/render/video_decoder.py``): start it, read
what it says, hand back the slots of frames drawn, end it. No Kivy here.

One process per clip, started when the clip's slide is prepared and ended when the slide
leaves the screen. Frames travel through shared memory (an anonymous ``memfd`` both
processes map), not through the pipe: one copy in the decoder, the upload to the GPU in
the player, as when the decoder ran in the player's own process.
"""
from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DECODER_SCRIPT = Path(__file__).with_name("video_decoder.py")
SLOTS = 3  # one on screen, one waiting to be drawn, one being written
CLOSE_WAIT_S = 1.0  # then SIGKILL


@dataclass(frozen=True)
class Frame:
    """A decoded frame waiting in its slot until :meth:`DecoderProcess.free` is called."""

    slot: int
    width: int
    height: int
    fmt: str  # "yuv420p" (Y, U, V planes in a row) or "rgba"
    pts: float


@dataclass(frozen=True)
class Ended:
    """The decoder is done: ``frames`` shown before the end of the clip (``eof``), or the
    process failed (``error`` says why, in one line)."""

    frames: int
    eof: bool
    error: str = ""


class DecoderProcess:
    """A clip decoded in a process of its own.

    ``wake`` is called from a reader thread whenever there is something to :meth:`take`
    (the player's UI thread is woken this way); everything else is meant for one thread.
    """

    def __init__(self, path: Path, box: tuple[int, int], wake: Callable[[], None] = lambda: None,
                 volume: float = 0.0, hold_first: bool = True) -> None:
        self.path = path
        self.slot_bytes = max(2, box[0]) * max(2, box[1]) * 4
        self._wake = wake
        self._events: deque[Frame | Ended] = deque()
        self._arrived = threading.Event()
        self._ended = False
        self.frames = 0
        self._fd = os.memfd_create("kiosk-video", os.MFD_CLOEXEC)
        try:
            os.ftruncate(self._fd, SLOTS * self.slot_bytes)  # pages exist once written
            self._map = mmap.mmap(self._fd, SLOTS * self.slot_bytes)
            # Run as a script, not ``-m player.render.video_decoder``: the package's own imports
            # (the schedule engine) would double the decoder's start-up.
            cmd = [sys.executable, str(DECODER_SCRIPT), str(path),
                   "--frames-fd", str(self._fd), "--slots", str(SLOTS),
                   "--slot-bytes", str(self.slot_bytes), "--box", f"{box[0]}x{box[1]}",
                   "--volume", f"{volume:g}"]
            if hold_first:
                cmd.append("--hold-first")
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          pass_fds=(self._fd,), close_fds=True)
        except BaseException:
            os.close(self._fd)
            raise
        self.pid = self._proc.pid
        self._reader = threading.Thread(target=self._read, name=f"video-{self.pid}", daemon=True)
        self._reader.start()

    # -- reader thread ------------------------------------------------------------------
    def _read(self) -> None:
        ended: Ended | None = None
        frames = 0
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                msg = json.loads(line)
                ev = msg["ev"]
                if ev == "frame":
                    frames += 1
                    self._events.append(Frame(int(msg["slot"]), int(msg["w"]), int(msg["h"]),
                                              str(msg["fmt"]), float(msg["pts"])))
                elif ev == "eof":
                    ended = Ended(frames=int(msg["frames"]), eof=True)
                elif ev == "error":
                    ended = Ended(frames=frames, eof=False, error=str(msg["message"]))
            except (ValueError, KeyError, TypeError):
                ended = ended or Ended(frames, False, f"unreadable message from the decoder: {line[:80]!r}")
                break
            if ended is None:
                self._arrived.set()
                self._wake()
        code = self._proc.wait()
        if ended is None:
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            ended = Ended(frames, eof=False, error=f"the video decoder stopped ({how})")
        self._events.append(ended)
        self._arrived.set()
        self._wake()

    # -- UI thread ----------------------------------------------------------------------
    def take(self, timeout: float = 0.0) -> tuple[Frame | None, Ended | None]:
        """The newest frame that arrived since the last call (older ones are freed: they
        would only be drawn over) and the end, if it came. With ``timeout``, waits up to
        that long for one of them (off the UI thread: ``kiosk doctor``, tests)."""
        end = time.monotonic() + timeout
        while True:
            self._arrived.clear()
            frame, ended = self._take_now()
            left = end - time.monotonic()
            if frame is not None or ended is not None or left <= 0:
                return frame, ended
            self._arrived.wait(left)

    def _take_now(self) -> tuple[Frame | None, Ended | None]:
        newest: Frame | None = None
        ended: Ended | None = None
        while self._events:
            ev = self._events.popleft()
            if isinstance(ev, Frame):
                if newest is not None:
                    self.free(newest)
                newest = ev
                self.frames += 1
            else:
                ended = ev
                self._ended = True
        return newest, ended

    def planes(self, frame: Frame) -> list[memoryview]:
        """The frame's planes, views into shared memory: valid until :meth:`free`."""
        base = frame.slot * self.slot_bytes
        w, h = frame.width, frame.height
        sizes = [w * h * 4] if frame.fmt == "rgba" else [w * h, w // 2 * (h // 2), w // 2 * (h // 2)]
        views, at = [], base
        whole = memoryview(self._map)
        for n in sizes:
            views.append(whole[at:at + n])
            at += n
        return views

    def free(self, frame: Frame) -> None:
        """The frame was drawn (or dropped): its slot may be written again."""
        self._send(f"free {frame.slot}")

    def play(self) -> None:
        self._send("play")

    def pause(self) -> None:
        self._send("pause")

    def _send(self, line: str) -> None:
        stdin = self._proc.stdin
        if stdin is None or stdin.closed or self._ended:
            return
        try:
            stdin.write(line.encode("ascii") + b"\n")
            stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # the decoder is gone; its end comes through the reader

    def close(self) -> None:
        """End the decoder without waiting for it: ``quit``, end of its input, and SIGKILL
        if it is still there after :data:`CLOSE_WAIT_S`. The frames are unmapped here."""
        self._send("quit")
        self._ended = True
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        if self._proc.poll() is None:
            timer = threading.Timer(CLOSE_WAIT_S, self._kill_if_running)
            timer.daemon = True
            timer.start()
        self._events.clear()
        if self._fd >= 0:
            with contextlib.suppress(BufferError):  # a view still exported: the mapping goes with the last one
                self._map.close()
            os.close(self._fd)
            self._fd = -1

    def _kill_if_running(self) -> None:
        if self._proc.poll() is None:
            log.warning("video decoder %s for %s did not quit; killed", self.pid, self.path.name)
            self._proc.kill()

    def wait(self, timeout: float | None = None) -> int:
        """The decoder's exit status, once it has ended (for tests and shutdown)."""
        return self._proc.wait(timeout)
