"""Kivy slide renderers: image, video, bulletin, and a message slide for fallbacks.

Import only after the application has configured Kivy (kiosk.app.kivy_env); importing Kivy
reads its configuration.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kivy.cache import Cache
from kivy.clock import Clock, ClockEvent
from kivy.core.window import Window
from kivy.graphics import BindTexture, Color, Fbo, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import ListProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.image import Image
from kivy.uix.label import Label

from content_cache import BulletinData, ItemData
from player.i18n import CATEGORY_LABELS, gettext_for
from player.render.images import prepared_image
from player.render.video_process import DecoderProcess, Ended

log = logging.getLogger(__name__)

BACKGROUND = (0.063, 0.078, 0.094, 1)  # #101418
SEVERITY_COLOURS = {
    "info": (0.122, 0.227, 0.373, 1),  # #1F3A5F, white text 11:1
    "warning": (0.478, 0.294, 0.0, 1),  # #7A4B00, white text 7.6:1
    "critical": (0.545, 0.102, 0.102, 1),  # #8B1A1A, white text 8.9:1
}
# A video that produces no frame within this delay is treated as broken and skipped
# (the slide before it stays up meanwhile).
VIDEO_START_TIMEOUT_S = 8.0
POSTER_CARD = (0.184, 0.212, 0.251, 1)  # #2F3640, neutral; white text 12:1
# Kivy's image caches keep an entry 60 s whatever their number ('kv.image' has no count
# limit, 'kv.texture' 1,000): at a slide every 76 ms (the player benchmark) that would be
# hundreds of screen-sized textures. Slides load their images uncached (``nocache``); the
# player bounds these caches by count for anything else that loads through them.
KIVY_IMAGE_CACHES = ("kv.image", "kv.texture")
KIVY_IMAGE_CACHE_LIMIT = 8
# Fitted font sizes of auto-fitting labels, by text and box: a bulletin shown again is not
# measured again (each try renders the whole text). Bounded by count.
FITTED_SIZES_MAX = 64
_fitted_sizes: OrderedDict[tuple[object, ...], float] = OrderedDict()


def bound_kivy_caches(limit: int = KIVY_IMAGE_CACHE_LIMIT) -> None:
    """Drop the least recently used entries of Kivy's image and texture caches beyond
    ``limit``. Kivy's own count limit (set here too) never drops an entry added during the
    current clock frame, so the slides call this each time one is built."""
    for category in KIVY_IMAGE_CACHES:
        if Cache._categories.get(category, {}).get("limit") != limit:
            Cache.register(category, limit=limit, timeout=60)  # Kivy registered it unbounded
        entries = Cache._objects.get(category, {})  # Kivy has no public count or LRU order
        if len(entries) > limit:
            by_age = sorted(entries, key=lambda key: entries[key]["lastaccess"])
            for key in by_age[: len(entries) - limit]:
                Cache.remove(category, key)


class _Screen:
    """The size slides lay out for: the window's, or the turned one (display.orientation)."""

    turned: tuple[int, int] | None = None


def set_turned_screen(size: tuple[int, int] | None) -> None:
    """The picture is turned on the panel: slides size their text for ``size``."""
    _Screen.turned = size


def screen_size() -> tuple[int, int]:
    return _Screen.turned or (int(Window.width), int(Window.height))


class Slide(FloatLayout):
    """A full-screen slide. ``on_finished`` fires when it ends on its own (video end)."""

    item_id = StringProperty("")
    background = ListProperty(BACKGROUND)
    # What the screen shows, when not the item's kind (a video's poster).
    shows_kind: str | None = None

    __events__ = ("on_finished",)

    def __init__(self, **kw: object) -> None:
        kw.setdefault("pos_hint", {"x": 0, "y": 0})
        super().__init__(**kw)
        with self.canvas.before:
            self._bg_colour = Color(*self.background)
            self._bg = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._sync_bg, size=self._sync_bg, background=self._sync_bg)

    def _sync_bg(self, *_: object) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        self._bg_colour.rgba = self.background

    def prepare(self, on_ready: Callable[[], None], on_failed: Callable[[str], None]) -> None:
        """Get ready off-screen; call ``on_ready`` once the first frame can be drawn.

        The player keeps the current slide up until then, so no black frame shows.
        """
        on_ready()

    def start(self) -> None:
        """Called when the slide becomes visible."""

    def stop(self) -> None:
        """Called when the slide leaves the screen; release media here."""

    def on_finished(self) -> None:
        pass


def _label(text: str, size_hint_h: float, font_ratio: float, autofit: bool = False,
           **kw: object) -> Label:
    """A label that wraps inside its box, its font a fraction of the screen's height.

    With ``autofit`` the font shrinks (down to half) until the wrapped text fits the box;
    whatever still does not fit is cut at the box, never drawn outside it.
    """
    lbl = Label(
        text=text, size_hint=(0.88, size_hint_h), halign=kw.pop("halign", "left"),
        valign=kw.pop("valign", "top"), color=kw.pop("color", (1, 1, 1, 1)), **kw,
    )

    def fit(*_: object) -> None:
        sw, sh = screen_size()
        base = max(12, min(sh, sw * 1.2) * font_ratio)
        lbl.font_size = base
        # Only once laid out on screen: a slide being built has Kivy's default sizes.
        if autofit and lbl.width > 1 and lbl.height > 1 and lbl.get_root_window() is not None:
            lbl.font_size = _fitted_size(lbl, base)
        lbl.text_size = lbl.size

    lbl.bind(size=fit)
    fit()
    return lbl


def _fitted_size(lbl: Label, base: float) -> float:
    """The largest font, from ``base`` down to half of it, at which ``lbl``'s wrapped text
    fits its box (remembered for that text and box)."""
    key = (lbl.text, int(lbl.width), int(lbl.height), base, lbl.bold, lbl.italic, lbl.font_name)
    size = _fitted_sizes.get(key)
    if size is not None:
        _fitted_sizes.move_to_end(key)
        return size
    lbl.text_size = (lbl.width, None)  # measure the wrapped height
    for _step in range(8):
        lbl.texture_update()
        if lbl.texture_size[1] <= lbl.height or lbl.font_size <= max(12, base / 2):
            break
        lbl.font_size = max(12, lbl.font_size * 0.88)
    _fitted_sizes[key] = size = lbl.font_size
    while len(_fitted_sizes) > FITTED_SIZES_MAX:
        _fitted_sizes.popitem(last=False)
    return size


class ImageSlide(Slide):
    def __init__(self, item: ItemData, lang: str, source: Path | None = None, **kw: object) -> None:
        super().__init__(item_id=item.id, **kw)
        assert item.media is not None
        # nocache: textures live as long as the slide, so memory stays bounded
        self.add_widget(
            Image(source=str(source or item.media.path), fit_mode="contain", size_hint=(1, 1),
                  pos_hint={"x": 0, "y": 0}, nocache=True)
        )
        caption = item.caption.get(lang) if item.caption else ""
        if caption:
            band = FloatLayout(size_hint=(1, 0.12), pos_hint={"x": 0, "y": 0})
            with band.canvas.before:
                Color(0, 0, 0, 0.72)
                rect = Rectangle()
            band.bind(pos=lambda w, p: setattr(rect, "pos", p), size=lambda w, s: setattr(rect, "size", s))
            band.add_widget(
                _label(caption, 0.8, 0.038, valign="middle", max_lines=2, bold=True,
                       pos_hint={"center_x": 0.5, "center_y": 0.5})
            )
            self.add_widget(band)


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

    def __init__(self, item: ItemData, lang: str, **kw: object) -> None:
        super().__init__(item_id=item.id, **kw)
        assert item.media is not None
        self._path = Path(item.media.path)
        self._image = Image(fit_mode="contain", size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self._image)
        self._decoder: DecoderProcess | None = None
        self._textures: _VideoTextures | None = None
        self._timeout: ClockEvent | None = None
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
                    self._timeout.cancel()
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
            self._timeout.cancel()
        self._wake.cancel()
        if self._decoder is not None:
            self._decoder.close()
            self._decoder = None
        self._textures = None


class PosterSlide(Slide):
    """Stands in for a video that cannot play: its caption on a neutral card, so the
    message still reaches the screen and no black frame shows."""

    shows_kind = "video-poster"

    def __init__(self, item_id: str, caption: str, **kw: object) -> None:
        super().__init__(item_id=item_id, background=POSTER_CARD, **kw)
        self.add_widget(_label(caption, 0.5, 0.07, autofit=True, bold=True, halign="center",
                               valign="middle", pos_hint={"center_x": 0.5, "center_y": 0.5}))


def poster_for(item: ItemData, lang: str) -> PosterSlide | None:
    """The poster of a video item, or None when it has nothing to show (then it is skipped).

    The manifest gives no poster image for a video today; its caption is the poster.
    """
    caption = item.caption.get(lang) if item.kind == "video" and item.caption else ""
    return PosterSlide(item.id, caption) if caption else None


class BulletinSlide(Slide):
    def __init__(self, bulletin: BulletinData, item_id: str, lang: str, second_lang: str | None, **kw: object) -> None:
        colour = SEVERITY_COLOURS.get(bulletin.severity, SEVERITY_COLOURS["info"])
        super().__init__(item_id=item_id, background=colour, **kw)
        _ = gettext_for(lang)
        category = _(CATEGORY_LABELS.get(bulletin.category, "Information")).upper()
        pill = _label(category, 0.07, 0.04, bold=True, pos_hint={"x": 0.06, "top": 0.93},
                      max_lines=1, shorten=True)
        self.add_widget(pill)
        self.add_widget(_label(bulletin.title.get(lang), 0.24, 0.085, autofit=True, bold=True,
                               pos_hint={"x": 0.06, "top": 0.84}))
        self.add_widget(_label(bulletin.body.get(lang), 0.36, 0.055, autofit=True,
                               pos_hint={"x": 0.06, "top": 0.58}))
        if second_lang and bulletin.title.get(second_lang, fallback=lang) != bulletin.title.get(lang):
            self.add_widget(_label(bulletin.title.get(second_lang), 0.1, 0.045, italic=True,
                                   color=(1, 1, 1, 0.85), max_lines=1, shorten=True,
                                   pos_hint={"x": 0.06, "top": 0.2}))


class MessageSlide(Slide):
    """Shown when there is nothing to play: never a black screen."""

    def __init__(self, title: str, body: str, heading: str, **kw: object) -> None:
        super().__init__(item_id=kw.pop("item_id", "fallback"), background=SEVERITY_COLOURS["info"], **kw)
        self.add_widget(_label(heading, 0.1, 0.05, bold=True, pos_hint={"x": 0.06, "top": 0.92},
                               max_lines=1, shorten=True))
        self.add_widget(_label(title, 0.2, 0.08, bold=True, pos_hint={"x": 0.06, "top": 0.7},
                               max_lines=2))
        self.add_widget(_label(body, 0.3, 0.045, pos_hint={"x": 0.06, "top": 0.48}, max_lines=5))


class TestCardSlide(Slide):
    """Colour bars, a grid and the screen's resolution: checks colours, geometry, scaling."""

    BARS = [(1, 1, 1), (1, 1, 0), (0, 1, 1), (0, 1, 0), (1, 0, 1), (1, 0, 0), (0, 0, 1), (0, 0, 0)]

    def __init__(self, resolution: str, version: str, **kw: object) -> None:
        super().__init__(item_id="test-card", background=(0.5, 0.5, 0.5, 1), **kw)
        self.bind(pos=self._draw, size=self._draw)
        self.add_widget(_label(f"Test card · {resolution} · {version}", 0.1, 0.05, bold=True,
                               halign="center", valign="middle", max_lines=1,
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


class AlertBanner(FloatLayout):
    """Banner alerts over the loop: a strip in the alert's colour, always on top."""

    def __init__(self, height_hint: float = 0.13, **kw: object) -> None:
        super().__init__(size_hint=(1, height_hint), pos_hint={"x": 0, "top": 1}, opacity=0, **kw)
        with self.canvas.before:
            self._colour = Color(*SEVERITY_COLOURS["critical"])
            self._rect = Rectangle()
        self.bind(pos=self._sync, size=self._sync)
        self._label = _label("", 0.8, 0.045, bold=True, valign="middle", max_lines=2,
                             pos_hint={"x": 0.04, "center_y": 0.5})
        self._label.size_hint_x = 0.92
        self.add_widget(self._label)
        self.alert_ids: tuple[str, ...] = ()

    def _sync(self, *_: object) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def show(self, alerts: tuple[BulletinData, ...], lang: str) -> None:
        """Show these alerts (most severe first), or hide the banner when there are none."""
        self.alert_ids = tuple(b.id for b in alerts)
        if not alerts:
            self.opacity = 0
            return
        _ = gettext_for(lang)
        self._colour.rgba = SEVERITY_COLOURS.get(alerts[0].severity, SEVERITY_COLOURS["critical"])
        self._label.text = f"{_('Alert').upper()} · " + "  ·  ".join(b.title.get(lang) for b in alerts)
        self.opacity = 1


class StatusBar(FloatLayout):
    """Bottom strip: the town's name and the local time, refreshed each minute."""

    def __init__(self, site_name: str, now: Callable[[], datetime], height_hint: float = 0.07,
                 **kw: object) -> None:
        super().__init__(size_hint=(1, height_hint), pos_hint={"x": 0, "y": 0}, **kw)
        self._now = now
        with self.canvas.before:
            Color(0, 0, 0, 0.78)
            self._rect = Rectangle()
        self.bind(pos=self._sync, size=self._sync)
        self._name = _label(site_name, 0.8, 0.032, valign="middle", max_lines=1, shorten=True,
                            pos_hint={"x": 0.03, "center_y": 0.5})
        self._name.size_hint_x = 0.7
        self._clock = _label("", 0.8, 0.032, valign="middle", halign="right", max_lines=1,
                             pos_hint={"right": 0.97, "center_y": 0.5})
        self._clock.size_hint_x = 0.25
        self.add_widget(self._name)
        self.add_widget(self._clock)
        self._tick()

    def set_site_name(self, name: str) -> None:
        self._name.text = name

    def _sync(self, *_: object) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def _tick(self, *_: object) -> None:
        t = self._now()
        self._clock.text = t.strftime("%d/%m/%Y  %H:%M")
        # Wake up at the next minute only: the bar costs nothing in between.
        Clock.schedule_once(self._tick, 60 - t.second + 0.05)


def build_slide(
    item: ItemData,
    lang: str,
    second_lang: str | None,
    screen: tuple[int, int] = (1920, 1080),
    derived_dir: Path | None = None,
) -> Slide:
    """The renderer for ``item``; raises ValueError for an item it cannot show.

    Images are checked by header (format, pixel count) and downscaled to ``screen`` into
    ``derived_dir`` before Kivy loads them.
    """
    bound_kivy_caches()
    if item.media is not None:
        try:
            size = item.media.path.stat().st_size
        except OSError:
            size = -1
        if size != item.media.size:
            # Missing or damaged on disk: sync fetches it again; skip it meanwhile.
            raise ValueError(f"item {item.id}: media file {item.media.sha256[:12]} is not on disk yet")
    if item.kind == "image" and item.media is not None:
        source = prepared_image(item.media.path, screen, derived_dir or item.media.path.parent)
        return ImageSlide(item, lang, source)
    if item.kind == "video" and item.media is not None:
        return VideoSlide(item, lang)
    if item.kind == "bulletin" and item.bulletin is not None:
        return BulletinSlide(item.bulletin, item.id, lang, second_lang)
    raise ValueError(f"item {item.id}: no renderer for a {item.kind} item without its content")
