"""Which slide the loop shows next: the engine's next item built as a slide, a broken item
set aside for a while (a broken video shows as its poster meanwhile), the fallback card
when nothing plays.

Kivy side: the slides are widgets (imported after :func:`kiosk.device.kivy_env.prepare_kivy`).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from content_cache import ItemData
from kiosk.app.state import PlaybackState
from player.i18n import gettext_for
from player.quarantine import Quarantine
from player.render.slides import MessageSlide, Slide, build_slide, poster_for, screen_size

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 64  # a playlist of broken items must not spin forever


class NextSlide:
    def __init__(self, state: PlaybackState, derived_dir: Path) -> None:
        self.state = state
        self.derived_dir = derived_dir  # downscaled copies of images (player.render.images)
        self.quarantine = Quarantine()
        self._seen_generation = -2

    def build(self) -> tuple[ItemData | None, Slide]:
        """The next item and its slide (not yet prepared); (None, the fallback) when none plays."""
        now = time.monotonic()
        for _attempt in range(MAX_ATTEMPTS):
            try:
                item = self.state.next_item()
            except Exception:
                log.exception("could not read the content cache; showing the fallback")
                item = None
            if self.state.generation != self._seen_generation:
                self._seen_generation = self.state.generation
                self.quarantine.clear()  # a new version may carry mended files
                self._prune_derived()
            if item is None:
                break
            if self.quarantine.blocks(item.id, now):
                poster = poster_for(item, self.state.lang)
                if poster is not None:
                    return item, poster  # a broken video shows as its poster meanwhile
                continue
            try:
                return item, build_slide(item, self.state.lang, self.state.second_lang,
                                         screen=screen_size(), derived_dir=self.derived_dir)
            except Exception as e:
                self.quarantine.add(item.id, self.version(), str(e), now)
        return None, self.fallback()

    def failed(self, item: ItemData, why: str) -> None:
        """``item``'s slide could not be prepared: set it aside for a while."""
        self.quarantine.add(item.id, self.version(), why, time.monotonic())

    def version(self) -> str:
        return self.state.content.version_id if self.state.content else "none"

    def fallback(self) -> Slide:
        _ = gettext_for(self.state.lang)
        content = self.state.content
        if content is None:
            return MessageSlide(
                _("Waiting for content"),
                _("This screen has not received any content yet. It will appear as soon as the first synchronisation completes."),
                "", item_id="waiting", lang=self.state.lang,
            )
        return MessageSlide(
            content.site_name.get(self.state.lang), _("Nothing to show right now"),
            self.state.now().strftime("%d/%m/%Y"), item_id="fallback", lang=self.state.lang,
        )

    def _prune_derived(self) -> None:
        """Drop downscaled copies of images the live content no longer has."""
        content = self.state.content
        if content is None or not self.derived_dir.is_dir():
            return
        live = {m.sha256 for p in content.playlists.values() for i in p.items
                for m in (i.media, i.look.portrait, i.look.landscape) if m}
        live |= {b.picture.sha256 for b in content.bulletins if b.picture}
        for f in self.derived_dir.iterdir():
            if f.name.split("-", 1)[0] not in live:
                f.unlink(missing_ok=True)
