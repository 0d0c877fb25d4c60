"""OGC API – Features beyond the core: Part 2 CRS, ``datetime``, property filters and
queryables, computed extents, the ``describedby`` schema, and paging from the kept layer read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from pyproj import Transformer

from mapservice.domain.access import STAFF
from mapservice.domain.model import SynergyStatus
from mapservice.exports.extents import parse_datetime
from mapservice.exports.fields import LAYERS
from mapservice.exports.jobs import LayerQuery, layer_features
from mapservice.exports.property_filters import QUERYABLE_TYPES
from mapservice.matching import jobs as synergy_jobs

BASE = "/ogcapi/collections"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def _svc(app: Any) -> Any:
    return app.extensions["mapservice"]


def _features(app: Any, layer_id: str) -> list[dict]:
    with app.app_context():
        return list(layer_features(_svc(app), layer_id, LayerQuery(), STAFF))


def _all(client: Any, url: str) -> dict:
    resp = client.get(url + ("&" if "?" in url else "?") + "limit=10000")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


# --- Part 2: CRS ---------------------------------------------------------------------------------


def test_collections_offer_the_crs_and_conformance_says_so(client):
    conforms = client.get("/ogcapi/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conforms
    for c in client.get(BASE).get_json()["collections"]:
        assert c["storageCrs"] == CRS84
        assert {CRS84, EPSG + "4326", EPSG + "32198", EPSG + "32619"} <= set(c["crs"])


@pytest.mark.parametrize(("code", "swap"), [("32198", False), ("32619", False), ("4326", True)])
def test_items_in_another_crs_match_pyproj_in_the_authority_axis_order(app, client, code, swap):
    expected = {f["id"]: f["geometry"]["coordinates"] for f in _features(app, "sites")}
    to = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}")
    resp = client.get(f"{BASE}/sites/items?limit=10000&crs={quote(EPSG + code)}")
    assert resp.status_code == 200 and resp.headers["Content-Crs"] == f"<{EPSG}{code}>"
    features = resp.get_json()["features"]
    assert {f["id"] for f in features} == set(expected)
    for f in features:
        lon, lat = expected[f["id"]]
        x, y = to.transform(lon, lat)
        assert f["geometry"]["coordinates"] == pytest.approx([x, y], abs=0.01)
        if swap:  # EPSG:4326 is latitude first
            assert f["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-7)
        else:  # metres, not degrees
            assert abs(f["geometry"]["coordinates"][0]) > 1000
    default = client.get(f"{BASE}/sites/items?limit=1")
    assert default.headers["Content-Crs"] == f"<{CRS84}>"


def test_park_outlines_keep_their_rings_in_lambert(app, client):
    parks = {f["id"]: f for f in _features(app, "parks")}
    doc = _all(client, f"{BASE}/parks/items?crs={quote(EPSG + '32198')}")
    polygons = [f for f in doc["features"] if f["geometry"]["type"] != "Point"]
    assert polygons
    for f in polygons:
        original = parks[f["id"]]["geometry"]
        assert f["geometry"]["type"] == original["type"]
        ring, before = f["geometry"]["coordinates"][0], original["coordinates"][0]
        if original["type"] == "MultiPolygon":
            ring, before = ring[0], before[0]
        assert len(ring) == len(before) and ring[0] == ring[-1]


def test_a_single_item_in_lambert(app, client):
    site = _features(app, "sites")[0]
    resp = client.get(f"{BASE}/sites/items/{site['id']}?crs={quote(EPSG + '32198')}")
    assert resp.headers["Content-Crs"] == f"<{EPSG}32198>"
    x, y = Transformer.from_crs("OGC:CRS84", "EPSG:32198").transform(
        *site["geometry"]["coordinates"]
    )
    assert resp.get_json()["geometry"]["coordinates"] == pytest.approx([x, y], abs=0.01)


def test_bbox_in_lambert_selects_what_the_same_box_in_degrees_does(app, client):
    to = Transformer.from_crs("OGC:CRS84", "EPSG:32198")
    # a box in metres around Saguenay; the sites inside it, decided in metres here
    west, south, east, north = -230000.0, 460000.0, -150000.0, 530000.0
    inside = set()
    for f in _features(app, "sites"):
        x, y = to.transform(*f["geometry"]["coordinates"])
        if west <= x <= east and south <= y <= north:
            inside.add(f["id"])
    assert 0 < len(inside) < len(_features(app, "sites"))
    doc = _all(
        client,
        f"{BASE}/sites/items?bbox={west},{south},{east},{north}&bbox-crs={quote(EPSG + '32198')}",
    )
    found = {f["id"] for f in doc["features"]}
    # densified edges of the box, turned into a lon/lat box, can only take in more, never less
    assert inside <= found
    assert len(found - inside) <= max(3, len(inside) // 10)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("crs=EPSG:2154", "crs"),
        ("crs=http://www.opengis.net/def/crs/EPSG/0/2154", "crs"),
        ("bbox-crs=nothing&bbox=1,2,3,4", "bbox-crs"),
        ("bbox-crs=" + quote(EPSG + "32198"), "bbox-crs"),
        ("bbox=5,5,1,1&bbox-crs=" + quote(EPSG + "32198"), "bbox"),
        ("datetime=2026-13-01", "datetime"),
        ("datetime=2026-05-01T10:00:00", "datetime"),
        ("datetime=2026-06-01/2026-05-01", "datetime"),
        ("datetime=..", "datetime"),
        ("datetime=a/b/c", "datetime"),
    ],
)
def test_bad_crs_bbox_crs_or_datetime_answer_400_naming_them(client, query, name):
    resp = client.get(f"{BASE}/synergies/items?{query}")
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["field"] == name


# --- datetime and the temporal extent ------------------------------------------------------------


@pytest.fixture
def dated(app: Any) -> dict[int, datetime]:
    """Synergies moved to ``contacted`` on known days; returns their ids and times."""
    svc = _svc(app)
    with app.app_context():
        synergy_jobs.match_all(svc, backend="geodesic", per_offer=1)
        synergies = svc.repo.synergies()[:4]
        assert len(synergies) == 4
        times = {}
        for day, s in zip((3, 10, 20, 28), synergies, strict=True):
            at = datetime(2026, 5, day, 14, 30, tzinfo=UTC)
            svc.repo.move_synergy(s.id, SynergyStatus.CONTACTED, author="test", at=at)
            times[s.id] = at
    return times


def test_datetime_keeps_the_synergies_changed_in_the_interval(app, client, dated):
    def ids(expr: str) -> set:
        doc = _all(client, f"{BASE}/synergies/items?status=contacted&datetime={quote(expr)}")
        return {f["properties"]["synergy_id"] for f in doc["features"]}

    def expect(start: datetime | None, end: datetime | None) -> set:
        return {
            i
            for i, at in dated.items()
            if (start is None or at >= start) and (end is None or at <= end)
        }

    for expr in (
        "2026-05-10",
        "2026-05-10/2026-05-20",
        "../2026-05-09",
        "2026-05-21/..",
        "2026-05-20T14:30:00Z",
        "2026-05-20T10:30:00-04:00/..",
        "2026-05-20T14:30:01Z/",
    ):
        window = parse_datetime(expr)
        assert window is not None
        assert ids(expr) == expect(*window), expr
    assert ids("2026-05-10") == {i for i, at in dated.items() if at.day == 10}
    assert ids("2026-05-20T10:30:00-04:00/..") == {i for i, at in dated.items() if at.day >= 20}


def test_datetime_on_a_collection_without_time_is_refused(client):
    resp = client.get(f"{BASE}/sites/items?datetime=2026-05-01")
    assert resp.status_code == 400 and resp.get_json()["field"] == "datetime"


def test_extents_are_computed_from_the_data(app, client, dated):
    for layer_id in LAYERS:
        features = _features(app, layer_id)
        xs = [p[0] for f in features for p in _flat(f["geometry"]["coordinates"])]
        ys = [p[1] for f in features for p in _flat(f["geometry"]["coordinates"])]
        doc = client.get(f"{BASE}/{layer_id}").get_json()
        assert doc["extent"]["spatial"]["bbox"][0] == [min(xs), min(ys), max(xs), max(ys)]
    times = sorted(f["properties"]["updated_at"] for f in _features(app, "synergies"))
    interval = client.get(f"{BASE}/synergies").get_json()["extent"]["temporal"]["interval"][0]
    first = datetime.fromisoformat(interval[0].replace("Z", "+00:00"))
    last = datetime.fromisoformat(interval[1].replace("Z", "+00:00"))
    assert first == min(dated.values())
    assert last.replace(microsecond=0) == datetime.fromisoformat(times[-1]).replace(
        microsecond=0, tzinfo=UTC
    )
    assert "temporal" not in client.get(f"{BASE}/sites").get_json()["extent"]


def _flat(coordinates: Any) -> list:
    if isinstance(coordinates[0], int | float):
        return [coordinates]
    return [p for part in coordinates for p in _flat(part)]


# --- property filters, queryables, schema --------------------------------------------------------


def test_queryables_filter_by_property_value(app, client):
    features = _features(app, "sites")
    park = next(f["properties"]["park_id"] for f in features if f["properties"]["park_id"])
    expected = [f["id"] for f in features if f["properties"]["park_id"] == park]
    doc = _all(client, f"{BASE}/sites/items?park_id={quote(park)}")
    assert [f["id"] for f in doc["features"]] == expected
    assert doc["numberMatched"] == len(expected) < len(features)
    flows = _features(app, "flows")
    hazardous = [f["id"] for f in flows if f["properties"]["hazardous"] is True]
    assert [
        f["id"] for f in _all(client, f"{BASE}/flows/items?hazardous=true")["features"]
    ] == hazardous
    one = flows[3]["properties"]["site_id"]
    assert [f["id"] for f in _all(client, f"{BASE}/flows/items?site_id={one}")["features"]] == [
        f["id"] for f in flows if f["properties"]["site_id"] == one
    ]
    for query, name in (
        ("site_id=abc", "site_id"),
        ("hazardous=oui", "hazardous"),
        ("contact_email=x", "contact_email"),
    ):
        resp = client.get(f"{BASE}/flows/items?{query}")
        assert resp.status_code == 400 and resp.get_json()["field"] == name, query


def test_queryables_and_schema_are_linked_and_describe_the_properties(client):
    for c in client.get(BASE).get_json()["collections"]:
        links = {link["rel"]: link for link in c["links"]}
        schema_link = links["describedby"]
        assert schema_link["type"] == "application/schema+json"
        resp = client.get(schema_link["href"].split("localhost", 1)[-1])
        assert resp.status_code == 200 and resp.mimetype == "application/schema+json"
        schema = resp.get_json()
        layer = LAYERS[c["id"]]
        assert set(schema["properties"]) == {"geometry", *(f.name for f in layer.fields)}
        queryables = client.get(
            links["http://www.opengis.net/def/rel/ogc/1.0/queryables"]["href"].split(
                "localhost", 1
            )[-1]
        ).get_json()
        # Every property that leaves to every reader filters, numbers too; contacts don't.
        assert set(queryables["properties"]) == {
            f.name for f in layer.fields if not f.confidential and f.type in QUERYABLE_TYPES
        }
        for name in queryables["properties"]:
            assert client.get(f"{BASE}/{c['id']}/items?{name}=1").status_code in (200, 400)


# --- paging from the kept read -------------------------------------------------------------------


def test_pages_follow_a_change_to_the_registry(app, client):
    """The layer read is kept between pages, but never past a change to a flow."""
    flows = _features(app, "flows")
    before = client.get(f"{BASE}/flows/items?limit=1").get_json()["numberMatched"]
    assert before == len(flows)
    with app.app_context():
        _svc(app).repo.delete_flow(flows[0]["id"])
    doc = _all(client, f"{BASE}/flows/items")
    assert doc["numberMatched"] == before - 1
    assert flows[0]["id"] not in {f["id"] for f in doc["features"]}
    assert client.get(f"{BASE}/flows/items/{flows[0]['id']}").status_code == 404


def test_synergies_category_is_the_offers_code_and_category_id_the_map_filter(app, client, dated):
    """``category`` keeps every synergy whose property has that code (whatever the need's);
    ``category_id`` is the map's filter (offer and need in the category or below)."""
    features = _features(app, "synergies")
    code = features[0]["properties"]["category"]
    by_property = {f["id"] for f in features if f["properties"]["category"] == code}
    doc = _all(client, f"{BASE}/synergies/items?category={quote(code)}")
    assert {f["id"] for f in doc["features"]} == by_property
    assert doc["numberMatched"] == len(by_property)
    family = code.split(".")[0]
    mapped = _all(client, f"{BASE}/synergies/items?category_id={quote(family)}")["features"]
    assert all(f["properties"]["category"].split(".")[0] == family for f in mapped)
