"""Display power backends run their real commands (fake executables on PATH) and parse
what those print; detection picks a backend from what exists."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.device.display_power import (
    BacklightPower,
    CecPower,
    DisplayPowerError,
    NoPower,
    PowerEnvironment,
    PowerState,
    VcgencmdPower,
    WlrRandrPower,
    XsetPower,
    detect_backend,
)

from .fakes import FakeBin

WLR_LISTING = """HDMI-A-1 "Iiyama PL2492H (HDMI-A-1)"
  Make: Iiyama
  Enabled: {first}
  Modes:
    1920x1080 px, 60.000000 Hz (preferred, current)
DSI-1 "(null) (DSI-1)"
  Enabled: yes
"""

# backend, command name, expected argv of on(), of off()
CONTRACT = [
    (VcgencmdPower, "vcgencmd", ["vcgencmd", "display_power", "1"], ["vcgencmd", "display_power", "0"]),
    (XsetPower, "xset", ["xset", "dpms", "force", "on"], ["xset", "dpms", "force", "off"]),
    (lambda: WlrRandrPower(output="HDMI-A-1"), "wlr-randr",
     ["wlr-randr", "--output", "HDMI-A-1", "--on"], ["wlr-randr", "--output", "HDMI-A-1", "--off"]),
    (CecPower, "cec-ctl", ["cec-ctl", "--playback", "--to", "0", "--image-view-on"],
     ["cec-ctl", "--playback", "--to", "0", "--standby"]),
]


@pytest.mark.parametrize("make, command, on_argv, off_argv", CONTRACT, ids=[c[1] for c in CONTRACT])
def test_every_command_backend_runs_its_command_for_on_and_off(fakebin: FakeBin, make, command, on_argv, off_argv) -> None:
    fakebin.add(command)
    backend = make()
    backend.off()
    backend.on()
    assert fakebin.calls() == [off_argv, on_argv]


@pytest.mark.parametrize("make, command, stdout, expected", [
    (VcgencmdPower, "vcgencmd", "display_power=0\n", PowerState.OFF),
    (VcgencmdPower, "vcgencmd", "display_power=1\n", PowerState.ON),
    (XsetPower, "xset", "DPMS (Energy Star):\n  Standby: 600\n  DPMS is Enabled\n  Monitor is Off\n", PowerState.OFF),
    (XsetPower, "xset", "DPMS (Energy Star):\n  DPMS is Enabled\n  Monitor is On\n", PowerState.ON),
    (XsetPower, "xset", "Screen Saver:\n  prefer blanking:  yes\n", PowerState.UNKNOWN),
    (CecPower, "cec-ctl", "\tpwr-state: standby (0x01)\n", PowerState.OFF),
    (CecPower, "cec-ctl", "Transmit from Playback Device 1 to TV (1 to 0):\n\tpwr-state: on (0x00)\n", PowerState.ON),
    (lambda: WlrRandrPower(output="HDMI-A-1"), "wlr-randr", WLR_LISTING.format(first="no"), PowerState.OFF),
    (lambda: WlrRandrPower(output="DSI-1"), "wlr-randr", WLR_LISTING.format(first="no"), PowerState.ON),
])
def test_state_is_read_from_the_commands_output(fakebin: FakeBin, make, command, stdout, expected) -> None:
    fakebin.add(command, stdout=stdout)
    assert make().state() is expected


def test_wlr_randr_without_a_configured_output_switches_the_first_listed(fakebin: FakeBin) -> None:
    fakebin.add("wlr-randr", stdout=WLR_LISTING.format(first="yes"))
    WlrRandrPower().off()
    assert fakebin.calls() == [["wlr-randr"], ["wlr-randr", "--output", "HDMI-A-1", "--off"]]


def test_cec_names_the_adapter_when_one_is_given(fakebin: FakeBin) -> None:
    fakebin.add("cec-ctl")
    CecPower(device="/dev/cec1").off()
    assert fakebin.calls() == [["cec-ctl", "-d", "/dev/cec1", "--playback", "--to", "0", "--standby"]]


def test_a_failing_command_is_one_line_with_its_status_and_first_error_line(fakebin: FakeBin) -> None:
    fakebin.add("vcgencmd", exit_code=255, stderr="VCHI initialization failed\nmore detail\n")
    with pytest.raises(DisplayPowerError) as exc:
        VcgencmdPower().off()
    assert str(exc.value) == "vcgencmd display_power 0: exit status 255: VCHI initialization failed"
    assert VcgencmdPower().state() is PowerState.UNKNOWN  # a state we cannot read is not a crash


def test_a_missing_command_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DisplayPowerError, match=r"^xset: command not found$"):
        XsetPower().on()


def test_backlight_writes_bl_power_in_sysfs(tmp_path: Path) -> None:
    panel = tmp_path / "backlight" / "10-0045"
    panel.mkdir(parents=True)
    (panel / "bl_power").write_text("0\n")
    bl = BacklightPower(panel)
    bl.off()
    assert (panel / "bl_power").read_text() == "4" and bl.state() is PowerState.OFF
    bl.on()
    assert (panel / "bl_power").read_text() == "0" and bl.state() is PowerState.ON


def test_backlight_that_cannot_be_written_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(DisplayPowerError, match=r"gone/bl_power: No such file or directory"):
        BacklightPower(tmp_path / "gone").off()


# -- detection ------------------------------------------------------------------------
def _env(tmp_path: Path, fakebin: FakeBin, **env: str) -> PowerEnvironment:
    return PowerEnvironment({"PATH": fakebin.path(keep_system=False), **env},
                            backlight_dir=tmp_path / "sys-backlight", dev_dir=tmp_path / "dev")


def test_a_wayland_session_with_wlr_randr_wins(tmp_path: Path, fakebin: FakeBin) -> None:
    for cmd in ("wlr-randr", "xset", "vcgencmd"):
        fakebin.add(cmd)
    choice = detect_backend(_env(tmp_path, fakebin, WAYLAND_DISPLAY="wayland-1", DISPLAY=":0"), output="HDMI-A-2")
    assert choice.name == "wlr-randr" and "wayland-1" in choice.reason
    assert isinstance(choice.backend, WlrRandrPower) and choice.backend.output == "HDMI-A-2"


def test_x11_then_backlight_then_vcgencmd_then_cec_then_none(tmp_path: Path, fakebin: FakeBin) -> None:
    fakebin.add("xset")
    assert detect_backend(_env(tmp_path, fakebin, DISPLAY=":0")).name == "xset"
    # No session (the player on KMS under systemd): xset alone does not apply.
    assert detect_backend(_env(tmp_path, fakebin)).name == "none"
    fakebin.add("cec-ctl")
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "cec0").touch()
    assert detect_backend(_env(tmp_path, fakebin)).name == "cec"
    fakebin.add("vcgencmd")
    assert detect_backend(_env(tmp_path, fakebin)).name == "vcgencmd"
    (tmp_path / "sys-backlight" / "rpi_backlight").mkdir(parents=True)
    (tmp_path / "sys-backlight" / "rpi_backlight" / "bl_power").write_text("0")
    choice = detect_backend(_env(tmp_path, fakebin))
    assert choice.name == "backlight" and choice.backend.panel.name == "rpi_backlight"


def test_cec_ctl_without_an_adapter_does_not_apply(tmp_path: Path, fakebin: FakeBin) -> None:
    fakebin.add("cec-ctl")
    choice = detect_backend(_env(tmp_path, fakebin))
    assert choice.name == "none" and isinstance(choice.backend, NoPower)


def test_the_configured_backend_wins_over_detection(tmp_path: Path, fakebin: FakeBin) -> None:
    fakebin.add("xset")
    choice = detect_backend(_env(tmp_path, fakebin, DISPLAY=":0"), preferred="cec")
    assert choice.name == "cec" and choice.reason == "set by [display] power_backend"
    with pytest.raises(DisplayPowerError, match="no panel in /sys/class/backlight"):
        detect_backend(_env(tmp_path, fakebin), preferred="backlight")
