"""Who should meet whom at a maillage event: what each pair of participants is worth meeting for.

Pure data in, data out (no storage, no web). The events pages give the participants and the
synergies between them, as the reader may see them; this module gives each pair of members its
value (:func:`pair_values`) and the meetings worth having, pairs and small groups, best first
(:func:`propose_meetings`). :mod:`mapservice.matching.seating` seats them at tables.

**The value of a pair.** The sum, over the synergies between the two members (either way: A
offers to B, B offers to A, several flows), of each synergy's value, which is its score (0..1,
:mod:`mapservice.matching.scoring`). The score already weighs the distance (25 %) and the
quantity fit (15 %) beside the category and the quality words, so neither is counted twice: the
distance and the tonnes per year ride along for the reasons only. Summing means two members with
three good synergies are worth more at one table than two with one. **Missing figures:** a
synergy whose score is withheld from the reader or was never computed (``score=None``) is worth
:data:`NEUTRAL_SCORE` (it exists, so it counts, but neither as a good nor as a poor match); a
missing distance or tonnage changes nothing but the reason's wording.

**Groups.** Members who are pairwise connected (every two of them share a synergy) form a clique
of the synergy graph. :func:`propose_meetings` takes the maximal cliques of networkx
(``find_cliques``, Bron–Kerbosch with pivoting) of 3 or more members; a clique larger than
``max_group`` keeps its ``max_group`` members with the most value inside it. A group's value is
the sum of its pairs' values.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from mapservice.errors import InvalidInput, tr
from mapservice.matching.arrays import fr_num

#: The value of a synergy whose score is withheld or unknown (a score runs 0..1).
NEUTRAL_SCORE = 0.5
#: Members of the largest group :func:`propose_meetings` proposes by default.
MAX_GROUP = 4

#: Two member ids, the smaller first: the key of a pair.
PairKey = tuple[int, int]


def pair_key(a: int, b: int) -> PairKey:
    """Return the key of the pair ``a``, ``b`` (order does not matter).

    Examples
    --------
    >>> pair_key(7, 3)
    (3, 7)
    """
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class Participant:
    """A member taking part in the event: its id and the name staff know it by."""

    member_id: int
    name: str


@dataclass(frozen=True)
class PairSynergy:
    """One synergy between two participants, with the figures the reader may see.

    ``score`` runs 0..1 (None when withheld or unknown); ``distance_m`` is the road distance,
    or the geodesic one when there is none (None when not shown); ``reasons`` are the synergy's
    reasons as the reader may see them (messages or text).
    """

    synergy_id: int
    offer_member_id: int
    need_member_id: int
    score: float | None = None
    distance_m: float | None = None
    tonnes_per_year: float | None = None
    reasons: tuple[str, ...] = ()

    @property
    def value(self) -> float:
        """What this synergy adds to its pair: its score, :data:`NEUTRAL_SCORE` without one."""
        return NEUTRAL_SCORE if self.score is None else self.score


@dataclass(frozen=True)
class PairValue:
    """What two participants are worth meeting for: the value and the synergies behind it."""

    members: PairKey
    value: float
    synergies: tuple[PairSynergy, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """A meeting worth having: two members, or a small group pairwise connected.

    ``value`` is the sum of the values of its pairs; ``pairs`` are those pairs, best first;
    ``reasons`` say each synergy behind it in French (one message per synergy, best first).
    """

    members: tuple[int, ...]
    value: float
    pairs: tuple[PairValue, ...]
    reasons: tuple[str, ...]

    @property
    def is_group(self) -> bool:
        """Whether the meeting gathers more than two members."""
        return len(self.members) > 2


def check_participants(participants: Sequence[Participant]) -> dict[int, Participant]:
    """Return the participants by member id, or raise :class:`InvalidInput` when there are none
    or one is listed twice."""
    if not participants:
        raise InvalidInput(
            tr("L'événement n'a aucun participant : ajoutez-en au moins un."), field="participants"
        )
    by_id: dict[int, Participant] = {}
    for person in participants:
        if person.member_id in by_id:
            raise InvalidInput(
                tr(
                    "Le membre {name} (n° {member_id}) figure deux fois parmi les participants.",
                    name=person.name,
                    member_id=person.member_id,
                ),
                field="participants",
            )
        by_id[person.member_id] = person
    return by_id


def pair_values(
    participants: Sequence[Participant], synergies: Iterable[PairSynergy]
) -> dict[PairKey, PairValue]:
    """Return the value of every pair of participants that share at least one synergy.

    Synergies with an end outside the participants, or within one member, are left out: they
    are no reason for two people in the room to meet. A pair's synergies are kept best first.

    Raises
    ------
    InvalidInput
        No participant, a participant listed twice, or a score outside 0..1.
    """
    present = check_participants(participants)
    found: dict[PairKey, list[PairSynergy]] = defaultdict(list)
    for syn in synergies:
        if syn.score is not None and not (math.isfinite(syn.score) and 0 <= syn.score <= 1):
            raise InvalidInput(
                tr(
                    "Score invalide pour la synergie {synergy_id} : {score} "
                    "(attendu : un nombre de 0 à 1, ou rien s'il n'est pas communiqué).",
                    synergy_id=syn.synergy_id,
                    score=repr(syn.score),
                ),
                field="score",
            )
        a, b = syn.offer_member_id, syn.need_member_id
        if a != b and a in present and b in present:
            found[pair_key(a, b)].append(syn)
    return {
        key: PairValue(
            members=key,
            value=sum(s.value for s in found[key]),
            synergies=tuple(sorted(found[key], key=lambda s: (-s.value, s.synergy_id))),
        )
        for key in sorted(found)
    }


def synergy_reason(syn: PairSynergy, names: dict[int, str]) -> str:
    """Say one synergy behind a meeting in French: who offers to whom, its score (0 to 100),
    and its distance and tonnes when known."""
    offer = names.get(syn.offer_member_id, str(syn.offer_member_id))
    need = names.get(syn.need_member_id, str(syn.need_member_id))
    said = (
        tr("{offer} → {need} : score non communiqué", offer=offer, need=need)
        if syn.score is None
        else tr(
            "{offer} → {need} : score {score}",
            offer=offer,
            need=need,
            score=int(round(syn.score * 100)),
        )
    )
    if syn.distance_m is not None:
        said = tr("{said}, {km} km", said=said, km=fr_num(syn.distance_m / 1000))
    if syn.tonnes_per_year is not None:
        said = tr("{said}, {tonnes} t/an", said=said, tonnes=fr_num(syn.tonnes_per_year))
    return said


def propose_meetings(
    participants: Sequence[Participant],
    values: dict[PairKey, PairValue],
    *,
    max_group: int = MAX_GROUP,
    min_value: float = 0.0,
    limit: int | None = None,
) -> list[Meeting]:
    """Return the meetings worth having, best first: every pair with a value above
    ``min_value``, and the groups of 3 to ``max_group`` members pairwise connected by such
    pairs (see the module's docstring).

    Ties are broken by the members' ids, so the order is the same from run to run.

    Parameters
    ----------
    participants
        The event's participants (their names make the reasons).
    values
        The pairs' values, from :func:`pair_values`.
    max_group
        Members of the largest group; 2 proposes pairs only.
    min_value
        Pairs worth this much or less are no reason to meet.
    limit
        Keep the first ``limit`` meetings (all when None).
    """
    names = {p.member_id: p.name for p in check_participants(participants).values()}
    if max_group < 2:
        raise InvalidInput(
            tr("Taille de groupe invalide : {n} (attendu : 2 ou plus).", n=max_group),
            field="max_group",
        )
    kept = {k: v for k, v in values.items() if v.value > min_value and k[0] in names}
    kept = {k: v for k, v in kept.items() if k[1] in names}
    meetings = [_meeting(k, kept, names) for k in kept]
    if max_group >= 3:
        graph = nx.Graph()
        graph.add_weighted_edges_from((a, b, v.value) for (a, b), v in sorted(kept.items()))
        groups: set[tuple[int, ...]] = set()
        for clique in nx.find_cliques(graph):
            if len(clique) >= 3:
                groups.add(_best_members(sorted(clique), kept, max_group))
        meetings += [_meeting(g, kept, names) for g in sorted(groups)]
    meetings.sort(key=lambda m: (-m.value, len(m.members), m.members))
    return meetings if limit is None else meetings[:limit]


def _best_members(
    clique: list[int], values: dict[PairKey, PairValue], size: int
) -> tuple[int, ...]:
    """The ``size`` members of a clique with the most value inside it (all when it is small)."""
    if len(clique) <= size:
        return tuple(clique)
    inside = {m: sum(values[pair_key(m, o)].value for o in clique if o != m) for m in clique}
    return tuple(sorted(sorted(clique, key=lambda m: (-inside[m], m))[:size]))


def _meeting(
    members: tuple[int, ...], values: dict[PairKey, PairValue], names: dict[int, str]
) -> Meeting:
    pairs = [
        values[pair_key(a, b)]
        for i, a in enumerate(members)
        for b in members[i + 1 :]
        if pair_key(a, b) in values
    ]
    pairs.sort(key=lambda p: (-p.value, p.members))
    synergies = sorted(
        (s for p in pairs for s in p.synergies), key=lambda s: (-s.value, s.synergy_id)
    )
    return Meeting(
        members=tuple(members),
        value=sum(p.value for p in pairs),
        pairs=tuple(pairs),
        reasons=tuple(synergy_reason(s, names) for s in synergies),
    )
