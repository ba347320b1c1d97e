"""Touch screens unplugged and plugged back in, for Kivy's input providers.

Kivy-free: the event loop and the provider factory are passed in (the player passes
``kivy.base.EventLoop`` and Kivy's mtdev/hidinput provider), so tests use small dummies.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.device.hotplug import HotplugEvent, HotplugKind

log = logging.getLogger(__name__)


class TouchInputs:
    """Keeps one Kivy input provider reading each touch screen across unplug and replug.

    Kivy opens the ``/dev/input/eventN`` nodes it found at start-up; when a screen is
    unplugged its reader thread ends, and a screen plugged in later is never opened. On
    ``touch-added`` a provider for that node is (re)created and started; on
    ``touch-removed`` it is dropped.
    """

    def __init__(self, event_loop: Any, provider_factory: Callable[[str], Any] | None) -> None:
        self.loop = event_loop
        self.factory = provider_factory  # None: no kernel input (headless), only log

    def handle(self, event: HotplugEvent) -> None:
        node = event.device_node
        if not node or self.factory is None:
            return
        mine = [p for p in list(self.loop.input_providers) if getattr(p, "input_fn", None) == node]
        if event.kind is HotplugKind.TOUCH_REMOVED:
            for p in mine:
                p.stop()
                self.loop.remove_input_provider(p)
            return
        for p in mine:
            thread = getattr(p, "thread", None)
            if thread is not None and thread.is_alive():
                return  # still reading this node
            p.stop()
            self.loop.remove_input_provider(p)
        provider = self.factory(node)
        self.loop.add_input_provider(provider)
        provider.start()
        log.info("touch input reopened on %s", node)
