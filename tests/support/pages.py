"""What the tests read out of a rendered page."""

from __future__ import annotations

import json
import re


def map_data(html: str) -> dict:
    """The data a map page hands to its script (``MapService.draw({... data: {…}, labels``)."""
    match = re.search(r"data: (\{.*?\}),\n\s*labels:", html, re.S)
    assert match, "no map data in the page"
    return json.loads(match.group(1))
