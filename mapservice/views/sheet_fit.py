"""How many partners one printed page holds beside the rest of a sheet, estimated in lines.

A sheet prints on letter paper (``event_sheets.css``: 12 mm margins leave 192 × 255 mm) in
10 pt type at 1.3 line height: about :data:`PAGE_LINES` lines. A line holds about
:data:`CHARS_FULL` characters across the page, :data:`CHARS_HALF` in the column of offers or of
needs, :data:`CHARS_SMALL` of the reasons (8.5 pt: :data:`SMALL_LINE` of a line high); a text
stops at :data:`CLAMP_LINES` lines (the stylesheet clamps it too). The company, its sites, offers
and needs come first; :func:`fitting_partners` keeps the partners the rest of the page holds,
so a sheet with few offers and needs lists more partners than one with many. The estimate errs
high (:data:`SPARE_LINES`); the stylesheet clips what would still overflow, and the tests check
in Chromium that no sheet of the demo does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mapservice.views.sheet_parts import Partner, SheetFlow, SheetSite

PAGE_LINES = 55
#: Kept free: a wrapped long word or a taller glyph must not spill over.
SPARE_LINES = 2.0
#: The head (event, name, sector, table, QR code), the three section headings, the lines
#: « … et N autres » and the note on masked figures.
HEAD_LINES = 7.0
HEADING_LINES = 1.6
NOTES_LINES = 3.0
CHARS_FULL = 95
CHARS_HALF = 42
CHARS_SMALL = 120
SMALL_LINE = 0.85
CLAMP_LINES = 3
#: A partner's name line with its spacing, and the characters its figures add to a synergy's
#: labels (score, distance, tonnes, CO2e, savings).
NAME_LINES = 1.3
FIGURES_CHARS = 90


def text_lines(text: str, chars: int) -> int:
    """Lines ``text`` takes where a line holds ``chars`` characters (at most the clamp)."""
    return min(CLAMP_LINES, max(1, math.ceil(len(text) / chars)))


def _site_text(site: SheetSite) -> str:
    return " ".join(filter(None, (site.name, site.address, site.place, site.park, "x" * 30)))


def _flow_text(flow: SheetFlow) -> str:
    return f"{flow.label} — {flow.description} — {'x' * 20}"


def fixed_lines(
    sites: Sequence[SheetSite],
    offers: Sequence[SheetFlow],
    needs: Sequence[SheetFlow],
    more: tuple[int, int, int] = (0, 0, 0),
) -> float:
    """Lines of everything but the partners (the longer column of offers or needs counts);
    ``more``: how many sites, offers and needs are left out (a line says so)."""

    def column(flows: Sequence[SheetFlow], left_out: int) -> int:
        return (sum(text_lines(_flow_text(f), CHARS_HALF) for f in flows) or 1) + (left_out > 0)

    site_lines = (sum(text_lines(_site_text(s), CHARS_FULL) for s in sites) or 1) + (more[0] > 0)
    return (
        HEAD_LINES
        + 3 * HEADING_LINES
        + NOTES_LINES
        + site_lines
        + max(column(offers, more[1]), column(needs, more[2]))
    )


def partner_lines(partner: Partner) -> float:
    """Lines of one partner: its name, then each synergy shown with its reasons."""
    lines = NAME_LINES + (1 if partner.more_links else 0)
    for link in partner.links:
        labels = f"{link.own_label} {link.other_label} {'x' * (30 + FIGURES_CHARS)}"
        lines += text_lines(labels, CHARS_FULL)
        if link.reasons:
            said = "Raisons : " + " ; ".join(link.reasons)
            lines += SMALL_LINE * text_lines(said, CHARS_SMALL)
    return lines


def fitting_partners(
    sites: Sequence[SheetSite],
    offers: Sequence[SheetFlow],
    needs: Sequence[SheetFlow],
    partners: Sequence[Partner],
    *,
    most: int,
    more: tuple[int, int, int] = (0, 0, 0),
) -> int:
    """How many of ``partners`` (best first) fit below the rest of the sheet: at least one
    when there is one, at most ``most``; ``more`` as :func:`fixed_lines` says."""
    room = PAGE_LINES - SPARE_LINES - fixed_lines(sites, offers, needs, more)
    count, taken = 0, 0.0
    for partner in partners[:most]:
        taken += partner_lines(partner)
        if taken > room:
            break
        count += 1
    return max(count, min(1, len(partners)))
