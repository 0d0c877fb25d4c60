"""What came of an event: where the synergies between its participants went after it.

Pure: the event's date, the synergies between participants and their pipeline history in,
counts and totals out. A synergy counts as « contacted after the event » when a step to
« contacted » is dated on or after the event's day, and « realised after the event » likewise;
tonnes and CO2e are those of the synergies realised after the event, as stored (per year).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from mapservice.domain.model import Synergy, SynergyEvent, SynergyStatus


@dataclass(frozen=True)
class OutcomeMonth:
    """Totals since the event at the end of one month (``month``: ``AAAA-MM``)."""

    month: str
    contacted: int
    realised: int
    tonnes_per_year: float
    net_t_co2e_per_year: float


@dataclass(frozen=True)
class EventOutcome:
    n_synergies: int
    by_status: dict[str, int]
    meetings: int
    contacted: int
    realised: int
    tonnes_per_year: float
    net_t_co2e_per_year: float
    months: tuple[OutcomeMonth, ...] = field(default_factory=tuple)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: date, last: date) -> list[str]:
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def outcome(
    event_date: date,
    synergies: Sequence[Synergy],
    history: Iterable[SynergyEvent],
    *,
    meetings: int,
    today: date,
) -> EventOutcome:
    """The event's outcome by ``today`` (see the module's docstring)."""
    by_id = {s.id: s for s in synergies}
    first: dict[SynergyStatus, dict[int, date]] = {
        SynergyStatus.CONTACTED: {},
        SynergyStatus.REALISED: {},
    }
    for step in history:
        day = step.at.date()
        if step.synergy_id not in by_id or day < event_date or step.to_status not in first:
            continue
        seen = first[step.to_status]
        if step.synergy_id not in seen or day < seen[step.synergy_id]:
            seen[step.synergy_id] = day
    contacted, realised = first[SynergyStatus.CONTACTED], first[SynergyStatus.REALISED]
    months = []
    for month in _months(event_date, max(today, event_date)):
        done = [i for i, d in realised.items() if _month(d) <= month]
        months.append(
            OutcomeMonth(
                month=month,
                contacted=sum(1 for d in contacted.values() if _month(d) <= month),
                realised=len(done),
                tonnes_per_year=sum(by_id[i].tonnes_per_year or 0.0 for i in done),
                net_t_co2e_per_year=sum((by_id[i].net_kg_co2e or 0.0) / 1000 for i in done),
            )
        )
    by_status = {s.value: 0 for s in SynergyStatus}
    for s in synergies:
        by_status[s.status.value] += 1
    last = months[-1]
    return EventOutcome(
        n_synergies=len(synergies),
        by_status=by_status,
        meetings=meetings,
        contacted=last.contacted,
        realised=last.realised,
        tonnes_per_year=last.tonnes_per_year,
        net_t_co2e_per_year=last.net_t_co2e_per_year,
        months=tuple(months),
    )
