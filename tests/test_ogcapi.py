"""OGC API – Features under /ogcapi: the core resources, paging, filters, errors, and GDAL's
OAPIF driver reading every collection from a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from mapservice.domain.access import STAFF
from mapservice.exports.fields import LAYERS
from mapservice.exports.jobs import LayerQuery, layer_features
from tests.support.accounts import MANAGED

BASE = "/ogcapi/collections"
CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"


def _svc(app: Any) -> Any:
    return app.extensions["mapservice"]


def _ids(app: Any, layer_id: str) -> list:
    with app.app_context():
        return [f["id"] for f in layer_features(_svc(app), layer_id, LayerQuery(), STAFF)]


def _link(doc: dict, rel: str, type_: str | None = None) -> str | None:
    return next(
        (
            link["href"]
            for link in doc["links"]
            if link["rel"] == rel and type_ in (None, link.get("type"))
        ),
        None,
    )


def _local(href: str) -> str:
    """An absolute link as the test client's path and query."""
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_landing_page_links_to_the_api_conformance_and_collections(client):
    for path in ("/ogcapi", "/ogcapi/"):
        resp = client.get(path)
        assert resp.status_code == 200 and resp.mimetype == "application/json"
        doc = resp.get_json()
        assert doc["title"] and doc["description"]
        for rel in ("self", "alternate", "service-desc", "conformance", "data"):
            assert _link(doc, rel), rel
        assert _local(_link(doc, "service-desc")) == "/ogcapi/api"
        assert urlsplit(_link(doc, "data")).path == BASE


def test_conformance_lists_core_geojson_html_and_openapi(client):
    conforms = client.get("/ogcapi/conformance").get_json()["conformsTo"]
    assert {CONF + c for c in ("core", "geojson", "html", "oas30")} <= set(conforms)


def test_collections_describe_the_five_layers(client):
    doc = client.get(BASE).get_json()
    ids = [c["id"] for c in doc["collections"]]
    assert ids == ["parks", "sites", "flows", "synergies", "routes"]
    for c in doc["collections"]:
        assert c["title"] == LAYERS[c["id"]].title_fr and c["itemType"] == "feature"
        west, south, east, north = c["extent"]["spatial"]["bbox"][0]
        assert -80 < west < east < -60 and 45 < south < north < 52
        assert c["extent"]["spatial"]["crs"].endswith("/OGC/1.3/CRS84")
        assert _link(c, "items", "application/geo+json") and _link(c, "items", "text/html")
        one = client.get(f"{BASE}/{c['id']}").get_json()
        assert one["id"] == c["id"] and _link(one, "self")


def test_items_page_through_every_feature_exactly_once(app, client):
    expected = _ids(app, "sites")
    assert len(expected) > 5
    seen: list = []
    url: str | None = f"{BASE}/sites/items?limit=4&mrc=&f=json"
    pages = 0
    while url:
        resp = client.get(url)
        assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
        doc = resp.get_json()
        assert doc["type"] == "FeatureCollection" and doc["timeStamp"].endswith("Z")
        assert doc["numberMatched"] == len(expected)
        assert doc["numberReturned"] == len(doc["features"]) <= 4
        assert (_link(doc, "prev") is not None) == (pages > 0)
        seen += [f["id"] for f in doc["features"]]
        url = _link(doc, "next")
        if url:
            assert "mrc=" in url and "limit=4" in url  # the query travels with the links
            url = _local(url)
        pages += 1
    assert seen == expected and pages == -(-len(expected) // 4)


def test_limit_and_offset(app, client):
    expected = _ids(app, "flows")
    doc = client.get(f"{BASE}/flows/items").get_json()
    assert doc["numberReturned"] == min(100, len(expected))
    doc = client.get(f"{BASE}/flows/items?limit=3&offset=2").get_json()
    assert [f["id"] for f in doc["features"]] == expected[2:5]
    last = client.get(f"{BASE}/flows/items?limit=3&offset={len(expected) - 3}").get_json()
    assert _link(last, "next") is None and _link(last, "prev")
    assert client.get(f"{BASE}/flows/items?limit=50000").get_json()["numberReturned"] == len(
        expected
    )  # above the maximum, the server answers its maximum


def test_bbox_keeps_the_sites_inside(app, client):
    bbox = (-71.8, 48.3, -71.0, 48.6)
    with app.app_context():
        inside = {
            s.id
            for s in _svc(app).repo.sites()
            if s.lon is not None and bbox[0] <= s.lon <= bbox[2] and bbox[1] <= s.lat <= bbox[3]
        }
    total = len(_ids(app, "sites"))
    doc = client.get(f"{BASE}/sites/items?limit=1000&bbox={','.join(map(str, bbox))}").get_json()
    assert {f["id"] for f in doc["features"]} == inside
    assert 0 < len(inside) < total and doc["numberMatched"] == len(inside)


def test_category_id_filter_keeps_wood_flows_only(app, client):
    """The map's category filter (with its sub-categories) is ``category_id``; ``category`` is
    the flows' property, matched exactly."""
    svc = _svc(app)
    assert client.get(f"{BASE}/flows/items?category=bois").get_json()["numberMatched"] == 0
    doc = client.get(f"{BASE}/flows/items?category_id=bois&limit=1000").get_json()
    assert doc["features"]
    for f in doc["features"]:
        code = f["properties"]["category"]
        assert code == "bois" or "bois" in [a.code for a in svc.taxonomy.ancestors(code)]
    with app.app_context():
        wood = {f.id for f in svc.repo.flows() if f.category_code.split(".")[0] == "bois"}
    assert {f["id"] for f in doc["features"]} == wood


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("colour=red", "colour"),
        ("category=nothing", "category"),
        ("f=xml", "f"),
    ],
)
def test_invalid_parameters_answer_400_naming_them(client, query, name):
    resp = client.get(f"{BASE}/sites/items?{query}")
    assert resp.status_code == 400 and resp.is_json
    doc = resp.get_json()
    assert doc["field"] == name and doc["error"] == "invalid_input"


def test_unknown_collection_or_feature_is_a_404(client):
    for path in (
        f"{BASE}/nothing",
        f"{BASE}/nothing/items",
        f"{BASE}/sites/items/99999",
        f"{BASE}/parks/items/no-such-park",
    ):
        resp = client.get(path)
        assert resp.status_code == 404 and resp.is_json, path


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_a_single_item_matches_the_list(app, client, layer_id):
    if layer_id in ("synergies", "routes"):
        from mapservice.matching import jobs as synergy_jobs

        with app.app_context():
            synergy_jobs.match_all(_svc(app), backend="geodesic", per_offer=2)
    listed = client.get(f"{BASE}/{layer_id}/items?limit=5").get_json()["features"]
    assert listed, layer_id
    feature = listed[-1]
    resp = client.get(f"{BASE}/{layer_id}/items/{feature['id']}")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    doc = resp.get_json()
    assert {k: doc[k] for k in ("type", "id", "geometry", "properties")} == feature
    assert _link(doc, "self") and urlsplit(_link(doc, "collection")).path == (f"{BASE}/{layer_id}")


def test_html_by_parameter_or_by_accept_header(client):
    resp = client.get(f"{BASE}/sites/items?f=html&limit=3")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    assert "<table" in page and "member" in page and 'rel="next"' in page
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/ogcapi/", "/ogcapi/conformance", BASE, f"{BASE}/parks", f"{BASE}/flows/items"):
        assert client.get(path, headers=browser).mimetype == "text/html", path
    assert client.get(BASE, headers={"Accept": "*/*"}).mimetype == "application/json"


def test_openapi_document(client):
    resp = client.get("/ogcapi/api")
    assert resp.status_code == 200 and resp.is_json
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.") and doc["info"]["title"]
    items = doc["paths"]["/collections/{collectionId}/items"]["get"]
    names = {p["name"] for p in items["parameters"]}
    assert {"collectionId", "limit", "offset", "bbox", "category_id", "q"} <= names
    limit = next(p for p in items["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 10000


def test_each_collection_lists_its_own_filters_and_the_generic_path_none_of_theirs(client):
    """GDAL reads ``/collections/<id>/items`` first: a collection's path lists its properties
    (and they all filter), the generic one no property at all."""
    doc = client.get("/ogcapi/api").get_json()
    generic = {
        p["name"] for p in doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    }
    every_property = {f.name for layer in LAYERS.values() for f in layer.fields}
    assert not generic & every_property
    for layer_id, layer in LAYERS.items():
        params = doc["paths"][f"/collections/{layer_id}/items"]["get"]["parameters"]
        names = [p["name"] for p in params]
        assert len(names) == len(set(names)), layer_id
        queryables = client.get(f"{BASE}/{layer_id}/queryables").get_json()["properties"]
        listed = set(names) & {f.name for f in layer.fields}
        assert listed == set(queryables), layer_id
        assert ("datetime" in names) is (layer_id == "synergies")
        for name in names:
            if name in ("bbox", "bbox-crs", "crs", "f", "lang", "datetime"):
                continue
            resp = client.get(f"{BASE}/{layer_id}/items", query_string={name: "1", "limit": 1})
            assert resp.status_code in (200, 400), (layer_id, name)
            if resp.status_code == 400:  # a value of the wrong type, or an unknown id
                assert not resp.get_json()["detail"].startswith("Paramètre inconnu"), (
                    layer_id,
                    name,
                )
    manager = client.get(f"{BASE}/sites/items?manager=x")
    assert manager.status_code == 400 and manager.get_json()["field"] == "manager"
    assert client.get(f"{BASE}/parks/items?manager=x").get_json()["numberMatched"] == 0


# --- GDAL's OAPIF driver against a real server ---------------------------------------------------


@pytest.fixture
def pyogrio() -> Iterator[Any]:
    try:
        import pyogrio
    except ImportError:
        pytest.skip("pyogrio is not installed (pip install pyogrio geopandas)")
    if "OAPIF" not in pyogrio.list_drivers():
        pytest.skip(f"GDAL {pyogrio.__gdal_version_string__} has no OAPIF driver")
    pytest.importorskip("geopandas", reason="geopandas is needed to read OAPIF layers")
    # GDAL signs its requests with the staff account's personal token (HTTP Basic, the token
    # as the password), as QGIS's basic authentication does. (GDAL_HTTP_HEADERS does not
    # reach OAPIF requests: the driver sets its own headers.)
    _sign(pyogrio, MANAGED["staff_token"])
    yield pyogrio
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_USERPWD": None})


def _sign(pyogrio: Any, token: str | None) -> None:
    if token is None:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_USERPWD": None})
    else:
        pyogrio.set_gdal_config_options(
            {"GDAL_HTTP_AUTH": "BASIC", "GDAL_HTTP_USERPWD": f"qgis:{token}"}
        )


def test_gdal_oapif_reads_every_collection(pyogrio, served, app):
    source = f"OAPIF:{served}/ogcapi"
    assert {name for name, _geometry in pyogrio.list_layers(source)} == set(LAYERS)
    columns = {
        "sites": {"member", "park_id"},
        "flows": {"member", "park_id", "category"},
        "parks": {"park_id", "name"},
    }
    for layer_id, wanted in columns.items():
        frame = pyogrio.read_dataframe(source, layer=layer_id)
        assert len(frame) == len(_ids(app, layer_id)), layer_id
        assert wanted <= set(frame.columns), (layer_id, sorted(frame.columns))


def test_gdal_oapif_follows_next_links(pyogrio, served, app):
    """A small page size makes GDAL follow several ``next`` links."""
    frame = pyogrio.read_dataframe(f"OAPIF:{served}/ogcapi", layer="flows", PAGE_SIZE="7")
    ids = sorted(frame["flow_id"])
    assert ids == sorted(_ids(app, "flows")) and len(ids) > 7


def test_gdal_oapif_reads_a_layer_in_quebec_lambert(pyogrio, served, app):
    """GDAL asks for EPSG:32198 (Part 2) and gets metres that match pyproj's."""
    from pyproj import Transformer

    frame = pyogrio.read_dataframe(f"OAPIF:{served}/ogcapi", layer="sites", CRS="EPSG:32198")
    assert frame.crs.to_epsg() == 32198
    to = Transformer.from_crs("OGC:CRS84", "EPSG:32198", always_xy=True)
    with app.app_context():
        expected = {
            f["id"]: to.transform(*f["geometry"]["coordinates"])
            for f in layer_features(_svc(app), "sites", LayerQuery(), STAFF)
        }
    assert len(frame) == len(expected)
    for site_id, point in zip(frame["site_id"], frame.geometry, strict=True):
        x, y = expected[site_id]
        assert abs(point.x - x) < 0.05 and abs(point.y - y) < 0.05


def test_gdal_oapif_filters_on_the_server_by_a_queryable(pyogrio, served, app):
    with app.app_context():
        features = list(layer_features(_svc(app), "sites", LayerQuery(), STAFF))
    park = next(f["properties"]["park_id"] for f in features if f["properties"]["park_id"])
    frame = pyogrio.read_dataframe(
        f"OAPIF:{served}/ogcapi", layer="sites", where=f"park_id = '{park}'"
    )
    assert sorted(frame["site_id"]) == sorted(
        f["id"] for f in features if f["properties"]["park_id"] == park
    )


def test_gdal_with_a_park_managers_token_reads_only_their_park(pyogrio, served, app):
    _sign(pyogrio, MANAGED["manager_token"])
    frame = pyogrio.read_dataframe(f"OAPIF:{served}/ogcapi", layer="sites")
    with app.app_context():
        mine = sorted(s.id for s in _svc(app).repo.sites() if s.park_id == MANAGED["park"])
    assert sorted(frame["site_id"]) == mine and set(frame["park_id"]) == {MANAGED["park"]}
    assert "contact_email" not in frame.columns


def test_gdal_without_a_token_is_refused(pyogrio, served):
    _sign(pyogrio, None)
    with pytest.raises(Exception, match="401|nauthori|failed"):
        pyogrio.read_dataframe(f"OAPIF:{served}/ogcapi", layer="sites")
