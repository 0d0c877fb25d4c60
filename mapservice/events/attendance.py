"""Who came to the association's events: what the mobilisation page counts for each member.

An event counts once its day has come (in Québec): its participants attended it. Each
attendance is also an action dated at noon on the event's day, so it falls in that day's
quarter of the mobilisation trend and can be a member's last activity.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from mapservice.domain.engagement import Action
from mapservice.domain.moments import QUEBEC

if TYPE_CHECKING:
    from mapservice.services import Services

#: The kind of the action an attendance is (beside flows declared and pipeline moves).
KIND = "event"


def attendance(
    services: Services, *, today: date | None = None
) -> tuple[dict[int, int], list[Action]]:
    """Events attended by each member (member id → count) and the attendances as dated
    actions, for the events whose day is ``today`` (Québec's by default) or before."""
    day = today or datetime.now(QUEBEC).date()
    counts: Counter[int] = Counter()
    actions: list[Action] = []
    for event in services.repo.events():
        if event.event_date > day:
            continue
        at = datetime.combine(event.event_date, time(12), tzinfo=QUEBEC)
        for member_id in services.repo.event_participants(event.id):
            counts[member_id] += 1
            actions.append(Action(member_id, at, KIND))
    return dict(counts), actions
