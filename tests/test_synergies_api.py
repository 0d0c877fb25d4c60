"""Candidates, distances, the pipeline and the impact report through the API and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mapservice.services import Services


def _svc(app) -> Services:
    return app.extensions["mapservice"]


def _busy_offer_site(app) -> int:
    """A demo site with offers that have partners."""
    from mapservice.synergy_jobs import match_all

    found = match_all(_svc(app), backend="geodesic", save=False)
    return found[0].output_site.id


def test_site_synergies_with_road_distances(app, client):
    site_id = _busy_offer_site(app)
    r = client.get(f"/api/v1/sites/{site_id}/synergies", query_string={"max_km": "80"})
    assert r.status_code == 200, r.json
    body = r.json
    assert body["count"] == len(body["candidates"]) > 0
    first = body["candidates"][0]
    assert first["distance_backend"] == "road-graph"
    assert first["road_km"] is None or first["road_km"] >= first["geodesic_km"] * 0.999
    assert first["road_km"] is None or first["road_km"] <= 80
    assert first["reasons"] and first["factors"]
    assert {"transport_kg_co2e", "transport_cost_cad", "avoided_kg_co2e", "net_kg_co2e",
            "break_even_km", "empty_return"} <= set(first["impact"])
    scores = [c["score"] for c in body["candidates"]]
    assert scores == sorted(scores, reverse=True)


def test_site_synergies_filters_and_backend(app, client):
    site_id = _busy_offer_site(app)
    geo = client.get(f"/api/v1/sites/{site_id}/synergies",
                     query_string={"backend": "geodesic"}).json
    assert all(c["distance_backend"] == "geodesic" and c["road_km"] is None
               for c in geo["candidates"])
    code = geo["candidates"][0]["output"]["category"]
    only = client.get(f"/api/v1/sites/{site_id}/synergies",
                      query_string={"backend": "geodesic", "category": code}).json
    assert only["candidates"] and all(code in (c["output"]["category"], c["input"]["category"])
                                      for c in only["candidates"])


@pytest.mark.parametrize(
    ("args", "field"),
    [({"max_km": "-5"}, "max_km"), ({"max_km": "loin"}, "max_km"),
     ({"category": "metaux.inconnu"}, "category"), ({"backend": "teleportation"}, "backend"),
     ({"limit": "0"}, "limit")],
)
def test_site_synergies_refuses_bad_parameters(app, client, args, field):
    site_id = _busy_offer_site(app)
    r = client.get(f"/api/v1/sites/{site_id}/synergies", query_string=args)
    assert r.status_code == 422 and r.json["field"] == field, r.json


def test_unknown_site_is_404(client):
    assert client.get("/api/v1/sites/999999/synergies").status_code == 404


def test_distance_across_the_fjord_is_long_by_road(client):
    # La Baie → Saint-Fulgence face each other across the Saguenay: no bridge downstream of
    # Chicoutimi, so the truck drives round by Chicoutimi.
    r = client.get("/api/v1/distance", query_string={"from": "48.3320,-70.8800",
                                                     "to": "48.4450,-70.9000"})
    assert r.status_code == 200, r.json
    body = r.json
    assert body["backend"] == "road-graph" and body["geodesic_m"] < 15_000
    assert body["road_m"] > 2 * body["geodesic_m"] and body["duration_s"] > 0
    geo = client.get("/api/v1/distance", query_string={"from": "48.3320,-70.8800",
                                                       "to": "48.4450,-70.9000",
                                                       "backend": "geodesic"}).json
    assert geo["backend"] == "geodesic" and geo["road_m"] is None


@pytest.mark.parametrize(("args", "field"), [({"to": "48.4,-71.2"}, "from"),
                                             ({"from": "48.4", "to": "48.4,-71.2"}, "from"),
                                             ({"from": "48.4,-71.2", "to": "95,-71"}, "to")])
def test_distance_refuses_bad_points(client, args, field):
    r = client.get("/api/v1/distance", query_string=args)
    assert r.status_code == 422 and r.json["field"] == field


def test_the_pipeline_from_candidate_to_realised_and_the_impact_report(app, client):
    from mapservice.synergy_jobs import match_all

    found = [c for c in match_all(_svc(app), backend="geodesic", save=False)
             if c.impact.tonnes and c.impact.avoided_kg_co2e]
    cand = found[0]
    r = client.post("/api/v1/synergies", json={
        "output_flow_id": cand.output_flow.id, "input_flow_id": cand.input_flow.id,
        "status": "contacted", "author": "Julie", "note": "Appel à la scierie"})
    assert r.status_code == 200, r.json
    syn_id = r.json["id"]
    assert r.json["status"] == "contacted"
    # Skipping a step is refused, and changes nothing.
    r = client.post(f"/api/v1/synergies/{syn_id}/status",
                    json={"status": "candidate", "author": "Julie"})
    assert r.status_code == 422 and r.json["field"] == "status"
    for status in ("in_progress", "realised"):
        r = client.post(f"/api/v1/synergies/{syn_id}/status",
                        json={"status": status, "author": "Marc", "note": status})
        assert r.status_code == 200 and r.json["status"] == status
    history = client.get(f"/api/v1/synergies/{syn_id}").json["history"]
    assert [h["to"] for h in history] == ["contacted", "in_progress", "realised"]
    assert history[0]["author"] == "Julie" and history[0]["note"] == "Appel à la scierie"

    report = client.get("/api/v1/impact").json
    assert report["count"] == 1
    totals = report["totals"]
    assert totals["t_diverted"] > 0 and totals["t_co2e_avoided"] > 0
    assert totals["t_co2e_net"] == pytest.approx(totals["t_co2e_avoided"]
                                                 - totals["t_co2e_transport"], abs=1e-3)
    assert list(report["by_month"]) and cand.output_flow.category_code in report["by_category"]
    empty = client.get("/api/v1/impact", query_string={"from": "2001-01-01",
                                                       "to": "2001-12-31"}).json
    assert empty["count"] == 0 and empty["totals"]["t_diverted"] == 0


@pytest.mark.parametrize(("args", "field"), [({"from": "hier"}, "from"),
                                             ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
                                             ({"park": "nulle-part"}, "park")])
def test_impact_refuses_bad_parameters(client, args, field):
    r = client.get("/api/v1/impact", query_string=args)
    assert r.status_code == 422 and r.json["field"] == field


@pytest.mark.parametrize("body", [{"status": "contacted"}, {"synergy_id": 1},
                                  {"output_flow_id": "x", "input_flow_id": 1,
                                   "status": "contacted", "author": "A"}])
def test_moving_needs_a_pair_an_author_and_a_status(client, body):
    r = client.post("/api/v1/synergies", json=body)
    assert r.status_code == 422


def test_cli_match_writes_geojson_and_csv(tmp_path, demo_db):
    env = {**os.environ, "MAPSERVICE_DATABASE_URL": demo_db,
           "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance")}
    out = tmp_path / "candidates.geojson"
    run = subprocess.run([sys.executable, "-m", "mapservice.cli", "match", "--backend",
                          "geodesic", "--per-offer", "3", "--out", str(out), "--top", "3"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "synergies candidates" in run.stdout and "enregistrées" in run.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and doc["features"]
    feature = doc["features"][0]
    assert feature["geometry"]["type"] == "LineString"
    (lon, lat), _ = feature["geometry"]["coordinates"]
    assert -80 < lon < -60 and 45 < lat < 52  # lon/lat order
    csv_out = tmp_path / "candidates.csv"
    run = subprocess.run([sys.executable, "-m", "mapservice.cli", "match", "--backend",
                          "geodesic", "--site", str(feature["properties"]["output_site_id"]),
                          "--no-save", "--out", str(csv_out)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    header = csv_out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"output_lon", "output_lat", "input_lon", "input_lat", "road_km"} <= set(header)
    bad = subprocess.run([sys.executable, "-m", "mapservice.cli", "match", "--out",
                          str(tmp_path / "x.txt")], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and ".csv ou .geojson" in bad.stderr


def test_classify_and_keep_a_correction(client):
    r = client.get("/api/v1/classify", query_string={"text": "drêche de brasserie"})
    assert r.status_code == 200
    assert r.json["category"] == "agroalimentaire.dreche" and not r.json["flagged"]
    odd = client.get("/api/v1/classify", query_string={"text": "résidus de la cuve 3"}).json
    r = client.post("/api/v1/classify/corrections", json={
        "text": "résidus de la cuve 3", "category": "metaux.aluminium.brasques",
        "author": "Julie"})
    assert r.status_code == 200, r.json
    again = client.get("/api/v1/classify", query_string={"text": "Résidus de la CUVE 3"}).json
    assert again["category"] == "metaux.aluminium.brasques" and again["method"] == "correction"
    assert odd["method"] != "correction"
    bad = client.post("/api/v1/classify/corrections", json={
        "text": "x", "category": "metaux.inconnu", "author": "Julie"})
    assert bad.status_code == 422 and bad.json["field"] == "category"
    assert client.get("/api/v1/classify", query_string={"text": ""}).status_code == 422


def test_import_accepts_free_text_materials_the_classifier_is_sure_of(app, tmp_path):
    from test_importing import GOOD, write_csv

    svc = _svc(app)
    row = list(GOOD[0])
    row[0], row[9] = "Brasserie libre (démo)", "Drêches de brasserie"
    svc.import_file(write_csv(tmp_path / "libre.csv", [row]))
    (flow,) = [f for f in svc.repo.flows() if f.description == row[10]
               and svc.repo.get_site(f.site_id).member_name == "Brasserie libre (démo)"]
    assert flow.category_code == "agroalimentaire.dreche"
    from mapservice.errors import ImportRejected

    row[9] = "trucs divers"
    with pytest.raises(ImportRejected) as info:
        svc.import_file(write_csv(tmp_path / "flou.csv", [row]))
    assert info.value.issues[0].column == "matiere"


def test_confidential_quantities_never_leave_through_candidates(app, client):
    from mapservice.synergy_jobs import match_all

    svc = _svc(app)
    secret = [c for c in match_all(svc, backend="geodesic", save=False)
              if c.output_flow.confidential and c.output_flow.quantity]
    assert secret, "the demo has confidential offers with partners"
    cand = secret[0]
    body = client.get(f"/api/v1/sites/{cand.output_site.id}/synergies",
                      query_string={"backend": "geodesic"}).json
    text = json.dumps(body, ensure_ascii=False)
    mine = [c for c in body["candidates"] if c["output"]["flow_id"] == cand.output_flow.id]
    assert mine and all(c["confidential"] and c["output"]["quantity"] is None
                        and c["impact"]["tonnes"] is None
                        and c["impact"]["transport_kg_co2e"] is None for c in mine)
    assert all("confidentielles" in " ".join(c["reasons"]) for c in mine)
    qty = f"{cand.output_flow.quantity:g}"
    assert all(qty not in " ".join(c["reasons"]) for c in mine), text[:500]
