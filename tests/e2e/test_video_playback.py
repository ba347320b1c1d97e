"""Clips play from a decoder process of their own: their frames reach the screen with their
colours and the right way up, a decoder killed mid-clip costs the player nothing, and no
decoder outlives the player, even one killed with SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from ..helpers import COLOURS, ORANGE, write_clip, write_source
from .device import run_kiosk, start_player, synced_device

W, H = 480, 270


def _device_with_clip(tmp_path: Path, seconds: float, pix_fmt: str = "yuv420p",
                      duration: str = "") -> Path:
    src = write_source(tmp_path / "src", images=1)
    write_clip(src / "media" / "clip.mp4", seconds, pix_fmt)
    lobby = src / "playlists" / "lobby.toml"
    text = lobby.read_text()
    lobby.write_text(text[:text.index('[[items]]\nid = "news"')]
                     + f'[[items]]\nid = "clip"\ntype = "video"\nfile = "media/clip.mp4"\n{duration}')
    return synced_device(tmp_path, src)


def _decoders(marker: str) -> list[int]:
    """Pids of video decoder processes whose command line names ``marker``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            decoder = any(part.endswith(b"player/render/video_decoder.py") for part in cmd)
            if decoder and any(marker.encode() in part for part in cmd):
                pids.append(int(entry.name))
    return pids


def _ppid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuv444p"])  # converted on the GPU / by the decoder
def test_a_clip_shows_its_frames_upright_and_in_colour(tmp_path: Path, pix_fmt: str) -> None:
    data = _device_with_clip(tmp_path, 3, pix_fmt)
    shots = tmp_path / "shots"
    r = run_kiosk("player", "--data", str(data), "--headless", "--screenshots", str(shots),
                  "--duration", "9", "--max-slide-seconds", "2", "--size", f"{W}x{H}", timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    clips = sorted(shots.glob("*-clip.png"))
    assert clips, sorted(f.name for f in shots.glob("*.png"))
    for shot in clips:
        with Image.open(shot) as img:
            rgb = img.convert("RGB")
        # 480×270 holds the 16:9 clip whole; the status bar covers the bottom strip
        middle = rgb.getpixel((W // 2, int(H * 0.55)))
        top = rgb.getpixel((W // 2, int(H * 0.08)))
        assert all(abs(a - b) <= 10 for a, b in zip(middle, ORANGE, strict=False)), (shot.name, middle)
        assert min(top) >= 240, (shot.name, top)  # the white band is at the top: upright
    assert "cannot be shown" not in r.stderr, r.stderr[-3000:]
    assert not _decoders(str(data)), "a video decoder outlived the player"


def test_a_decoder_killed_mid_clip_ends_the_clip_not_the_player(tmp_path: Path) -> None:
    data = _device_with_clip(tmp_path, 20)  # a long clip, played for its length
    shots = tmp_path / "shots"
    log = (tmp_path / "player.log").open("w+")
    proc = start_player(data, "--screenshots", str(shots), "--size", f"{W}x{H}",
                        "--max-slide-seconds", "30", stderr=log)
    try:
        def wait_for_decoder(timeout: float = 30) -> int:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                pids = [p for p in _decoders(str(data)) if _ppid(p) == proc.pid]
                if pids:
                    return pids[0]
                assert proc.poll() is None, "the player exited"
                time.sleep(0.05)
            raise AssertionError("no video decoder process started")

        first = wait_for_decoder()
        # the clip is on screen once its screenshot exists
        end = time.monotonic() + 30
        while not list(shots.glob("*-clip.png")) and time.monotonic() < end:
            time.sleep(0.05)
        assert list(shots.glob("*-clip.png")), "the clip never showed"
        os.kill(first, signal.SIGKILL)
        killed_at = time.monotonic()
        # the loop goes on: the image, then the clip again with a new decoder
        end = time.monotonic() + 20
        while time.monotonic() < end:
            later = [p for p in _decoders(str(data)) if p != first and _ppid(p) == proc.pid]
            if later:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the clip did not come round again")
        assert proc.poll() is None, "the player exited"
        assert time.monotonic() - killed_at < 15  # not the clip's 20 s: it ended with its decoder
        images = sorted(shots.glob("*-img-0.png"))
        assert images and images[-1].stat().st_mtime > time.time() - (time.monotonic() - killed_at) - 0.5
        with Image.open(images[-1]) as img:
            assert img.convert("RGB").getpixel((W // 2, int(H * 0.6))) == COLOURS[0]
        # the player SIGKILLed: its decoder goes with it
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        end = time.monotonic() + 5
        while _decoders(str(data)) and time.monotonic() < end:
            time.sleep(0.05)
        assert not _decoders(str(data)), "a video decoder outlived a SIGKILLed player"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    log.seek(0)
    text = log.read()
    assert text.count("video clip stopped after") == 1, text[-3000:]
    assert "the video decoder stopped (killed by signal 9)" in text, text[-3000:]
    assert "cannot be shown" not in text, text[-3000:]


def test_a_clip_decoded_in_a_process_keeps_ffmpeg_out_of_the_player(tmp_path: Path) -> None:
    data = _device_with_clip(tmp_path, 2)
    proc = start_player(data, "--size", f"{W}x{H}", "--max-slide-seconds", "2")
    try:
        end = time.monotonic() + 30
        seen = False
        while time.monotonic() < end and not seen:
            seen = any(_ppid(p) == proc.pid for p in _decoders(str(data)))
            time.sleep(0.05)
        assert seen, "no video decoder process started"
        time.sleep(1)
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "libavcodec" not in maps, "ffmpeg is loaded in the player itself"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(20) == 0
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
