"""Who the association has reached and who it has not: each member's engagement, the share
of activity the most active fifth of the members carries, and that share quarter by quarter.

Pure computation over :class:`~mapservice.domain.engagement.RegistryActivity` (what the store
reads), plus the use case :func:`mobilisation` that reads it. Definitions, as the page says:

- **activity** of a member: the number of actions attributable to it — flows declared, flows
  updated (changed, deleted or restored), steps of its synergies along the pipeline (each
  step counts for the member at each end), events attended;
- **share of the most active 20 %**: the activity of the ⌈20 % × members⌉ most active members
  over the activity of all members (the association's measure: « les mêmes 20 % » should not
  carry « 80 % des activités »); with equal activity it is 20 %, with one member doing
  everything it is 100 %; with no activity at all there is no share (None);
- **trend**: the same share over the actions dated in each of the last 8 calendar quarters
  (in Québec time), today's quarter last, the fifth taken of all the members now in the registry;
- **engagement score**: :data:`SCORE_WEIGHTS` — 1 point per offer or need declared, 2 per
  synergy contacted or in progress, 3 per synergy realised, 3 per event attended; candidates
  (the matcher's, not the member's doing) and rejected synergies count nothing. Members are
  listed by score, lowest first, then by name (accents and case ignored, as a French reader
  sorts: « École » beside « Ecole », before « F »).

Events are counted from what the events feature gives (a mapping member id → events
attended, empty until there are events); dated attendances (``event`` actions), when given,
also count in the trend and the last activity, and give the counts when no mapping does.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mapservice.domain.collation import collation_key
from mapservice.domain.engagement import Action, MemberFacts, RegistryActivity
from mapservice.domain.model import SynergyStatus
from mapservice.domain.moments import QUEBEC, as_utc, in_quebec

if TYPE_CHECKING:
    from mapservice.services import Services

#: The share of the members whose activity is measured against the whole.
TOP_FRACTION = 0.2
#: How many calendar quarters the trend covers, the current one last.
QUARTERS = 8
#: Points of the engagement score (see the module).
SCORE_WEIGHTS = {
    "declared": 1,  # per offer or need
    SynergyStatus.CONTACTED.value: 2,
    SynergyStatus.IN_PROGRESS.value: 2,
    SynergyStatus.REALISED.value: 3,
    "event": 3,  # per event attended
}
#: The statuses once someone reached the member about a synergy.
REACHED = (SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS, SynergyStatus.REALISED)


@dataclass(frozen=True)
class MemberEngagement:
    """One row of the page: a member and its engagement."""

    member_id: int
    name: str
    offers: int
    needs: int
    #: Synergies with the member at an end, by status value (every status present, 0 or more).
    synergies: Mapping[str, int]
    events: int
    activity: int
    last_activity: datetime | None
    score: int

    @property
    def reached(self) -> bool:
        """Whether anyone has reached it: a synergy past « candidate » or an event."""
        return self.events > 0 or any(self.synergies[s.value] for s in REACHED)


@dataclass(frozen=True)
class QuarterShare:
    """The share of the most active fifth over one calendar quarter."""

    year: int
    quarter: int  # 1 to 4
    start: datetime  # included, midnight in Québec
    end: datetime  # excluded, midnight in Québec
    actions: int
    active_members: int
    share: float | None  # 0 to 1; None without any action


@dataclass(frozen=True)
class Mobilisation:
    """The page: the rows (quietest first) and the measures."""

    rows: list[MemberEngagement]
    #: Members counted in the fifth (⌈20 % × members⌉).
    top_count: int
    total_activity: int
    share: float | None
    quarters: list[QuarterShare]

    @property
    def unreached(self) -> int:
        return sum(1 for r in self.rows if not r.reached)


def engagement_score(offers: int, needs: int, synergies: Mapping[str, int], events: int) -> int:
    """The engagement score of :data:`SCORE_WEIGHTS` (see the module)."""
    w = SCORE_WEIGHTS
    return (
        w["declared"] * (offers + needs)
        + sum(w[s.value] * synergies.get(s.value, 0) for s in REACHED)
        + w["event"] * events
    )


def top_count(members: int, fraction: float = TOP_FRACTION) -> int:
    """How many members make the most active ``fraction`` (rounded up; 0 without members)."""
    return math.ceil(round(fraction * members, 9)) if members > 0 else 0


def top_share(
    activity: Iterable[int], members: int, fraction: float = TOP_FRACTION
) -> float | None:
    """The part of the total ``activity`` carried by the :func:`top_count` most active of
    ``members`` (members without activity may be left out of ``activity``); None when the
    total is 0."""
    counts = sorted((a for a in activity if a > 0), reverse=True)
    total = sum(counts)
    if total == 0 or members == 0:
        return None
    return sum(counts[: top_count(members, fraction)]) / total


def quarter_start(moment: datetime) -> datetime:
    """The first instant of the calendar quarter holding ``moment``, on the region's calendar
    (midnight in Québec: 31 March at 21:00 in Québec is the first quarter's)."""
    local = in_quebec(moment)
    return datetime(local.year, 3 * ((local.month - 1) // 3) + 1, 1, tzinfo=QUEBEC)


def _next_quarter(start: datetime) -> datetime:
    month = start.month + 3
    return datetime(start.year + (month > 12), (month - 1) % 12 + 1, 1, tzinfo=QUEBEC)


def _previous_quarter(start: datetime) -> datetime:
    month = start.month - 3
    return datetime(start.year - (month < 1), (month - 1) % 12 + 1, 1, tzinfo=QUEBEC)


def last_quarters(now: datetime, count: int = QUARTERS) -> list[tuple[datetime, datetime]]:
    """``(start, end)`` of the last ``count`` calendar quarters, the one holding ``now`` last."""
    starts = [quarter_start(now)]
    while len(starts) < count:
        starts.append(_previous_quarter(starts[-1]))
    return [(s, _next_quarter(s)) for s in reversed(starts)]


def quarter_shares(
    actions: Iterable[Action], members: int, now: datetime, count: int = QUARTERS
) -> list[QuarterShare]:
    """The share of the most active fifth of ``members`` in each of the last ``count``
    quarters, from the actions dated in it."""
    spans = last_quarters(now, count)
    per: list[Counter[int]] = [Counter() for _ in spans]
    first, last = spans[0][0], spans[-1][1]
    for a in actions:
        at = as_utc(a.at)
        if at is None or not first <= at < last:
            continue
        for i, (start, end) in enumerate(spans):
            if start <= at < end:
                per[i][a.member_id] += 1
                break
    return [
        QuarterShare(
            year=start.year,
            quarter=(start.month - 1) // 3 + 1,
            start=start,
            end=end,
            actions=sum(c.values()),
            active_members=len(c),
            share=top_share(c.values(), members),
        )
        for (start, end), c in zip(spans, per, strict=True)
    ]


def engagement(
    activity: RegistryActivity,
    *,
    events_attended: Mapping[int, int] | None = None,
    event_actions: Sequence[Action] = (),
    now: datetime | None = None,
) -> Mobilisation:
    """Every member's engagement, quietest first, with the share of the most active fifth and
    its trend (see the module for every definition)."""
    events = (
        dict(events_attended)
        if events_attended is not None
        else Counter(a.member_id for a in event_actions)
    )
    known = {m.member_id for m in activity.members}
    actions = [a for a in (*activity.actions, *event_actions) if a.member_id in known]
    dated = Counter(a.member_id for a in activity.actions if a.member_id in known)
    latest: dict[int, datetime] = {}
    for a in actions:
        at = as_utc(a.at)
        if at is not None and (a.member_id not in latest or at > latest[a.member_id]):
            latest[a.member_id] = at
    rows = [
        _row(m, events.get(m.member_id, 0), dated[m.member_id], latest) for m in activity.members
    ]
    rows.sort(key=lambda r: (r.score, collation_key(r.name), r.member_id))
    members = len(rows)
    return Mobilisation(
        rows=rows,
        top_count=top_count(members),
        total_activity=sum(r.activity for r in rows),
        share=top_share((r.activity for r in rows), members),
        quarters=quarter_shares(actions, members, now or datetime.now(UTC)),
    )


def _row(
    m: MemberFacts, events: int, dated: int, latest: Mapping[int, datetime]
) -> MemberEngagement:
    synergies = {s.value: int(m.synergies.get(s.value, 0)) for s in SynergyStatus}
    moments = [t for t in (m.touched_at, latest.get(m.member_id)) if t is not None]
    return MemberEngagement(
        member_id=m.member_id,
        name=m.name,
        offers=m.offers,
        needs=m.needs,
        synergies=synergies,
        events=events,
        activity=dated + events,
        last_activity=max(moments) if moments else None,
        score=engagement_score(m.offers, m.needs, synergies, events),
    )


def mobilisation(
    services: Services,
    *,
    events_attended: Mapping[int, int] | None = None,
    event_actions: Sequence[Action] = (),
    now: datetime | None = None,
) -> Mobilisation:
    """The mobilisation page of the registry as it stands (see :func:`engagement`)."""
    return engagement(
        services.repo.engagement_facts(),
        events_attended=events_attended,
        event_actions=event_actions,
        now=now,
    )
