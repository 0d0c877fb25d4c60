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
    from mapservice.matching.jobs import match_all

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
    assert {
        "transport_kg_co2e",
        "transport_cost_cad",
        "avoided_kg_co2e",
        "net_kg_co2e",
        "break_even_km",
        "empty_return",
    } <= set(first["impact"])
    scores = [c["score"] for c in body["candidates"]]
    assert scores == sorted(scores, reverse=True)


def test_site_synergies_filters_and_backend(app, client):
    site_id = _busy_offer_site(app)
    geo = client.get(
        f"/api/v1/sites/{site_id}/synergies", query_string={"backend": "geodesic"}
    ).json
    assert all(
        c["distance_backend"] == "geodesic" and c["road_km"] is None for c in geo["candidates"]
    )
    code = geo["candidates"][0]["output"]["category"]
    only = client.get(
        f"/api/v1/sites/{site_id}/synergies", query_string={"backend": "geodesic", "category": code}
    ).json
    assert only["candidates"] and all(
        code in (c["output"]["category"], c["input"]["category"]) for c in only["candidates"]
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"max_km": "-5"}, "max_km"),
        ({"max_km": "loin"}, "max_km"),
        ({"category": "metaux.inconnu"}, "category"),
        ({"backend": "teleportation"}, "backend"),
        ({"limit": "0"}, "limit"),
    ],
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
    r = client.get(
        "/api/v1/distance", query_string={"from": "48.3320,-70.8800", "to": "48.4450,-70.9000"}
    )
    assert r.status_code == 200, r.json
    body = r.json
    assert body["backend"] == "road-graph" and body["geodesic_m"] < 15_000
    assert body["road_m"] > 2 * body["geodesic_m"] and body["duration_s"] > 0
    geo = client.get(
        "/api/v1/distance",
        query_string={"from": "48.3320,-70.8800", "to": "48.4450,-70.9000", "backend": "geodesic"},
    ).json
    assert geo["backend"] == "geodesic" and geo["road_m"] is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"to": "48.4,-71.2"}, "from"),
        ({"from": "48.4", "to": "48.4,-71.2"}, "from"),
        ({"from": "48.4,-71.2", "to": "95,-71"}, "to"),
    ],
)
def test_distance_refuses_bad_points(client, args, field):
    r = client.get("/api/v1/distance", query_string=args)
    assert r.status_code == 422 and r.json["field"] == field


def test_the_pipeline_from_candidate_to_realised_and_the_impact_report(app, client):
    from mapservice.matching.jobs import match_all

    found = [
        c
        for c in match_all(_svc(app), backend="geodesic", save=False)
        if c.impact.tonnes and c.impact.avoided_kg_co2e
    ]
    cand = found[0]
    r = client.post(
        "/api/v1/synergies",
        json={
            "output_flow_id": cand.output_flow.id,
            "input_flow_id": cand.input_flow.id,
            "status": "contacted",
            "note": "Appel à la scierie",
        },
    )
    assert r.status_code == 200, r.json
    syn_id = r.json["id"]
    assert r.json["status"] == "contacted"
    # Skipping a step is refused, and changes nothing.
    r = client.post(f"/api/v1/synergies/{syn_id}/status", json={"status": "candidate"})
    assert r.status_code == 422 and r.json["field"] == "status"
    for status in ("in_progress", "realised"):
        r = client.post(
            f"/api/v1/synergies/{syn_id}/status", json={"status": status, "note": status}
        )
        assert r.status_code == 200 and r.json["status"] == status
    history = client.get(f"/api/v1/synergies/{syn_id}").json["history"]
    assert [h["to"] for h in history] == ["contacted", "in_progress", "realised"]
    assert history[0]["note"] == "Appel à la scierie"
    assert {h["author"] for h in history} == {"personnel"}  # the signed-in account

    report = client.get("/api/v1/impact").json
    assert report["count"] == 1
    totals = report["totals"]
    assert totals["t_diverted"] > 0 and totals["t_co2e_avoided"] > 0
    assert totals["t_co2e_net"] == pytest.approx(
        totals["t_co2e_avoided"] - totals["t_co2e_transport"], abs=1e-3
    )
    assert list(report["by_month"]) and cand.output_flow.category_code in report["by_category"]
    empty = client.get(
        "/api/v1/impact", query_string={"from": "2001-01-01", "to": "2001-12-31"}
    ).json
    assert empty["count"] == 0 and empty["totals"]["t_diverted"] == 0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "hier"}, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"park": "nulle-part"}, "park"),
    ],
)
def test_impact_refuses_bad_parameters(client, args, field):
    r = client.get("/api/v1/impact", query_string=args)
    assert r.status_code == 422 and r.json["field"] == field


@pytest.mark.parametrize(
    "body",
    [
        {"status": "contacted"},
        {"synergy_id": 1},
        {"output_flow_id": "x", "input_flow_id": 1, "status": "contacted"},
    ],
)
def test_moving_needs_a_pair_and_a_status(client, body):
    r = client.post("/api/v1/synergies", json=body)
    assert r.status_code == 422


@pytest.mark.slow
def test_cli_match_writes_geojson_and_csv(tmp_path, demo_db):
    env = {
        **os.environ,
        "MAPSERVICE_DATABASE_URL": demo_db,
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    out = tmp_path / "candidates.geojson"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapservice.cli",
            "match",
            "--backend",
            "geodesic",
            "--per-offer",
            "3",
            "--out",
            str(out),
            "--top",
            "3",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "synergies candidates" in run.stdout and "enregistrées" in run.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and doc["features"]
    feature = doc["features"][0]
    assert feature["geometry"]["type"] == "LineString"
    (lon, lat), _ = feature["geometry"]["coordinates"]
    assert -80 < lon < -60 and 45 < lat < 52  # lon/lat order
    csv_out = tmp_path / "candidates.csv"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapservice.cli",
            "match",
            "--backend",
            "geodesic",
            "--site",
            str(feature["properties"]["output_site_id"]),
            "--no-save",
            "--out",
            str(csv_out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    header = csv_out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"output_lon", "output_lat", "input_lon", "input_lat", "road_km"} <= set(header)
    bad = subprocess.run(
        [sys.executable, "-m", "mapservice.cli", "match", "--out", str(tmp_path / "x.txt")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and ".csv ou .geojson" in bad.stderr


def test_classify_and_keep_a_correction(client):
    r = client.get("/api/v1/classify", query_string={"text": "drêche de brasserie"})
    assert r.status_code == 200
    assert r.json["category"] == "agroalimentaire.dreche" and not r.json["flagged"]
    odd = client.get("/api/v1/classify", query_string={"text": "résidus de la cuve 3"}).json
    r = client.post(
        "/api/v1/classify/corrections",
        json={"text": "résidus de la cuve 3", "category": "metaux.aluminium.brasques"},
    )
    assert r.status_code == 200, r.json
    again = client.get("/api/v1/classify", query_string={"text": "Résidus de la CUVE 3"}).json
    assert again["category"] == "metaux.aluminium.brasques" and again["method"] == "correction"
    assert odd["method"] != "correction"
    bad = client.post(
        "/api/v1/classify/corrections", json={"text": "x", "category": "metaux.inconnu"}
    )
    assert bad.status_code == 422 and bad.json["field"] == "category"
    assert client.get("/api/v1/classify", query_string={"text": ""}).status_code == 422


def test_import_accepts_free_text_materials_the_classifier_is_sure_of(app, tmp_path):
    from tests.support.import_files import GOOD, write_csv

    svc = _svc(app)
    row = list(GOOD[0])
    row[0], row[9] = "Brasserie libre (démo)", "Drêches de brasserie"
    svc.import_file(write_csv(tmp_path / "libre.csv", [row]))
    (flow,) = [
        f
        for f in svc.repo.flows()
        if f.description == row[10]
        and svc.repo.get_site(f.site_id).member_name == "Brasserie libre (démo)"
    ]
    assert flow.category_code == "agroalimentaire.dreche"
    # A text it is not sure of is no longer refused: the flow waits « à classer », out of matching.
    row[9] = "trucs divers"
    result = svc.import_file(write_csv(tmp_path / "flou.csv", [row]))
    assert result.to_classify == 1
    (waiting,) = [f for f in svc.repo.flows() if f.to_classify]
    assert waiting.material_text == "trucs divers" and waiting.category_code == "autres"


def test_confidential_quantities_never_leave_through_candidates(app, client):
    from mapservice.matching.jobs import match_all

    svc = _svc(app)
    secret = [
        c
        for c in match_all(svc, backend="geodesic", save=False)
        if c.output_flow.confidential and c.output_flow.quantity
    ]
    assert secret, "the demo has confidential offers with partners"
    cand = secret[0]
    body = client.get(
        f"/api/v1/sites/{cand.output_site.id}/synergies", query_string={"backend": "geodesic"}
    ).json
    text = json.dumps(body, ensure_ascii=False)
    mine = [c for c in body["candidates"] if c["output"]["flow_id"] == cand.output_flow.id]
    assert mine and all(
        c["confidential"]
        and c["output"]["quantity"] is None
        and c["impact"]["tonnes"] is None
        and c["impact"]["transport_kg_co2e"] is None
        for c in mine
    )
    assert all("confidentielles" in " ".join(c["reasons"]) for c in mine)
    qty = f"{cand.output_flow.quantity:g}"
    assert all(qty not in " ".join(c["reasons"]) for c in mine), text[:500]


# --- pages of /api/v1/synergies and of a site's candidates -----------------------------------


def _store_synergies(app, n: int = 23) -> list[int]:
    """Store ``n`` real candidate pairs of the demo registry; return their ids in order."""
    from mapservice.matching.jobs import candidate_row, match_all

    svc = _svc(app)
    found = match_all(svc, backend="geodesic", save=False, per_offer=1)[:n]
    svc.repo.save_candidates(candidate_row(c) for c in found)
    return sorted(s.id for s in svc.repo.synergies())


def _link_header(response) -> dict[str, str]:
    """``rel → href`` from an RFC 8288 Link header."""
    import re

    return {
        rel: href
        for href, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', response.headers.get("Link", ""))
    }


def test_synergy_pages_cover_every_synergy_once_in_order(app, client):
    ids = _store_synergies(app)
    seen, url, pages = [], "/api/v1/synergies?limit=5", 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.json
        body = r.json
        assert body["total"] == len(ids) and body["limit"] == 5
        assert body["offset"] == 5 * pages and len(body["synergies"]) <= 5
        assert body["links"]["self"].endswith(f"limit=5&offset={5 * pages}")
        header = _link_header(r)
        assert header == {k: v for k, v in body["links"].items() if k in ("next", "prev")}
        assert ("prev" in header) == (pages > 0)
        seen += [s["id"] for s in body["synergies"]]
        url, pages = body["links"].get("next"), pages + 1
    assert seen == ids and pages == 5  # 23 synergies: 5 + 5 + 5 + 5 + 3


def test_synergy_pages_keep_the_status_filter_in_their_links(app, client):
    ids = _store_synergies(app, 10)
    for synergy_id in ids[3:6]:
        client.post(f"/api/v1/synergies/{synergy_id}/status", json={"status": "contacted"})
    r = client.get("/api/v1/synergies", query_string={"status": "contacted", "limit": 2})
    body = r.json
    assert body["total"] == 3 and [s["id"] for s in body["synergies"]] == ids[3:5]
    assert "status=contacted" in body["links"]["next"] and "prev" not in body["links"]
    last = client.get(body["links"]["next"]).json
    assert [s["id"] for s in last["synergies"]] == ids[5:6] and "next" not in last["links"]
    assert "status=contacted" in last["links"]["prev"] and "offset=0" in last["links"]["prev"]


def test_a_page_past_the_end_is_empty_and_points_back(app, client):
    ids = _store_synergies(app, 4)
    r = client.get("/api/v1/synergies", query_string={"offset": 10, "limit": 3})
    assert r.status_code == 200
    assert r.json["synergies"] == [] and r.json["total"] == len(ids)
    assert "next" not in r.json["links"] and r.json["links"]["prev"].endswith("offset=7")
    assert _link_header(r) == {"prev": r.json["links"]["prev"]}


def test_the_default_page_is_100_from_the_start(app, client):
    ids = _store_synergies(app, 12)
    body = client.get("/api/v1/synergies").json
    assert (body["limit"], body["offset"], body["total"]) == (100, 0, len(ids))
    assert set(body["links"]) == {"self"}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "dix"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "-3"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1e3"}, "offset"),
        ({"offset": "1000000001"}, "offset"),
        ({"status": "fini"}, "status"),
        ({"statut": "candidate"}, "statut"),
        ({"page": "2"}, "page"),
    ],
)
def test_synergy_pages_refuse_bad_parameters_naming_them(client, args, field):
    r = client.get("/api/v1/synergies", query_string=args)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["field"] == field and field in r.json["message"], r.json


def test_site_candidates_come_in_pages_of_the_same_ranking(app, client):
    site_id = _busy_offer_site(app)
    url = f"/api/v1/sites/{site_id}/synergies"
    whole = client.get(url, query_string={"backend": "geodesic", "limit": 12}).json
    assert whole["total"] is None and "next" in whole["links"]  # the demo site has more

    def pair(c):
        return c["output"]["flow_id"], c["input"]["flow_id"]

    paged = []
    for offset in (0, 5, 10):
        r = client.get(url, query_string={"backend": "geodesic", "limit": 5, "offset": offset})
        body = r.json
        assert body["offset"] == offset and body["count"] == len(body["candidates"])
        assert "backend=geodesic" in body["links"]["self"]
        assert _link_header(r).get("prev") == body["links"].get("prev")
        paged += [pair(c) for c in body["candidates"]]
    assert paged[:12] == [pair(c) for c in whole["candidates"]]
    everything = client.get(url, query_string={"backend": "geodesic", "limit": 1000}).json
    last = client.get(url, query_string={"backend": "geodesic", "limit": 1000, "offset": 1}).json
    assert everything["total"] == len(everything["candidates"]) == last["total"]
    assert "next" not in last["links"] and last["count"] == everything["total"] - 1


@pytest.mark.parametrize(
    ("args", "field"), [({"offset": "-2"}, "offset"), ({"limit": "1001"}, "limit")]
)
def test_site_candidates_refuse_bad_pages(app, client, args, field):
    r = client.get(f"/api/v1/sites/{_busy_offer_site(app)}/synergies", query_string=args)
    assert r.status_code == 422 and r.json["field"] == field


def test_the_repository_pages_and_counts_synergies_in_sql(tmp_path, database_url):
    from itertools import product

    from mapservice.domain.model import Direction, SynergyStatus
    from tests.support.import_files import GOOD, write_csv
    from tests.support.settings import make_settings

    svc = Services(make_settings(tmp_path, database_url))
    try:
        svc.init_database()
        rows = []
        for i in range(8):
            row = list(GOOD[0])
            row[8], row[10] = ("offre", f"Sciure {i}") if i < 4 else ("besoin", f"Litière {i}")
            rows.append(row)
        svc.import_file(write_csv(tmp_path / "scieries.csv", rows))
        flows = svc.repo.flows()
        outs = [f.id for f in flows if f.direction is Direction.OUTPUT]
        ins = [f.id for f in flows if f.direction is Direction.INPUT]
        svc.repo.save_candidates(
            {"output_flow_id": o, "input_flow_id": i, "kind": "substitution", "reasons_json": "[]"}
            for o, i in product(outs, ins)
        )
        every = svc.repo.synergies()
        assert len(every) == svc.repo.count_synergies() == 16
        for limit, offset in [(5, 0), (5, 5), (5, 15), (5, 16), (100, 3)]:
            assert svc.repo.synergies(limit=limit, offset=offset) == every[offset : offset + limit]
        for s in every[2:5]:
            svc.repo.move_synergy(s.id, SynergyStatus.CONTACTED, author="Julie")
        contacted = svc.repo.synergies(status=SynergyStatus.CONTACTED, limit=2, offset=1)
        assert [s.id for s in contacted] == [s.id for s in every[3:5]]
        assert svc.repo.count_synergies(status=SynergyStatus.CONTACTED) == 3
        assert svc.repo.count_synergies(flow_ids=[outs[0]]) == 4
    finally:
        svc.close()


# --- bugs the schemathesis fuzzer found (tests/test_api_fuzz.py) ----------------------------


@pytest.mark.parametrize("path", ["/api/v1/synergies/{id}", "/api/v1/sites/{id}/synergies"])
@pytest.mark.parametrize("synergy_id", ["2147483648", "260222342179757360152576"])
def test_an_id_no_row_can_have_is_a_404_not_a_500(client, path, synergy_id):
    # Werkzeug's int converter takes any length; SQLite's driver overflowed past 2**63.
    r = client.get(path.format(id=synergy_id))
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert synergy_id in r.json["message"]


def test_moving_a_synergy_no_row_can_have_is_a_404(client):
    r = client.post(
        "/api/v1/synergies/260222342179757360152576/status", json={"status": "candidate"}
    )
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


@pytest.mark.parametrize("field", ["output_flow_id", "input_flow_id"])
@pytest.mark.parametrize("value", [0, -4, 2**31, 10**30])
def test_a_flow_id_no_row_can_have_is_refused_naming_it(client, field, value):
    body = {"output_flow_id": 1, "input_flow_id": 2, "status": "contacted", field: value}
    r = client.post("/api/v1/synergies", json=body)
    assert r.status_code == 422 and r.json["field"] == field, r.json


def test_history_times_carry_their_utc_offset(app, client):
    # SQLite gives back naive times: they used to leave as "2026-…T13:08:00.898368", which
    # is not an RFC 3339 date-time.
    from datetime import datetime, timedelta

    (synergy_id, *_) = _store_synergies(app, 1)
    client.post(f"/api/v1/synergies/{synergy_id}/status", json={"status": "contacted"})
    (event,) = client.get(f"/api/v1/synergies/{synergy_id}").json["history"]
    assert datetime.fromisoformat(event["at"]).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("body", "field"), [({"note": "appel\x00"}, "note"), ({"note": "appel \udfff"}, "note")]
)
def test_pipeline_notes_must_be_plain_text(app, client, body, field):
    # NUL (PostgreSQL refuses it in text) and lone surrogates (which no database can encode)
    # used to reach the database: a 500.
    (synergy_id, *_) = _store_synergies(app, 1)
    r = client.post(
        f"/api/v1/synergies/{synergy_id}/status",
        data=json.dumps({"status": "contacted", **body}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json["field"] == field, r.json
    assert client.get(f"/api/v1/synergies/{synergy_id}").json["history"] == []


@pytest.mark.parametrize(
    ("body", "field"), [({"text": "sciure\x00"}, "text"), ({"text": "sciure \ud800"}, "text")]
)
def test_category_corrections_must_be_plain_text(client, body, field):
    r = client.post(
        "/api/v1/classify/corrections",
        data=json.dumps({"category": "bois.sciure", **body}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json["field"] == field, r.json


def test_query_parameters_named_like_link_options_stay_query_parameters(app, client):
    # Given to url_for, ``site_id`` or ``_anchor`` in the query would clash with its own
    # arguments (a 500) or change the link; they are kept as plain query parameters.
    site_id = _busy_offer_site(app)
    r = client.get(
        f"/api/v1/sites/{site_id}/synergies",
        query_string={
            "backend": "geodesic",
            "limit": 2,
            "site_id": 1,
            "_anchor": "x",
            "_external": "0",
        },
    )
    assert r.status_code == 200, r.json
    nxt = r.json["links"]["next"]
    assert f"/sites/{site_id}/synergies?" in nxt and "#" not in nxt
    assert "site_id=1" in nxt and "_anchor=x" in nxt


def test_a_sites_candidates_are_kept_until_the_registry_changes(app):
    from mapservice.matching import jobs as synergy_jobs

    svc = _svc(app)
    site_id = _busy_offer_site(app)
    first = synergy_jobs.site_candidates(svc, site_id, backend="geodesic")
    assert synergy_jobs.site_candidates(svc, site_id, backend="geodesic") is first
    assert synergy_jobs.site_candidates(svc, site_id, backend="geodesic", limit=3) == first[:3]
    flow = svc.repo.flows(site_ids=[site_id])[0]
    svc.repo.update_flow(flow.id, {"description": flow.description + " (modifié)"})
    again = synergy_jobs.site_candidates(svc, site_id, backend="geodesic")
    assert again is not first
    assert [c.key for c in again] == [c.key for c in first]
