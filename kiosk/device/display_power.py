"""Display power: turn the screen off at night and on in the morning.

A backend is a small object with ``on()``, ``off()`` and ``state()``. Which one applies
depends on how the screen is driven (:func:`detect_backend`):

- ``wlr-randr``  a Wayland compositor (Raspberry Pi OS desktop: wayfire, labwc);
- ``xset``       an X11 session (DPMS);
- ``backlight``  a DSI panel with a sysfs backlight (the official Pi touch display);
- ``vcgencmd``   the Pi firmware's display driver (legacy/fake KMS only);
- ``cec``        an HDMI TV that understands CEC (``cec-ctl``, standby / image view on);
- ``none``       nothing can switch the screen: the schedule is logged, not applied.

When the screen is on is decided by :mod:`kiosk.device.display_schedule`.
"""
from __future__ import annotations

import enum
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 10.0


class DisplayPowerError(Exception):
    """A backend command failed; the message is one line for a technician."""


class PowerState(str, enum.Enum):  # noqa: UP042 - str() and format() as before
    ON = "on"
    OFF = "off"
    UNKNOWN = "unknown"


class DisplayPower(Protocol):
    @property
    def name(self) -> str: ...

    def on(self) -> None: ...

    def off(self) -> None: ...

    def state(self) -> PowerState: ...


def run_command(argv: Sequence[str]) -> str:
    """Run ``argv``; its stdout, or :class:`DisplayPowerError` with one line."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S,
                              check=False)
    except FileNotFoundError:
        raise DisplayPowerError(f"{argv[0]}: command not found") from None
    except subprocess.TimeoutExpired:
        raise DisplayPowerError(f"{' '.join(argv)}: no answer within {COMMAND_TIMEOUT_S:g} s") from None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [""])[0][:200]
        raise DisplayPowerError(f"{' '.join(argv)}: exit status {done.returncode}" + (f": {why}" if why else ""))
    return done.stdout


Runner = Callable[[Sequence[str]], str]


@dataclass(frozen=True, kw_only=True)
class _CommandBackend:
    """A backend driven by an external command; subclasses give the argv."""

    name = "command"
    run: Runner = field(default=run_command, repr=False)

    def on(self) -> None:
        self.run(self.on_argv())

    def off(self) -> None:
        self.run(self.off_argv())

    def state(self) -> PowerState:
        try:
            return self.parse_state(self.run(self.state_argv()))
        except DisplayPowerError as e:
            log.debug("display power state unknown: %s", e)
            return PowerState.UNKNOWN

    def on_argv(self) -> list[str]:
        raise NotImplementedError

    def off_argv(self) -> list[str]:
        raise NotImplementedError

    def state_argv(self) -> list[str]:
        raise NotImplementedError

    def parse_state(self, out: str) -> PowerState:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class VcgencmdPower(_CommandBackend):
    name = "vcgencmd"

    def on_argv(self) -> list[str]:
        return ["vcgencmd", "display_power", "1"]

    def off_argv(self) -> list[str]:
        return ["vcgencmd", "display_power", "0"]

    def state_argv(self) -> list[str]:
        return ["vcgencmd", "display_power"]

    def parse_state(self, out: str) -> PowerState:  # "display_power=1"
        value = out.strip().rpartition("=")[2]
        return {"1": PowerState.ON, "0": PowerState.OFF}.get(value, PowerState.UNKNOWN)


@dataclass(frozen=True, kw_only=True)
class WlrRandrPower(_CommandBackend):
    """``wlr-randr --output NAME --on|--off``; without a configured name, the first output."""

    name = "wlr-randr"
    output: str | None = None

    def _output(self) -> str:
        if self.output:
            return self.output
        outputs = parse_wlr_outputs(self.run(["wlr-randr"]))
        if not outputs:
            raise DisplayPowerError("wlr-randr lists no output; set [display] output")
        return next(iter(outputs))

    def on_argv(self) -> list[str]:
        return ["wlr-randr", "--output", self._output(), "--on"]

    def off_argv(self) -> list[str]:
        return ["wlr-randr", "--output", self._output(), "--off"]

    def state(self) -> PowerState:
        try:
            outputs = parse_wlr_outputs(self.run(["wlr-randr"]))
            name = self.output or next(iter(outputs), None)
        except DisplayPowerError:
            return PowerState.UNKNOWN
        return outputs.get(name, PowerState.UNKNOWN) if name else PowerState.UNKNOWN


def parse_wlr_outputs(text: str) -> dict[str, PowerState]:
    """``wlr-randr`` listing → {output name: enabled?}, in listing order."""
    outputs: dict[str, PowerState] = {}
    current = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            current = line.split()[0]
            outputs[current] = PowerState.UNKNOWN
        elif current and line.strip().startswith("Enabled:"):
            outputs[current] = PowerState.ON if line.split(":", 1)[1].strip() == "yes" else PowerState.OFF
    return outputs


@dataclass(frozen=True, kw_only=True)
class XsetPower(_CommandBackend):
    name = "xset"

    def on_argv(self) -> list[str]:
        return ["xset", "dpms", "force", "on"]

    def off_argv(self) -> list[str]:
        return ["xset", "dpms", "force", "off"]

    def state_argv(self) -> list[str]:
        return ["xset", "q"]

    def parse_state(self, out: str) -> PowerState:  # "  Monitor is On" / "Off" / "in Standby"
        for line in out.splitlines():
            if "Monitor is" in line:
                return PowerState.ON if line.strip().endswith(" On") else PowerState.OFF
        return PowerState.UNKNOWN


@dataclass(frozen=True, kw_only=True)
class CecPower(_CommandBackend):
    """HDMI-CEC through ``cec-ctl``. ``--playback`` first: an adapter needs a logical
    address before it may send anything, and it loses it when the TV is unplugged."""

    name = "cec"
    device: str | None = None

    def _base(self) -> list[str]:
        return ["cec-ctl", *(["-d", self.device] if self.device else []), "--playback", "--to", "0"]

    def on_argv(self) -> list[str]:
        return [*self._base(), "--image-view-on"]

    def off_argv(self) -> list[str]:
        return [*self._base(), "--standby"]

    def state_argv(self) -> list[str]:
        return [*self._base(), "--give-device-power-status"]

    def parse_state(self, out: str) -> PowerState:  # "pwr-state: on (0x00)"
        for line in out.splitlines():
            if "pwr-state:" in line:
                value = line.split(":", 1)[1].split()[0]
                return PowerState.ON if value == "on" else PowerState.OFF
        return PowerState.UNKNOWN


@dataclass(frozen=True)
class BacklightPower:
    """``/sys/class/backlight/<panel>/bl_power``: 0 lit, 4 off (FB_BLANK_POWERDOWN)."""

    panel: Path
    name: str = "backlight"

    def _write(self, value: str) -> None:
        try:
            (self.panel / "bl_power").write_text(value)
        except OSError as e:
            raise DisplayPowerError(f"{self.panel / 'bl_power'}: {e.strerror} (is the user in group video?)") from None

    def on(self) -> None:
        self._write("0")

    def off(self) -> None:
        self._write("4")

    def state(self) -> PowerState:
        try:
            value = (self.panel / "bl_power").read_text().strip()
        except OSError:
            return PowerState.UNKNOWN
        return PowerState.ON if value == "0" else PowerState.OFF


@dataclass(frozen=True)
class NoPower:
    name: str = "none"

    def on(self) -> None:
        log.debug("no display power backend: screen left as it is")

    def off(self) -> None:
        log.debug("no display power backend: screen left as it is")

    def state(self) -> PowerState:
        return PowerState.UNKNOWN


# -- which backend applies --------------------------------------------------------------
@dataclass(frozen=True)
class PowerEnvironment:
    """What :func:`detect_backend` looks at; tests pass a fake one (folders and a PATH)."""

    env: Mapping[str, str]
    backlight_dir: Path = Path("/sys/class/backlight")
    dev_dir: Path = Path("/dev")

    @classmethod
    def current(cls) -> PowerEnvironment:
        return cls(dict(os.environ))

    def which(self, command: str) -> str | None:
        return shutil.which(command, path=self.env.get("PATH", os.defpath))

    def backlight_panels(self) -> list[Path]:
        if not self.backlight_dir.is_dir():
            return []
        return sorted(p for p in self.backlight_dir.iterdir() if (p / "bl_power").exists())

    def cec_devices(self) -> list[Path]:
        return sorted(self.dev_dir.glob("cec[0-9]*"))


@dataclass(frozen=True)
class BackendChoice:
    name: str
    reason: str
    backend: DisplayPower = field(compare=False, repr=False)


def detect_backend(
    environment: PowerEnvironment, preferred: str = "auto", output: str | None = None,
) -> BackendChoice:
    """The backend to use and why. ``preferred`` (``[display] power_backend``) wins when
    not ``auto``; otherwise the first that applies, in the order of the module docstring."""
    which = environment.which
    panels, cecs = environment.backlight_panels(), environment.cec_devices()
    if preferred not in ("auto", ""):
        backend = _make(preferred, output, panels, cecs)
        return BackendChoice(preferred, "set by [display] power_backend", backend)
    env = environment.env
    if env.get("WAYLAND_DISPLAY") and which("wlr-randr"):
        return BackendChoice("wlr-randr", f"Wayland session ({env['WAYLAND_DISPLAY']}) and wlr-randr found",
                             WlrRandrPower(output=output))
    if env.get("DISPLAY") and which("xset"):
        return BackendChoice("xset", f"X11 session ({env['DISPLAY']}) and xset found", XsetPower())
    if panels:
        return BackendChoice("backlight", f"backlight {panels[0]}", BacklightPower(panels[0]))
    if which("vcgencmd"):
        return BackendChoice("vcgencmd", "vcgencmd found (works with the firmware display driver, not full KMS)",
                             VcgencmdPower())
    if which("cec-ctl") and cecs:
        return BackendChoice("cec", f"cec-ctl and {cecs[0]} found", CecPower(device=str(cecs[0])))
    return BackendChoice("none", "no wlr-randr/xset session, backlight, vcgencmd or CEC adapter", NoPower())


def _make(name: str, output: str | None, panels: list[Path], cecs: list[Path]) -> DisplayPower:
    if name == "backlight":
        if not panels:
            raise DisplayPowerError("display.power_backend: backlight, but no panel in /sys/class/backlight")
        return BacklightPower(panels[0])
    makers: dict[str, Callable[[], DisplayPower]] = {
        "vcgencmd": VcgencmdPower, "wlr-randr": lambda: WlrRandrPower(output=output), "xset": XsetPower,
        "cec": lambda: CecPower(device=str(cecs[0]) if cecs else None), "none": NoPower,
    }
    return makers[name]()
