"""Touch response: tap → next screen drawn, on the real touch UI, headless.

    python bench/touch_bench.py [--rounds 20] [--size 1920x1080] [--services 200] [--events 300]
                                [--json OUT.json]

Makes a content folder from the demo town with ``--services`` services and ``--events``
events more, and runs the real touch UI (kiosk.touch, kiosk mode, Kivy with SDL's offscreen
driver on Mesa llvmpipe, as the harness and the player run headless) in a process of its
own. Taps are injected as Kivy motion events at the centre of the widget they name, the
way a touch screen's provider posts them; for each, the latency is from the tap's dispatch
to the end of the first frame (buffer swap, then glFinish as the headless player does)
whose layout is the settled one — the frame in which the visitor sees the whole new
screen in place. Each round goes home → services
list → a service's page → back to the list → home, then the same through the agenda (300
events, by day) and an event's page. Reports p50, p95 and max per transition and overall
(target: p95 < 100 ms). A visitor reads before the next tap (``--think``, 1 s); the first
round, where each list is built on the tap and the lists' row widgets are created, is
reported apart. ``--json`` also writes every sample.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET_P95_MS = 100.0
THINK_S = 1.0  # between a screen drawn and the next tap: a visitor reads before touching
SETTLE_FRAMES = 8  # frames watched after a tap at most: layouts settle in two or three
QUIET_S = 0.4  # …or until no frame was drawn for this long (Kivy draws only what changed)


def make_content(dest: Path, services: int, events: int) -> Path:
    from hub.demo import demo_source_dir

    shutil.copytree(demo_source_dir(), dest)
    with (dest / "kiosk" / "services.toml").open("a", encoding="utf-8") as f:
        for i in range(services):
            f.write(f'\n[[services]]\nid = "svc-{i}"\norder = {10 + i}\naddress = "{i} rue des Écoles, Valbruyère"\n'
                    f'phone = "+33 5 55 01 {i // 100:02d} {i % 100:02d}"\n'
                    f'[services.name]\nfr = "Service municipal n° {i}"\nen = "Town service no. {i}"\n'
                    f'[services.description]\nfr = "Accueil du public, démarches et renseignements ({i})."\n'
                    '[services.hours.weekly]\nmon = [["08:30", "12:00"], ["13:30", "17:30"]]\n'
                    'thu = [["08:30", "12:00"], ["13:30", "19:00"]]\nsat = [["09:00", "12:00"]]\n')
    start = datetime(2026, 11, 26, 8, 0)
    with (dest / "kiosk" / "events.toml").open("a", encoding="utf-8") as f:
        for i in range(events):
            at = start + timedelta(hours=3 * i)
            f.write(f'\n[[events]]\nid = "evt-{i}"\nstart = {at:%Y-%m-%dT%H:%M:%S}\n'
                    f'end = {at + timedelta(hours=2):%Y-%m-%dT%H:%M:%S}\n'
                    f'[events.title]\nfr = "Animation n° {i}"\nen = "Event no. {i}"\n'
                    f'[events.place]\nfr = "Salle {i % 7}"\n'
                    f'[events.description]\nfr = "Entrée libre, tout public ({i})."\n')
    return dest


# (from, tap target, to): one round, back home at its end.
ROUND = [("home", "cat-services", "list"), ("list", "row-svc-{k}", "detail"), ("detail", "nav-back", "list"),
         ("list", "nav-home", "home"), ("home", "cat-agenda", "list"), ("list", "row-evt-{k}", "detail"),
         ("detail", "nav-back", "list"), ("list", "nav-home", "home")]


def child(content_dir: Path, size: tuple[int, int], rounds: int, out: Path, think_s: float) -> None:
    from kiosk.device.kivy_env import prepare_kivy

    prepare_kivy(out.parent / ".kivy", headless=True, fullscreen=False, size=size)
    from kivy.app import App
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.app.frame_pacer import flush_each_frame
    from kiosk.touch import build_touch_root
    from kiosk.touch.alerts import alerts_from_answer
    from kiosk.touch.options import TouchOptions
    from kiosk.touch.testing.app import HarnessTouch
    from kiosk.touch.testing.clocks import DEFAULT_NOW, FakeClocks
    from kiosk.touch.testing.sample import content_from_folder, media_from_folder
    from kiosk.touch.testing.tree import find_target
    from player.engine import ScheduleEngine

    content = content_from_folder(content_dir)
    clocks = FakeClocks(datetime.fromisoformat(DEFAULT_NOW).astimezone(UTC))
    samples: list[dict[str, Any]] = []

    class BenchApp(App):
        def build(self) -> Any:
            options = TouchOptions(idle_timeout_s=3600, dpi=102.0, media_path=media_from_folder(content_dir),
                                   derived_dir=out.parent / ".derived", read_aloud=False)
            self.ui = build_touch_root(content, None, options, clocks.now, monotonic=clocks.monotonic)
            self.ui.set_alerts(alerts_from_answer(ScheduleEngine().now_playing(content, clocks.now())))
            if os.environ.get("TOUCH_BENCH_FRAMES"):
                render = self.ui._render

                def timed(place: Any) -> None:
                    t = time.perf_counter()
                    render(place)
                    print(f"   render {place.screen} {(time.perf_counter() - t) * 1000:.0f} ms, "
                          f"{(t - self.t0) * 1000:.0f} ms after the tap", file=sys.stderr)
                self.ui._render = timed
            return self.ui

        def on_start(self) -> None:
            self.frames: list[tuple[float, Any]] = []
            Window.bind(on_flip=self._flipped)
            # As the headless player does (player.frame_flush): under SDL's offscreen driver a
            # buffer swap does not make llvmpipe render, so the frames' work would pile up and
            # be paid at the next texture upload, after an idle second, by whatever tap came
            # then. Bound after the timestamp's handler, so it runs first: a frame is timed
            # once it is really rendered.
            flush_each_frame()
            if os.environ.get("TOUCH_BENCH_FRAMES"):
                Window.bind(on_draw=lambda *_: self.watching and print(
                    f"   draw starts {(time.perf_counter() - self.t0) * 1000:.0f} ms after the tap", file=sys.stderr))
            # services and events taken through the lists, near their top and far below
            self.steps = [(a, t.format(k=10 + (r * 37) % 180), b) for r in range(rounds) for a, t, b in ROUND]
            self.step = -1  # a warm-up round is not counted
            self.steps = [(a, t.format(k=150), b) for a, t, b in ROUND] + self.steps
            self.warmup = len(ROUND)
            Clock.schedule_once(lambda _dt: self.ui.start_session(None), 0.5)
            Clock.schedule_once(lambda _dt: self._next(), 1.5)

        def _signature(self) -> Any:
            screen = self.ui.screens[self.ui.place.screen]
            return (self.ui.place, tuple((type(w).__name__, round(w.x), round(w.y), round(w.width), round(w.height))
                                         for w in screen.walk(restrict=True)))

        def _flipped(self, *_: Any) -> None:
            if self.watching:
                self.frames.append((time.perf_counter(), self._signature()))

        watching = False
        retried = False
        t0 = 0.0
        think_s = THINK_S

        def _next(self) -> None:
            self.step += 1
            if self.step >= len(self.steps):
                out.write_text(json.dumps(samples), encoding="utf-8")
                self.stop()
                return
            before, tid, after = self.steps[self.step]
            assert self.ui.place.screen == before, (self.ui.place, before)
            found = find_target(self.ui, (Window.width, Window.height), tid=tid)
            if found is None:  # a row below the fold: scroll it into view first (not timed)
                view = self.ui.screens["list"].ids.scroll
                heights = [float(d["height"]) for d in view.data]
                index = next((i for i, d in enumerate(view.data) if d.get("tid") == tid), None)
                if index is None or self.retried:
                    raise LookupError(f"{tid} is not on the {self.ui.place.screen} screen ({self.ui.place})")
                spacing = view.children[0].spacing
                above = sum(heights[:index]) + spacing * index
                total = view.children[0].height
                view.scroll_y = max(0.0, min(1.0, 1 - above / max(1.0, total - view.height)))
                self.retried = True
                Clock.schedule_once(lambda _dt: self._retry(), 0.2)
                return
            self.retried = False
            r = found["visible_rect"]
            self.frames = []
            self.watching = True
            self.t0 = time.perf_counter()
            touch = HarnessTouch((r[0] + r[2]) / 2, (r[1] + r[3]) / 2)
            EventLoop.post_dispatch_input("begin", touch)
            EventLoop.post_dispatch_input("end", touch)
            self.expect = after
            Clock.schedule_once(self._measure, 0)

        def _retry(self) -> None:
            self.step -= 1
            self._next()

        def _measure(self, _dt: float) -> None:
            last = self.frames[-1][0] if self.frames else self.t0
            if len(self.frames) < SETTLE_FRAMES and time.perf_counter() - last < QUIET_S:
                Clock.schedule_once(self._measure, 0)
                return
            if not self.frames:
                raise RuntimeError(f"no frame drawn after the tap on {self.steps[self.step][1]}")
            self.watching = False
            final = self.frames[-1][1]
            drawn = next(t for t, sig in self.frames if sig == final)
            before, tid, after = self.steps[self.step]
            if self.ui.place.screen != after:
                raise RuntimeError(f"tap on {tid} led to {self.ui.place.screen}, not {after}")
            if os.environ.get("TOUCH_BENCH_FRAMES"):  # each frame: ms after the tap, layout changed?
                marks = [f"{(t - self.t0) * 1000:.0f}{'*' if i and sig != self.frames[i - 1][1] else ''}"
                         for i, (t, sig) in enumerate(self.frames)]
                print(f"{before}->{after} {tid}: {' '.join(marks)}", file=sys.stderr)
                for i in range(1, len(self.frames)):
                    a, b = self.frames[i - 1][1][1], self.frames[i][1][1]
                    if a != b:
                        diff = [(x, y) for x, y in zip(a, b, strict=False) if x != y][:3]
                        print(f"   frame {i}: {len(a)}→{len(b)} widgets; {diff}", file=sys.stderr)
            samples.append({"cold": self.step < self.warmup, "from": before, "to": after, "tap": tid,
                            "category": self.ui.place.category or "home", "ms": round((drawn - self.t0) * 1000, 1)})
            Clock.schedule_once(lambda _dt: self._next(), self.think_s)

    app = BenchApp()
    app.think_s = think_s
    app.run()


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--size", default="1920x1080")
    p.add_argument("--services", type=int, default=200)
    p.add_argument("--events", type=int, default=300)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--think", type=float, default=THINK_S, help="seconds between a screen drawn and the next tap")
    p.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--content", type=Path, default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    size = tuple(int(x) for x in a.size.split("x"))
    if a.child is not None:
        child(a.content, (size[0], size[1]), a.rounds, a.child, a.think)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        content = make_content(Path(tmp) / "content", a.services, a.events)
        out = Path(tmp) / "run" / "samples.json"
        out.parent.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        started = time.monotonic()
        r = subprocess.run([sys.executable, __file__, "--child", str(out), "--content", str(content),
                            "--size", a.size, "--rounds", str(a.rounds), "--think", str(a.think)],
                           env=env, capture_output=True, text=True)
        if os.environ.get("TOUCH_BENCH_FRAMES"):
            print(r.stderr[-20000:], file=sys.stderr)
        if r.returncode != 0 or not out.is_file():
            print(r.stderr[-4000:], file=sys.stderr)
            return 1
        samples = json.loads(out.read_text("utf-8"))
    print(f"touch bench: {len(samples)} taps, {a.services} services and {a.events} events more than the demo, "
          f"{a.size}, {time.monotonic() - started:.0f} s")
    cold = [s for s in samples if s["cold"]]
    samples = [s for s in samples if not s["cold"]]
    groups: dict[str, list[float]] = {}
    for s in samples:
        groups.setdefault(f"{s['from']} → {s['to']} ({s['category']})", []).append(s["ms"])
    print(f"{'transition':<34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in groups.items():
        print(f"{name:<34} {len(values):>4} {statistics.median(values):>8.1f} {percentile(values, 95):>8.1f} "
              f"{max(values):>8.1f}")
    every = [s["ms"] for s in samples]
    p95 = percentile(every, 95)
    print(f"{'all':<34} {len(every):>4} {statistics.median(every):>8.1f} {p95:>8.1f} {max(every):>8.1f}  "
          f"(target p95 < {TARGET_P95_MS:.0f} ms: {'met' if p95 < TARGET_P95_MS else 'MISSED'})")
    print("first round (each list built on the tap, views created): "
          + ", ".join(f"{s['from']}→{s['to']} {s['ms']:.0f}" for s in cold) + " ms")
    if a.json:
        a.json.write_text(json.dumps({"size": a.size, "samples": samples, "cold": cold}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
