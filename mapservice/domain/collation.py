"""The order in which people read lists: Québec French collation, as ICU's ``fr-CA`` sorts.

Python's ``sorted`` compares code points: « Écorces » comes after « Sciure », « Énergie » after
every plain letter, « bois » after « Zinc ». Every list a person reads (materials, parks,
municipalities, members, filter choices, legends…) is sorted with :func:`collation_key`, which
compares like ICU's three levels:

1. the letters, without accents or case; ligatures read as their letters (« œ » as « oe »);
   spaces, hyphens and apostrophes separate words and sort before any letter, so
   « Saint-Félix » < « Saint-Honoré » < « Sainte-Hedwidge » and « L'Anse » < « La Baie »;
2. the accents, read from the end of the word as Canadian French does (CLDR ``fr-CA``:
   « cote » < « côte » < « coté » < « côté »);
3. the case, lower case first, then a ligature after its spelt-out letters;

and, last, the text as written, so that the order is total and stable. (PyICU would do this,
but it has no wheel: it must be compiled against the system's ICU.)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

#: Ligatures that decomposition leaves alone: the letters they are read as.
_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}
#: Secondary weights of the combining marks, in ICU's (DUCET's) order; others after them.
_MARKS = {
    mark: rank
    for rank, mark in enumerate(
        "\u0301\u0300\u0306\u0302\u030c\u030a\u0308\u030b\u0303\u0307\u0327\u0328\u0304", start=1
    )
}

#: A collation key: letters, accents (read backwards), case, then the text itself.
CollationKey = tuple[str, tuple[tuple[int, ...], ...], tuple[int, ...], str]


def collation_key(text: str) -> CollationKey:
    """Return the key that sorts ``text`` in Québec French order (see the module).

    Examples
    --------
    >>> sorted(["Sciure", "Écorces", "Écorce de bouleau", "fer"], key=collation_key)
    ['Écorce de bouleau', 'Écorces', 'fer', 'Sciure']
    >>> sorted(["côté", "coté", "côte", "cote"], key=collation_key)
    ['cote', 'côte', 'coté', 'côté']
    """
    letters: list[str] = []
    accents: list[tuple[int, ...]] = []
    cases: list[int] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if accents:
                accents[-1] = (*accents[-1], _MARKS.get(ch, 100 + ord(ch)))
            continue
        spelt = _LIGATURES.get(ch)
        if spelt is not None:
            for letter in spelt:
                letters.append(letter.lower())
                accents.append(())
                cases.append(2 + int(letter.isupper()))
        elif ch.isalnum():
            lower = ch.lower()
            letters.append(lower)
            accents.append(())
            cases.append(int(lower != ch))
        elif letters and letters[-1] != " ":
            letters.append(" ")  # one word break for any run of spaces and punctuation
    return "".join(letters).rstrip(), tuple(reversed(accents)), tuple(cases), text


def collated(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """Return ``items`` in Québec French order of ``key(item)`` (the item itself by default).

    Examples
    --------
    >>> collated([("b", "Énergie"), ("a", "Eau"), ("c", "Zinc")], key=lambda p: p[1])
    [('a', 'Eau'), ('b', 'Énergie'), ('c', 'Zinc')]
    """
    if key is None:
        return sorted(items, key=lambda item: collation_key(str(item)))
    say = key
    return sorted(items, key=lambda item: collation_key(say(item)))
