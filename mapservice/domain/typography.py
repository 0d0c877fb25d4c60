"""French (Québec) typography of the interface's own words: spaces that do not break.

Québec usage, after the Office québécois de la langue française (Banque de dépannage
linguistique, « Espacement avant et après les signes de ponctuation »):

- before the colon, a no-break space (U+00A0): « Parc : Alma »;
- inside guillemets, a no-break space (U+00A0): « « Sciure » »;
- before ``;``, ``?`` and ``!`` the OQLF writes no space, or a narrow no-break space where the
  tools allow it: our sources write a space there, and it becomes a narrow no-break space
  (U+202F), so that the sign never starts a line and the text stays as its author wrote it;
- between a number and its unit, and between groups of thousands, a no-break space: that is
  :mod:`mapservice.views.formatting`'s work (``1 234,5 t/an``).

:func:`french` only turns an ordinary space that is already there into its no-break form; it
adds no space and removes none, and it is idempotent. It is for text, not markup: the web layer
applies it to the French catalogue's strings (what ``_()``, ``ngettext()`` and core messages say)
and, through the ``typo`` template filter, to text built from data; English is left alone.
"""

from __future__ import annotations

import re

NO_BREAK = "\u00a0"
NARROW_NO_BREAK = "\u202f"

#: Ordinary spaces (one or more) before a colon that ends a clause (followed by a space, a
#: closing sign or the end), not the colon of ``10:29`` or ``EPSG:4326``.
_BEFORE_COLON = re.compile(r" +(?=:(?:[\s)\]»\"'.,]|$))")
#: Ordinary spaces before ``;``, ``?`` or ``!`` ending a clause (not ``a != b``).
_BEFORE_SIGN = re.compile(r" +(?=[;?!]+(?:[\s)\]»\"'.,:]|$))")
_AFTER_OPENING = re.compile(r"« +")
_BEFORE_CLOSING = re.compile(r" +»")


def french(text: str) -> str:
    """Return ``text`` with the ordinary spaces before ``: ; ? !`` and inside « » made no-break.

    Examples
    --------
    >>> french("Parc : « Alma » ; vraiment ?") == (
    ...     "Parc\u00a0: «\u00a0Alma\u00a0»\u202f; vraiment\u202f?"
    ... )
    True
    >>> french("10:29, a != b")
    '10:29, a != b'
    """
    if " " not in text:
        return text
    if ":" in text:
        text = _BEFORE_COLON.sub(NO_BREAK, text)
    if "«" in text or "»" in text:
        text = _BEFORE_CLOSING.sub(NO_BREAK + "»", _AFTER_OPENING.sub("«" + NO_BREAK, text))
    return _BEFORE_SIGN.sub(NARROW_NO_BREAK, text)
