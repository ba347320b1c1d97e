"""Picture slides: a poster fitted to its box (``contain`` over a blurred, darkened copy of
itself instead of black bars, or ``cover`` cropped around a focal point), its caption in a
band of its own that never covers the picture (unless the item asks), and, below a
landscape poster on a portrait screen, the text of the bulletin it illustrates.

Import only after the application has configured Kivy (kiosk.device.kivy_env).
"""
from __future__ import annotations

from pathlib import Path

from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from content_cache import BulletinData, ItemData
from player.render.base import MUTED_TEXT, Slide, text
from player.render.fitted_label import FittedLabel
from player.render.geometry import Box, PosterLayout, contain, cover_region, fills_box, poster_layout

# The caption band: a dark veil over the backdrop (white text on it stays over 4.5:1 on
# any picture, the backdrop being darkened already).
BAND_VEIL = (0.04, 0.05, 0.06, 0.72)
OVER_VEIL = (0.0, 0.0, 0.0, 0.62)
CAPTION_RATIO = 0.05  # of the screen's short side, before fitting
PAD = 0.04  # of the band's width, left and right


def load_texture(path: Path) -> Texture:
    """The picture's texture, uncached (it lives as long as its slide)."""
    return CoreImage(str(path), nocache=True).texture


class PictureBox(Widget):
    """Draws ``texture`` into its own box: whole (contain) or filling it (cover, cropped
    around ``focus``); a picture of nearly the box's shape fills it either way."""

    def __init__(self, texture: Texture, fit: str = "contain", focus: tuple[float, float] = (0.5, 0.5),
                 **kw: object) -> None:
        kw.setdefault("size_hint", (None, None))
        super().__init__(**kw)
        self.texture: Texture | None = texture
        self.fit, self.focus = fit, focus
        with self.canvas:
            Color(1, 1, 1, 1)
            self._rect = Rectangle(texture=texture)
        self.bind(pos=self._place, size=self._place)

    def let_go(self) -> None:
        """Drop the picture (its slide left the screen)."""
        self.canvas.clear()
        self._rect.texture = None
        self.texture = None

    @property
    def drawn(self) -> Box:
        """Where the picture's pixels are (window coordinates)."""
        return (*self._rect.pos, *self._rect.size)

    def _place(self, *_: object) -> None:
        if self.texture is None:
            return
        iw, ih = self.texture.size
        box = (self.x, self.y, self.width, self.height)
        if self.fit == "cover" or fills_box((iw, ih), (self.width, self.height)):
            left, top, vw, vh = cover_region((iw, ih), (self.width, self.height), self.focus)
            # Texture regions count rows from the bottom of the picture.
            self._rect.texture = self.texture.get_region(left, ih - top - vh, vw, vh)
            self._rect.pos, self._rect.size = (self.x, self.y), (self.width, self.height)
        else:
            x, y, w, h = contain((iw, ih), box)
            self._rect.texture = self.texture
            self._rect.pos, self._rect.size = (x, y), (w, h)


class Band(FloatLayout):
    """A box with a translucent veil behind its texts."""

    def __init__(self, veil: tuple[float, ...] = BAND_VEIL, **kw: object) -> None:
        kw.setdefault("size_hint", (None, None))
        super().__init__(**kw)
        with self.canvas.before:
            Color(*veil)
            self._rect = Rectangle()
        self.bind(pos=self._sync, size=self._sync)

    def _sync(self, *_: object) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size


class ImageSlide(Slide):
    """A poster: ``source`` (the file for this screen, downscaled) over ``backdrop`` (its
    blurred, darkened copy, filling the slide), caption in its band, and a bulletin's text
    below a landscape poster on a portrait screen."""

    def __init__(self, item: ItemData, lang: str, source: Path, *, backdrop: Path | None = None,
                 fit: str = "contain", second_lang: str | None = None, **kw: object) -> None:
        super().__init__(item_id=item.id, **kw)
        self.lang = lang
        texture = load_texture(source)
        self._backdrop_rect: Rectangle | None = None
        if backdrop is not None:
            with self.canvas.before:
                Color(1, 1, 1, 1)
                self._backdrop_rect = Rectangle(texture=load_texture(backdrop))
        self.picture = PictureBox(texture, fit=fit, focus=item.look.focus)
        self.add_widget(self.picture)
        bulletin: BulletinData | None = item.bulletin
        caption = item.caption.get(lang) if item.caption else ""
        if not caption and bulletin is not None:
            caption = bulletin.title.get(lang)
        self.caption_over = item.look.caption_over
        self.caption_band: Band | None = None
        self.caption_label: FittedLabel | None = None
        if caption:
            self.caption_band = Band(OVER_VEIL if self.caption_over else BAND_VEIL)
            self.caption_label = text(caption, lang, CAPTION_RATIO, max_lines=3, bold=True, valign="middle")
            self.caption_band.add_widget(self.caption_label)
            self.add_widget(self.caption_band)
        self.body_band: Band | None = None
        self._body: FittedLabel | None = None
        body = bulletin.body.get(lang) if bulletin is not None else ""
        if body:
            self.body_band = Band()
            self._body = text(body, lang, 0.04, color=MUTED_TEXT)
            self.body_band.add_widget(self._body)
        self.layout: PosterLayout | None = None
        self.bind(pos=self._relayout, size=self._relayout)

    def let_go(self) -> None:
        super().let_go()
        self._backdrop_rect = None
        self.picture.let_go()

    def _relayout(self, *_: object) -> None:
        if self.picture.texture is None:  # let go of: not on screen any more
            return
        lay = poster_layout((self.width, self.height), tuple(self.picture.texture.size), caption=self.caption_band is not None,
                            caption_over=self.caption_over, text=self.body_band is not None)
        self.layout = lay
        if self._backdrop_rect is not None:
            self._backdrop_rect.pos, self._backdrop_rect.size = self.pos, self.size
        self._place(self.picture, lay.picture)
        if self.caption_band is not None and self.caption_label is not None and lay.caption is not None:
            self._place(self.caption_band, lay.caption)
            # A tall band (below a landscape poster on a portrait screen): the caption reads
            # right under the picture rather than floating in the middle of the band.
            valign = "top" if lay.caption[3] > self.height * 0.2 else "middle"
            if valign != self.caption_label.valign:
                self.caption_label.valign = valign
                self.caption_label.size = (0, 0)  # fitted again when placed
            self._inset(self.caption_label, self.caption_band)
        if self.body_band is not None and self._body is not None:
            if lay.text is not None:
                if self.body_band.parent is None:
                    self.add_widget(self.body_band)
                self._place(self.body_band, lay.text)
                self._inset(self._body, self.body_band, top_only=True)
            elif self.body_band.parent is not None:
                self.remove_widget(self.body_band)

    def _place(self, widget: Widget, box: Box) -> None:
        x, y, w, h = box
        widget.size_hint = (None, None)
        widget.pos, widget.size = (self.x + x, self.y + y), (w, h)

    @staticmethod
    def _inset(label: FittedLabel, band: Widget, top_only: bool = False) -> None:
        pad_x = band.width * PAD
        pad_y = band.height * (0.06 if top_only else 0.12)
        label.size_hint = (None, None)
        label.pos = (band.x + pad_x, band.y + pad_y)
        label.size = (band.width - 2 * pad_x, band.height - 2 * pad_y)
