"""Domain types of the circular economy registry. No I/O here.

Coordinates are WGS84 longitude/latitude in that order, in fields named ``lon`` and ``lat``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Direction(StrEnum):
    """Whether a flow leaves a site (an offer) or enters it (a need)."""

    OUTPUT = "output"  # offre
    INPUT = "input"  # besoin


class Precision(StrEnum):
    """How precisely a site's point was placed, best first."""

    MANUAL = "manual"
    ADDRESS = "address"
    POSTCODE = "postcode"
    PARK = "park"
    FSA = "fsa"
    MUNICIPALITY = "municipality"

    @property
    def rank(self) -> int:
        """0 for the most precise; larger is coarser."""
        return list(Precision).index(self)


class SynergyStatus(StrEnum):
    """Where a synergy stands in the brokering pipeline."""

    CANDIDATE = "candidate"
    CONTACTED = "contacted"
    IN_PROGRESS = "in_progress"
    REALISED = "realised"
    REJECTED = "rejected"


class SynergyKind(StrEnum):
    SUBSTITUTION = "substitution"
    MUTUALISATION = "mutualisation"


#: Which status may follow which. Rejected synergies can be reopened as candidates.
STATUS_TRANSITIONS: dict[SynergyStatus, frozenset[SynergyStatus]] = {
    SynergyStatus.CANDIDATE: frozenset({SynergyStatus.CONTACTED, SynergyStatus.REJECTED}),
    SynergyStatus.CONTACTED: frozenset({SynergyStatus.IN_PROGRESS, SynergyStatus.REJECTED}),
    SynergyStatus.IN_PROGRESS: frozenset({SynergyStatus.REALISED, SynergyStatus.REJECTED}),
    SynergyStatus.REALISED: frozenset(),
    SynergyStatus.REJECTED: frozenset({SynergyStatus.CANDIDATE}),
}


class Unit(StrEnum):
    """Units a quantity is stored in."""

    T_PER_YEAR = "t_per_year"
    M3_PER_YEAR = "m3_per_year"
    UNITS_PER_YEAR = "units_per_year"
    KW = "kw"


UNIT_LABELS: dict[Unit, dict[str, str]] = {
    Unit.T_PER_YEAR: {"fr": "t/an", "en": "t/year"},
    Unit.M3_PER_YEAR: {"fr": "m³/an", "en": "m³/year"},
    Unit.UNITS_PER_YEAR: {"fr": "unités/an", "en": "units/year"},
    Unit.KW: {"fr": "kW", "en": "kW"},
}


class Frequency(StrEnum):
    CONTINUOUS = "continuous"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    SEASONAL = "seasonal"
    YEARLY = "yearly"
    ONE_OFF = "one_off"


FREQUENCY_LABELS: dict[Frequency, dict[str, str]] = {
    Frequency.CONTINUOUS: {"fr": "continu", "en": "continuous"},
    Frequency.DAILY: {"fr": "quotidien", "en": "daily"},
    Frequency.WEEKLY: {"fr": "hebdomadaire", "en": "weekly"},
    Frequency.MONTHLY: {"fr": "mensuel", "en": "monthly"},
    Frequency.SEASONAL: {"fr": "saisonnier", "en": "seasonal"},
    Frequency.YEARLY: {"fr": "annuel", "en": "yearly"},
    Frequency.ONE_OFF: {"fr": "ponctuel", "en": "one-off"},
}


@dataclass(frozen=True)
class Municipality:
    """A municipality, borough or sector of the gazetteer."""

    id: str
    name: str
    kind: str
    mrc: str
    lon: float
    lat: float
    parent_id: str | None = None
    mamh_code: str | None = None
    coord_status: str = "FOUND"
    fsa: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    population: int | None = None


def places_holding(
    municipality_id: str | None, munis: Mapping[str, Municipality]
) -> list[Municipality]:
    """The municipality, borough or sector ``municipality_id``, then each place that holds it,
    up to the town (empty when the id is unknown; a loop in the parents ends the walk)."""
    chain: list[Municipality] = []
    muni = munis.get(municipality_id or "")
    while muni is not None and muni not in chain:
        chain.append(muni)
        muni = munis.get(muni.parent_id or "")
    return chain


@dataclass(frozen=True)
class Park:
    """An industrial park or zone. ``outline`` is GeoJSON geometry (lon/lat) or None."""

    id: str
    name: str
    kind: str
    municipality_id: str
    centre_lon: float
    centre_lat: float
    status: str = "active"
    coord_status: str = "ESTIMATE"
    outline_status: str = "estimated"
    outline: dict | None = None
    area_ha: float | None = None
    manager: str | None = None
    sector: str | None = None
    properties: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Location:
    """Where a site was placed and how sure we are."""

    lon: float
    lat: float
    precision: Precision
    source: str
    score: float = 1.0
    municipality_id: str | None = None
    outside_region: bool = False
    candidates: tuple[Location, ...] = ()
    note: str | None = None
    #: Set when the place was found by its park's name or street (precision ``park``).
    park_id: str | None = None
    #: A human label of what was matched ("G7X 0E4", "Jonquière", "Parc industriel …").
    label: str | None = None
    #: The online geocoder was asked and did not answer: this is the offline cascade's
    #: fallback, worth asking again once the service is back.
    degraded: bool = False


@dataclass(frozen=True)
class Member:
    id: int | None
    name: str
    naics_code: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    public_consent: bool = False


@dataclass(frozen=True)
class Site:
    id: int | None
    member_id: int
    name: str
    address: str | None
    municipality_id: str | None
    postal_code: str | None
    lon: float | None
    lat: float | None
    park_id: str | None = None
    geocode_precision: Precision | None = None
    geocode_source: str | None = None
    geocode_score: float | None = None
    member_name: str | None = None
    naics_code: str | None = None
    geocode_note: str | None = None
    geocoded_at: datetime | None = None
    geocoded_by: str | None = None
    #: The member agreed to be named on public maps (presenter mode shows the others anonymised).
    public_consent: bool = False


@dataclass(frozen=True)
class Flow:
    id: int | None
    site_id: int
    direction: Direction
    category_code: str
    description: str
    quantity: float | None = None
    unit: Unit | None = None
    frequency: Frequency | None = None
    hazardous: bool = False
    confidential: bool = False
    #: Imported « à classer »: ``category_code`` is ``autres`` until staff classify it, and
    #: the flow stays out of matching meanwhile.
    to_classify: bool = False
    #: The classifier's suggestions (category codes, best first) for a flow « à classer ».
    suggestions: tuple[str, ...] = ()
    #: The material text as imported, kept while the flow is « à classer ».
    material_text: str | None = None


@dataclass(frozen=True)
class Synergy:
    id: int | None
    output_flow_id: int
    input_flow_id: int
    kind: SynergyKind
    status: SynergyStatus = SynergyStatus.CANDIDATE
    score: float | None = None
    geodesic_m: float | None = None
    road_m: float | None = None
    duration_s: float | None = None
    transport_kg_co2e: float | None = None
    transport_cost_cad: float | None = None
    avoided_kg_co2e: float | None = None
    updated_at: datetime | None = None
    tonnes_per_year: float | None = None
    net_kg_co2e: float | None = None
    net_benefit_cad: float | None = None
    distance_backend: str | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SynergyEvent:
    """One step of a synergy along the pipeline."""

    synergy_id: int
    from_status: SynergyStatus | None
    to_status: SynergyStatus
    at: datetime
    author: str
    note: str = ""


def can_move(current: SynergyStatus, new: SynergyStatus) -> bool:
    """Return whether a synergy may go from ``current`` to ``new``."""
    return new in STATUS_TRANSITIONS[current]


# --- What an import wants written, after validation and geocoding --------------------------


@dataclass(frozen=True)
class PlannedFlow:
    direction: Direction
    category_code: str
    description: str
    quantity: float | None
    unit: Unit | None
    frequency: Frequency | None
    hazardous: bool
    confidential: bool
    row: int | None = None
    #: Not sure of the material text: imported « à classer » (see :class:`Flow`).
    to_classify: bool = False
    suggestions: tuple[str, ...] = ()
    #: The row's material text (stored only while the flow is « à classer »).
    material_text: str | None = None
    #: How sure the classifier was of ``category_code`` (1.0 for a taxonomy name).
    confidence: float = 1.0

    @property
    def key_text(self) -> str:
        """The text the flow's natural key folds: « à classer », its material text too."""
        if self.to_classify and self.material_text and self.material_text != self.description:
            return f"{self.material_text} — {self.description}"
        return self.description


@dataclass(frozen=True)
class PlannedSite:
    name: str
    address: str | None
    municipality_id: str | None
    postal_code: str | None
    location: Location | None
    park_id: str | None
    flows: tuple[PlannedFlow, ...]


@dataclass(frozen=True)
class PlannedMember:
    name: str
    naics_code: str | None
    sites: tuple[PlannedSite, ...]
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    public_consent: bool | None = None


@dataclass(frozen=True)
class ImportPlan:
    """Members, their sites and flows, grouped from the rows of one file."""

    members: tuple[PlannedMember, ...]
    source: str = ""

    @property
    def n_flows(self) -> int:
        return sum(len(s.flows) for m in self.members for s in m.sites)


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), per table."""

    inserted: dict[str, int] = field(default_factory=lambda: {"members": 0, "sites": 0, "flows": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"members": 0, "sites": 0, "flows": 0})
    unchanged: dict[str, int] = field(
        default_factory=lambda: {"members": 0, "sites": 0, "flows": 0}
    )
    dry_run: bool = False
    #: Flows of the file « à classer », waiting in the classification queue.
    to_classify: int = 0
    #: The plan written (or, in a dry run, checked), for a preview row by row.
    plan: ImportPlan | None = None

    @property
    def changed(self) -> bool:
        return any(self.inserted.values()) or any(self.updated.values())


@dataclass(frozen=True)
class PresenterView:
    """A saved map view of presenter mode: what to show, where, in which order.

    ``filters`` is the region map's query string (``category=bois&direction=offre``),
    ``layers`` the shown layers joined by commas; ``anonymised`` hides the names and exact
    positions of members who have not consented to be shown. ``members`` (not stored: set by
    an event's presentation) picks the members whose sites it shows (None: the filter's).
    """

    id: int | None
    position: int
    title: str
    lat: float
    lon: float
    zoom: int
    filters: str = ""
    layers: str = ""
    anonymised: bool = True
    members: tuple[int, ...] | None = None


@dataclass(frozen=True)
class User:
    """An account. ``role`` is one of :class:`mapservice.domain.access.Role`'s values; ``parks`` are
    the parks a park manager reads."""

    id: int
    username: str
    display_name: str
    password_hash: str
    role: str
    parks: frozenset[str] = frozenset()
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    session_version: int = 0  # what a session must hold to be this account's (see accounts)


@dataclass(frozen=True)
class ApiToken:
    """A personal API token, as stored: its name and first characters, never the secret."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
