"""Times as the service stores and writes them: UTC, RFC 3339 with its offset.

Every time is stored in UTC (``DateTime(timezone=True)`` columns written with
``datetime.now(UTC)``); SQLite gives them back without their zone, PostgreSQL with it. What
leaves the service (API, OGC API items, export files) says so: ``2026-12-07T05:19:15.124219Z``.
Pages show them in Québec time (:func:`in_quebec`, America/Toronto: EST/EDT).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

#: The region's time zone (Saguenay–Lac-Saint-Jean keeps Eastern time, as Montréal does).
QUEBEC = ZoneInfo("America/Toronto")


def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC, with its zone; a naive time (as SQLite gives it back) is UTC as stored."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z`` (fractions of a second kept when there are some)."""
    utc = as_utc(moment)
    if utc is None:
        return None
    return utc.isoformat().replace("+00:00", "Z")


def parse_rfc3339(text: str | None) -> datetime | None:
    """The UTC time an RFC 3339 text (``Z`` or an offset) names; None for an empty one."""
    if not text:
        return None
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))


def in_quebec(moment: datetime) -> datetime:
    """A stored time as a clock in the region reads it (a naive time is UTC as stored)."""
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(QUEBEC)
