"""The pipeline board's filters: read from the query string, checked, resolved for the database.

The URL is the state of the board (a filtered board can be bookmarked and shared); every value
arrives raw and is checked here, each refusal an :class:`~mapservice.errors.InvalidInput` that
names the parameter, what was expected and what arrived. :func:`to_query` resolves the filter
to stored values (:class:`~mapservice.domain.board_query.BoardQuery`). Pure: no Flask, no
database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from mapservice.domain.board_query import SORTS, BoardQuery, SearchWord
from mapservice.domain.model import Municipality, SynergyStatus, places_holding
from mapservice.domain.text import fold
from mapservice.errors import InvalidInput, tr
from mapservice.materials.search_terms import SearchVocabulary, parse_query, spellings
from mapservice.materials.taxonomy import Taxonomy

MAX_TEXT_CHARS = 120
#: Words of the search box that count (the others are ignored).
MAX_WORDS = 8
BEST_MAX = 100
DAYS_MAX = 3650
KM_MAX = 1000.0
#: Every filter parameter, in the order links write them.
PARAMETERS = (
    "q",
    "park",
    "municipality",
    "mrc",
    "category",
    "member",
    "min_score",
    "max_km",
    "stage",
    "since",
    "days",
    "sort",
    "best",
)


class Args(Protocol):
    """A query string: one value per key, or every value of a repeated key."""

    def get(self, key: str, /) -> str | None: ...

    def getlist(self, key: str, /) -> list[str]: ...


@dataclass(frozen=True)
class BoardFilter:
    """What the board was asked to show; None (or empty) means "all"."""

    q: str | None = None
    park: str | None = None
    municipality: str | None = None
    mrc: str | None = None
    category: str | None = None
    member: int | None = None
    min_score: int | None = None
    max_km: float | None = None
    stage: tuple[SynergyStatus, ...] = ()
    since: date | None = None
    days: int | None = None
    sort: str | None = None
    best: int | None = None

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) not in (None, ()) for f in fields(self))


@dataclass(frozen=True)
class BoardChoices:
    """What each filter may be set to: the reference data and the members."""

    parks: frozenset[str]
    municipalities: Mapping[str, Municipality]
    taxonomy: Taxonomy
    #: Member id → name.
    members: Mapping[int, str]
    #: The services' search vocabulary; one is built per search without it.
    vocabulary: SearchVocabulary | None = None

    @property
    def mrcs(self) -> frozenset[str]:
        return frozenset(m.mrc for m in self.municipalities.values() if m.mrc)


def _refused(field: str, expected: object, raw: str) -> InvalidInput:
    return InvalidInput(
        tr(
            "Paramètre {field} invalide : {raw!r} (attendu : {expected}).",
            field=field,
            raw=raw[:40],
            expected=expected,
        ),
        field=field,
    )


def _number(raw: str, field: str, expected: object, low: float, high: float) -> float:
    try:
        value = float(raw.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise _refused(field, expected, raw) from None
    if not low <= value <= high:  # NaN fails here too
        raise _refused(field, expected, raw)
    return value


def _whole(raw: str, field: str, expected: object, low: int, high: int) -> int:
    value = _number(raw, field, expected, low, high)
    if value != int(value):
        raise _refused(field, expected, raw)
    return int(value)


def parse_board_filter(args: Args, choices: BoardChoices) -> BoardFilter:
    """Read the board's filter from query parameters; raise :class:`InvalidInput` naming the
    first bad one. Empty values mean "all", as an HTML form sends them; other parameters
    (``status``, ``page``…) are the caller's."""

    def value(name: str) -> str | None:
        raw = args.get(name)
        if raw is None:
            return None
        raw = raw.strip()
        if len(raw) > MAX_TEXT_CHARS:
            raise _refused(name, tr("au plus {n} caractères", n=MAX_TEXT_CHARS), raw)
        return raw or None

    out: dict[str, object] = {}
    if (q := value("q")) is not None:
        if not fold(q):
            raise _refused("q", tr("des lettres ou des chiffres"), q)
        out["q"] = q
    if (park := value("park")) is not None:
        if park not in choices.parks:
            raise _refused("park", tr("un identifiant de parc de /export/parks"), park)
        out["park"] = park
    if (muni := value("municipality")) is not None:
        if muni not in choices.municipalities:
            raise _refused(
                "municipality", tr("un identifiant du répertoire, p. ex. « alma »"), muni
            )
        out["municipality"] = muni
    if (mrc := value("mrc")) is not None:
        if mrc not in choices.mrcs:
            raise _refused("mrc", ", ".join(sorted(choices.mrcs)), mrc)
        out["mrc"] = mrc
    if (category := value("category")) is not None:
        if choices.taxonomy.get(category) is None:
            raise _refused("category", tr("un code de la taxonomie, p. ex. « bois »"), category)
        out["category"] = category
    if (member := value("member")) is not None:
        number = _whole(member, "member", tr("le numéro d'un membre"), 1, 2**31 - 1)
        if number not in choices.members:
            raise _refused("member", tr("le numéro d'un membre"), member)
        out["member"] = number
    if (score := value("min_score")) is not None:
        out["min_score"] = _whole(score, "min_score", tr("un score entier de 0 à 100"), 0, 100)
    if (km := value("max_km")) is not None:
        expected = tr("un nombre de km entre 0 et {km_max:.0f}", km_max=KM_MAX)
        out["max_km"] = _number(km, "max_km", expected, 0.0, KM_MAX)
    stages = []
    for raw in args.getlist("stage"):
        if raw.strip():
            try:
                stages.append(SynergyStatus(raw.strip()))
            except ValueError:
                raise _refused("stage", ", ".join(s.value for s in SynergyStatus), raw) from None
    out["stage"] = tuple(s for s in SynergyStatus if s in stages)
    if (since := value("since")) is not None:
        try:
            out["since"] = date.fromisoformat(since)
        except ValueError:
            raise _refused("since", tr("une date AAAA-MM-JJ"), since) from None
    if (days := value("days")) is not None:
        expected = tr("un nombre entier de jours de 1 à {n}", n=DAYS_MAX)
        out["days"] = _whole(days, "days", expected, 1, DAYS_MAX)
    if (sort := value("sort")) is not None:
        if sort not in SORTS:
            raise _refused("sort", ", ".join(SORTS), sort)
        out["sort"] = sort
    if (best := value("best")) is not None:
        out["best"] = _whole(best, "best", tr("un entier de 1 à {n}", n=BEST_MAX), 1, BEST_MAX)
    return BoardFilter(**out)  # type: ignore[arg-type]


def to_query(view: BoardFilter, choices: BoardChoices, now: datetime) -> BoardQuery:
    """The filter as stored values: places with what they hold, categories with their
    descendants, a score on the stored scale, the search as folded words."""
    munis = choices.municipalities
    taxonomy = choices.taxonomy

    def places(kept: str | None, attr: str) -> frozenset[str] | None:
        if kept is None:
            return None
        return frozenset(
            m for m in munis if any(getattr(p, attr) == kept for p in places_holding(m, munis))
        )

    def under(code: str) -> bool:
        return any(a.code == view.category for a in taxonomy.ancestors(code))

    codes = None
    if view.category is not None:
        codes = frozenset(c.code for c in taxonomy if c.code == view.category or under(c.code))
    since: list[datetime] = []
    if view.since is not None:
        since.append(datetime.combine(view.since, time(0), tzinfo=UTC))
    if view.days is not None:
        since.append(now - timedelta(days=view.days))
    words = [
        SearchWord(term.folded, term.codes, spellings(term))
        for term in parse_query(view.q, choices.vocabulary or taxonomy).terms[:MAX_WORDS]
    ]
    return BoardQuery(
        statuses=frozenset(view.stage) or None,
        park_id=view.park,
        municipality_ids=places(view.municipality, "id"),
        mrc_municipality_ids=places(view.mrc, "mrc"),
        member_id=view.member,
        category_codes=codes,
        # The card shows round(score × 100): « at least 70 » keeps every card that shows 70.
        min_score=None if view.min_score is None else (view.min_score - 0.5) / 100,
        max_distance_m=None if view.max_km is None else view.max_km * 1000,
        changed_since=max(since) if since else None,
        words=tuple(words),
        sort=view.sort,
        best_per_offer=view.best,
    )


def as_params(view: BoardFilter) -> list[tuple[str, str]]:
    """The filter as query parameters (the inverse of :func:`parse_board_filter`)."""
    out: list[tuple[str, str]] = []
    for name in PARAMETERS:
        value = getattr(view, name)
        if name == "stage":
            out.extend(("stage", s.value) for s in value)
        elif isinstance(value, date):
            out.append((name, value.isoformat()))
        elif isinstance(value, float):
            out.append((name, f"{value:g}"))
        elif value is not None:
            out.append((name, str(value)))
    return out
