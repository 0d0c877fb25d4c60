"""Text folding shared by every lookup that matches what people type.

Staff write names and materials with or without accents, in any case, with hyphens, spaces,
apostrophes or none. One function folds all of that away so that two spellings of the same
thing compare equal; lookups index the folded form and keep the original for display.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def strip_accents(text: str) -> str:
    """Return ``text`` without combining marks (``"Kénogami"`` -> ``"Kenogami"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Ligatures that NFKD leaves alone but people type as two letters.
    return stripped.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")


def fold(text: str) -> str:
    """Fold ``text`` to a comparison key: lower case, no accents, words joined by one space.

    Hyphens, apostrophes, slashes and runs of punctuation or white space all become a single
    space, so ``"L'Anse-Saint-Jean"``, ``"l anse saint jean"`` and ``"LANSE SAINT-JEAN"``
    differ only where the letters differ (the apostrophe-less form is handled by callers that
    also index a squeezed key, see :func:`squeeze`).

    Examples
    --------
    >>> fold("  Saint-Félix-d'Otis ")
    'saint felix d otis'
    >>> fold("Cœur")
    'coeur'
    """
    folded = strip_accents(text).lower()
    for mark in _APOSTROPHES:
        folded = folded.replace(mark, " ")
    return _NON_ALNUM.sub(" ", folded).strip()


def squeeze(text: str) -> str:
    """Return the folded key with no spaces at all (``"L'Anse"`` and ``"Lanse"`` meet here)."""
    return fold(text).replace(" ", "")


#: Bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069),
#: marks (U+200E, U+200F, U+061C). An override turns the text after it around on screen
#: ("Trojan Source"): a name could show as another one, a total read backwards. No name,
#: address or description needs them; the right-to-left letters they steer still show as such.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def without_bidi(text: str) -> str:
    """Return ``text`` without bidirectional control characters (see :data:`BIDI_CONTROLS`).

    Examples
    --------
    >>> without_bidi("Acme \u202eetats")
    'Acme etats'
    """
    return BIDI_CONTROLS.sub("", text)
