"""QR codes for the signage slides (segno, pure Python): made on the device, no network,
no image files."""
from __future__ import annotations

from functools import lru_cache

import segno


@lru_cache(maxsize=32)  # a bulletin's link comes back with it: encoded once (~7-9 ms each here)
def qr_rows(text: str, quiet: int = 2) -> tuple[tuple[bool, ...], ...]:
    """Dark (True) and light modules of ``text``'s QR code, with ``quiet`` light modules
    around it. Error correction "M" survives glare on a screen better than "L"."""
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix_iter(scale=1, border=quiet))
