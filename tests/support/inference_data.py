"""What an attacker reads, and what is true: the inference suite's two sides.

:class:`Truth` is read from the database with the services (the attacker never sees it); the
``observed_*`` functions read what one client gets through the real HTTP surface (exports, OGC
API, the map page, presenter views and the single-file download) as uniform synergy
:class:`Record` objects, which :mod:`tests.support.inference_attacks` attacks.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from mapservice.domain.model import Flow, Site, Synergy, SynergyStatus
from mapservice.services import Services
from tests.support.pages import map_data

TRACKED = (SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS, SynergyStatus.REALISED)
Point = tuple[float, float]


@dataclass
class Truth:
    """The registry as staff know it, and what the public is shown of each hidden site."""

    sites: dict[int, Site]
    flows: dict[int, Flow]
    synergies: list[Synergy]
    #: Where the public map places each site of a member who did not consent.
    shown: dict[int, Point | None]

    @classmethod
    def read(cls, svc: Services) -> Truth:
        try:  # the one disclosure module; before it, the map's own anonymiser
            from mapservice.domain.disclosure import anonymised
        except ImportError:  # pragma: no cover - the "before" run on older code
            from mapservice.views.map_view import anonymised  # type: ignore[attr-defined,no-redef]
        sites, flows = svc.sites_with_flows()
        moved = anonymised(sites, svc.park_ids(), svc.gazetteer.municipalities)
        return cls(
            sites={s.id: s for s in sites if s.id is not None},
            flows={f.id: f for f in flows if f.id is not None},
            synergies=svc.repo.synergies(),
            shown={
                s.id: (m.lon, m.lat) if m.lon is not None and m.lat is not None else None
                for s, m in zip(sites, moved, strict=True)
                if s.id is not None and not s.public_consent
            },
        )

    def hidden_sites(self, own_parks: frozenset[str] = frozenset()) -> set[int]:
        """Sites of members who did not consent, outside the reader's own parks."""
        return {
            i
            for i, s in self.sites.items()
            if not s.public_consent and (s.park_id is None or s.park_id not in own_parks)
        }

    def secret_quantities(self) -> dict[int, float]:
        """Confidential quantities by flow id (those the reader must not recover)."""
        return {i: f.quantity for i, f in self.flows.items() if f.confidential and f.quantity}


@dataclass
class Record:
    """One synergy as one output shows it (None: not shown)."""

    source: str
    output_flow_id: int
    input_flow_id: int
    geodesic_km: float | None = None
    road_km: float | None = None
    score: float | None = None  # 0..100
    tonnes: float | None = None
    net_t_co2e: float | None = None
    transport_t_co2e: float | None = None
    net_benefit_cad: float | None = None
    reasons: list[str] = field(default_factory=list)
    ends: tuple[Point, Point] | None = None


def _ends(geometry: dict[str, Any] | None) -> tuple[Point, Point] | None:
    if not geometry:
        return None
    coords = geometry["coordinates"]
    if geometry["type"] == "MultiLineString":
        first, last = coords[0][0], coords[-1][-1]
    else:
        first, last = coords[0], coords[-1]
    return (first[0], first[1]), (last[0], last[1])


def feature_record(source: str, feature: dict[str, Any]) -> Record:
    p = feature["properties"]
    reasons = p.get("reasons") or ""
    return Record(
        source=source,
        output_flow_id=p["output_flow_id"],
        input_flow_id=p["input_flow_id"],
        geodesic_km=p.get("geodesic_km"),
        road_km=p.get("road_km"),
        score=p.get("score"),
        tonnes=p.get("tonnes_per_year"),
        net_t_co2e=p.get("net_t_co2e"),
        transport_t_co2e=p.get("transport_t_co2e"),
        net_benefit_cad=p.get("net_benefit_cad"),
        reasons=[r for r in reasons.split(" | ") if r],
        ends=_ends(feature.get("geometry")),
    )


def export_features(client: Any, layer: str, **args: str) -> list[dict[str, Any]]:
    """A layer's GeoJSON export as the client gets it."""
    resp = client.get(f"/export/{layer}.geojson", query_string=args)
    assert resp.status_code == 200, (layer, resp.status_code)
    return json.loads(resp.get_data(as_text=True))["features"]


def export_csv_ids(client: Any, layer: str, key: str, **args: str) -> list[int]:
    """The ids (column ``key``) of a layer's CSV export."""
    resp = client.get(f"/export/{layer}.csv", query_string=args)
    assert resp.status_code == 200, (layer, resp.status_code)
    text = resp.get_data(as_text=True).lstrip("\ufeff")
    rows = csv.reader(io.StringIO(text), delimiter=";" if ";" in text.split("\n")[0] else ",")
    header = next(rows)
    col = header.index(key) if key in header else 0
    return [int(r[col]) for r in rows if r and r[col].strip().isdigit()]


def ogc_features(client: Any, layer: str, **args: str) -> tuple[list[dict[str, Any]], Any]:
    """A collection's items (all of them) and the response, for its ETag and counts."""
    resp = client.get(f"/ogcapi/collections/{layer}/items", query_string={"limit": "10000", **args})
    if resp.status_code != 200:
        return [], resp
    return json.loads(resp.get_data(as_text=True))["features"], resp


# --- the map page, presenter views and the single-file download -------------------------------

_NUMBER = re.compile(r"-?\d[\d\u00a0\u202f ]*(?:,\d+)?")


def french_number(text: str) -> float | None:
    """``12 345,6 km`` → 12345.6; None for ``—`` or no number."""
    match = _NUMBER.search(text.replace("−", "-"))
    if not match:
        return None
    digits = re.sub(r"[\u00a0\u202f ]", "", match.group(0)).replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


LABELS = {
    "Distance routière": "road_km",
    "Distance à vol d'oiseau": "geodesic_km",
    "CO₂e net évité": "net_t_co2e",
    "Bénéfice net": "net_benefit_cad",
    "Score": "score",
    "Tonnage": "tonnes",
}


def map_records(
    source: str, html: str, truth: Truth, *, anonymised: bool, statuses: tuple = TRACKED
) -> list[Record]:
    """The map's lines as records, each joined to its synergy (the attacker's side: the page
    draws lines in synergy order; the evaluator names the flows to score the attack)."""
    lines = map_data(html)["lines"]["features"]
    expected = []
    for s in sorted(truth.synergies, key=lambda s: s.id or 0):
        if s.status not in statuses:
            continue
        out_f, in_f = truth.flows[s.output_flow_id], truth.flows[s.input_flow_id]
        a, b = (_drawn_at(truth, f.site_id, anonymised) for f in (out_f, in_f))
        if a is None or b is None or a == b:
            continue
        expected.append(s)
    assert len(expected) == len(lines), (source, len(expected), len(lines))
    out = []
    for s, line in zip(expected, lines, strict=True):
        values: dict[str, Any] = {}
        for label, value in line["properties"].get("r", []):
            if label in LABELS:
                number = french_number(value)
                values[LABELS[label]] = number
        out.append(
            Record(
                source=source,
                output_flow_id=s.output_flow_id,
                input_flow_id=s.input_flow_id,
                reasons=list(line["properties"].get("y", [])),
                ends=_ends(line.get("geometry")),
                **values,
            )
        )
    return out


def _drawn_at(truth: Truth, site_id: int, anonymised: bool) -> Point | None:
    site = truth.sites[site_id]
    if anonymised and not site.public_consent:
        return truth.shown.get(site_id)
    return None if site.lon is None or site.lat is None else (site.lon, site.lat)
