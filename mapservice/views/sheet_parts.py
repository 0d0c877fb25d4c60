"""What a company's sheet holds, as plain data (built by :mod:`mapservice.views.event_sheets`).

Every value is already disclosed to the reader: a withheld figure is None, a company or a
partner not named to the reader has no name (its sector stands for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SheetEvent:
    """The event every sheet names at its top."""

    title: str
    day: date | None
    place: str


@dataclass(frozen=True)
class SheetSite:
    """Where a company is: ``lon``/``lat`` None when the position is unknown; when ``exact``
    is false, they are its park's or town's point (the reader may not see the site's own)."""

    name: str
    address: str | None
    place: str | None
    park: str | None
    lon: float | None
    lat: float | None
    exact: bool


@dataclass(frozen=True)
class SheetFlow:
    """An offer or a need as the reader may see it (``quantity`` None when ``withheld``)."""

    label: str
    description: str
    quantity: float | None
    unit: str | None
    frequency: str | None
    withheld: bool
    hazardous: bool


@dataclass(frozen=True)
class Link:
    """One synergy with a partner, disclosed to the reader (a withheld figure is None)."""

    synergy_id: int
    #: ``substitution`` (one's output feeds the other's input) or ``mutualisation`` (to share).
    kind: str
    we_offer: bool
    own_label: str
    other_label: str
    score: int | None
    distance_m: float | None
    by_road: bool
    tonnes_per_year: float | None
    net_t_co2e: float | None
    net_benefit_cad: float | None
    #: Core messages (French; the page says them in its language).
    reasons: tuple[str, ...]
    #: Some figure of this synergy is withheld from the reader.
    withheld: bool


@dataclass(frozen=True)
class Partner:
    """A participant worth meeting: ``name`` None when not named to the reader (then its
    ``sector`` stands for it and no ``table`` is given)."""

    member_id: int
    name: str | None
    sector: str
    table: int | None
    value: float
    links: tuple[Link, ...]
    more_links: int


@dataclass(frozen=True)
class Sheet:
    """One company's page: ``name`` None when not named to the reader (its ``sector`` then
    stands for it, without table, address, description nor QR code)."""

    member_id: int
    name: str | None
    sector: str
    table: int | None
    event: SheetEvent
    sites: tuple[SheetSite, ...]
    more_sites: int
    offers: tuple[SheetFlow, ...]
    more_offers: int
    needs: tuple[SheetFlow, ...]
    more_needs: int
    partners: tuple[Partner, ...]
    more_partners: int
    page_url: str | None
    qr_svg: str | None
