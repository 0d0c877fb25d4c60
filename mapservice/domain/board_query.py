"""What the pipeline board asks the database for: filters already resolved to stored values.

The board's query string is validated by :mod:`mapservice.views.board_filters`, which resolves
each filter to what the rows hold (a municipality to itself and its boroughs and sectors, a
category to itself and its descendants, a search word to the categories whose label holds it);
the repository turns a :class:`BoardQuery` into SQL (``storage/board_store.py``). Every filter
on an end (park, place, company, category) matches the offer or the need, each on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mapservice.domain.model import SynergyStatus

#: Orders the board can sort by (``None``: candidates by score, other columns by last change).
SORTS = ("score", "distance", "change", "tonnes", "benefit", "co2")


@dataclass(frozen=True)
class SearchWord:
    """One folded word of the search box: in a company, site or description key, or in the
    label of one of ``category_codes``."""

    key: str
    category_codes: frozenset[str] = frozenset()
    #: Other folded spellings that answer the word: its singular, its plural in -aux, the
    #: one-word names of the category it names (« sciure » for « bran de scie »).
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardQuery:
    """Every field narrows the board; None (or empty) means "all"."""

    statuses: frozenset[SynergyStatus] | None = None
    park_id: str | None = None
    #: A site in one of these (the municipality asked for, with its boroughs and sectors).
    municipality_ids: frozenset[str] | None = None
    #: A site in one of these (the municipalities of the MRC asked for).
    mrc_municipality_ids: frozenset[str] | None = None
    member_id: int | None = None
    #: The category asked for and all its descendants.
    category_codes: frozenset[str] | None = None
    #: On the stored scale, 0 to 1.
    min_score: float | None = None
    #: Road distance, else as the crow flies (as the card shows it).
    max_distance_m: float | None = None
    changed_since: datetime | None = None
    words: tuple[SearchWord, ...] = ()
    sort: str | None = None
    #: Keep the N best-scoring synergies of each offer in each column.
    best_per_offer: int | None = None
