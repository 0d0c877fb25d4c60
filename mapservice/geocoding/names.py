"""Keys for place names the way people write them in the region.

``"St-Félicien (Québec)"``, ``"saint felicien"``, ``"Ville de Saguenay, arr. Jonquière"``: the
key drops what carries no meaning for the lookup (province, ``Ville de``, ``arr.``, a trailing
postal code) and expands the usual abbreviations, then squeezes spaces out so that
``L'Anse-Saint-Jean`` and ``Lanse St Jean`` meet.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mapservice.domain.text import fold

#: Words that start or announce a street: a place name right after one is a street name.
STREET_WORDS = frozenset(
    {
        "rue",
        "boul",
        "boulevard",
        "bd",
        "av",
        "ave",
        "avenue",
        "ch",
        "chemin",
        "chem",
        "route",
        "rte",
        "rang",
        "rg",
        "montee",
        "cote",
        "place",
        "pl",
        "promenade",
        "croissant",
        "impasse",
        "terrasse",
        "allee",
        "autoroute",
        "sentier",
        "carre",
    }
)
_POSTAL_TAIL = re.compile(r"\b[a-z]\d[a-z] ?\d[a-z]\d\s*$")
_FSA_TAIL = re.compile(r"\b[a-z]\d[a-z]\s*$")
_NOISE_WORDS = ("province de quebec", "quebec", "qc", "que", "canada")
_PREFIXES = (
    "ville de ",
    "ville d ",
    "ville ",
    "municipalite de ",
    "municipalite d ",
    "municipalite ",
    "paroisse de ",
    "arrondissement de ",
    "arrondissement ",
    "arr de ",
    "arr ",
    "secteur de ",
    "secteur ",
)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "riv": "riviere"}


def _expand(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out.append(_ABBREVIATIONS.get(word, word))
    return out


def clean_place(text: str) -> str:
    """Return the folded place text without province, prefixes or a trailing postal code."""
    key = fold(text)
    key = _POSTAL_TAIL.sub("", key).strip()
    key = _FSA_TAIL.sub("", key).strip()
    changed = True
    while changed:
        changed = False
        for noise in _NOISE_WORDS:
            if key.endswith(" " + noise):
                key = key[: -len(noise) - 1].strip()
                changed = True
        for prefix in _PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix) :].strip()
                changed = True
    return " ".join(_expand(key.split()))


@lru_cache(maxsize=65_536)
def place_key(text: str) -> str:
    """Return the lookup key of a place name (see the module docstring)."""
    return clean_place(text).replace(" ", "")
