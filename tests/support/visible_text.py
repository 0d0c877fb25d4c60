"""The text of a page that a person reads: no script, no style, no attribute, no markup.

:func:`visible_text` returns the page's text as a list of runs, one per element's text (so that
a word never joins the next cell's word); an element marked ``data-data`` (text that comes from
the members' own records: names, addresses, notes) is left out where a test asks, so that a
check of the interface's words does not trip on a company called « The Wood Shop ».
"""

from __future__ import annotations

from html.parser import HTMLParser

#: Elements whose content a person does not read as text, and ``code``/``kbd``/``samp``, which
#: show on purpose what a person types (a column name of the import file, a command).
HIDDEN = frozenset(
    {"script", "style", "template", "noscript", "svg", "textarea", "code", "kbd", "samp"}
)
#: Elements that have no end tag.
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[str] = []
        self._open: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self.runs.append("")
            return
        self._open.append(tag)
        if tag in HIDDEN:
            self._hidden += 1
        self.runs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in self._open:
            return
        while self._open:
            closed = self._open.pop()
            if closed in HIDDEN:
                self._hidden -= 1
            if closed == tag:
                break
        self.runs.append("")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.runs[-1:] = [(self.runs[-1] if self.runs else "") + data]


def visible_text(html: str) -> list[str]:
    """The runs of text a person reads in ``html``, whitespace kept as written (a run is the
    text between two tags), empty runs left out."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return [run for run in reader.runs if run.strip()]
