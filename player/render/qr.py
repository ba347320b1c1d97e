"""QR codes for the signage slides (segno, pure Python): made on the device, no network,
no image files."""
from __future__ import annotations

import segno


def qr_rows(text: str, quiet: int = 2) -> tuple[tuple[bool, ...], ...]:
    """Dark (True) and light modules of ``text``'s QR code, with ``quiet`` light modules
    around it. Error correction "M" survives glare on a screen better than "L"."""
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix_iter(scale=1, border=quiet))
