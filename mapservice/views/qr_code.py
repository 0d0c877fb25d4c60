"""A QR code as inline SVG (segno): printed on a sheet, it takes a phone to a page.

segno is pure Python and writes the SVG itself: no image file, no external request, so a page
or a PDF that shows the code works offline. The code is black on white (what every reader
scans best, and what a black-and-white printer keeps), with the quiet zone of 4 modules the
standard asks for; error correction ``M`` (15 % of the code may be damaged or covered).
"""

from __future__ import annotations

import segno

#: Modules of blank margin around the code (ISO/IEC 18004 asks for 4).
QUIET_ZONE = 4


def qr_svg(url: str) -> str:
    """Return ``url`` as a QR code in an ``<svg>`` element, sized by its CSS.

    The element has a ``viewBox`` but no width or height, so a stylesheet decides its size
    (``svg.qr { width: 28mm }``); it carries the class ``qr``.

    Examples
    --------
    >>> qr_svg("https://example.org/registre/membres/12").startswith("<svg")
    True
    """
    code = segno.make(url, error="m", micro=False)
    return str(
        code.svg_inline(
            scale=1, border=QUIET_ZONE, dark="#000", light="#fff", omitsize=True, svgclass="qr"
        )
    )
