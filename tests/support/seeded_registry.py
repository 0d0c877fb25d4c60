"""Eight members in seven parks and their candidate synergies, and what their impact must be.

The expected figures are computed from the stored rows with plain SQL, never through the code
under test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from mapservice.domain.access import Principal, Role
from mapservice.domain.model import SynergyStatus
from mapservice.matching import jobs as synergy_jobs
from mapservice.registry import park_outlines
from mapservice.services import Services
from tests.support.import_files import write_csv


def _row(company, muni, lat, lon, kind, cat, desc, qty, confidential="non"):
    return [
        company,
        "",
        "",
        "",
        muni,
        "",
        lat,
        lon,
        kind,
        cat,
        desc,
        qty,
        "t/an",
        "",
        "non",
        confidential,
    ]


JONQ, CHIC = "Ville de Saguenay (arr. Jonquière)", "Ville de Saguenay (arr. Chicoutimi)"
#: Eight members in seven parks; six candidate pairs in three top-level categories.
ROWS = [
    _row(
        "Scierie Boréale (test)",
        JONQ,
        "48,4069",
        "-71,2221",
        "offre",
        "bois.sciure",
        "Sciure d'épinette <sèche>",
        "500",
    ),
    _row(
        "Ferme Laitière (test)",
        JONQ,
        "48,4165",
        "-71,2488",
        "besoin",
        "usages.litiere_animale",
        "Litière des vaches",
        "300",
    ),
    _row(
        "Fonderie Arvida (test)",
        JONQ,
        "48,4302",
        "-71,1655",
        "offre",
        "metaux.ferraille",
        "Ferraille triée",
        "200",
    ),
    _row(
        "Recycleur Métaux (test)",
        CHIC,
        "48,3990",
        "-71,0840",
        "besoin",
        "usages.matiere_refonte",
        "Métal à refondre",
        "1000",
    ),
    _row(
        "Brasserie du Fjord (test)",
        CHIC,
        "48,4280",
        "-71,0600",
        "offre",
        "agroalimentaire.dreche",
        "Drêche humide",
        "80",
        "oui",
    ),
    _row(
        "Ferme Porcine (test)",
        CHIC,
        "48,3162",
        "-71,1274",
        "besoin",
        "usages.alimentation_animale",
        "Moulée",
        "120",
    ),
    _row(
        "Planeur d'Alma (test)",
        "Alma",
        "48,5380",
        "-71,6300",
        "offre",
        "bois.copeaux",
        "Copeaux de rabotage",
        "900",
    ),
    _row(
        "Chaufferie Alma (test)",
        "Alma",
        "48,5650",
        "-71,6450",
        "besoin",
        "usages.combustible_biomasse",
        "Chaudière à biomasse",
        "700",
    ),
]


def survey_stand_in_parks(services: Services) -> None:
    """Mark every park whose outline is a town stand-in as surveyed, outline unchanged.

    The members above sit on the parks' points; in the data several of those parks are not
    located (a town point stands in), and such an outline claims no site. This registry's world
    is one where the association surveyed them, through the same use case staff use.
    """
    staff = Principal(username="seed", role=Role.STAFF)
    for park in services.park_ids().values():
        if park.outline_status == "town" and park.outline is not None:
            park_outlines.replace_outline(
                services, staff, park.id, json.dumps(park.outline), "surveyed", note="test"
            )


def seed_registry(services: Services, folder: Path) -> list[int]:
    """Import the members above, in parks whose outlines are surveyed, and store their
    candidates (road distances); return the ids."""
    survey_stand_in_parks(services)
    services.import_file(write_csv(folder / "seed.csv", ROWS))
    synergy_jobs.match_all(services)
    return [s.id for s in services.repo.synergies()]


def by_categories(services: Services, out_code: str, in_code: str) -> int:
    flows = {f.id: f.category_code for f in services.repo.flows()}
    (syn,) = [
        s
        for s in services.repo.synergies()
        if (flows[s.output_flow_id], flows[s.input_flow_id]) == (out_code, in_code)
    ]
    return syn.id


def realise(services: Services, synergy_id: int, at: datetime, author: str = "Julie") -> None:
    for status in (SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS, SynergyStatus.REALISED):
        services.repo.move_synergy(synergy_id, status, author=author, note=status.value, at=at)


def expected_impact(services: Services) -> dict[str, dict]:
    """Totals and groupings of the realised synergies, straight from the tables."""
    query = sa.text(
        "SELECT s.id, s.tonnes_per_year, s.net_kg_co2e, s.net_benefit_cad, f.category_code, "
        "si.park_id, e.at FROM synergies s "
        "JOIN flows f ON f.id = s.output_flow_id JOIN sites si ON si.id = f.site_id "
        "JOIN synergy_events e ON e.synergy_id = s.id AND e.to_status = 'realised' "
        "WHERE s.status = 'realised'"
    )
    with services.repo.engine.connect() as conn:
        rows = conn.execute(query).all()
    out: dict[str, dict] = {
        "totals": defaultdict(float),
        "month": defaultdict(float),
        "park": defaultdict(float),
        "category": defaultdict(float),
        "count": {"n": len(rows)},
    }
    for _id, tonnes, net_kg, cad, code, park, at in rows:
        at = datetime.fromisoformat(at) if isinstance(at, str) else at  # SQLite: text
        at = at.astimezone(UTC) if at.tzinfo else at
        out["totals"]["t"] += tonnes or 0
        out["totals"]["co2e"] += (net_kg or 0) / 1000
        out["totals"]["cad"] += cad or 0
        out["month"][f"{at.year:04d}-{at.month:02d}"] += tonnes or 0
        out["park"][park] += tonnes or 0
        out["category"][code.split(".")[0]] += tonnes or 0
    return out
