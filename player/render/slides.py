"""Kivy slide renderers: the slide each item becomes (:func:`build_slide`), videos, the
poster card of a video that cannot play, and the message and test-card slides. Pictures
are in :mod:`player.render.picture`, bulletins in :mod:`player.render.bulletin_slide`, the
banner and status bar in :mod:`player.render.bands`; their names are importable from here.

Import only after the application has configured Kivy (kiosk.device.kivy_env); importing Kivy
reads its configuration.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kivy.clock import Clock
from kivy.graphics import BindTexture, Color, Fbo, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.image import Image

from content_cache import ItemData
from player.render.bands import AlertBanner, StatusBar
from player.render.base import (
    BACKGROUND,
    KIVY_IMAGE_CACHE_LIMIT,
    KIVY_IMAGE_CACHES,
    Slide,
    bound_kivy_caches,
    screen_size,
    set_turned_screen,
    text,
)
from player.render.bulletin_slide import BulletinSlide
from player.render.images import backdrop_image, prepared_image
from player.render.picture import ImageSlide
from player.render.video_process import DecoderProcess, Ended

__all__ = [
    "BACKGROUND",
    "KIVY_IMAGE_CACHES",
    "KIVY_IMAGE_CACHE_LIMIT",
    "AlertBanner",
    "BulletinSlide",
    "ImageSlide",
    "MessageSlide",
    "PosterSlide",
    "Slide",
    "StatusBar",
    "TestCardSlide",
    "VideoSlide",
    "bound_kivy_caches",
    "build_slide",
    "poster_for",
    "screen_size",
    "set_turned_screen",
]

log = logging.getLogger(__name__)

# A video that produces no frame within this delay is treated as broken and skipped
# (the slide before it stays up meanwhile).
VIDEO_START_TIMEOUT_S = 8.0
POSTER_CARD = (0.184, 0.212, 0.251, 1)  # #2F3640, neutral; white text 12:1
MESSAGE_BACKGROUND = (0.122, 0.227, 0.373, 1)  # #1F3A5F, the town's blue; white text 11:1
ALERT_SLIDE_PREFIX = "alert-"  # player.schedule.alert_item's ids


# 4:2:0 frames become RGB on the GPU. BT.601 with video range (Y 16-235), what ffmpeg
# itself assumes for such a frame without colour tags when it converts one to RGB.
YUV_TO_RGB_FS = """
$HEADER$
uniform sampler2D tex_y;
uniform sampler2D tex_u;
uniform sampler2D tex_v;

void main(void) {
    float y = 1.1644 * (texture2D(tex_y, tex_coord0).r - 0.0625);
    float u = texture2D(tex_u, tex_coord0).r - 0.5;
    float v = texture2D(tex_v, tex_coord0).r - 0.5;
    gl_FragColor = vec4(y + 1.596 * v, y - 0.3918 * u - 0.813 * v, y + 2.0172 * u, 1.0);
}
"""


class _VideoTextures:
    """Where a clip's frames are uploaded: one RGBA texture to show, drawn from three
    luminance textures by :data:`YUV_TO_RGB_FS` for 4:2:0 frames."""

    def __init__(self, fmt: str, size: tuple[int, int]) -> None:
        self.fmt, self.size = fmt, size
        w, h = size
        if fmt == "yuv420p":
            self._planes = [Texture.create(size=(w, h), colorfmt="luminance"),
                            Texture.create(size=(w // 2, h // 2), colorfmt="luminance"),
                            Texture.create(size=(w // 2, h // 2), colorfmt="luminance")]
            self._fbo = Fbo(size=size)
            with self._fbo:
                BindTexture(texture=self._planes[1], index=1)
                BindTexture(texture=self._planes[2], index=2)
                Rectangle(size=size, texture=self._planes[0])
            self._fbo.shader.fs = YUV_TO_RGB_FS
            self._fbo["tex_y"], self._fbo["tex_u"], self._fbo["tex_v"] = 0, 1, 2
            self.texture = self._fbo.texture
        else:
            self._fbo = None
            self._planes = [Texture.create(size=size, colorfmt="rgba")]
            self.texture = self._planes[0]
        self.texture.flip_vertical()  # decoded rows run top to bottom

    def upload(self, planes: list[memoryview]) -> None:
        for texture, data in zip(self._planes, planes, strict=True):
            texture.blit_buffer(data, colorfmt=texture.colorfmt, bufferfmt="ubyte")
        if self._fbo is not None:
            self._fbo.ask_update()
            self._fbo.draw()


class VideoSlide(Slide):
    """A clip, decoded by a process of its own (:mod:`player.render.video_process`): a file that
    crashes ffmpeg ends that process, not the player, and the decoder's memory goes back
    to the system when the slide leaves the screen."""

    def __init__(self, item: ItemData, lang: str, path: Path | None = None, **kw: object) -> None:
        super().__init__(item_id=item.id, **kw)
        assert item.media is not None
        self._path = Path(path or item.media.path)
        self._image = Image(fit_mode="contain", size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self._image)
        self._decoder: DecoderProcess | None = None
        self._textures: _VideoTextures | None = None
        self._timeout: object | None = None
        self._ready: Callable[[], None] | None = None
        self._failed: Callable[[str], None] | None = None
        self._stopped = False
        self.frames_shown = 0
        # Called by the decoder's reader thread (Kivy's clock is thread-safe), run on ours.
        self._wake = Clock.create_trigger(self._drain, 0)

    def prepare(self, on_ready: Callable[[], None], on_failed: Callable[[str], None]) -> None:
        """Start the decoder; ``on_ready`` once its first frame is uploaded (the decoder
        waits, paused, for :meth:`start`); give up after a while."""
        self._ready, self._failed = on_ready, on_failed
        try:
            self._decoder = DecoderProcess(self._path, screen_size(), wake=self._wake)
        except OSError as e:
            self._give_up(f"could not start the video decoder: {e}")
            return
        self._timeout = Clock.schedule_once(
            lambda _dt: self._give_up(f"no video frame within {VIDEO_START_TIMEOUT_S:.0f} s"),
            VIDEO_START_TIMEOUT_S)

    def _drain(self, *_: object) -> None:
        decoder = self._decoder
        if decoder is None or self._stopped:
            return
        frame, ended = decoder.take()
        if frame is not None:
            if self._textures is None or (self._textures.fmt, self._textures.size) != (
                    frame.fmt, (frame.width, frame.height)):
                self._textures = _VideoTextures(frame.fmt, (frame.width, frame.height))
                self._image.texture = self._textures.texture
            planes = decoder.planes(frame)
            self._textures.upload(planes)  # copied by GL: the slot can be written again
            for view in planes:
                view.release()
            decoder.free(frame)
            self._image.canvas.ask_update()
            self.frames_shown += 1
            if self.frames_shown == 1:
                if self._timeout is not None:
                    self._timeout.cancel()  # type: ignore[attr-defined]
                ready, self._ready = self._ready, None
                if ready is not None:
                    ready()
        if ended is not None:
            self._end(ended)

    def _end(self, ended: Ended) -> None:
        if self.frames_shown == 0:
            # A truncated or undecodable file ends before its first frame: no need to
            # wait for the timeout.
            self._give_up(ended.error or "the video ended before its first frame (damaged or truncated file)")
            return
        if not ended.eof:
            log.warning("video %s stopped after %d frames: %s", self.item_id, self.frames_shown, ended.error)
        self.dispatch("on_finished")

    def _give_up(self, why: str) -> None:
        failed, self._failed = self._failed, None
        self.stop()
        if failed is not None:
            failed(why)

    def start(self) -> None:
        if self._decoder is not None:
            self._decoder.play()

    def stop(self) -> None:
        self._stopped = True
        if self._timeout is not None:
            self._timeout.cancel()  # type: ignore[attr-defined]
        self._wake.cancel()
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
        self._textures = None

    def let_go(self) -> None:
        super().let_go()
        self._image.texture = None


class PosterSlide(Slide):
    """Stands in for a video that cannot play: its caption on a neutral card, so the
    message still reaches the screen and no black frame shows."""

    shows_kind = "video-poster"

    def __init__(self, item_id: str, caption: str, lang: str = "fr", **kw: object) -> None:
        super().__init__(item_id=item_id, background=POSTER_CARD, **kw)
        self.add_widget(text(caption, lang, 0.07, bold=True, halign="center", valign="middle",
                             size_hint=(0.86, 0.6), pos_hint={"center_x": 0.5, "center_y": 0.5}))


def poster_for(item: ItemData, lang: str) -> PosterSlide | None:
    """The poster of a video item, or None when it has nothing to show (then it is skipped).

    The manifest gives no poster image for a video today; its caption is the poster.
    """
    caption = item.caption.get(lang) if item.kind == "video" and item.caption else ""
    return PosterSlide(item.id, caption, lang) if caption else None


class MessageSlide(Slide):
    """Shown when there is nothing to play: never a black screen."""

    def __init__(self, title: str, body: str, heading: str, **kw: object) -> None:
        lang = str(kw.pop("lang", "fr"))
        super().__init__(item_id=kw.pop("item_id", "fallback"), background=MESSAGE_BACKGROUND, **kw)
        self.add_widget(text(heading, lang, 0.05, max_lines=1, bold=True, size_hint=(0.88, 0.1),
                             pos_hint={"x": 0.06, "top": 0.92}))
        self.add_widget(text(title, lang, 0.08, max_lines=2, bold=True, size_hint=(0.88, 0.22),
                             pos_hint={"x": 0.06, "top": 0.72}))
        self.add_widget(text(body, lang, 0.045, size_hint=(0.88, 0.36), pos_hint={"x": 0.06, "top": 0.46}))


class TestCardSlide(Slide):
    """Colour bars, a grid and the screen's resolution: checks colours, geometry, scaling."""

    BARS = [(1, 1, 1), (1, 1, 0), (0, 1, 1), (0, 1, 0), (1, 0, 1), (1, 0, 0), (0, 0, 1), (0, 0, 0)]

    def __init__(self, resolution: str, version: str, **kw: object) -> None:
        super().__init__(item_id="test-card", background=(0.5, 0.5, 0.5, 1), **kw)
        self.bind(pos=self._draw, size=self._draw)
        self.add_widget(text(f"Test card · {resolution} · {version}", "en", 0.05, max_lines=1, bold=True,
                             halign="center", valign="middle", size_hint=(0.88, 0.1),
                             pos_hint={"center_x": 0.5, "y": 0.05}))

    def _draw(self, *_: object) -> None:
        self.canvas.after.clear()
        x, y, w, h = self.x, self.y, self.width, self.height
        with self.canvas.after:
            bar_w = w / len(self.BARS)
            for i, rgb in enumerate(self.BARS):
                Color(*rgb, 1)
                Rectangle(pos=(x + i * bar_w, y + h * 0.3), size=(bar_w, h * 0.6))
            Color(1, 1, 1, 0.6)
            for k in range(1, 10):  # a 10×10 grid: squares stay squares if scaling is right
                Rectangle(pos=(x + w * k / 10, y), size=(1, h))
                Rectangle(pos=(x, y + h * k / 10), size=(w, 1))


def build_slide(
    item: ItemData,
    lang: str,
    second_lang: str | None,
    screen: tuple[int, int] = (1920, 1080),
    derived_dir: Path | None = None,
) -> Slide:
    """The renderer for ``item``; raises ValueError for an item it cannot show.

    The file shown is the item's own or, when it has one, its file for the screen's
    orientation. Images are checked by header (format, pixel count) and downscaled to
    ``screen`` into ``derived_dir`` before Kivy loads them; a poster's blurred backdrop is
    made there once.
    """
    bound_kivy_caches()
    media = item.look.media_for(screen, item.media)
    if media is not None:
        try:
            size = media.path.stat().st_size
        except OSError:
            size = -1
        if size != media.size:
            # Missing or damaged on disk: sync fetches it again; skip it meanwhile.
            raise ValueError(f"item {item.id}: media file {media.sha256[:12]} is not on disk yet")
    derived = derived_dir or (media.path.parent if media is not None else Path("."))
    if item.kind == "image" and media is not None:
        source = prepared_image(media.path, screen, derived)
        return ImageSlide(item, lang, source, backdrop=backdrop_image(source, derived),
                          fit=item.look.fit or "contain", second_lang=second_lang)
    if item.kind == "video" and media is not None:
        return VideoSlide(item, lang, media.path)
    if item.kind == "bulletin" and item.bulletin is not None:
        picture = item.bulletin.picture
        shown: Path | None = None
        if picture is not None and picture.path.is_file():
            try:
                shown = prepared_image(picture.path, screen, derived)
            except ValueError as e:  # the text still plays without its picture
                log.warning("bulletin %s: picture not shown: %s", item.bulletin.id, e)
        return BulletinSlide(item.bulletin, item.id, lang, second_lang,
                             alert=item.id.startswith(ALERT_SLIDE_PREFIX), picture=shown)
    raise ValueError(f"item {item.id}: no renderer for a {item.kind} item without its content")
