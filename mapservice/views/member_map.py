"""The map of chosen members: their sites and the synergies between them, nothing else.

An event's presentation shows its participants, then each table's people: a view that picks
members rather than a filter of the region map. The sites are taken from the region map's
data, disclosed to the reader exactly as that map discloses them (a hidden member stays at
its park's centre, unnamed), and only then picked: choosing members never shows more than
the anonymised map does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from mapservice.domain.model import SynergyStatus
from mapservice.geo import geojson
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import (
    ViewData,
    reader_scope,
    region_view,
    site_features,
    synergy_lines,
)

if TYPE_CHECKING:
    from mapservice.services import Services


def member_view(
    svc: Services,
    member_ids: Collection[int],
    *,
    lang: str = "fr",
    anonymise: bool = False,
    site_url: str | None = None,
    status_labels: Mapping[str, str] | None = None,
    statuses: frozenset[SynergyStatus] | None = None,
) -> ViewData:
    """The region map's data (:func:`~mapservice.views.map_view.region_view`, unfiltered)
    kept to the sites of ``member_ids`` and the saved synergies between those sites; the
    parks and the legend stay the region's."""
    region = region_view(
        svc,
        MapFilter(),
        lang=lang,
        anonymise=anonymise,
        site_url=site_url,
        status_labels=status_labels,
        statuses=statuses,
    )
    wanted = set(member_ids)
    sites = [s for s in region.sites if s.member_id in wanted]
    site_ids = {s.id for s in sites}
    flows = [f for f in region.flows if f.site_id in site_ids]
    lines = synergy_lines(
        svc,
        sites,
        flows,
        lang=lang,
        status_labels=status_labels or {},
        statuses=statuses,
        scope=reader_scope(anonymise),
    )
    data = {
        **region.data,
        "sites": geojson.feature_collection(
            site_features(svc, sites, flows, lang=lang, site_url=site_url)
        ),
        "lines": geojson.feature_collection(lines),
    }
    return ViewData(data=data, sites=sites, flows=flows)
