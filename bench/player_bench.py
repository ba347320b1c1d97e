"""Player benchmark: our Kivy player against a Chromium kiosk showing the same slideshow.

    python bench/player_bench.py [--runs 3] [--size 1280x720] [--transitions 1000]
                                 [--idle-seconds 20] [--screenshots DIR] [--no-xvfb]
    python bench/player_bench.py --memory-variants [--loop demo|posters|bulletins|video] [--runs 2]
                                 [--transitions 1000] [--variants plain,device] [--before DIR]

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`) and the
`websocket-client` package in the Python environment that runs this script, for the
DevTools protocol (`pip install websocket-client`; dev tooling for this benchmark only,
not a dependency of the player).

Publishes the bundled demo town (`kiosk publish`), serves it with the reference server
on 127.0.0.1 and syncs it into a fresh data folder (`kiosk sync --once`). Chromium gets a
generated HTML page (served by a plain http.server on 127.0.0.1) playing the same loop:
the items our schedule engine answers from that synced cache, in the same order, with
the same durations and texts, the media fetched from the same reference server. Both
sides run headless (our player with SDL's offscreen driver on Mesa llvmpipe, Chromium
with --headless=new --disable-gpu), at the same size. Then, in the same run, each side
N times (the median is reported):

1. first frame: ours from Popen to the READY=1 datagram on a NOTIFY_SOCKET bound here
   (the player sends it once its first slide has been drawn); Chromium from Popen to the
   page's first contentful paint, read over DevTools from the Paint Timing API
   (performance.timeOrigin + the entry's startTime, against the wall clock at Popen).
   The page paints nothing contentful (status bar and banner included) until its first
   slide is decoded, so its first contentful paint is its first slide, as for ours.
2. idle CPU on a still poster: a one-item content (one image, 120 s), CPU time of the
   whole process tree over --idle-seconds, as % of one core; ours also with
   `--idle-fps 60` (Kivy's usual loop rate, no frame pacing).
3. memory: PSS summed over every process of the tree (/proc/PID/smaps_rollup), 3 s
   after the first frame and 3 s after --transitions transitions. Ours are driven with
   the control socket's `next` (each answer awaited; a video's first frame awaited
   too); Chromium's with DevTools Runtime.evaluate of the page's next(), which resolves
   once the new slide is in place (image decoded, video's first frame) and a frame has
   been scheduled.

Diagnostic (no target): when Xvfb is installed, ours also runs in a real X11 window
(`--windowed` under Xvfb, GLX, where buffer swaps flush Mesa) for the first-frame and
memory measures, to tell what is due to the offscreen mode.

Our player's NOTIFY_SOCKET is read all along, as systemd does: it sends STATUS= at every
slide, and an unread datagram queue (10 deep) blocks its main loop.

Process trees: this script makes itself a child subreaper (prctl), so processes a side
double-forks (Chromium's crashpad handlers) are re-parented here and counted with it.
Each side runs once untimed first (warm page cache, the player's downscaled images):
figures are warm starts. Ratios are ours / Chromium (lower is better).
"""
from __future__ import annotations

import argparse
import ctypes
import functools
import http.server
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import contextlib  # noqa: E402

from hub.refserver import ContentTreeServer  # noqa: E402
from kiosk.device.cache import open_cache  # noqa: E402
from kiosk.device.control import ControlError, call, socket_path  # noqa: E402
from player.engine import ScheduleEngine  # noqa: E402
from player.i18n import CATEGORY_LABELS, gettext_for  # noqa: E402
from player.schedule import DurationLimits, alert_item, slide_seconds  # noqa: E402
from player.severity import DARK  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
DEMO = ROOT / "hub" / "demo_content"
SETTLE_S = 3.0  # after the first frame / the last transition, before reading memory
IDLE_SETTLE_S = 5.0  # after the first frame, before the idle CPU window
CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36
# Our own long-lived helpers (Xvfb): children of ours that belong to no side.
HELPERS: set[int] = set()
# The severity fills the player uses (player.severity), as CSS colours.
SEVERITY_CSS = {name: "#" + "".join(f"{round(c * 255):02X}" for c in DARK.style(name).fill[:3])
                for name in ("info", "warning", "critical")}


# -- processes ------------------------------------------------------------------------------
def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (ppid, CPU seconds incl. reaped children) for every process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # fields[0] is state (field 3); utime, stime, cutime, cstime are fields 14-17
        ticks = sum(int(x) for x in fields[11:15])
        table[int(entry.name)] = (int(fields[1]), ticks / CLK_TCK)
    return table


def _descendants(roots: set[int], table: dict[int, tuple[int, float]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, todo = set(), [r for r in roots if r in table]
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo.extend(children.get(pid, ()))
    return seen


def pss_mb(pids: set[int], fields: tuple[str, ...] = ("Pss:",)) -> float:
    total_kb = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith(fields):
                        total_kb += int(line.split()[1])
        except OSError:
            pass  # gone meanwhile, or a zombie
    return total_kb / 1024


def uss_mb(pids: set[int]) -> float:
    """Private memory only: unlike PSS, it does not move when other processes start or
    stop mapping the same libraries (a shared machine)."""
    return pss_mb(pids, ("Private_Clean:", "Private_Dirty:"))


def anon_mb(pids: set[int]) -> float:
    """Anonymous memory only (heaps, mmapped buffers, JIT code): what the process itself
    allocated. Private memory (above) is not steady either on a shared machine: pages of
    a library that no other process maps at the moment count as private (libLLVM's
    moved our PSS and private figures by tens of MB between two readings, with the same
    resident pages)."""
    return pss_mb(pids, ("Anonymous:",))


class Side:
    """One launched side (our player or Chromium) and its whole process tree."""

    def __init__(self, proc: subprocess.Popen, t0: float) -> None:
        self.proc = proc
        self.t0 = t0
        self.on_stop: list[Callable[[], None]] = []

    def pids(self, table: dict[int, tuple[int, float]] | None = None) -> set[int]:
        table = table if table is not None else _proc_table()
        me = os.getpid()
        # Orphans re-parented to us (we are a subreaper) belong to the side under test:
        # sides run one at a time and everything is reaped between them.
        roots = {self.proc.pid} | {pid for pid, (ppid, _c) in table.items() if ppid == me and pid not in HELPERS}
        return _descendants(roots, table)

    def cpu_seconds(self) -> tuple[float, set[int]]:
        table = _proc_table()
        pids = self.pids(table)
        return sum(table[p][1] for p in pids), pids

    def pss_mb(self) -> float:
        return pss_mb(self.pids())

    def uss_mb(self) -> float:
        return uss_mb(self.pids())

    def anon_mb(self) -> float:
        return anon_mb(self.pids())

    def stop(self) -> None:
        pids = self.pids()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        # Whatever outlived it (orphans re-parented to us): by pid, then reap.
        deadline = time.monotonic() + 5
        for pid in pids - {self.proc.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        reap_orphans(deadline)
        for fn in self.on_stop:
            fn()


def reap_orphans(deadline: float) -> None:
    """Reap children that are not Popen objects of ours (double-forked helpers)."""
    while True:
        me = os.getpid()
        left = [pid for pid, (ppid, _c) in _proc_table().items() if ppid == me and pid not in HELPERS]
        for pid in left:
            try:
                done, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if not done and time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        if not left or time.monotonic() > deadline + 2:
            return
        time.sleep(0.1)


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("warning: could not become a child subreaper; detached helpers are not counted",
              file=sys.stderr)


# -- content ------------------------------------------------------------------------------
def kiosk_cmd(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("kiosk")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "kiosk", *args]


def run_quiet(cmd: list[str]) -> None:
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout[-2000:]}")


def make_idle_source(root: Path) -> None:
    """One still poster for two minutes: nothing moves on screen but the minute clock."""
    (root / "media").mkdir(parents=True)
    (root / "playlists").mkdir()
    shutil.copy(DEMO / "media" / "piscine.jpg", root / "media" / "piscine.jpg")
    (root / "site.toml").write_text(
        '[site]\nid = "idle"\ntimezone = "Europe/Paris"\nlanguages = ["fr"]\ndefault_playlist = "still"\n'
        '[site.name]\nfr = "Ville de Valbruyère"\n')
    (root / "playlists" / "still.toml").write_text(
        'id = "still"\n\n[[items]]\nid = "poster"\ntype = "image"\nfile = "media/piscine.jpg"\nduration = 120\n')


def make_images_source(root: Path) -> None:
    """The demo's four posters in a loop, nothing else: the image-only case where the
    offscreen driver's unflushed rendering showed most (docs/performance.md)."""
    (root / "media").mkdir(parents=True)
    (root / "playlists").mkdir()
    posters = ("piscine.jpg", "marche.jpg", "mediatheque.png", "velo.jpg")
    for name in posters:
        shutil.copy(DEMO / "media" / name, root / "media" / name)
    (root / "site.toml").write_text(
        '[site]\nid = "posters"\ntimezone = "Europe/Paris"\nlanguages = ["fr"]\ndefault_playlist = "posters"\n'
        '[site.name]\nfr = "Ville de Valbruyère"\n')
    (root / "playlists" / "posters.toml").write_text('id = "posters"\n' + "".join(
        f'\n[[items]]\nid = "p{i}"\ntype = "image"\nfile = "media/{name}"\nduration = 30\n'
        for i, name in enumerate(posters)))


def slideshow_data(data_dir: Path, media_url: str) -> dict:
    """What the player would loop now, read from the synced cache with our engine."""
    cache = open_cache(data_dir)
    try:
        content = cache.read_live()
    finally:
        cache.close()
    if content is None:
        sys.exit(f"no live content in {data_dir}")
    tz = ZoneInfo(content.timezone)
    lang = content.languages[0]
    second = next((x for x in content.languages if x != lang), None)
    _ = gettext_for(lang)
    answer = ScheduleEngine().now_playing(content, datetime.now(UTC).astimezone(tz), lang=lang)
    items = [alert_item(answer.fullscreen_alert)] if answer.fullscreen_alert else list(answer.items)
    limits = DurationLimits()
    slides = []
    for item in items:
        s = {"id": item.id, "kind": item.kind, "duration": slide_seconds(item, limits)}
        if item.media is not None:
            s["src"] = f"{media_url}/v1/media/{item.media.sha256}"
        if item.caption:
            s["caption"] = item.caption.get(lang)
        if item.bulletin is not None:
            b = item.bulletin
            s.update(colour=SEVERITY_CSS.get(b.severity, SEVERITY_CSS["info"]),
                     category=_(CATEGORY_LABELS.get(b.category, "Information")).upper(),
                     title=b.title.get(lang), body=b.body.get(lang))
            if second and b.title.get(second, fallback=lang) != b.title.get(lang):
                s["title2"] = b.title.get(second)
        slides.append(s)
    banner = [a.bulletin for a in answer.banner_alerts]
    return {
        "slides": slides,
        "site": content.site_name.get(lang),
        "tz": content.timezone,
        "banner": (f"{_('Alert').upper()} · " + "  ·  ".join(b.title.get(lang) for b in banner)) if banner else "",
        "banner_colour": SEVERITY_CSS.get(banner[0].severity, SEVERITY_CSS["critical"]) if banner else "",
    }


PAGE = r"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Town kiosk (HTML)</title>
<style>
html, body { margin: 0; height: 100%; overflow: hidden; background: #101418; color: #fff;
  font-family: Roboto, "DejaVu Sans", sans-serif; cursor: none; }
#stage { position: absolute; left: 0; right: 0; top: 0; bottom: 7vh; }
.slide { position: absolute; inset: 0; background: #101418; }
.slide img, .slide video { width: 100%; height: 100%; object-fit: contain; display: block; }
.caption { position: absolute; left: 0; right: 0; bottom: 0; height: 12%; background: rgba(0,0,0,.72);
  display: flex; align-items: center; padding: 0 6%; font-weight: bold; font-size: calc(var(--u) * .038); }
.pill { position: absolute; left: 6%; top: 7%; font-weight: bold; font-size: calc(var(--u) * .04); }
.title { position: absolute; left: 6%; right: 6%; top: 16%; font-weight: bold; font-size: calc(var(--u) * .085); }
.body { position: absolute; left: 6%; right: 6%; top: 42%; font-size: calc(var(--u) * .055); }
.title2 { position: absolute; left: 6%; top: 80%; font-style: italic; opacity: .85; font-size: calc(var(--u) * .045); }
#status { position: absolute; left: 0; right: 0; bottom: 0; height: 7vh; background: rgba(0,0,0,.78);
  display: flex; justify-content: space-between; align-items: center; padding: 0 3%; font-size: calc(var(--u) * .032); }
#banner { position: absolute; left: 0; right: 0; top: 0; height: 13vh; display: flex; align-items: center;
  padding: 0 4%; font-weight: bold; font-size: calc(var(--u) * .045); }
</style></head>
<body><script>
"use strict";
const D = __DATA__;
document.documentElement.style.setProperty("--u", Math.min(innerHeight, innerWidth * 1.2) + "px");
const bench = window.bench = { shown: 0, firstSlideAt: null, firstRafAt: null, firstImage: null, errors: [] };
// Element Timing entries reach observers only (not performance.getEntries*).
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.identifier === "first-slide") bench.firstImage = e.renderTime || e.loadTime;
}).observe({ type: "element", buffered: true });
let index = -1, current = null, pending = null, timer = null;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function build(item) {
  const root = el("div", "slide");
  const s = { item, root, stop() {}, start() {} };
  if (item.kind === "image") {
    const img = new Image();
    if (bench.shown === 0) img.setAttribute("elementtiming", "first-slide");
    img.src = item.src;
    root.append(img);
    if (item.caption) root.append(el("div", "caption", item.caption));
    s.ready = img.decode();
  } else if (item.kind === "video") {
    const v = el("video");
    v.muted = true; v.playsInline = true; v.preload = "auto"; v.src = item.src;
    root.append(v);
    s.ready = new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error("no video frame within 8 s")), 8000);
      v.addEventListener("loadeddata", () => { clearTimeout(t); ok(); }, { once: true });
      v.addEventListener("error", () => { clearTimeout(t); fail(new Error("video error")); }, { once: true });
    });
    s.start = () => { v.play().catch(() => {}); v.onended = () => { if (current === s) showNext(); }; };
    s.stop = () => { v.pause(); v.removeAttribute("src"); v.load(); };
  } else {
    root.style.background = item.colour;
    root.append(el("div", "pill", item.category), el("div", "title", item.title), el("div", "body", item.body));
    if (item.title2) root.append(el("div", "title2", item.title2));
    s.ready = Promise.resolve();
  }
  return s;
}

let clockEl = null;
function tick() {
  const now = new Date();
  const p = new Intl.DateTimeFormat("fr-FR", { timeZone: D.tz, day: "2-digit", month: "2-digit",
    year: "numeric", hour: "2-digit", minute: "2-digit" }).formatToParts(now);
  const g = (t) => p.find((x) => x.type === t).value;
  clockEl.textContent = `${g("day")}/${g("month")}/${g("year")}  ${g("hour")}:${g("minute")}`;
  setTimeout(tick, (60 - now.getSeconds()) * 1000 + 50);  // the next minute only
}

function showChrome() {
  const stage = document.getElementById("stage");
  const status = el("div"); status.id = "status";
  clockEl = el("span");
  status.append(el("span", "", D.site), clockEl);
  document.body.append(status);
  if (D.banner) {
    const b = el("div", "", D.banner); b.id = "banner"; b.style.background = D.banner_colour;
    document.body.append(b);
    stage.style.top = "13vh";  // the loop moves below the banner
  }
  tick();
}

// Prepare the next slide off-screen; swap it in once ready (no black frame), as ours does.
async function showNext() {
  clearTimeout(timer);
  index = (index + 1) % D.slides.length;
  const s = build(D.slides[index]);
  pending = s;
  try {
    await s.ready;
  } catch (e) {
    bench.errors.push(s.item.id + ": " + e.message);
    if (pending === s) { pending = null; return showNext(); }
    return false;
  }
  if (pending !== s) { s.stop(); return false; }
  pending = null;
  const stage = document.getElementById("stage") || (() => {
    const st = el("div"); st.id = "stage"; document.body.append(st); return st; })();
  stage.append(s.root);
  s.start();
  if (current) { current.root.remove(); current.stop(); }
  current = s;
  if (bench.shown++ === 0) {
    showChrome();
    bench.firstSlideAt = performance.now();
    requestAnimationFrame(() => { bench.firstRafAt = performance.now(); });
  }
  timer = setTimeout(showNext, s.item.duration * 1000);
  return true;
}

// For the benchmark: advance now; resolves once the new slide is in place and a frame is scheduled.
bench.next = async () => {
  const before = bench.shown;
  while (bench.shown === before) await showNext();
  await new Promise((ok) => requestAnimationFrame(ok));
  return bench.shown;
};
bench.timing = () => {
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return { origin: performance.timeOrigin, fcp: fcp ? fcp.startTime : null,
           element: bench.firstImage, slide: bench.firstSlideAt,
           raf: bench.firstRafAt, w: innerWidth, h: innerHeight, shown: bench.shown, errors: bench.errors };
};
showNext();
</script></body></html>
"""


def write_page(path: Path, data: dict) -> None:
    path.write_text(PAGE.replace("__DATA__", json.dumps(data, ensure_ascii=False)))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_a: object) -> None:
        pass


def serve_dir(directory: Path) -> http.server.ThreadingHTTPServer:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, name="page-server", daemon=True).start()
    return srv


# -- DevTools ------------------------------------------------------------------------------
class DevTools:
    """The few DevTools protocol calls needed, over one page's websocket."""

    def __init__(self, ws_url: str) -> None:
        import websocket  # websocket-client

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self._id = 0

    def call(self, method: str, **params: object) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def evaluate(self, expression: str, await_promise: bool = False) -> object:
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def close(self) -> None:
        self.ws.close()


# -- the two sides ---------------------------------------------------------------------------
@dataclass
class Launch:
    side: Side
    first_frame_s: float
    detail: dict = field(default_factory=dict)
    devtools: DevTools | None = None
    data_dir: Path | None = None


class Bench:
    def __init__(self, tmp: Path, size: tuple[int, int]) -> None:
        self.tmp = tmp
        self.size = size
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.count = 0

    def start_ours(self, data_dir: Path, idle_fps: float | None = None, display: str | None = None,
                   extra_env: dict[str, str] | None = None, player: dict[str, bool] | None = None) -> Launch:
        """Our player; ``player``: keys of the config's [player] section (tuning switches)."""
        self.count += 1
        notify = self.tmp / f"notify-{self.count}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(notify))
        sock.settimeout(120)
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env["NOTIFY_SOCKET"] = str(notify)
        env.update(extra_env or {})
        mode = "--headless"
        if display:  # a real X11 window (GLX, swaps flush the renderer) instead of offscreen
            env["DISPLAY"], mode = display, "--windowed"
        cmd = kiosk_cmd("player", "--data", str(data_dir), mode, "--size", "{}x{}".format(*self.size))
        if idle_fps:
            cmd += ["--idle-fps", str(idle_fps)]
        if player:
            config = self.tmp / f"kiosk-{self.count}.toml"
            config.write_text("[player]\n" + "".join(f"{k} = {str(v).lower()}\n" for k, v in player.items()))
            cmd += ["--config", str(config)]
        log = open(self.logs / f"ours-{self.count}.log", "wb")  # noqa: SIM115 - closed with the process
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        try:
            while True:
                msg = sock.recv(4096).decode()
                if msg.startswith("READY=1"):
                    t1 = time.monotonic()
                    break
        except TimeoutError:
            proc.kill()
            sys.exit(f"our player sent no READY=1 within 120 s; see {self.logs}")
        side = Side(proc, t0)
        # Keep reading, as systemd does: the player sends STATUS= at every slide, and a
        # full datagram queue (net.unix.max_dgram_qlen, 10) blocks its main loop.
        done = threading.Event()

        def drain() -> None:
            sock.settimeout(0.2)
            while not done.is_set():
                with contextlib.suppress(TimeoutError):
                    sock.recv(4096)
            sock.close()
            notify.unlink(missing_ok=True)

        threading.Thread(target=drain, name="notify-drain", daemon=True).start()
        side.on_stop.append(done.set)
        return Launch(side, t1 - t0, {"status": msg.split("STATUS=", 1)[-1]}, data_dir=data_dir)

    def start_chromium(self, url: str) -> Launch:
        self.count += 1
        profile = Path(tempfile.mkdtemp(prefix="profile-", dir=self.tmp))
        cmd = [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--kiosk",
               "--window-size={},{}".format(*self.size),
               # Headless Chromium's screen is 800x600 and --kiosk makes the window fill
               # it: give it a screen of the player's size.
               "--screen-info={{0,0 {}x{}}}".format(*self.size), "--remote-debugging-port=0", url]
        wall0, t0 = time.time(), time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        side = Side(proc, t0)
        log = open(self.logs / f"chromium-{self.count}.log", "wb")  # noqa: SIM115 - closed with the process
        port = None
        assert proc.stderr is not None
        while port is None:
            line = proc.stderr.readline()
            if not line:
                side.stop()
                sys.exit(f"chromium exited before opening DevTools; see {self.logs}")
            log.write(line)
            m = re.search(rb"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
        # Keep draining its stderr so it never blocks on a full pipe.
        threading.Thread(target=lambda: shutil.copyfileobj(proc.stderr, log), daemon=True).start()
        page = None
        while page is None:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = json.load(r)
            page = next((t for t in targets if t.get("type") == "page" and t.get("url") == url), None)
            if page is None:
                time.sleep(0.05)
        dt = DevTools(page["webSocketDebuggerUrl"])
        deadline = time.monotonic() + 120
        while True:
            timing = dt.evaluate("window.bench && window.bench.timing()")
            if timing and timing.get("fcp") is not None:
                break
            if time.monotonic() > deadline:
                side.stop()
                sys.exit(f"chromium showed no contentful paint within 120 s: {timing}")
            time.sleep(0.05)
        origin = timing["origin"] / 1000
        detail = {k: (origin + timing[k] / 1000 - wall0) if isinstance(timing.get(k), float | int) else None
                  for k in ("fcp", "element", "slide", "raf")}
        detail.update(viewport=(timing["w"], timing["h"]), errors=timing["errors"])
        if tuple(detail["viewport"]) != self.size:
            print(f"warning: Chromium's viewport is {timing['w']}x{timing['h']}, not {self.size}", file=sys.stderr)
        return Launch(side, detail["fcp"], detail, devtools=dt)

    # -- measures ----------------------------------------------------------------------
    def transitions_ours(self, launch: Launch, n: int) -> int:
        sock = socket_path(launch.data_dir)
        start = call(sock, "status")["slides_shown"]
        showing = call(sock, "status")["showing"]
        for i in range(n):
            reply = call(sock, "next")
            if reply["showing"] == showing:  # a video: wait for its first frame, as Chromium's next() does
                deadline = time.monotonic() + 15
                while call(sock, "status")["slides_shown"] < start + i + 1:
                    if time.monotonic() > deadline:
                        raise ControlError("no transition within 15 s")
                    time.sleep(0.01)
                showing = call(sock, "status")["showing"]
            else:
                showing = reply["showing"]
        return call(sock, "status")["slides_shown"] - start

    def transitions_chromium(self, launch: Launch, n: int) -> int:
        dt = launch.devtools
        assert dt is not None
        start = dt.evaluate("bench.shown")
        for _ in range(n):
            dt.evaluate("bench.next()", await_promise=True)
        return dt.evaluate("bench.shown") - start

    def screenshot(self, launch: Launch, out: Path) -> None:
        if launch.devtools is not None:
            import base64

            shot = launch.devtools.call("Page.captureScreenshot", format="png")
            out.write_bytes(base64.b64decode(shot["data"]))
        else:
            assert launch.data_dir is not None
            call(socket_path(launch.data_dir), "screenshot", path=str(out.resolve()))

    def memory_run(self, start: Callable[[], Launch], transitions: Callable[[Launch, int], int], n: int,
                   shots: Path | None, name: str) -> dict:
        launch = start()
        try:
            time.sleep(SETTLE_S)
            pss0, uss0, anon0 = launch.side.pss_mb(), launch.side.uss_mb(), launch.side.anon_mb()
            procs = len(launch.side.pids())
            if shots:
                self.screenshot(launch, shots / f"{name}-first.png")
            t = time.monotonic()
            done = transitions(launch, n)
            elapsed = time.monotonic() - t
            time.sleep(SETTLE_S)
            pss1, uss1, anon1 = launch.side.pss_mb(), launch.side.uss_mb(), launch.side.anon_mb()
            if shots:
                self.screenshot(launch, shots / f"{name}-after.png")
        finally:
            if launch.devtools:
                launch.devtools.close()
            launch.side.stop()
        return {"first": launch.first_frame_s, "pss0": pss0, "pss1": pss1, "uss0": uss0, "uss1": uss1,
                "anon0": anon0, "anon1": anon1,
                "done": done,
                "per_transition_ms": elapsed / max(done, 1) * 1000, "procs": procs, "detail": launch.detail}

    def idle_run(self, start: Callable[[], Launch], seconds: float) -> float:
        launch = start()
        try:
            if launch.devtools:
                launch.devtools.close()  # nothing talks to the page while it idles
            time.sleep(IDLE_SETTLE_S)
            cpu0, _ = launch.side.cpu_seconds()
            t0 = time.monotonic()
            time.sleep(seconds)
            cpu1, _ = launch.side.cpu_seconds()
            return (cpu1 - cpu0) / (time.monotonic() - t0) * 100
        finally:
            launch.side.stop()


def startup_stages(size: tuple[int, int], kivy_home: Path) -> dict[str, float]:
    """Where our first frame's time goes, in the player's own import order (`kiosk player`
    imports its cache reader and engine, then configures and imports Kivy; SQLAlchemy, the
    sync client and the device services come after the first frame): seconds from Popen,
    in a separate process that stops once the window and the player's modules exist."""
    code = (
        "import time; t = [time.monotonic()]\n"
        "import kiosk.cli; from kiosk.app.run import run_player; t.append(time.monotonic())\n"
        "from pathlib import Path; from kiosk.device.kivy_env import prepare_kivy\n"
        f"prepare_kivy(Path({str(kivy_home)!r}), headless=True, fullscreen=False, size={size!r})\n"
        "import kivy; from kivy.app import App; t.append(time.monotonic())\n"
        "from kivy.core.window import Window; t.append(time.monotonic())\n"
        "import kiosk.app.player_app; t.append(time.monotonic())\n"
        "print(' '.join(map(repr, t)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    t = [float(x) for x in out.stdout.split()]
    return {"interpreter start": t[0] - t0,
            "CLI, cache reader (sqlite3), engine": t[1] - t[0],
            "Kivy imports (incl. its style.kv)": t[2] - t[1],
            "window (SDL offscreen + Mesa GL)": t[3] - t[2],
            "player UI modules (widgets, video, text)": t[4] - t[3],
            "to window + modules": t[4] - t0}


# -- report ---------------------------------------------------------------------------------
def med(xs: list[float]) -> float:
    return statistics.median(xs)


def spread(xs: list[float], fmt: str) -> str:
    return f"{format(min(xs), fmt)}-{format(max(xs), fmt)}" if len(xs) > 1 else ""


def start_xvfb(size: tuple[int, int]) -> tuple[subprocess.Popen, str] | None:
    """An X server without a screen, for the diagnostic windowed runs of ours."""
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        return None
    n = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists()
             and not Path(f"/tmp/.X{n}-lock").exists())
    proc = subprocess.Popen([xvfb, f":{n}", "-screen", "0", "{}x{}x24".format(*size), "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    HELPERS.add(proc.pid)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            return None
        time.sleep(0.05)
    return proc, f":{n}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="repeat each measure N times, report the median")
    ap.add_argument("--size", default="1280x720", help="screen size WxH for both sides")
    ap.add_argument("--transitions", type=int, default=1000)
    ap.add_argument("--idle-seconds", type=float, default=20.0)
    ap.add_argument("--screenshots", type=Path, default=None,
                    help="save screenshots of both sides here (first run: first slide, after the transitions)")
    ap.add_argument("--memory-variants", action="store_true",
                    help="only our memory over the transitions, in variants of the environment "
                         "(baseline, MALLOC_MMAP_THRESHOLD_, per-frame glFlush, malloc_trim, "
                         "combinations); no Chromium")
    ap.add_argument("--loop", choices=("demo", "posters", "bulletins", "video"), default="demo",
                    help="with --memory-variants: the demo loop, or one kind of its slides only")
    ap.add_argument("--variants", default="",
                    help="with --memory-variants: comma-separated subset of " + ",".join(MEMORY_VARIANTS))
    ap.add_argument("--before", type=Path, default=None,
                    help="with --memory-variants: also run each variant with the code checked out in "
                         "this folder (e.g. `git worktree add DIR HEAD~1`), for before/after in one run")
    ap.add_argument("--no-xvfb", action="store_true",
                    help="skip the diagnostic runs of ours in an Xvfb window (done when Xvfb is installed)")
    args = ap.parse_args()
    size = tuple(int(x) for x in args.size.lower().split("x"))
    if args.memory_variants:
        memory_variants(args, size)
        return
    if not CHROMIUM.exists():
        sys.exit(f"this benchmark needs Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    try:
        import websocket  # noqa: F401
    except ImportError:
        sys.exit("this benchmark needs websocket-client for the DevTools protocol: "
                 f"{sys.executable} -m pip install websocket-client")
    become_subreaper()
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
    xvfb = None if args.no_xvfb else start_xvfb(size)
    if xvfb is None and not args.no_xvfb:
        print("(Xvfb not installed: no diagnostic run of ours in a real X11 window)")

    mem: dict[str, list[dict]] = {"ours": [], "chromium": [], "ours, Xvfb window": []}
    idle: dict[str, list[float]] = {"ours": [], "ours --idle-fps 4": [], "ours --idle-fps 60": [], "chromium": []}
    stages: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="player-bench-") as tmp_s:
        tmp = Path(tmp_s)
        make_idle_source(tmp / "src-idle")
        run_quiet(kiosk_cmd("publish", str(DEMO), str(tmp / "tree-demo")))
        run_quiet(kiosk_cmd("publish", str(tmp / "src-idle"), str(tmp / "tree-idle")))
        servers = {k: ContentTreeServer(tmp / f"tree-{k}").start_background() for k in ("demo", "idle")}
        web = tmp / "web"
        web.mkdir()
        page_server = serve_dir(web)
        try:
            data = {}
            for k, server in servers.items():
                data[k] = tmp / f"data-{k}"
                run_quiet(kiosk_cmd("sync", "--once", "--quiet", "--api", server.url, "--data", str(data[k])))
                write_page(web / f"{k}.html", slideshow_data(data[k], server.url))
            url = {k: f"http://127.0.0.1:{page_server.server_port}/{k}.html" for k in data}
            loop = json.loads(re.search(r"const D = (.*);\n", (web / "demo.html").read_text()).group(1))
            print(f"demo loop: {len(loop['slides'])} slides "
                  f"({', '.join(s['id'] + ' ' + s['kind'] for s in loop['slides'])}); banner: {bool(loop['banner'])}")
            print(f"{version}; {args.size}; {args.runs} run(s); {args.transitions} transitions; "
                  f"idle window {args.idle_seconds:.0f} s", flush=True)

            b = Bench(tmp, size)
            sides = {"ours": (functools.partial(b.start_ours, data["demo"]), b.transitions_ours),
                     "chromium": (functools.partial(b.start_chromium, url["demo"]), b.transitions_chromium)}
            if xvfb:
                sides["ours, Xvfb window"] = (functools.partial(b.start_ours, data["demo"], display=xvfb[1]),
                                              b.transitions_ours)
            # Warm-up (untimed): page cache, the player's downscaled images, Chromium's files.
            for start, _t in sides.values():
                launch = start()
                if launch.devtools:
                    launch.devtools.close()
                launch.side.stop()

            for r in range(args.runs):
                for name, (start, transitions) in sides.items():
                    shots = args.screenshots if r == 0 and name in ("ours", "chromium") else None
                    mem[name].append(b.memory_run(start, transitions, args.transitions, shots, name))
                idle["ours"].append(b.idle_run(functools.partial(b.start_ours, data["idle"]), args.idle_seconds))
                idle["ours --idle-fps 4"].append(
                    b.idle_run(functools.partial(b.start_ours, data["idle"], 4), args.idle_seconds))
                idle["ours --idle-fps 60"].append(
                    b.idle_run(functools.partial(b.start_ours, data["idle"], 60), args.idle_seconds))
                idle["chromium"].append(b.idle_run(functools.partial(b.start_chromium, url["idle"]),
                                                   args.idle_seconds))
                stages.append(startup_stages(size, tmp / "kivy-stages"))
                o, c = mem["ours"][-1], mem["chromium"][-1]
                print(f"  run {r + 1}: first frame {o['first']:.2f} / {c['first']:.2f} s; "
                      f"PSS {o['pss0']:.0f}->{o['pss1']:.0f} / {c['pss0']:.0f}->{c['pss1']:.0f} MB; "
                      f"idle CPU {idle['ours'][-1]:.2f} ({idle['ours --idle-fps 60'][-1]:.2f} at 60 fps) / "
                      f"{idle['chromium'][-1]:.2f} %"
                      + (f"; Xvfb window: {mem['ours, Xvfb window'][-1]['pss0']:.0f}->"
                         f"{mem['ours, Xvfb window'][-1]['pss1']:.0f} MB" if xvfb else ""), flush=True)
        finally:
            for server in servers.values():
                server.stop()
            page_server.shutdown()
            if xvfb:
                xvfb[0].terminate()
                xvfb[0].wait(10)
            reap_orphans(time.monotonic() + 5)
    report(args, mem, idle, stages)


# Headless variants of our player's environment and config for the memory measure. The
# player finishes GL at each frame (glFinish) when headless unless [player] frame_flush =
# false; its heap policy (kiosk/app/heap_trim.py: mmap threshold fixed at 128 KiB and arenas
# capped at 2 in-process unless MALLOC_MMAP_THRESHOLD_ / MALLOC_ARENA_MAX are set, collection
# and malloc_trim after slide changes) is on unless [player] heap_trim = false; the unit file
# sets MALLOC_MMAP_THRESHOLD_ (systemd/kiosk-player.service).
@dataclass(frozen=True)
class Variant:
    label: str
    env: dict[str, str] = field(default_factory=dict)
    player: dict[str, bool] = field(default_factory=dict)  # the config's [player] keys


_OFF = {"frame_flush": False, "heap_trim": False}
_MMAP = {"MALLOC_MMAP_THRESHOLD_": "131072"}
MEMORY_VARIANTS: dict[str, Variant] = {
    "baseline": Variant("baseline (none of the below)", player=_OFF),
    "mmap": Variant("MALLOC_MMAP_THRESHOLD_=131072", _MMAP, _OFF),
    "flush": Variant("glFinish per frame", player={**_OFF, "frame_flush": True}),
    "heap": Variant("heap policy (threshold + trim)", player={**_OFF, "heap_trim": True}),
    "plain": Variant("as shipped, plain `kiosk player`"),
    "device": Variant("as shipped, + the unit's variable", _MMAP),
    "arenas": Variant("as shipped, glibc's default arena cap", {"MALLOC_ARENA_MAX": str(8 * (os.cpu_count() or 1))}),
}


def make_loop_source(loop: str, root: Path) -> Path:
    """The source folder of ``--loop``: the demo town, or one kind of its slides."""
    if loop == "demo":
        return DEMO
    if loop == "posters":
        make_images_source(root)
        return root
    (root / "media").mkdir(parents=True)
    (root / "playlists").mkdir()
    (root / "site.toml").write_text(
        '[site]\nid = "loop"\ntimezone = "Europe/Paris"\nlanguages = ["fr", "en"]\ndefault_playlist = "loop"\n'
        '[site.name]\nfr = "Ville de Valbruyère"\nen = "Town of Valbruyère"\n')
    if loop == "bulletins":  # the demo's non-alert bulletins, in French with English titles
        (root / "bulletins").mkdir()
        shutil.copy(DEMO / "bulletins" / "news.toml", root / "bulletins" / "news.toml")
        items = "".join(f'\n[[items]]\nid = "b{i}"\ntype = "bulletin"\nbulletin = "{b}"\nduration = 10\n'
                        for i, b in enumerate(("works-rue-haute", "vaccination", "council-meeting")))
    else:  # video: the demo's clip, again and again
        shutil.copy(DEMO / "media" / "valbruyere.mp4", root / "media" / "valbruyere.mp4")
        items = '\n[[items]]\nid = "clip"\ntype = "video"\nfile = "media/valbruyere.mp4"\n'
    (root / "playlists" / "loop.toml").write_text('id = "loop"\n' + items)
    return root


def memory_variants(args: argparse.Namespace, size: tuple[int, int]) -> None:
    """Our PSS over ``--transitions`` transitions of a loop, headless, per variant; runs
    interleaved (variant by variant, ``--runs`` rounds), ratios to the first variant.
    With ``--before DIR`` each variant also runs the code checked out in DIR (first on
    PYTHONPATH): before and after a change, in the same run."""
    become_subreaper()
    names = args.variants.split(",") if args.variants else list(MEMORY_VARIANTS)
    unknown = [n for n in names if n not in MEMORY_VARIANTS]
    if unknown:
        sys.exit(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(MEMORY_VARIANTS)}")
    runs: dict[str, Variant] = {}
    for n in names:
        v = MEMORY_VARIANTS[n]
        if args.before:
            runs[f"{v.label}, before"] = replace(v, env={**v.env, "PYTHONPATH": str(args.before.resolve())})
        runs[v.label] = v
    rows: dict[str, list[dict]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory(prefix="player-bench-") as tmp_s:
        tmp = Path(tmp_s)
        source = make_loop_source(args.loop, tmp / "src-loop")
        run_quiet(kiosk_cmd("publish", str(source), str(tmp / "tree-demo")))
        server = ContentTreeServer(tmp / "tree-demo").start_background()
        try:
            data = tmp / "data-demo"
            run_quiet(kiosk_cmd("sync", "--once", "--quiet", "--api", server.url, "--data", str(data)))
        finally:
            server.stop()
        b = Bench(tmp, size)
        b.start_ours(data).side.stop()  # warm-up: page cache, downscaled images
        print(f"{args.loop} loop; {args.size}; {args.runs} round(s); {args.transitions} transitions; headless",
              flush=True)
        for r in range(args.runs):
            for name, v in runs.items():
                m = b.memory_run(functools.partial(b.start_ours, data, extra_env=v.env, player=v.player),
                                 b.transitions_ours, args.transitions, None, name)
                rows[name].append(m)
                print(f"  round {r + 1}, {name}: PSS {m['pss0']:.0f} -> {m['pss1']:.0f} MB, "
                      f"anonymous {m['anon0']:.0f} -> {m['anon1']:.0f} MB, private {m['uss0']:.0f} -> "
                      f"{m['uss1']:.0f} MB ({m['done']} transitions, {m['per_transition_ms']:.0f} ms each)",
                      flush=True)
        reap_orphans(time.monotonic() + 5)
    print()
    print(f"Our player, {args.loop} loop, headless {args.size}, median of {args.runs} (min-max); "
          "growth over the transitions; ratio = variant / first variant")
    print(f"{'variant':44s} {'PSS first':>9s} {'PSS after':>9s} {'PSS growth':>10s} {'(min-max)':>11s} "
          f"{'ratio':>5s} {'anon growth':>11s} {'(min-max)':>11s} {'ratio':>5s}")
    base = next(iter(rows.values()))
    base_pss = med([m["pss1"] - m["pss0"] for m in base])
    base_anon = med([m["anon1"] - m["anon0"] for m in base])
    for name, ms in rows.items():
        pss = [m["pss1"] - m["pss0"] for m in ms]
        anon = [m["anon1"] - m["anon0"] for m in ms]
        print(f"{name:44s} {med([m['pss0'] for m in ms]):9.0f} {med([m['pss1'] for m in ms]):9.0f} "
              f"{med(pss):+10.0f} {spread(pss, '+.0f'):>11s} {med(pss) / base_pss:5.2f} "
              f"{med(anon):+11.0f} {spread(anon, '+.0f'):>11s} {med(anon) / base_anon:5.2f}")


def report(args: argparse.Namespace, mem: dict, idle: dict, stages: list[dict]) -> None:
    def col(side: str, key: str) -> list[float]:
        return [m[key] for m in mem[side]]

    def growth(side: str) -> list[float]:
        return [m["pss1"] - m["pss0"] for m in mem[side]]

    n = args.transitions
    rows = [
        # label, ours, chromium, fmt, ratio target, target on ours' own value
        ("first frame, s", col("ours", "first"), col("chromium", "first"), ".2f", 0.7, None),
        ("idle CPU, still poster, % of a core", idle["ours"], idle["chromium"], ".2f", 1.0, None),
        ("  ours with --idle-fps 4 (the touch UI's idle rate)", idle["ours --idle-fps 4"], idle["chromium"], ".2f",
         None, None),
        ("  ours with --idle-fps 60 (no pacing)", idle["ours --idle-fps 60"], idle["chromium"], ".2f", None, None),
        ("PSS after first frame, MB", col("ours", "pss0"), col("chromium", "pss0"), ".1f", None, None),
        (f"PSS after {n} transitions, MB", col("ours", "pss1"), col("chromium", "pss1"), ".1f", 0.5, None),
        (f"growth over {n} transitions, MB", growth("ours"), growth("chromium"), ".1f", None, 10.0),
        # Not moved by other processes mapping the same libraries (see anon_mb).
        ("  anonymous memory growth, MB", [m["anon1"] - m["anon0"] for m in mem["ours"]],
         [m["anon1"] - m["anon0"] for m in mem["chromium"]], ".1f", None, None),
    ]
    x = "ours, Xvfb window"
    if mem[x]:
        rows += [
            ("diagnostic: ours in an Xvfb window", None, None, "", None, None),
            ("  first frame, s", col(x, "first"), col("chromium", "first"), ".2f", None, None),
            ("  PSS after first frame, MB", col(x, "pss0"), col("chromium", "pss0"), ".1f", None, None),
            (f"  PSS after {n} transitions, MB", col(x, "pss1"), col("chromium", "pss1"), ".1f", None, None),
            (f"  growth over {n} transitions, MB", growth(x), growth("chromium"), ".1f", None, None),
        ]
    print()
    print(f"Player vs Chromium kiosk, {args.size}, median of {args.runs} (min-max); ratio = ours / Chromium")
    print(f"{'measure':42s} {'ours':>8s} {'(min-max)':>13s} {'chromium':>9s} {'(min-max)':>13s} "
          f"{'ratio':>6s}  target")
    for label, o, c, fmt, ratio_target, own in rows:
        if o is None:
            print(label)
            continue
        ratio = med(o) / med(c) if med(c) else float("inf")
        if ratio_target is not None:
            target = f"ratio <= {ratio_target}: {'met' if ratio <= ratio_target else 'NOT met'}"
        elif own is not None:
            target = f"ours < {own:.0f} MB: {'met' if med(o) < own else 'NOT met'}"
        else:
            target = ""
        print(f"{label:42s} {format(med(o), fmt):>8s} {spread(o, fmt):>13s} {format(med(c), fmt):>9s} "
              f"{spread(c, fmt):>13s} {ratio:6.2f}  {target}")
    print()
    o, c = mem["ours"][0], mem["chromium"][0]
    print(f"transitions done: ours {[m['done'] for m in mem['ours']]}, chromium {[m['done'] for m in mem['chromium']]}; "
          f"median ms per transition: ours {med(col('ours', 'per_transition_ms')):.0f}, "
          f"chromium {med(col('chromium', 'per_transition_ms')):.0f}")
    print(f"processes in the tree: ours {o['procs']}, chromium {c['procs']} "
          "(Chromium's crashpad handlers re-parented here and counted)")
    cd = [m["detail"] for m in mem["chromium"]]
    print("Chromium first frame = Popen -> first contentful paint (Paint Timing, over DevTools). "
          "Cross-checks, median s from Popen:")
    for key, what in (("slide", "first slide swapped in (JS)"), ("raf", "first requestAnimationFrame after it"),
                      ("element", "first image rendered (Element Timing)")):
        vals = [d[key] for d in cd if d.get(key) is not None]
        if vals:
            print(f"  {what:55s} {med(vals):.2f}")
    print(f"  viewport {cd[0]['viewport'][0]}x{cd[0]['viewport'][1]}; page errors: {cd[0]['errors'] or 'none'}")
    print("Ours first frame = Popen -> READY=1 (sent by the player after its first slide is drawn). "
          "Where it goes, median s (a separate process stopping once the window and modules exist):")
    for key in stages[0]:
        print(f"  {key:55s} {med([s[key] for s in stages]):.2f}")
    print(f"  {'rest: content, first slide, first frame (median - median)':55s} "
          f"{med(col('ours', 'first')) - med([s['to window + modules'] for s in stages]):.2f}")


if __name__ == "__main__":
    main()
