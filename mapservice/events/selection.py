"""Pick an event's participants among the members: a search, a park, a sector, or a pasted
list of names. Pure: members and sites in, members out.

Names match as staff type them, accents, case, hyphens and apostrophes aside
(:func:`mapservice.domain.text.fold`): a line that names one member exactly, or is part of the
name of exactly one member, finds it; a line that fits several is ambiguous and one that fits
none is not found, and both are reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mapservice.domain.collation import collated
from mapservice.domain.model import Member, Site
from mapservice.domain.sectors import sector_group
from mapservice.domain.text import fold
from mapservice.errors import InvalidInput, tr
from mapservice.materials.search_terms import parse_query

#: The longest list of names one import takes (lines) and its size (characters).
MAX_NAMES = 500
MAX_TEXT_CHARS = 50_000


@dataclass(frozen=True)
class NameMatches:
    """What a list of names found: members (ids, in the list's order), the lines that named
    nobody, and the lines that could be several members (with those members' names)."""

    found: tuple[int, ...]
    not_found: tuple[str, ...]
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...]


def search(
    members: Iterable[Member],
    sites: Iterable[Site],
    *,
    q: str = "",
    park_id: str = "",
    sector: str = "",
) -> list[Member]:
    """Members whose name answers ``q`` (:mod:`mapservice.materials.search_terms`: any case,
    accents and plurals, words in any order, a word's start), with a site in ``park_id``, of
    the sector group ``sector`` (:mod:`mapservice.domain.sectors` codes); each filter left
    empty is not applied. By name."""
    search = parse_query(q)
    in_park = {s.member_id for s in sites if s.park_id == park_id} if park_id else None
    found = [
        m
        for m in members
        if m.id is not None
        and search.matches_text(m.name)
        and (in_park is None or m.id in in_park)
        and (not sector or sector_group(m.naics_code).code == sector)
    ]
    return collated(found, key=lambda m: m.name)


def match_names(text: str, members: Sequence[Member]) -> NameMatches:
    """Find the member each line of ``text`` names (see the module's docstring)."""
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            tr(
                "Liste trop longue : {got} caractères (attendu : au plus {max}).",
                got=len(text),
                max=MAX_TEXT_CHARS,
            ),
            field="names",
        )
    lines = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if not lines:
        raise InvalidInput(
            tr("Collez au moins un nom, un par ligne (la liste reçue est vide)."), field="names"
        )
    if len(lines) > MAX_NAMES:
        raise InvalidInput(
            tr(
                "Liste trop longue : {got} noms (attendu : au plus {max}).",
                got=len(lines),
                max=MAX_NAMES,
            ),
            field="names",
        )
    keyed = [(fold(m.name), m) for m in members if m.id is not None]
    found: list[int] = []
    not_found: list[str] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    for line in lines:
        key = fold(line)
        fits = [m for k, m in keyed if k == key] or (
            [m for k, m in keyed if key in k] if key else []
        )
        if len(fits) == 1:
            member_id = fits[0].id
            if member_id is not None and member_id not in found:
                found.append(member_id)
        elif fits:
            ambiguous.append((line, tuple(collated(m.name for m in fits))))
        else:
            not_found.append(line)
    return NameMatches(tuple(found), tuple(not_found), tuple(ambiguous))
