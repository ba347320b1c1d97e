"""The bulletin template: category, title and body in the display language, the other
language's title and body smaller below, a QR code when the bulletin has a link, and its
picture when it has one. Every text is fitted to its box (wrapped, hyphenated, stepped down
to the readable floor, then shortened with an ellipsis).

A bulletin in the loop is a dark card with a stripe and a category pill in its severity's
colour; a full-screen alert is painted in its severity's colour throughout.

Import only after the application has configured Kivy (kiosk.device.kivy_env).
"""
from __future__ import annotations

from pathlib import Path

from kivy.graphics import Color, Rectangle, RoundedRectangle
from kivy.graphics.texture import Texture
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from content_cache import BulletinData
from player.i18n import CATEGORY_LABELS, gettext_for
from player.render.base import BACKGROUND, MUTED_TEXT, TEXT, Slide, text
from player.render.fitted_label import FittedLabel
from player.render.picture import PictureBox, load_texture
from player.severity import severity_style

CARD = (0.086, 0.110, 0.137, 1)  # #161C23: the card, a shade above the background
MARGIN_X, MARGIN_Y = 0.055, 0.07  # of the slide's width and height
STRIPE = 0.012  # the severity stripe at the left, of the width
SIDE_COLUMN = 0.3  # the picture and QR column, of the content width (landscape)
GAP = 0.025  # between blocks, of the content height
QR_QUIET_MODULES = 2


def qr_texture(link: str) -> Texture:
    """``link``'s QR code as a texture, one texel per module (drawn with nearest-neighbour
    scaling, so it stays crisp at any size), dark on white with a quiet zone."""
    from player.render.qr import qr_rows

    rows = qr_rows(link, quiet=QR_QUIET_MODULES)
    n = len(rows)
    data = bytearray()
    for row in reversed(rows):  # texture rows run bottom to top
        for dark in row:
            data += b"\x00\x00\x00" if dark else b"\xff\xff\xff"
    tex = Texture.create(size=(n, n), colorfmt="rgb")
    tex.blit_buffer(bytes(data), colorfmt="rgb", bufferfmt="ubyte")
    tex.mag_filter = "nearest"
    tex.min_filter = "nearest"
    return tex


class BulletinSlide(Slide):
    """A bulletin (``alert``: shown full screen as an alert, painted in its severity)."""

    def __init__(self, bulletin: BulletinData, item_id: str, lang: str, second_lang: str | None, *,
                 alert: bool = False, picture: Path | None = None, **kw: object) -> None:
        style = severity_style(bulletin.severity)
        super().__init__(item_id=item_id, background=style.fill if alert else BACKGROUND, **kw)
        _ = gettext_for(lang)
        ink, muted = (style.on_fill, style.on_fill) if alert else (TEXT, MUTED_TEXT)
        self.bulletin = bulletin
        if not alert:
            with self.canvas.before:
                Color(*CARD)
                self._card = Rectangle()
                Color(*style.fill)
                self._stripe = Rectangle()
        # The category pill: the severity's colours (inverted on an alert's own colour).
        pill_fill, pill_text = (style.on_fill, style.fill) if alert else (style.fill, style.on_fill)
        self.pill = FloatLayout(size_hint=(None, None))
        with self.pill.canvas.before:
            Color(*pill_fill)
            self._pill_bg = RoundedRectangle(radius=[6])
        category = _(CATEGORY_LABELS.get(bulletin.category, "Information")).upper()
        self.pill_label = text(category, lang, 0.034, floor=0.022, max_lines=1, bold=True,
                               color=pill_text, halign="center", valign="middle")
        self.pill.add_widget(self.pill_label)
        self.add_widget(self.pill)
        self.title = text(bulletin.title.get(lang), lang, 0.1, max_lines=4, bold=True, color=ink)
        self.body = text(bulletin.body.get(lang), lang, 0.06, color=ink)
        self.add_widget(self.title)
        self.add_widget(self.body)
        self.other: list[FittedLabel] = []
        if second_lang and second_lang != lang:
            other_title = bulletin.title.get(second_lang, fallback=lang)
            other_body = bulletin.body.get(second_lang, fallback=lang)
            if other_title and other_title != bulletin.title.get(lang):
                self.other.append(text(other_title, second_lang, 0.046, max_lines=2, bold=True, color=muted))
            if other_body and other_body != bulletin.body.get(lang):
                self.other.append(text(other_body, second_lang, 0.038, color=muted))
            for label in self.other:
                self.add_widget(label)
        with self.canvas.before:
            self._rule_colour = Color(*muted[:3], 0.35 if self.other else 0)
            self._rule = Rectangle()
        self.qr: Widget | None = None
        self.qr_hint: FittedLabel | None = None
        if bulletin.link:
            self.qr = Widget(size_hint=(None, None))
            with self.qr.canvas:
                Color(1, 1, 1, 1)
                self._qr_rect = Rectangle(texture=qr_texture(bulletin.link))
            self.qr.bind(pos=self._sync_qr, size=self._sync_qr)
            self.qr_hint = text(_("More information"), lang, 0.028, floor=0.022, max_lines=2,
                                color=muted, halign="center")
            self.add_widget(self.qr)
            self.add_widget(self.qr_hint)
        self.picture: PictureBox | None = None
        if picture is not None:
            self.picture = PictureBox(load_texture(picture), fit="contain")
            self.add_widget(self.picture)
        self.bind(pos=self._relayout, size=self._relayout)

    def _sync_qr(self, *_: object) -> None:
        assert self.qr is not None
        side = min(self.qr.width, self.qr.height)
        self._qr_rect.size = (side, side)
        self._qr_rect.pos = (self.qr.center_x - side / 2, self.qr.top - side)

    # -- layout -------------------------------------------------------------------------
    def _relayout(self, *_: object) -> None:
        x0, y0, w, h = self.x, self.y, self.width, self.height
        if w < 10 or h < 10:
            return
        portrait = h > w
        if hasattr(self, "_card"):
            self._card.pos, self._card.size = (x0, y0), (w, h)
            self._stripe.pos, self._stripe.size = (x0, y0), (max(4.0, w * STRIPE), h)
        left = x0 + w * MARGIN_X
        top = y0 + h * (1 - MARGIN_Y)
        bottom = y0 + h * MARGIN_Y
        content_w = w * (1 - 2 * MARGIN_X)
        content_h = top - bottom
        gap = content_h * GAP
        has_side = self.picture is not None or self.qr is not None
        text_w = text_w_other = content_w
        if has_side and not portrait:
            side_w = content_w * SIDE_COLUMN
            text_w = content_w - side_w - content_w * 0.04
            self._side_column(left + content_w - side_w, bottom, side_w, content_h, gap)
        elif has_side:
            top = self._portrait_top(left, top, content_w, content_h, gap)
            if self.qr is not None:  # the QR code sits at the bottom right, beside the other language
                qr_side = min(content_w * 0.28, content_h * 0.16)
                self._box(self.qr, left + content_w - qr_side, bottom + content_h * 0.05, qr_side, qr_side)
                if self.qr_hint is not None:
                    self._box(self.qr_hint, left + content_w - qr_side * 1.2, bottom, qr_side * 1.4,
                              content_h * 0.05)
                text_w_other = content_w - qr_side - content_w * 0.04
            content_h = top - bottom
        # The pill, sized to its text.
        pill_h = max(h * 0.07, self.pill_label._min_size() * 1.6)
        self._box(self.pill, left, top - pill_h, min(text_w, h * 0.6), pill_h)
        self._box(self.pill_label, left + pill_h * 0.35, top - pill_h, min(text_w, h * 0.6) - pill_h * 0.7, pill_h)
        self.pill_label.fit_now()
        label_w = self.pill_label.ink_width
        if label_w:
            self.pill.width = min(self.pill.width, max(pill_h * 2, label_w + pill_h * 0.9))
            self._box(self.pill_label, self.pill.x + pill_h * 0.3, self.pill.y, self.pill.width - pill_h * 0.6,
                      pill_h)
            self.pill_label.fit_now()
        self._pill_bg.pos, self._pill_bg.size = self.pill.pos, self.pill.size
        y = top - pill_h - gap * 1.5
        title_h = self._fit_height(self.title, text_w, min(content_h * 0.3, y - bottom))
        self._box(self.title, left, y - title_h, text_w, title_h)
        y -= title_h + gap
        # The display language's body comes first: fitted with room kept for the other
        # language, whose text is then never larger than 80 % of it and takes only what it
        # needs at the bottom; the body gets the rest.
        other_w = text_w_other if portrait else text_w
        reserve = content_h * 0.3 if self.other else 0.0
        body_h = self._fit_height(self.body, text_w, max(0.0, y - bottom - reserve - gap))
        y_other = bottom
        if self.other:
            cap = self.body.fit.font_size * 0.8 if self.body.fit and self.body.fit.lines else None
            shares = (0.1, 0.2) if len(self.other) == 2 else (0.25,)
            heights = []
            for lbl, share in zip(self.other, shares, strict=False):
                lbl.set_cap(cap)
                heights.append(self._fit_height(lbl, other_w, content_h * share))
            for lbl, lh in zip(reversed(self.other), reversed(heights), strict=False):
                self._box(lbl, left, y_other, other_w, lh)
                y_other += lh + gap * 0.4
            self._rule.pos, self._rule.size = (left, y_other + gap * 0.3), (other_w, max(1.0, h * 0.002))
            y_other += gap * 1.3
            body_h = self._fit_height(self.body, text_w, max(0.0, y - y_other - gap))
        self._box(self.body, left, y - body_h, text_w, body_h)

    def _side_column(self, x: float, bottom: float, w: float, h: float, gap: float) -> None:
        qr_side = min(w * 0.62, h * 0.34) if self.qr is not None else 0.0
        hint_h = h * 0.09 if self.qr is not None else 0.0
        if self.qr is not None:
            self._box(self.qr, x + (w - qr_side) / 2, bottom + hint_h, qr_side, qr_side)
            if self.qr_hint is not None:
                self._box(self.qr_hint, x, bottom, w, hint_h)
        if self.picture is not None:
            pic_bottom = bottom + (qr_side + hint_h + gap * 2 if self.qr is not None else 0)
            self._box(self.picture, x, pic_bottom, w, bottom + h - pic_bottom)

    def let_go(self) -> None:
        super().let_go()
        if self.picture is not None:
            self.picture.let_go()

    def _portrait_top(self, left: float, top: float, w: float, h: float, gap: float) -> float:
        """The picture across the top of a portrait slide; returns where the text starts."""
        if self.picture is None or self.picture.texture is None:
            return top
        iw, ih = self.picture.texture.size
        pic_h = min(h * 0.36, w * ih / iw if iw else h * 0.36)
        self._box(self.picture, left, top - pic_h, w, pic_h)
        return top - pic_h - gap * 1.5

    @staticmethod
    def _box(widget: Widget, x: float, y: float, w: float, h: float) -> None:
        widget.size_hint = (None, None)
        widget.pos, widget.size = (x, y), (max(0.0, w), max(0.0, h))

    @staticmethod
    def _fit_height(label: FittedLabel, w: float, max_h: float) -> float:
        """Fit ``label`` into ``w`` × ``max_h``; the height its lines really take."""
        label.size_hint = (None, None)
        label.size = (max(0.0, w), max(0.0, max_h))
        label.fit_now()
        return min(max_h, label.ink_height) if label.fit and label.fit.lines else 0.0
