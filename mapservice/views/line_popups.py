"""What a synergy line's popup says besides its figures: both companies and the reasons.

Shared by the region map's stored synergies and the site and material pages' candidates
(:mod:`mapservice.views.map_view`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mapservice.domain.model import Flow, Site
from mapservice.domain.reasons import shown_reasons
from mapservice.domain.sectors import sector_group


def companies_rows(
    offer: Site | None, need: Site | None, lang: str, labels: Mapping[str, str]
) -> list[list[str]]:
    """Popup rows naming both companies, as the map names their sites: an anonymised site
    (no member name) is its sector group, never its company."""
    return [
        [labels.get(key, key), site.member_name or sector_group(site.naics_code).label(lang)]
        for key, site in (("offer_company", offer), ("need_company", need))
        if site is not None
    ]


def reasons_props(
    reasons: Iterable[str], secret: bool, labels: Mapping[str, str]
) -> dict[str, Any]:
    """A line's reasons (``y``) and their heading (``yl``); none when it has no reasons.
    A confidential quantity is never stated (:func:`shown_reasons`)."""
    shown = list(shown_reasons(reasons, secret=secret))
    return {"y": shown, "yl": labels.get("reasons", "Raisons")} if shown else {}


def quantity_hidden(offer: Flow, need: Flow, sites: Mapping[int | None, Site]) -> bool:
    """Whether a line's reasons must not state the quantities: either flow is confidential,
    or either site is anonymised (the map shows no quantity of an anonymised site)."""
    ends = (sites.get(offer.site_id), sites.get(need.site_id))
    return (
        offer.confidential or need.confidential or any(s is None or not s.member_name for s in ends)
    )
