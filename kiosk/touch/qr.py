"""QR codes made on the device (segno, pure Python): no network, no image files."""
from __future__ import annotations

import segno


def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """Dark (True) and light modules of ``text``'s QR code, without the quiet zone.

    Error correction "M" survives a scuffed or glare-struck screen better than "L" at
    a size that still scans from arm's length.
    """
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix)
