"""Text that goes into a map page's <script> as it is: JSON made safe there, raw elements."""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no ``</script>``, ``<!--`` or line breaks
    that JavaScript reads as the end of a line."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


class RawScript(Element):
    """Text that goes into the page as it is, never compiled as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text
