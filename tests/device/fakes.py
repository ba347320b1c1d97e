"""Fake executables for device tests: real shell scripts first on PATH that record argv.

They are run by the code under test through a real ``subprocess``; only what they print
is canned. ``FakeBin.calls()`` returns every recorded argv, in order.

Also :func:`udev_device`: a device for a touch screen, display or USB key that this
machine does not have, parsed by libudev itself from a udev event environment.
"""
from __future__ import annotations

import functools
import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pytest

from kiosk.device.hotplug import UdevDevice


@dataclass
class FakeBin:
    dir: Path

    @property
    def log(self) -> Path:
        return self.dir / "calls.log"

    def add(self, name: str, stdout: str = "", exit_code: int = 0, stderr: str = "") -> Path:
        (self.dir / f"{name}.stdout").write_text(stdout)
        (self.dir / f"{name}.stderr").write_text(stderr)
        script = self.dir / name
        q = shlex.quote
        script.write_text(
            "#!/bin/sh\n"
            f'{{ printf "%s" "${{0##*/}}"; for a in "$@"; do printf "\\t%s" "$a"; done; printf "\\n"; }} >> {q(str(self.log))}\n'
            f"cat {q(str(self.dir / f'{name}.stdout'))}\n"
            f"cat {q(str(self.dir / f'{name}.stderr'))} >&2\n"
            f"exit {exit_code}\n"
        )
        script.chmod(0o755)
        return script

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [line.split("\t") for line in self.log.read_text().splitlines()]

    def path(self, keep_system: bool = True) -> str:
        """A PATH with the fakes first (and, if asked, the system's directories after)."""
        return f"{self.dir}:{os.environ.get('PATH', os.defpath)}" if keep_system else str(self.dir)


@pytest.fixture
def fakebin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBin:
    d = tmp_path / "fakebin"
    d.mkdir()
    fb = FakeBin(d)
    monkeypatch.setenv("PATH", fb.path())
    return fb


# udev event environments of devices this machine does not have
TOUCH_ENV = {
    "SUBSYSTEM": "input", "DEVPATH": "/devices/platform/soc/fe205000.i2c/i2c-11/11-0038/input/input3/event3",
    "DEVNAME": "/dev/input/event3", "ID_INPUT": "1", "ID_INPUT_TOUCHSCREEN": "1",
    "ID_PATH": "platform-fe205000.i2c", "SEQNUM": "4711",
}
USB_KEY_ENV = {
    "SUBSYSTEM": "block", "DEVPATH": "/devices/platform/scb/fd500000.pcie/usb2/2-1/2-1:1.0/host0/target0:0:0/0:0:0:0/block/sda/sda1",
    "DEVNAME": "/dev/sda1", "DEVTYPE": "partition", "ID_BUS": "usb", "ID_FS_USAGE": "filesystem",
    "ID_FS_TYPE": "vfat", "ID_FS_LABEL": "MAIRIE", "SEQNUM": "4712",
}
SD_CARD_ENV = {
    "SUBSYSTEM": "block", "DEVPATH": "/devices/platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0/mmcblk0p1",
    "DEVNAME": "/dev/mmcblk0p1", "DEVTYPE": "partition", "ID_FS_USAGE": "filesystem", "ID_FS_TYPE": "vfat",
    "SEQNUM": "4713",
}
DRM_ENV = {"SUBSYSTEM": "drm", "DEVPATH": "/devices/platform/gpu/drm/card1", "DEVNAME": "/dev/dri/card1",
           "DEVTYPE": "drm_minor", "HOTPLUG": "1", "SEQNUM": "4714"}


_PARSE = """
import json, pyudev
d = pyudev.Devices.from_environment(pyudev.Context())
print(json.dumps({"action": d.action, "subsystem": d.subsystem, "sys_path": d.sys_path,
                  "device_node": d.device_node, "device_type": d.device_type, "properties": dict(d.properties)}))
"""


@functools.cache
def _parsed(action: str, env: tuple[tuple[str, str], ...]) -> str:
    # A fresh process per device, like a udev RUN+= program: libudev builds a device from
    # the environment only once per process.
    done = subprocess.run([sys.executable, "-c", _PARSE], env={**dict(env), "ACTION": action},
                          capture_output=True, text=True, check=True, timeout=30)
    return done.stdout


def udev_device(action: str, env: dict[str, str]) -> UdevDevice:
    """A device parsed by libudev from a udev event environment."""
    data = json.loads(_parsed(action, tuple(sorted(env.items()))))
    data["properties"] = MappingProxyType(data["properties"])
    return UdevDevice(**data)
