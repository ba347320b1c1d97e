"""The video decoder process: one clip, decoded by ffpyplayer, frames handed to the player
through shared memory.

Run by :class:`player.render.video_process.DecoderProcess` (``python …/player/video_decoder.py``,
a script: it imports nothing of the player), never by hand. Decoding in a process of its
own keeps ffmpeg out of the player: a file that crashes the decoder ends this process, not
the screen, and the decoder's memory (its code, buffers and threads) goes back to the
system when the clip ends.

Protocol (one line each way per message):

- the player writes commands on our stdin: ``play``, ``pause``, ``free SLOT`` (the
  player has drawn that frame; the slot may be written again) and ``quit``; end of input
  is ``quit`` too (the player went away);
- we write JSON lines on stdout: ``{"ev": "frame", "slot", "w", "h", "fmt", "pts"}`` once
  a frame sits in its slot (``fmt`` is ``yuv420p``: Y, U and V planes one after the
  other, or ``rgba``), ``{"ev": "eof", "frames"}`` at the end of the clip, and
  ``{"ev": "error", "message"}`` before exiting with status 1.

The shared memory is a file descriptor we inherit (``--frames-fd``): ``--slots`` slots of
``--slot-bytes`` each. Frames are scaled down to fit ``--box`` (the screen), so one always
fits a slot of box width × height × 4 bytes. The first frame is decoded and handed over
with the clip paused (``--hold-first``): the player shows it when its turn comes and then
says ``play``.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import mmap
import os
import queue
import signal
import sys
import threading
import time

# Waiting for the clip's first metadata (size, pixel format) before giving up.
OPEN_TIMEOUT_S = 8.0
_PR_SET_PDEATHSIG = 1


def fit_size(src: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The clip's size scaled down (never up) to fit ``box``, aspect kept, even numbers
    (4:2:0 chroma planes are half the size in both directions)."""
    w, h = src
    bw, bh = box
    scale = min(1.0, bw / w, bh / h)
    if scale >= 1.0:
        return w, h
    return max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)


class _Commands:
    """The player's commands, read on a thread of their own (stdin blocks)."""

    def __init__(self, stream) -> None:  # noqa: ANN001 - a binary file
        self.queue: queue.Queue[str] = queue.Queue()
        self.free: queue.Queue[int] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), name="commands", daemon=True).start()

    def _read(self, stream) -> None:  # noqa: ANN001
        for raw in stream:
            word, _, arg = raw.decode("ascii", "replace").strip().partition(" ")
            if word == "free":
                self.free.put(int(arg))
            elif word:
                self.queue.put(word)
        self.queue.put("quit")
        self.free.put(-1)  # wakes a wait for a slot


class _Quit(Exception):
    pass


class Decoder:
    def __init__(self, args: argparse.Namespace, out) -> None:  # noqa: ANN001 - text stream
        self.args = args
        self.out = out
        self.commands = _Commands(sys.stdin.buffer)
        self.buf = mmap.mmap(args.frames_fd, args.slots * args.slot_bytes)
        self.free_slots = list(range(args.slots))
        self.frames = 0
        self.paused = False

    def send(self, **msg: object) -> None:
        self.out.write(json.dumps(msg, separators=(",", ":")) + "\n")
        self.out.flush()

    def _command(self, word: str) -> None:
        if word == "quit":
            raise _Quit
        if word == "pause":
            self.paused = True
        elif word == "play":
            self.paused = False

    def _take_commands(self, block: bool = False) -> None:
        try:
            word = self.commands.queue.get(block=block)
        except queue.Empty:
            return
        self._command(word)
        while True:
            try:
                self._command(self.commands.queue.get_nowait())
            except queue.Empty:
                return

    def _slot(self) -> int:
        """A slot the player is not drawing from; waits for one to be freed."""
        while True:
            try:
                while True:
                    slot = self.commands.free.get_nowait()
                    if slot < 0:
                        raise _Quit
                    self.free_slots.append(slot)
            except queue.Empty:
                pass
            if self.free_slots:
                return self.free_slots.pop(0)
            self._take_commands()
            try:
                slot = self.commands.free.get(timeout=0.05)
            except queue.Empty:
                continue
            if slot < 0:
                raise _Quit
            self.free_slots.append(slot)

    def _on_log(self, message: str, level: str) -> None:
        # ffmpeg's own lines (a damaged file makes hundreds) stay out of the journal: the
        # last error goes into the one line the player logs.
        if level in ("error", "fatal", "panic") and message.strip():
            self.last_error = message.strip()

    def _on_player(self, selector: str, _value: object) -> None:
        self.player_events.append(selector)

    def run(self) -> int:
        from ffpyplayer.player import MediaPlayer  # the heavy part: only in this process
        from ffpyplayer.tools import set_log_callback

        a = self.args
        self.last_error = ""
        self.player_events: list[str] = []
        set_log_callback(self._on_log)
        opts = {"an": a.volume <= 0, "sn": True, "sync": "video", "out_fmt": "rgba"}
        player = MediaPlayer(a.path, callback=self._on_player, ff_opts=opts, loglevel="error")
        try:
            fmt = self._open(player)
            if fmt is None:
                return 0 if "eof" in self.player_events else 1
            return self._play(player, fmt)
        except _Quit:
            return 0
        finally:
            player.close_player()

    def _open(self, player) -> str | None:  # noqa: ANN001
        """Wait for the clip's size and pixel format; choose the output size and format."""
        a = self.args
        deadline = time.monotonic() + OPEN_TIMEOUT_S
        while True:
            meta = player.get_metadata()
            size, pix = meta.get("src_vid_size") or (0, 0), meta.get("src_pix_fmt")
            if size[0] > 0 and size[1] > 0 and pix:
                break
            if "eof" in self.player_events:  # a truncated file: no frame, the end at once
                self.send(ev="eof", frames=0)
                return None
            if any(e.endswith(":error") for e in self.player_events):
                self.send(ev="error", message=self.last_error or "the file could not be read")
                return None
            self._take_commands()
            if time.monotonic() > deadline:
                self.send(ev="error", message=self.last_error or f"no video stream found within {OPEN_TIMEOUT_S:.0f} s")
                return None
            time.sleep(0.005)
        if a.volume > 0:
            player.set_volume(min(1.0, a.volume))
        w, h = fit_size(tuple(size), (a.box_w, a.box_h))
        if (w, h) != tuple(size):
            player.set_size(w, h)
        pix = pix.decode() if isinstance(pix, bytes) else pix
        # 4:2:0 is half the bytes of RGBA and converted on the GPU; other formats (and odd
        # sizes, whose chroma planes do not halve evenly) are converted here.
        fmt = "yuv420p" if pix == "yuv420p" and w % 2 == 0 and h % 2 == 0 else "rgba"
        if fmt != "rgba":
            player.set_output_pix_fmt(fmt)
        return fmt

    def _play(self, player, fmt: str) -> int:  # noqa: ANN001
        a = self.args
        while True:
            self._take_commands()
            if self.paused:
                player.set_pause(True)
                while self.paused:
                    self._take_commands(block=True)
                player.set_pause(False)
            frame, val = player.get_frame()
            if val == "eof":
                self.send(ev="eof", frames=self.frames)
                return 0
            if frame is None:
                time.sleep(val if isinstance(val, float) and val > 0 else 0.005)
                continue
            img, pts = frame
            w, h = img.get_size()
            planes = [p for p in img.to_memoryview(keep_align=False) if p is not None and p.nbytes]
            if img.get_pixel_format() != fmt or sum(p.nbytes for p in planes) > a.slot_bytes:
                continue  # a frame from before the size or format took effect
            slot = self._slot()
            at = slot * a.slot_bytes
            for plane in planes:
                self.buf[at:at + plane.nbytes] = plane
                at += plane.nbytes
            self.frames += 1
            self.send(ev="frame", slot=slot, w=w, h=h, fmt=fmt, pts=round(pts, 4))
            if self.frames == 1 and a.hold_first:
                self.paused = True
            if isinstance(val, float) and val > 0:
                time.sleep(min(val, 1.0))


def _die_with_parent() -> None:
    """Linux: end with the player, even if it is SIGKILLed (end of stdin tells us too,
    but only once we read it)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="video_decoder.py")
    p.add_argument("path")
    p.add_argument("--frames-fd", type=int, required=True)
    p.add_argument("--slots", type=int, default=3)
    p.add_argument("--slot-bytes", type=int, required=True)
    p.add_argument("--box", required=True, help="WxH: frames are scaled down to fit")
    p.add_argument("--volume", type=float, default=0.0, help="0 = muted (no audio decoded)")
    p.add_argument("--hold-first", action="store_true")
    args = p.parse_args(argv)
    args.box_w, args.box_h = (int(v) for v in args.box.lower().split("x"))
    _die_with_parent()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but protocol lines on the real stdout
    decoder = Decoder(args, out)
    try:
        return decoder.run()
    except BrokenPipeError:
        return 0
    except Exception as e:  # reported to the player in one line, then exit 1
        decoder.send(ev="error", message=f"{type(e).__name__}: {e}")
        return 1


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    os._exit(code)  # not sys.exit: the thread blocked reading stdin would stall the shutdown
