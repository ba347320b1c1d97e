"""Configure Kivy before its first import.

Kivy reads environment variables and its config file when imported, so the player calls
:func:`prepare_kivy` first. Kivy's own state goes under the device's data folder (not
``~/.kivy``), its log goes through Python logging, and headless runs use SDL's offscreen
video driver (Mesa renders without a display).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path


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
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(kivy_home)
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
