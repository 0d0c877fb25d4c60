"""What GIS clients and caches read around the OGC API's bodies: a stable ETag and Link on
``/items``, Vary, pages for ``f=html``, trailing slashes, the OGC exception's ``code``, the
security schemes, and the ``describedBy`` link GDAL 3.6 follows to the schema (checked with the
real ``ogrinfo`` against a server process, and with pyogrio's newer GDAL)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any
from urllib.parse import urlsplit

import pytest

from mapservice.domain.access import STAFF
from mapservice.exports.jobs import LayerQuery, layer_features
from tests.support.accounts import MANAGED
from tests.support.gdal import ogrinfo_or_skip

BASE = "/ogcapi/collections"


def _local(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")


# --- ETag ---------------------------------------------------------------------------------------


def test_items_etag_is_stable_and_answers_304(client):
    first = client.get(f"{BASE}/sites/items?limit=5")
    again = client.get(f"{BASE}/sites/items?limit=5")
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and again.headers["ETag"] == tag
    assert "timeStamp" in first.get_json()  # the body keeps it; the tag does not hash it
    cached = client.get(f"{BASE}/sites/items?limit=5", headers={"If-None-Match": tag})
    assert cached.status_code == 304 and cached.data == b""


def test_items_etag_follows_the_request_the_asker_and_the_data(app, client, client_as):
    tag = client.get(f"{BASE}/flows/items?limit=5").headers["ETag"]
    others = {
        "query": client.get(f"{BASE}/flows/items?limit=6").headers["ETag"],
        "language": client.get(f"{BASE}/flows/items?limit=5&lang=en").headers["ETag"],
        "format": client.get(f"{BASE}/flows/items?limit=5&f=html").headers["ETag"],
        "manager": client_as("gestion").get(f"{BASE}/flows/items?limit=5").headers["ETag"],
    }
    assert tag not in others.values() and len(set(others.values())) == len(others)
    with app.app_context():
        svc = app.extensions["mapservice"]
        svc.repo.delete_flow(next(iter(svc.repo.flows())).id)
    changed = client.get(f"{BASE}/flows/items?limit=5", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


# --- Link, Vary ---------------------------------------------------------------------------------


def _link_header(value: str) -> dict[str, str]:
    return {rel: href for href, rel in re.findall(r'<([^>]+)>; rel="([^"]+)"', value)}


def test_items_repeat_their_links_in_a_link_header(client):
    resp = client.get(f"{BASE}/sites/items?limit=3&offset=3")
    header = _link_header(resp.headers["Link"])
    body = {link["rel"]: link["href"] for link in resp.get_json()["links"]}
    assert set(header) == {"self", "alternate", "next", "prev"}
    assert all(header[rel] == body[rel] for rel in header)
    first = _link_header(client.get(f"{BASE}/sites/items?limit=3").headers["Link"])
    assert "prev" not in first and _local(first["next"]).endswith("limit=3&offset=3")


@pytest.mark.parametrize(
    "path", ["/ogcapi", f"{BASE}", f"{BASE}/sites", f"{BASE}/sites/items", "/api/v1/synergies"]
)
def test_machine_answers_vary_on_accept_and_who_asks(client, path):
    resp = client.get(path)
    assert resp.status_code == 200, path
    assert {"Accept", "Authorization", "Cookie"} <= set(resp.vary), resp.headers.get("Vary")


# --- HTML, slashes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/ogcapi/api", "/collections/{collectionId}/items"),
        (f"{BASE}/parks/schema", "area_ha"),
        (f"{BASE}/sites/queryables", "park_id"),
        (f"{BASE}/parks/feature-schema", "area_ha"),
    ],
)
def test_documents_have_an_html_page(client, path, shown):
    page = client.get(path + "?f=html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert shown in page.get_data(as_text=True)
    browser = client.get(path, headers={"Accept": "text/html,application/xhtml+xml"})
    assert browser.mimetype == "text/html"
    english = client.get(path + "?f=html&lang=en").get_data(as_text=True)
    assert re.search(r'<th scope="col">(Property|Path)</th>', english)  # the page's own words
    assert not re.search(r'<th scope="col">(Propriété|Chemin)</th>', english)
    assert client.get(path).mimetype != "text/html"  # programs still get JSON


@pytest.mark.parametrize(
    "path", ["/ogcapi/conformance/", f"{BASE}/", f"{BASE}/sites/", f"{BASE}/sites/items/"]
)
def test_paths_answer_with_a_trailing_slash(client, path):
    resp = client.get(path)
    assert resp.status_code == 200, path
    got, plain = resp.get_json(), client.get(path[:-1]).get_json()
    got.pop("timeStamp", None), plain.pop("timeStamp", None)
    assert got == plain


# --- errors and security ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (f"{BASE}/nothing", 404, "NotFound"),
        (f"{BASE}/sites/items/nothing", 404, "NotFound"),
        ("/ogcapi/nothing/at/all", 404, "NotFound"),
        (f"{BASE}/sites/items?limit=zero", 400, "InvalidParameterValue"),
        (f"{BASE}/sites/schema?f=xml", 400, "InvalidParameterValue"),
    ],
)
def test_every_error_carries_the_ogc_code(client, path, status, code):
    resp = client.get(path)
    assert resp.status_code == status and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["code"] == code and body["description"] == body["detail"] and body["detail"]


def test_401_names_basic_and_bearer(stranger):
    resp = stranger.get(f"{BASE}/sites/items")
    assert resp.status_code == 401
    body = resp.get_json()
    assert body["code"] == "NotAuthorized" and "Bearer" in body["detail"]
    assert "de base" in body["detail"]  # HTTP Basic, the token as the password
    challenge = resp.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer") and "Basic" in challenge
    english = stranger.get(f"{BASE}/sites/items?lang=en").get_json()["detail"]
    assert "basic authentication" in english


def test_the_api_document_declares_basic_and_bearer(client):
    doc = client.get("/ogcapi/api").get_json()
    schemes = doc["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"basic", "bearer"}
    for path, ops in doc["paths"].items():
        security = ops["get"].get("security")
        if path in ("/", "/conformance", "/api"):
            assert security is None, path
        else:
            assert security == [{"basic": []}, {"bearer": []}], path


def test_collections_link_their_schema_for_old_and_new_gdal(client):
    links = {link["rel"]: link for link in client.get(f"{BASE}/parks").get_json()["links"]}
    assert links["describedby"]["href"].endswith("/parks/schema")  # Part 5
    assert links["describedBy"]["href"].endswith("/parks/feature-schema")  # GDAL
    assert {links[r]["type"] for r in ("describedby", "describedBy")} == {"application/schema+json"}
    feature = client.get(_local(links["describedBy"]["href"]))
    assert feature.mimetype == "application/schema+json"
    props = feature.get_json()["properties"]["properties"]["properties"]
    assert props["area_ha"]["type"] == "number" and props["name"]["type"] == "string"


# --- real clients: ogrinfo (GDAL 3.6) and pyogrio's newer GDAL ----------------------------------


def test_ogrinfo_reads_the_field_types_from_the_schema(served):
    """With a page of one park, whose area is unknown, GDAL could only guess ``area_ha`` from
    a null: it is Real because GDAL followed ``describedBy`` to the schema."""
    ogrinfo = ogrinfo_or_skip()
    run = subprocess.run(
        [
            ogrinfo,
            "-ro",
            "-so",
            "--debug",
            "ON",
            "--config",
            "GDAL_HTTP_AUTH",
            "BASIC",
            "--config",
            "GDAL_HTTP_USERPWD",
            f"qgis:{MANAGED['staff_token']}",
            "-oo",
            "PAGE_SIZE=1",
            f"OAPIF:{served}/ogcapi",
            "parks",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "/ogcapi/collections/parks/feature-schema" in run.stderr  # GDAL's debug lines
    assert "Using JSON schema" in run.stderr
    fields = dict(re.findall(r"^(\w+): (\w+) \(", run.stdout, re.MULTILINE))
    assert fields["area_ha"] == "Real" and fields["name"] == "String", fields


def test_newer_gdal_reads_the_same_schema(served):
    pyogrio = pytest.importorskip("pyogrio")
    if "OAPIF" not in pyogrio.list_drivers():
        pytest.skip(f"GDAL {pyogrio.__gdal_version_string__} has no OAPIF driver")
    pyogrio.set_gdal_config_options(
        {"GDAL_HTTP_AUTH": "BASIC", "GDAL_HTTP_USERPWD": f"qgis:{MANAGED['staff_token']}"}
    )
    try:
        info: Any = pyogrio.read_info(f"OAPIF:{served}/ogcapi", layer="parks", PAGE_SIZE="1")
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_USERPWD": None})
    dtypes = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert dtypes["area_ha"] == "float64" and dtypes["name"] == "object", dtypes


def test_ogr2ogr_36_reprojects_on_the_client_as_the_readme_says(served, app, tmp_path):
    """GDAL 3.6 has no ``-oo CRS=``: the README's way is ``-t_srs`` (and ``-oo USERPWD``)."""
    ogrinfo_or_skip()
    from pyproj import Transformer

    out = tmp_path / "sites.geojson"
    subprocess.run(
        [
            shutil.which("ogr2ogr") or "ogr2ogr",
            "-f",
            "GeoJSON",
            str(out),
            "-t_srs",
            "EPSG:32198",
            "-oo",
            f"USERPWD=qgis:{MANAGED['staff_token']}",
            "-oo",
            "PAGE_SIZE=1000",
            f"OAPIF:{served}/ogcapi",
            "sites",
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    to = Transformer.from_crs("OGC:CRS84", "EPSG:32198", always_xy=True)
    with app.app_context():
        expected = {
            f["id"]: to.transform(*f["geometry"]["coordinates"])
            for f in layer_features(app.extensions["mapservice"], "sites", LayerQuery(), STAFF)
        }
    got = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(got) == len(expected)
    for feature in got:
        x, y = expected[feature["properties"]["site_id"]]
        gx, gy = feature["geometry"]["coordinates"][:2]
        assert abs(gx - x) < 0.5 and abs(gy - y) < 0.5
