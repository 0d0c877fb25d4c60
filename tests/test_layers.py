"""The export layers: stable fields, scoping by park, and nothing confidential to those who
may not see it. Expected values come from the registry rows, not from the layer code."""

from __future__ import annotations

import json

import pytest

from mapservice.domain.access import PUBLIC, STAFF, Scope
from mapservice.exports.fields import LAYERS
from mapservice.exports.jobs import context
from mapservice.exports.layers import flow_features, park_features, site_features, synergy_features


@pytest.fixture
def svc(app):
    return app.extensions["mapservice"]


def _all(svc, scope: Scope) -> dict[str, list[dict]]:
    ctx = context(svc)
    sites, flows = svc.repo.sites(), svc.repo.flows()
    by_site = {s.id: s for s in sites}
    return {
        "parks": list(park_features(svc.repo.parks(), ctx, scope)),
        "sites": list(site_features(sites, flows, ctx, scope)),
        "flows": list(flow_features(flows, by_site, ctx, scope)),
        "synergies": list(
            synergy_features(svc.repo.synergies(), {f.id: f for f in flows}, by_site, ctx, scope)
        ),
    }


def _with_synergies(svc) -> None:
    from mapservice.matching import jobs as synergy_jobs

    synergy_jobs.match_all(svc, backend="geodesic", per_offer=2)


@pytest.mark.parametrize("scope", [STAFF, PUBLIC], ids=["staff", "public"])
def test_every_feature_has_exactly_the_layers_fields(svc, scope):
    _with_synergies(svc)
    for layer_id, features in _all(svc, scope).items():
        assert features, layer_id
        names = LAYERS[layer_id].field_names(scope)
        for feature in features:
            assert list(feature["properties"]) == names
            json.dumps(feature)  # plain JSON values only


def test_staff_see_everything(svc):
    layers = _all(svc, STAFF)
    assert len(layers["sites"]) == len(svc.repo.sites())
    assert len(layers["flows"]) == len(svc.repo.flows())
    assert len(layers["parks"]) == len(svc.repo.parks())


def test_public_gets_no_contact_no_confidential_quantity_no_name_without_consent(svc):
    _with_synergies(svc)
    members = svc.repo.members()
    hidden = {m.name for m in members if not m.public_consent}
    contacts = {v for m in members for v in (m.contact_email, m.contact_phone) if v}
    secret_flows = {f.id for f in svc.repo.flows() if f.confidential and f.quantity}
    assert hidden and contacts and secret_flows
    layers = _all(svc, PUBLIC)
    text = json.dumps(layers, ensure_ascii=False)
    assert [c for c in contacts if c in text] == []
    assert [n for n in hidden if json.dumps(n, ensure_ascii=False)[1:-1] in text] == []
    for feature in layers["flows"]:
        if feature["id"] in secret_flows:
            assert feature["properties"]["quantity"] is None
    confidential_pairs = [
        f
        for f in layers["synergies"]
        if {f["properties"]["output_flow_id"], f["properties"]["input_flow_id"]} & secret_flows
    ]
    assert confidential_pairs
    for feature in confidential_pairs:
        assert feature["properties"]["net_t_co2e"] is None


def test_a_park_manager_reads_only_their_park(svc):
    _with_synergies(svc)
    counts: dict[str, int] = {}
    for site in svc.repo.sites():
        if site.park_id:
            counts[site.park_id] = counts.get(site.park_id, 0) + 1
    park = max(counts, key=counts.__getitem__)
    scope = Scope(parks=frozenset({park}), confidential=True)
    layers = _all(svc, scope)
    assert [f["id"] for f in layers["parks"]] == [park]
    assert len(layers["sites"]) == counts[park]
    assert {f["properties"]["park_id"] for f in layers["sites"]} == {park}
    assert {f["properties"]["park_id"] for f in layers["flows"]} == {park}
    for feature in layers["synergies"]:
        ends = {feature["properties"]["output_park_id"], feature["properties"]["input_park_id"]}
        assert park in ends


def test_geometry_is_rfc7946(svc):
    _with_synergies(svc)
    for layer_id, features in _all(svc, STAFF).items():
        for feature in features:
            geometry = feature["geometry"]
            if geometry is None:
                continue
            assert "crs" not in geometry
            coords = json.dumps(geometry["coordinates"])
            for number in coords.replace("[", " ").replace("]", " ").replace(",", " ").split():
                assert "." not in number or len(number.split(".")[-1]) <= 6
            if layer_id == "synergies":
                assert geometry["type"] == "LineString"


def test_every_field_is_documented_in_the_readme():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for layer in LAYERS.values():
        paragraph = re.search(rf"\*\*`{layer.id}`\*\*[^\n]*", readme)
        assert paragraph, layer.id
        missing = [f.name for f in layer.fields if f"`{f.name}`" not in paragraph.group(0)]
        assert missing == [], (layer.id, missing)


def test_park_outlines_follow_the_right_hand_rule(svc):
    from shapely.geometry import shape

    outlines = [
        f["geometry"]
        for f in _all(svc, STAFF)["parks"]
        if f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ]
    assert outlines
    for geometry in outlines:
        geom = shape(geometry)
        for polygon in [geom] if geom.geom_type == "Polygon" else list(geom.geoms):
            assert polygon.exterior.is_ccw
            assert all(not ring.is_ccw for ring in polygon.interiors)
