"""Memory released after slide changes: the old slide's objects, then the C heap's pages.

Each slide change frees screen-sized buffers (decoded images, pixel copies of textures,
a few MB each at 1080p). glibc keeps freed heap memory for reuse, and fragmentation
keeps its high-water mark: the player's resident memory grew over hundreds of slides
without leaking (docs/performance.md). Four remedies, all from here:

- A Kivy widget references itself (its own methods bound to its properties), so a slide
  that leaves the screen is freed by Python's cycle collector only, not when the player
  drops it, and with it its textures (a screen-sized image, the text of a bulletin). The
  collector's full passes come rarely: over 1,000 transitions the dead slides held tens
  of MB. The player collects after each slide change; what exists when it starts
  (modules, Kivy, the app) is frozen out of the collector first (``gc.freeze``), so a
  collection looks at the slides only: a few ms instead of ~80 ms here. What the player
  loads once its first frame is drawn (SQLAlchemy, the device services: ~55,000 objects,
  30-50 ms a collection here) is frozen too, once, by :func:`freeze_long_lived`; the slide
  on screen then is frozen with it and never collected, so it lets go of its pictures
  when it leaves the screen (``Slide.stop``): what stays is its widgets, once.

- glibc raises its mmap threshold after the first large free (up to 32 MB), so later
  screen-sized buffers come from the heap and stay there once freed. The player fixes
  the threshold at 128 KiB itself (``mallopt``, which also turns the dynamic threshold
  off), as ``MALLOC_MMAP_THRESHOLD_=131072`` in the systemd unit does, so a player started
  any other way (``kiosk demo``, a terminal, another init system) behaves the same. An
  explicit ``MALLOC_MMAP_THRESHOLD_`` in the environment wins.
- glibc gives threads their own heaps ("arenas", up to 8 per core), each keeping its own
  free memory: the decoder's, llvmpipe's and the services' threads. The player caps them
  at 2 (``mallopt(M_ARENA_MAX)``) unless ``MALLOC_ARENA_MAX`` is set; demo loop, 1,000
  transitions, same run: anonymous growth +9 → +7 MB (within the runs' spread).
- ``malloc_trim(0)`` returns free pages anywhere in the heap (glibc >= 2.8 uses madvise on
  them), a few milliseconds once the old slide is gone.

Where glibc is not the C library, only the collection is done.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc <malloc.h>
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 128 * 1024
ARENA_MAX = 2


def heap_trimmer() -> Callable[[], bool]:
    """Apply the policy (call once, before the first slide); return the function to call
    after a slide change: it collects the old slide and trims the heap (True if the
    heap released memory)."""
    gc.freeze()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        log.info("malloc_trim not available: the heap is not trimmed after slide changes")
        return _collect_only
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ and not mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES):
        log.info("mallopt(M_MMAP_THRESHOLD) refused: glibc's dynamic mmap threshold stays")
    if "MALLOC_ARENA_MAX" not in os.environ and not mallopt(M_ARENA_MAX, ARENA_MAX):
        log.info("mallopt(M_ARENA_MAX) refused: glibc's arena count stays")
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def release() -> bool:
        gc.collect()
        return bool(trim(0))

    return release


def _collect_only() -> bool:
    gc.collect()
    return False


def freeze_long_lived() -> None:
    """Collect, then move every object alive now out of the collector's sight (modules
    and services loaded after the first frame): later collections look at newer objects
    only. Call once, when the player has loaded what it keeps for its lifetime."""
    gc.collect()
    gc.freeze()
