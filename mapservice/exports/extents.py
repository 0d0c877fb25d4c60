"""Time in layer queries: OGC API – Features' ``datetime`` intervals and the collections'
temporal extent, in UTC (RFC 3339 with ``Z``), and their spatial extent.

Stored times are UTC; SQLite gives them back without their zone
(:func:`mapservice.domain.moments.as_utc`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from mapservice.domain.moments import as_utc, parse_rfc3339, rfc3339
from mapservice.errors import InvalidInput, tr
from mapservice.geo.geojson import positions


def _instant(text: str, *, end: bool) -> datetime | None:
    """One end of an RFC 3339 interval: a date-time with offset, or a date (the whole day)."""
    if text in ("", ".."):
        return None
    try:
        if "T" in text.upper():
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError
            return moment.astimezone(UTC)
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            tr(
                "datetime invalide : {text!r} (attendu : une date AAAA-MM-JJ "
                "ou une date-heure RFC 3339 avec fuseau, ex. 2026-05-01T12:00:00Z).",
                text=text[:60],
            ),
            field="datetime",
        ) from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def parse_datetime(text: str | None) -> tuple[datetime | None, datetime | None] | None:
    """``datetime`` of OGC API – Features: an instant, or ``start/end`` with ``..`` for open."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    if raw.count("/") > 1:
        raise InvalidInput(
            tr(
                "datetime invalide : {raw!r} (un instant ou un intervalle début/fin).", raw=raw[:60]
            ),
            field="datetime",
        )
    if "/" not in raw:
        start, end = _instant(raw, end=False), _instant(raw, end=True)
        if start is None:
            raise InvalidInput(
                tr("datetime invalide : '..' seul n'est pas un instant."), field="datetime"
            )
        return start, end
    left, right = raw.split("/")
    start, end = _instant(left, end=False), _instant(right, end=True)
    if start and end and start > end:
        raise InvalidInput(
            tr("datetime invalide : {raw!r} commence après sa fin.", raw=raw[:60]), field="datetime"
        )
    return start, end


def in_interval(
    moment: datetime | None, interval: tuple[datetime | None, datetime | None] | None
) -> bool:
    """Whether a stored time is in an interval of :func:`parse_datetime` (none always is)."""
    if interval is None:
        return True
    moment = as_utc(moment)
    if moment is None:
        return False
    start, end = interval
    return (start is None or moment >= start) and (end is None or moment <= end)


def time_extent(features: list[dict[str, Any]]) -> list[str | None] | None:
    """First and last ``updated_at`` of the features, RFC 3339 in UTC; None when none has one."""
    moments = sorted(m for f in features if (m := parse_rfc3339(f["properties"].get("updated_at"))))
    if not moments:
        return None
    return [rfc3339(moments[0].replace(microsecond=0)), rfc3339(moments[-1].replace(microsecond=0))]


def spatial_extent(features: list[dict[str, Any]]) -> list[float] | None:
    """The lon/lat box around every position of the features; None when none has a geometry."""
    xs: list[float] = []
    ys: list[float] = []
    for feature in features:
        if feature.get("geometry"):
            for position in positions(feature["geometry"]["coordinates"]):
                xs.append(position[0])
                ys.append(position[1])
    if not xs:
        return None
    return [min(xs), min(ys), max(xs), max(ys)]
