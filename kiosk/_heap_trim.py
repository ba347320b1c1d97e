"""Give the C heap's free pages back to the system after slide changes.

Each slide change frees screen-sized buffers (decoded images, pixel copies of textures,
a few MB each at 1080p). glibc keeps freed heap memory for reuse, and fragmentation
keeps its high-water mark: the player's resident memory grew over hundreds of slides
without leaking (docs/performance.md). ``malloc_trim(0)`` returns free pages anywhere in
the heap (glibc >= 2.8 uses madvise on them), a few milliseconds once the old slide is
gone. No-op where glibc is not the C library.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def heap_trimmer() -> Callable[[], bool] | None:
    """A function that trims the heap (True if memory was released), or None without glibc."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        log.info("malloc_trim not available: the heap is not trimmed after slide changes")
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: bool(trim(0))
