"""The Kivy side of the harness: a minimal host App running one scenario."""
from __future__ import annotations

import itertools
import json
import logging
import os
import resource
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.config import Config
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.uix.label import Label

from content_cache import LiveContent
from kiosk import __version__
from kiosk.touch import build_touch_root, load_kv, lock_window
from kiosk.touch.admin import AdminActions, AdminInfo, SyncSummary
from kiosk.touch.alerts import alerts_from_answer
from kiosk.touch.options import TouchOptions
from kiosk.touch.testing.clocks import KEYS, FakeClocks
from kiosk.touch.testing.tree import find_target, walk
from kiosk.touch.widgets import Surface
from player.engine import ScheduleEngine
from player.neutrality import guard_for

log = logging.getLogger(__name__)
_ids = itertools.count(1000)
STEP_DELAY_S = 0.0  # 0: wait SETTLE_FRAMES frames
SETTLE_FRAMES = 3


class HarnessTouch(MotionEvent):
    def __init__(self, x: float, y: float) -> None:
        super().__init__("harness", next(_ids), {"x": x / Window.width, "y": y / Window.height},
                         is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)


class SignageStandIn(Surface):
    """Stands in for the host's signage loop on the attract screen."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(bg_color=(0.18, 0.18, 0.2, 1), **kw)
        self.add_widget(Label(text="Signage loop", font_size=48, color=(1, 1, 1, 1)))
        self.bind(size=self._fit, pos=self._fit)

    def _fit(self, *_: object) -> None:
        for c in self.children:
            c.pos, c.size = self.pos, self.size


class HarnessApp(App):
    title = "Touch kiosk harness"

    def __init__(self, steps: list[dict[str, Any]], out: Path, content: LiveContent, clocks: FakeClocks,
                 *, dpi: float, pin_hash: str | None, idle_s: float, countdown_s: float,
                 media_path: Any = None, sync_now: Any = None, signage_stand_in: bool = True,
                 derived_dir: Path | None = None) -> None:
        super().__init__()
        # False: the kiosk mode's attract screen (its idle board, no loop behind it)
        self.signage_stand_in = signage_stand_in
        self.media_path, self.sync_now = media_path, sync_now
        self.derived_dir = derived_dir  # page images downscaled here (None: a temporary folder)
        self.engine = ScheduleEngine()
        self.steps, self.out, self.content, self.clocks = steps, out, content, clocks
        self.dpi, self.pin_hash, self.idle_s, self.countdown_s = dpi, pin_hash, idle_s, countdown_s
        self.results: dict[str, Any] = {"dumps": {}, "events": [], "admin_calls": [], "shots": []}
        self.errors: list[str] = []
        self.finished = False
        self._written = False

    def build(self) -> Any:
        load_kv()  # the stand-in below is a Surface, styled by widgets.kv
        actions = AdminActions(
            sync_now=self._sync_now,
            test_card=lambda: self.results["admin_calls"].append("test_card"),
            restart_player=lambda: self.results["admin_calls"].append("restart_player"),
        )
        # As the player does: during an election reserve period the kiosk gets the content
        # without the pages the neutrality policy withholds.
        guard = guard_for(self.content)
        period = guard.period_at(self.clocks.now())
        shown = guard.filter_kiosk(self.content)[0] if period is not None else self.content
        info = AdminInfo("harness-01", __version__, self.content.version_id,
                         SyncSummary(self.clocks.now(), "unchanged", ""), "offline (harness)",
                         reserve_period=(period.names, period.last_day) if period else None)
        options = TouchOptions(idle_timeout_s=self.idle_s, countdown_s=self.countdown_s, dpi=self.dpi,
                               admin_pin_hash=self.pin_hash, admin_info=lambda: info, admin_actions=actions,
                               media_path=self.media_path, derived_dir=self.derived_dir)
        # hybrid: a stand-in for the signage loop on the attract screen; kiosk: none (the idle board)
        attract = SignageStandIn() if self.signage_stand_in else None
        self.root_widget = build_touch_root(shown, attract, options, self.clocks.now,
                                            monotonic=self.clocks.monotonic)
        self.push_alerts()  # the engine's alerts at the scenario's clock, as the player gives them
        self.root_widget.bind(on_attract=lambda _w, reason: self.results["events"].append(["attract", reason]),
                              on_session_start=lambda _w, lang: self.results["events"].append(["session_start", lang]))
        return self.root_widget

    def push_alerts(self) -> None:
        """The alerts in force at the scenario's clock, as the player's engine gives them."""
        self.root_widget.set_alerts(alerts_from_answer(self.engine.now_playing(self.content, self.clocks.now())))

    def _sync_now(self) -> None:
        self.results["admin_calls"].append("sync_now")
        if self.sync_now is not None:  # a device folder: ask its sync daemon, as the player does
            self.results["sync_now"] = self.sync_now.request()

    def on_start(self) -> None:
        lock_window(Window, self)
        # Software GL (llvmpipe) needs ~0.2 s to draw a full-HD frame, and every label
        # texture upload waits for the frame in flight. Layout does not need drawing, so
        # frames are drawn only for screenshots.
        self._draw = Window.on_draw
        Window.on_draw = lambda *_a: None
        # First layout passes: the scenario starts once the screen stopped moving.
        Clock.schedule_once(lambda _dt: self._when_settled(lambda: self._run(0)), 0.5)

    def on_stop(self) -> None:
        self.write_results()

    # -- scenario ------------------------------------------------------------------------
    def _run(self, i: int) -> None:
        if i >= len(self.steps):
            self.finished = True
            self.write_results()
            self.stop()
            return
        step = self.steps[i]
        try:
            self.push_alerts()  # the clock may have moved, the content changed
            delay = self._do(step)
        except Exception as e:  # record and stop: later steps would only cascade
            log.exception("step %d failed: %s", i, step)
            self.errors.append(f"step {i} {json.dumps(step)}: {type(e).__name__}: {e}")
            self.write_results()
            self.stop()
            return
        self.results["steps_done"] = i + 1
        if delay > 0:
            Clock.schedule_once(lambda _dt: self._run(i + 1), delay)
        else:
            self._after_frames(SETTLE_FRAMES, lambda: self._run(i + 1))

    def _when_settled(self, then: Any, last: Any = None, tries: int = 60) -> None:
        """Run ``then`` once two frames in a row lay the widgets out the same way (at most
        ``tries`` frames): fonts and pictograms load during the first ones."""
        facts = [(f["tid"], f["rect"]) for f in walk(self.root_widget, (Window.width, Window.height))]
        if facts == last or tries <= 0:
            then()
            return
        Clock.schedule_once(lambda _dt: self._when_settled(then, facts, tries - 1), 0)

    def _after_frames(self, frames: int, then: Any) -> None:
        """Run ``then`` after ``frames`` drawn frames: layouts settle in one or two."""
        if frames <= 0:
            then()
            return
        Clock.schedule_once(lambda _dt: self._after_frames(frames - 1, then), 0)

    def _do(self, step: dict[str, Any]) -> float:
        size = (Window.width, Window.height)
        if "tap" in step:
            spec = step["tap"]
            if "x" in spec:
                x, y = spec["x"] * size[0], spec["y"] * size[1]
            else:
                found = find_target(self.root_widget, size, tid=spec.get("tid", ""), text=spec.get("text", ""))
                if found is None:
                    raise LookupError(f"nothing visible to tap for {spec}")
                r = found["visible_rect"]
                x, y = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
            touch = HarnessTouch(x, y)
            EventLoop.post_dispatch_input("begin", touch)
            EventLoop.post_dispatch_input("end", touch)
            return STEP_DELAY_S
        if "press" in step:
            touch = HarnessTouch(step["press"]["x"] * size[0], step["press"]["y"] * size[1])
            EventLoop.post_dispatch_input("begin", touch)
            self.clocks.advance(float(step.get("hold_s", 5.5)))
            Clock.schedule_once(lambda _dt: EventLoop.post_dispatch_input("end", touch), 0.35)
            return 0.5
        if "advance" in step:
            self.clocks.advance(float(step["advance"]))
            return 0.35  # at least one idle tick (every 0.25 s)
        if "wait" in step:
            return float(step["wait"])
        if "key" in step:
            key = step["key"] if isinstance(step["key"], int) else KEYS[step["key"]]
            if not Window.dispatch("on_key_down", key, 0, "", []):
                Window.dispatch("on_keyboard", key, 0, "", [])
            return STEP_DELAY_S
        if "close" in step:
            # What SDL does with a window manager's close request.
            if not Window.dispatch("on_request_close"):
                self.results["events"].append(["closed_by_request"])
                self.stop()
            return STEP_DELAY_S
        if "scroll" in step:
            target = next(w for w in self.root_widget.walk() if getattr(w, "tid", None) == step["scroll"]["tid"])
            target.scroll_y = step["scroll"]["to"]
            return STEP_DELAY_S
        if "content" in step:
            from kiosk.touch.testing.sample import content_from_folder

            self.content = content_from_folder(Path(step["content"]), version=step.get("version", "v2"))
            self.root_widget.set_content(self.content)
            self.push_alerts()
            return STEP_DELAY_S
        if "call" in step:
            getattr(self.root_widget, step["call"])(*step.get("args", []))
            return STEP_DELAY_S
        if "dump" in step:
            self.results["dumps"][step["dump"]] = self.dump()
            return 0.0
        if "shot" in step:
            path = self.out / f"{step['shot']}.png"
            self._draw()  # render the current state into the back buffer, then read it
            written = Window.screenshot(name=str(path))
            if written:
                os.replace(written, path)
                self.results["shots"].append(path.name)
            return 0.0
        raise ValueError(f"unknown step {step}")

    def dump(self) -> dict[str, Any]:
        r = self.root_widget
        return {
            "size": [Window.width, Window.height], "dpi": self.dpi, "mode": r.mode, "lang": r.lang,
            "screen": r.place.screen if r.mode == "interactive" else "attract",
            "category": r.place.category, "doc_id": r.place.doc_id, "history": len(r.history),
            "theme": "high-contrast" if r.high_contrast else "standard", "large_text": r.large_text,
            "idle_overlay": r.idle_overlay.parent is not None, "pin_pad": r.pin_pad.parent is not None,
            "admin_panel": r.admin_panel.parent is not None,
            "status": r.status().as_dict(),
            "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "scroll": {name: s.scroll_position() for name, s in r.screens.items()},
            "mouse_provider": Config.get("input", "mouse"), "show_cursor": bool(Window.show_cursor),
            "multitouch_emulation": any(not p.disable_multitouch for p in EventLoop.input_providers
                                        if hasattr(p, "disable_multitouch")),
            "widgets": walk(r, (Window.width, Window.height)),
        }

    def write_results(self) -> None:
        self.results["errors"] = self.errors
        self.results["finished"] = self.finished
        (self.out / "results.json").write_text(json.dumps(self.results, indent=1), encoding="utf-8")
