"""Configure Kivy before its first import.

Kivy reads environment variables and its config file when imported, so the player calls
:func:`prepare_kivy` first. Kivy's own state goes under the device's data folder (not
``~/.kivy``), its log goes through Python logging, and headless runs use SDL's offscreen
video driver (Mesa renders without a display).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import sys
from pathlib import Path

log = logging.getLogger(__name__)

# The rules of Kivy's default style (kivy/data/style.kv, 74 rules for every Kivy widget)
# that the player's widgets use: the Kivy classes in their class hierarchies that have a
# rule there (tests/kiosk/test_kivy_env.py checks this list against the code and the kv
# files). Kivy parses the whole file at import — 0.15-0.3 s of start-up here — so the
# player points Kivy at a copy of its data folder whose style.kv keeps only these.
STYLE_RULES = frozenset({"Label", "Image", "RelativeLayout", "Scatter", "ScrollView", "ScreenManager",
                         "StencilView"})


class KivyAlreadyImported(RuntimeError):
    pass


class _KivyWarningsOnly(logging.Filter):
    kiosk_quiet = True

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or logging.getLogger().level <= logging.DEBUG


def display_available() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_kivy(
    kivy_home: Path,
    *,
    headless: bool,
    fullscreen: bool,
    size: tuple[int, int],
    show_cursor: bool = False,
) -> None:
    """Set Kivy's environment and graphics/input config; must run before ``import kivy``."""
    if "kivy" in sys.modules:
        raise KivyAlreadyImported("kivy was imported before the player configured it")
    from kiosk.device.folders import writable_folder

    kivy_home = writable_folder(kivy_home)  # Kivy's files
    os.environ["KIVY_HOME"] = str(kivy_home)
    data = trimmed_data_dir(kivy_home)
    if data is not None:
        os.environ["KIVY_DATA_DIR"] = str(data)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    # Everything Kivy needs is set below; no config.ini is read or written.
    os.environ["KIVY_NO_CONFIG"] = "1"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    # SDL would turn SIGTERM into a window close request, which kiosk lockdown refuses;
    # the player handles SIGTERM itself (systemctl stop must always work).
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    # Kivy's default clock: its "interrupt" variants busy-wait between frames here (6.6 %
    # of a core at 1 fps against 0.06 %) or run free events outside any frame.
    os.environ.pop("KIVY_CLOCK", None)
    # Kivy's image loaders: SDL2_image (PNG, JPEG, WebP, GIF…) then Pillow for the rest.
    # Without this Kivy also imports its ffpyplayer, imageio, DDS and tex loaders at start-up
    # (about 50 ms here); videos are decoded apart, by player/render/video_decoder.py processes.
    os.environ.setdefault("KIVY_IMAGE", "sdl2,pil")
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    # Kivy's start-up banner is INFO and Kivy resets its logger's level on import; a
    # filter survives that. A device's journal only needs Kivy's warnings.
    kivy_logger = logging.getLogger("kivy")
    if not any(getattr(f, "kiosk_quiet", False) for f in kivy_logger.filters):
        quiet = _KivyWarningsOnly()
        kivy_logger.addFilter(quiet)

    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen and not headless else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "1" if show_cursor else "0")
    # No multisampling (Kivy's default is 2): slides are textures drawn pixel for pixel, so
    # it smooths nothing; it costs GPU memory and every frame's fill, and the GL context
    # is created faster without it (0.19-0.42 s against 0.25-0.61 s here, llvmpipe).
    Config.set("graphics", "multisamples", "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    # Touch screens come through the kernel's input devices; headless there is none, and
    # the mouse provider must not draw multitouch-emulation dots either way.
    if Config.has_section("input"):
        for option in Config.options("input"):
            Config.remove_option("input", option)
    else:
        Config.add_section("input")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if not headless:
        Config.set("input", "%(name)s", "probesysfs")


def rule_classes(header: str) -> set[str]:
    """The classes a style.kv rule header names: ``<Image,AsyncImage>:`` → both;
    ``<-Button,-ToggleButton>:`` and ``[Name@Base]:`` → their names."""
    inner = header.strip().rstrip(":").strip("<>[]")
    return {part.split("@")[0].lstrip("-").strip() for part in inner.split(",") if part.strip()}


def trim_style(text: str, keep: frozenset[str] = STYLE_RULES) -> str:
    """style.kv with the directives (``#:``) and only the rules naming a class in ``keep``."""
    out: list[str] = []
    keeping = True
    for line in text.splitlines(keepends=True):
        if line.startswith("#:"):
            out.append(line)
            continue
        if line[:1] in ("<", "["):
            keeping = bool(rule_classes(line) & keep)
        elif line.strip() and not line[:1].isspace() and not line.startswith("#"):
            keeping = False  # anything else at the top level ends a rule
        if keeping:
            out.append(line)
    return "".join(out)


def trimmed_data_dir(kivy_home: Path) -> Path | None:
    """A folder standing for Kivy's data folder: links to its fonts, shaders and images,
    and a style.kv trimmed to :data:`STYLE_RULES`. Made once per Kivy installation (the
    name carries a hash of the original style and of the rules kept); None — Kivy then
    uses its own folder — when it cannot be made."""
    try:
        spec = importlib.util.find_spec("kivy")  # finds the package without importing it
        if spec is None or spec.origin is None:
            return None
        src = Path(spec.origin).parent / "data"
        style = (src / "style.kv").read_text(encoding="utf-8")
        key = hashlib.sha256(("\n".join(sorted(STYLE_RULES)) + str(src) + style).encode()).hexdigest()[:12]
        dst = kivy_home / f"data-{key}"
        if (dst / "style.kv").is_file():
            return dst
        tmp = kivy_home / f".data-{key}.{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for entry in src.iterdir():
            if entry.name != "style.kv":
                (tmp / entry.name).symlink_to(entry)
        (tmp / "style.kv").write_text(trim_style(style), encoding="utf-8")
        try:
            tmp.rename(dst)
        except OSError:  # another process made it first
            shutil.rmtree(tmp, ignore_errors=True)
        for old in kivy_home.glob("data-*"):  # an earlier Kivy's or rule set's
            if old != dst:
                shutil.rmtree(old, ignore_errors=True)
        return dst
    except OSError as e:
        log.warning("Kivy's full style is loaded (no trimmed copy in %s: %s)", kivy_home, e)
        return None
