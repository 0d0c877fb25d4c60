"""What the tests read out of a rendered page."""

from __future__ import annotations

import json
import re


def map_data(html: str) -> dict:
    """The data a map page hands to its script (``MapService.draw({... data: {…}, labels``)."""
    match = re.search(r"data: (\{.*?\}),\n\s*labels:", html, re.S)
    assert match, "no map data in the page"
    return json.loads(match.group(1))


def column(html: str, status: str) -> str:
    """The HTML of one column of the synergy board."""
    start = html.index(f'<section class="column status-{status}"')
    return html[start : html.index("</section>", start)]


def card_ids(html: str, status: str) -> list[int]:
    """The synergy ids of one board column's cards, in the order shown."""
    return [int(i) for i in re.findall(r'id="synergie-(\d+)"', column(html, status))]
