"""Frame pacing: 60 fps while something moves, a few frames a second on a still slide.

Kivy's loop wakes ``maxfps`` times a second even when nothing changes on screen; on a
lobby screen that shows a still poster for minutes, those wake-ups are most of the
player's CPU. The pacer lowers Kivy's frame cap while the slide is still and raises it
for videos, slide changes and touches. Timers fire at the frame's granularity, so the
player raises the rate a little ahead of each slide change (:class:`OnTime`).

Kivy's clock waits for its next frame in one sleep, so at the signage idle rate a request
posted by a thread (the control socket, a device service) would wait up to a second for
the UI thread; :meth:`FramePacer.wake_from_thread` cuts that wait short.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)

BUSY_FPS = 60.0
# With a touch UI (kiosk, hybrid): input is read once a frame, so a still screen must
# still notice a tap within a quarter second.
IDLE_FPS = 4.0
# Signage only: nothing to read between frames. A slide change is approached at
# APPROACH_FPS (kiosk.app.player_app), so it stays on time; a control request or a
# service's event wakes the loop at once (FramePacer.wake_from_thread); a new version
# waits for the next frame (at most a second).
SIGNAGE_IDLE_FPS = 1.0
# How long a change keeps the full frame rate (animations, first frames of a slide).
SETTLE_S = 0.8
# A slide change is approached at this rate from this long before it (more than an idle
# frame), so it happens within a tenth of a second of its time.
APPROACH_S = 1.2
APPROACH_FPS = 10.0
# While the display schedule has the screen off: enough for timers, the watchdog and
# the control socket, next to nothing for the CPU.
DARK_FPS = 1.0


class FramePacer:
    def __init__(self, idle_fps: float = IDLE_FPS, busy_fps: float = BUSY_FPS) -> None:
        self.idle_fps = idle_fps
        self.busy_fps = busy_fps
        self._holds: dict[str, float] = {}
        self.dark = False
        self._settle = Clock.create_trigger(self._maybe_idle, SETTLE_S)
        self._woken = threading.Event()
        self._apply(busy_fps)

    def take_over_idle(self) -> None:
        """Make Kivy's clock wait for its next frame here, where :meth:`wake_from_thread`
        can end the wait (the player calls this once; a preview driving its own frames
        does not)."""
        Clock.idle = self._idle  # Kivy has no hook for its frame wait

    def wake_from_thread(self) -> None:
        """Any thread: end the current wait for the next frame, so what it just queued for
        the UI thread (a Clock trigger) runs now. Costs nothing while nobody asks: the
        idle rate is kept between requests (Kivy's own "interrupt" clock wakes for every
        event scheduled instead, which kept a still slide busy)."""
        self._woken.set()

    def _idle(self) -> float:
        """Kivy's ``ClockBaseBehavior.idle`` (Kivy 2.3), waiting on an event instead of
        ``usleep`` and reading the frame cap again after each wait."""
        clock = Clock
        resolution = clock.get_resolution()
        undershoot = 4 / 5 * resolution
        while True:
            fps = clock._max_fps
            if fps <= 0:
                break
            wait = 1 / fps - (clock.time() - clock._last_tick) - undershoot
            if wait <= resolution:
                break
            if self._woken.wait(wait):
                break
        self._woken.clear()
        current = clock.time()
        clock._dt = current - clock._last_tick
        clock._last_tick = current
        return current

    def hold(self, reason: str, fps: float | None = None) -> None:
        """At least ``fps`` (default: full rate) until :meth:`release` with the same reason
        (e.g. a video; the approach of a slide change)."""
        self._holds[reason] = fps or self.busy_fps
        if not self.dark and self._holds[reason] > self.fps:
            self._apply(self._holds[reason])

    def release(self, reason: str) -> None:
        if self._holds.pop(reason, None) is not None:
            self._settle()

    def nudge(self) -> None:
        """Something changed on screen: full rate for a moment, then idle again."""
        self._apply(self.busy_fps)
        self._settle()

    def go_dark(self) -> None:
        """The screen is off: settle at :data:`DARK_FPS`, whatever holds or comes to hold
        (a ticker resumed by a touch on the dark screen must not run it at full rate)."""
        self.dark = True
        self._settle()

    def wake(self) -> None:
        self.dark = False
        self.nudge()

    def _maybe_idle(self, _dt: float) -> None:
        if self.dark:
            self._apply(DARK_FPS)
        else:
            self._apply(max(self._holds.values(), default=self.idle_fps))

    def _apply(self, fps: float) -> None:
        # Kivy reads this attribute on every loop iteration (ClockBase.idle).
        Clock._max_fps = fps  # no public setter in Kivy 2.3

    @property
    def fps(self) -> float:
        return Clock._max_fps


class OnTime:
    """Call ``then`` in ``seconds``, on time at any idle frame rate (a slide's end, the
    engine's deadline).

    Kivy runs a timeout at the granularity of its frames (a second at the signage idle
    rate), early or late: from :data:`APPROACH_S` before, the pacer holds
    :data:`APPROACH_FPS` (under ``reason``), and an early call waits out the rest.
    """

    def __init__(self, seconds: float, pacer: FramePacer, then: Callable[[], None], reason: str) -> None:
        self.deadline = time.monotonic() + seconds
        self.pacer, self.then, self.reason = pacer, then, reason
        self._events = [Clock.schedule_once(self._fire, seconds)]
        if seconds > APPROACH_S:
            self._events.append(Clock.schedule_once(
                lambda _dt: pacer.hold(reason, APPROACH_FPS), seconds - APPROACH_S))
        elif seconds > 0:
            pacer.hold(reason, APPROACH_FPS)

    def _fire(self, _dt: float) -> None:
        left = self.deadline - time.monotonic()
        if left > 0.01:
            self.pacer.hold(self.reason, APPROACH_FPS)
            self._events.append(Clock.schedule_once(self._fire, left))
            return
        self.pacer.release(self.reason)
        self.then()

    def cancel(self) -> None:
        for event in self._events:
            event.cancel()
        self.pacer.release(self.reason)


def flush_each_frame() -> None:
    """glFinish at every frame under SDL's offscreen driver.

    There, buffer swaps do not flush Mesa's llvmpipe: rendering stays queued and keeps
    deleted textures alive, so memory grew by hundreds of MB over image transitions
    (docs/performance.md). A glFlush after each frame bounded that, but the rendering it
    queues still held the storage of deleted textures: a bulletin loop kept four or five
    earlier slides' text textures (+22-35 MB over 300 transitions). glFinish returns once
    the frame is rendered, and nothing queued holds a deleted texture any more (+4 MB).
    On a real display the swap flushes and this is not needed.
    """
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    Window.bind(on_flip=lambda *_: glFinish())
