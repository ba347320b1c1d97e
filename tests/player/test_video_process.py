"""The video decoder process on its own (no Kivy): real clips, a real subprocess, frames
read back from shared memory."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from player.render.video_decoder import fit_size
from player.render.video_process import SLOTS, DecoderProcess, Ended, Frame

from ..helpers import ORANGE, write_clip


def _next(decoder: DecoderProcess, timeout: float = 20) -> tuple[Frame | None, Ended | None]:
    """What the decoder says next, as the player's UI thread would take it on a wake-up."""
    frame, ended = decoder.take(timeout)
    assert frame is not None or ended is not None, "the decoder said nothing"
    return frame, ended


def _run_to_end(decoder: DecoderProcess) -> tuple[int, Ended]:
    frames = 0
    while True:
        frame, ended = _next(decoder)
        if frame is not None:
            frames += 1
            decoder.free(frame)
            if frames == 1:
                decoder.play()
        if ended is not None:
            return frames, ended


def test_fit_size_scales_down_only_and_keeps_even_sizes() -> None:
    assert fit_size((640, 360), (1280, 720)) == (640, 360)
    assert fit_size((3840, 2160), (1920, 1080)) == (1920, 1080)
    assert fit_size((1920, 1080), (1080, 1920)) == (1080, 606)  # portrait totem: full width
    assert fit_size((1001, 999), (500, 500)) == (500, 498)


def test_frames_arrive_scaled_to_the_box_with_their_colour_and_the_clip_ends(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 1.0, pix_fmt="yuv444p", size=(320, 180))
    decoder = DecoderProcess(clip, (160, 120))
    try:
        frame, ended = _next(decoder)
        assert ended is None and frame is not None
        # 320×180 into 160×120: 160×90; 4:4:4 is converted to RGBA by the decoder
        assert (frame.width, frame.height, frame.fmt) == (160, 90, "rgba")
        (rgba,) = decoder.planes(frame)
        assert rgba.nbytes == 160 * 90 * 4
        row = 60 * 160 * 4  # below the white band of the top quarter
        assert all(abs(a - b) <= 6 for a, b in zip(rgba[row + 320:row + 323], ORANGE, strict=False)), bytes(rgba[row + 320:row + 324])
        assert min(rgba[0:3]) >= 245  # the first row is in the white band
        rgba.release()
        decoder.free(frame)
        decoder.play()
        frames, ended = _run_to_end(decoder)
        assert ended.eof and not ended.error
        # every frame the decoder sent was taken (a late one may be dropped by the
        # decoder, as a player does: 25 in the clip)
        assert ended.frames == decoder.frames and 15 <= ended.frames <= 25, (ended.frames, decoder.frames)
        assert decoder.wait(10) == 0
    finally:
        decoder.close()


def test_4_2_0_frames_come_as_three_planes_for_the_gpu(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 0.5, pix_fmt="yuv420p", size=(320, 180))
    decoder = DecoderProcess(clip, (1280, 720))
    try:
        frame, _ = _next(decoder)
        assert frame is not None and (frame.width, frame.height, frame.fmt) == (320, 180, "yuv420p")
        y, u, v = decoder.planes(frame)
        assert (y.nbytes, u.nbytes, v.nbytes) == (320 * 180, 160 * 90, 160 * 90)
        # orange in video range (BT.601): Y 138.5, U 72.2, V 182.7
        mid = 120 * 320 + 160
        assert abs(y[mid] - 138) <= 3 and abs(u[60 * 160 + 80] - 72) <= 3 and abs(v[60 * 160 + 80] - 183) <= 3, (
            y[mid], u[60 * 160 + 80], v[60 * 160 + 80])
        for view in (y, u, v):
            view.release()
    finally:
        decoder.close()
    assert decoder.wait(5) == 0  # quit when asked


def test_the_decoder_waits_for_slots_to_be_freed(tmp_path: Path) -> None:
    """Never more frames in flight than slots: a player that falls behind holds the
    decoder back instead of losing frames mid-copy or growing a queue."""
    clip = write_clip(tmp_path / "clip.mp4", 2.0)
    messages: list[float] = []
    decoder = DecoderProcess(clip, (320, 180), wake=lambda: messages.append(time.monotonic()))
    try:
        end = time.monotonic() + 20
        while not messages and time.monotonic() < end:
            time.sleep(0.01)
        decoder.play()  # and never free a slot
        end = time.monotonic() + 10
        while len(messages) < SLOTS and time.monotonic() < end:
            time.sleep(0.01)
        time.sleep(1.0)  # 25 frames a second: it would be well past a third frame
        assert len(messages) == SLOTS  # one message per frame: the first, then two more
        frame, ended = decoder.take()
        # The newest frame. Not always the third: take() gives back the slots of the frames
        # it passes over as it goes, and a quick decoder may fill one before it is done.
        assert ended is None and frame is not None and frame.pts > 0
        end = time.monotonic() + 10  # take() gave back the slots of the frames it passed over
        while len(messages) == SLOTS and time.monotonic() < end:
            time.sleep(0.01)
        assert len(messages) > SLOTS
    finally:
        decoder.close()


def test_a_truncated_clip_ends_before_any_frame_and_a_missing_one_says_why(tmp_path: Path) -> None:
    whole = write_clip(tmp_path / "clip.mp4", 1.0).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[:1500])
    decoder = DecoderProcess(cut, (320, 180))
    try:
        frame, ended = _next(decoder)
        assert frame is None and ended is not None and ended.frames == 0
    finally:
        decoder.close()

    missing = tmp_path / "nowhere.mp4"
    decoder = DecoderProcess(missing, (320, 180))
    try:
        frame, ended = _next(decoder)
        assert frame is None and ended is not None and not ended.eof
        assert str(missing) in ended.error and "No such file" in ended.error
        assert "\n" not in ended.error
    finally:
        decoder.close()


def test_a_decoder_killed_mid_clip_is_reported_not_raised(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 5.0)
    decoder = DecoderProcess(clip, (320, 180))
    try:
        frame, _ = _next(decoder)
        assert frame is not None
        decoder.free(frame)
        decoder.play()
        os.kill(decoder.pid, signal.SIGKILL)
        while True:
            frame, ended = _next(decoder)
            if frame is not None:
                decoder.free(frame)  # to a dead process: ignored
            if ended is not None:
                break
        assert not ended.eof and ended.error == "the video decoder stopped (killed by signal 9)"
    finally:
        decoder.close()
