"""``bbox`` by intersection, and paging that writes one page: against a shapely oracle.

For seeded random boxes, every layer returns the ids whose *disclosed* geometry (the one the
reader is shown) intersects the box, on SQLite and PostGIS; a box inside a park returns the
park; a box a line crosses returns the line; a hidden site cannot be found by its true point.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from shapely.geometry import box, shape

from mapservice.domain.access import PUBLIC, STAFF, Scope
from mapservice.errors import InvalidInput
from mapservice.exports.fields import LAYERS
from mapservice.exports.jobs import LayerQuery, layer_features, layer_page, parse_query
from mapservice.exports.property_filters import queryables
from mapservice.geo.boxes import intersects, parse_bbox
from mapservice.services import Services
from tests.support.accounts import sign_in
from tests.support.postgis import fresh_schema
from tests.support.settings import make_settings

BASE = "/ogcapi/collections"
#: The region the demo covers, where random boxes are drawn.
REGION = (-72.6, 48.0, -70.6, 48.9)


@pytest.fixture(scope="module")
def postgis_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with its synergies in a PostGIS schema of this module's, built once: the
    tests here only read it."""
    from mapservice.ops.demo_pipeline import bring_to_life

    with fresh_schema() as url:
        svc = Services(make_settings(tmp_path_factory.mktemp("postgis_demo"), url))
        svc.init_database(demo=True)
        bring_to_life(svc)
        svc.close()
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def demo_svc(
    request: pytest.FixtureRequest, tmp_path: Path, live_demo_sqlite: Path
) -> Iterator[Any]:
    """The demo with its synergies on SQLite (a copy of the session's) and on PostGIS."""
    if request.param == "sqlite":
        target = tmp_path / "demo.sqlite"
        shutil.copy(live_demo_sqlite, target)
        url = "sqlite:///" + str(target)
    else:
        url = request.getfixturevalue("postgis_demo")
    svc = Services(make_settings(tmp_path, url))
    yield svc
    svc.close()


def _boxes(seed: int, count: int) -> list[tuple[float, float, float, float]]:
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        w, h = rng.uniform(0.005, 0.6), rng.uniform(0.005, 0.3)
        x, y = rng.uniform(REGION[0], REGION[2] - w), rng.uniform(REGION[1], REGION[3] - h)
        found.append((round(x, 4), round(y, 4), round(x + w, 4), round(y + h, 4)))
    return found


def _oracle(features: list[dict], bbox: tuple[float, float, float, float]) -> list:
    area = box(*bbox)
    return [f["id"] for f in features if f["geometry"] and shape(f["geometry"]).intersects(area)]


@pytest.mark.parametrize("scope", [STAFF, PUBLIC], ids=["staff", "public"])
@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_bbox_returns_what_intersects_the_disclosed_geometry(demo_svc, layer_id, scope):
    every = list(layer_features(demo_svc, layer_id, LayerQuery(), scope))
    assert every, layer_id
    for bbox in _boxes(18, {"routes": 2, "synergies": 8}.get(layer_id, 25)):
        got = [f["id"] for f in layer_features(demo_svc, layer_id, LayerQuery(bbox=bbox), scope)]
        assert got == _oracle(every, bbox), (layer_id, bbox)
        count, page = layer_page(demo_svc, layer_id, LayerQuery(bbox=bbox), scope, 0, 7)
        assert count == len(got) and [f["id"] for f in page] == got[:7]


def test_a_box_inside_a_park_returns_the_park(demo_svc):
    park = next(p for p in demo_svc.repo.parks() if p.outline)
    outline = shape(park.outline)
    inner = outline.representative_point().buffer(1e-4).envelope
    assert outline.contains(inner)
    inside = inner.bounds
    # no vertex of the outline is in the box: only intersection finds it
    assert not any(
        intersects({"type": "Point", "coordinates": p}, inside) for p in outline.exterior.coords
    )
    got = [f["id"] for f in layer_features(demo_svc, "parks", LayerQuery(bbox=inside), STAFF)]
    assert park.id in got


def test_a_box_on_a_line_with_no_vertex_in_it_returns_the_line(demo_svc):
    lines = [f for f in layer_features(demo_svc, "synergies", LayerQuery(), STAFF) if f["geometry"]]
    line = next(
        f for f in lines if shape(f["geometry"]).length > 0.05
    )  # long enough for a box between its ends
    middle = shape(line["geometry"]).interpolate(0.5, normalized=True)
    bbox = middle.buffer(1e-3).envelope.bounds
    got = [f["id"] for f in layer_features(demo_svc, "synergies", LayerQuery(bbox=bbox), STAFF)]
    assert line["id"] in got


def test_a_hidden_site_cannot_be_found_by_its_true_point(demo_svc):
    """The box runs over the shown point: a box around a hidden site's true position (and not
    its park's centre) does not return it, however small."""
    shown = {f["id"]: f for f in layer_features(demo_svc, "sites", LayerQuery(), PUBLIC)}
    true = {s.id: s for s in demo_svc.repo.sites()}
    hidden = [
        i
        for i, f in shown.items()
        if f["geometry"]
        and true[i].lon is not None
        and f["geometry"]["coordinates"] != [round(true[i].lon, 7), round(true[i].lat, 7)]
    ]
    assert hidden
    for site_id in hidden[:20]:
        site = true[site_id]
        tight = (site.lon - 1e-6, site.lat - 1e-6, site.lon + 1e-6, site.lat + 1e-6)
        if intersects(shown[site_id]["geometry"], tight):
            continue  # shown at its own point by chance
        for layer_id in ("sites", "flows"):
            found = layer_features(demo_svc, layer_id, LayerQuery(bbox=tight), PUBLIC)
            assert all(f["properties"].get("site_id", f["id"]) != site_id for f in found), (
                layer_id,
                site_id,
            )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-72,48,-71,49", (-72.0, 48.0, -71.0, 49.0)),
        ("-72,48,-10,-71,49,250", (-72.0, 48.0, -71.0, 49.0)),
        (" -72.5,48.2,0,-70.8,48.9,0", (-72.5, 48.2, -70.8, 48.9)),
    ],
)
def test_four_or_six_numbers(text, expected):
    assert parse_bbox(text) == expected


@pytest.mark.parametrize("text", ["-72,48,-71", "-72,48,0,-71,49", "a,b,c,d", "-71,48,-72,49"])
def test_a_malformed_box_says_what_was_expected(text):
    with pytest.raises(InvalidInput) as caught:
        parse_bbox(text)
    assert "attendu" in caught.value.message and "6 nombres" in caught.value.message


# --- over HTTP (SQLite demo) ---------------------------------------------------------------------


def _local(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")


def _link(doc: dict, rel: str) -> str | None:
    return next((link["href"] for link in doc["links"] if link["rel"] == rel), None)


def test_a_six_number_bbox_answers_as_the_four_number_one(client):
    four = client.get(f"{BASE}/sites/items?bbox=-71.8,48.3,-71.0,48.6&limit=1000")
    six = client.get(f"{BASE}/sites/items?bbox=-71.8,48.3,0,-71.0,48.6,500&limit=1000")
    assert four.status_code == six.status_code == 200
    assert [f["id"] for f in six.get_json()["features"]] == [
        f["id"] for f in four.get_json()["features"]
    ]
    lat_lon = "http://www.opengis.net/def/crs/EPSG/0/4326"
    other = client.get(
        f"{BASE}/sites/items?bbox=48.3,-71.8,0,48.6,-71.0,500&bbox-crs={lat_lon}&limit=1000"
    )
    assert other.status_code == 200
    assert other.get_json()["numberMatched"] == four.get_json()["numberMatched"]


@pytest.mark.parametrize("bbox", ["1,2,3", "1,2,3,4,5", "x,48,-71,49"])
def test_a_malformed_bbox_is_a_400_saying_what_came(client, bbox):
    response = client.get(f"{BASE}/sites/items?bbox={bbox}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and bbox in body["description"]


@pytest.mark.parametrize("layer_id", ["sites", "flows", "synergies", "routes"])
def test_paging_with_a_box_returns_each_feature_once(live_demo_app, layer_id):
    client = sign_in(live_demo_app.test_client(), "personnel")
    url: str | None = f"{BASE}/{layer_id}/items?bbox=-71.9,48.2,-70.9,48.6&limit=7"
    seen: list = []
    matched = None
    while url:
        doc = client.get(url).get_json()
        matched = doc["numberMatched"]
        seen += [f["id"] for f in doc["features"]]
        url = _local(_link(doc, "next")) if _link(doc, "next") else None
    assert matched and len(seen) == len(set(seen)) == matched


def test_past_the_end_prev_is_the_last_page_with_features(client):
    count = client.get(f"{BASE}/flows/items?limit=1").get_json()["numberMatched"]
    doc = client.get(f"{BASE}/flows/items?limit=10&offset={count + 500}").get_json()
    assert doc["numberReturned"] == 0 and _link(doc, "next") is None
    back = client.get(_local(_link(doc, "prev"))).get_json()
    assert back["numberReturned"] > 0 and _link(back, "next") is None


def test_the_collection_says_its_default_and_largest_page(client):
    doc = client.get(f"{BASE}/synergies").get_json()
    titles = [link["title"] for link in doc["links"] if link["rel"] == "items"]
    assert titles and all("100" in t and "10000" in t for t in titles)
    assert client.get(f"{BASE}/flows/items").get_json()["numberReturned"] == 100


def test_export_and_cli_filter_read_the_same_box(live_demo_app):
    svc = live_demo_app.extensions["mapservice"]
    with live_demo_app.app_context():
        query = parse_query(svc, {"bbox": "-71.9,48.2,0,-70.9,48.6,0"})
        scope: Scope = STAFF
        every = list(layer_features(svc, "synergies", LayerQuery(), scope))
        got = [f["id"] for f in layer_features(svc, "synergies", query, scope)]
    assert got == _oracle(every, (-71.9, 48.2, -70.9, 48.6))


def _a_property(layer_id: str, feature: dict) -> tuple[str, Any]:
    """A text queryable of ``layer_id`` that ``feature`` has a value for."""
    return next(
        (f.name, feature["properties"][f.name])
        for f in queryables(layer_id)
        if f.type == "string" and feature["properties"].get(f.name)
    )


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_a_property_filter_pages_over_the_whole_filtered_layer(demo_svc, layer_id):
    """Property filters compare written features: a page with one is cut from the whole layer
    filtered, inside the box, never from the selection before the filter."""
    every = list(layer_features(demo_svc, layer_id, LayerQuery(bbox=REGION), STAFF))
    name, value = _a_property(layer_id, every[-1])
    wanted = [f["id"] for f in every if f["properties"].get(name) == value]
    query = LayerQuery(bbox=REGION, properties=((name, value),))
    assert [f["id"] for f in layer_features(demo_svc, layer_id, query, STAFF)] == wanted
    for offset in (0, 2, len(wanted)):
        count, page = layer_page(demo_svc, layer_id, query, STAFF, offset, 2)
        assert count == len(wanted) and [f["id"] for f in page] == wanted[offset : offset + 2]


def test_paging_with_a_box_and_a_property_returns_each_match_once(live_demo_app):
    client = sign_in(live_demo_app.test_client(), "personnel")
    box_text = "-71.9,48.2,-70.9,48.6"
    every = client.get(f"{BASE}/sites/items?bbox={box_text}&limit=10000").get_json()["features"]
    name, value = _a_property("sites", every[-1])
    wanted = [f["id"] for f in every if f["properties"].get(name) == value]
    url: str | None = f"{BASE}/sites/items?bbox={box_text}&{urlencode({name: value})}&limit=2"
    seen: list = []
    while url:
        doc = client.get(url).get_json()
        assert doc["numberMatched"] == len(wanted)
        seen += [f["id"] for f in doc["features"]]
        url = _local(_link(doc, "next")) if _link(doc, "next") else None
    assert seen == wanted


def test_a_box_on_a_park_centre_returns_the_hidden_sites_drawn_there(demo_svc):
    """A reader who may not see a site exactly finds it where it is drawn: the store reads,
    beside the sites whose own point is in the box, those of the parks (and the towns) drawn
    in it, and none is missed. A staff reader finds only the sites truly in the box."""
    shown = list(layer_features(demo_svc, "sites", LayerQuery(), PUBLIC))
    true = {s.id: s for s in demo_svc.repo.sites()}
    parks = {p.id: p for p in demo_svc.repo.parks()}
    drawn_at_centre = [
        f
        for f in shown
        if (park := parks.get(true[f["id"]].park_id or ""))
        and f["geometry"]
        and f["geometry"]["coordinates"] == [round(park.centre_lon, 7), round(park.centre_lat, 7)]
        and true[f["id"]].lon is not None
        and abs(true[f["id"]].lon - park.centre_lon) + abs(true[f["id"]].lat - park.centre_lat)
        > 1e-4
    ]
    assert drawn_at_centre, "the demo has hidden park sites"
    lon, lat = drawn_at_centre[0]["geometry"]["coordinates"]
    tight = (lon - 1e-6, lat - 1e-6, lon + 1e-6, lat + 1e-6)
    for scope in (PUBLIC, STAFF):
        every = list(layer_features(demo_svc, "sites", LayerQuery(), scope))
        got = [f["id"] for f in layer_features(demo_svc, "sites", LayerQuery(bbox=tight), scope)]
        assert got == _oracle(every, tight)
        if scope is PUBLIC:
            assert drawn_at_centre[0]["id"] in got
        else:
            assert drawn_at_centre[0]["id"] not in got
        lines = list(layer_features(demo_svc, "synergies", LayerQuery(), scope))
        in_box = layer_features(demo_svc, "synergies", LayerQuery(bbox=tight), scope)
        assert [f["id"] for f in in_box] == _oracle(lines, tight)
    town_sites = [
        f for f in shown if f["geometry"] and not true[f["id"]].park_id and f["id"] in true
    ]
    for feature in town_sites[:10]:
        lon, lat = feature["geometry"]["coordinates"]
        tight = (lon - 1e-6, lat - 1e-6, lon + 1e-6, lat + 1e-6)
        got = [f["id"] for f in layer_features(demo_svc, "sites", LayerQuery(bbox=tight), PUBLIC)]
        assert feature["id"] in got


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def test_the_spatial_index_follows_every_write_to_a_site(backend, tmp_path):
    """The box query reads the store's index (SQLite's R*Tree kept by triggers, PostGIS's
    GiST on the generated point): a site added, moved, unplaced or deleted is found where it
    now is, and only there."""
    import contextlib

    import sqlalchemy as sa

    with contextlib.ExitStack() as stack:
        url = (
            "sqlite:///" + str(tmp_path / "box.sqlite")
            if backend == "sqlite"
            else stack.enter_context(fresh_schema())
        )
        svc = Services(make_settings(tmp_path, url))
        stack.callback(svc.close)
        svc.init_database(demo=False)
        repo = svc.repo
        member_id = repo.add_member({"name": "Scierie Témoin inc.", "public_consent": True})
        site_id = repo.add_site(
            {"member_id": member_id, "name": "Cour", "lon": -71.25, "lat": 48.42}
        )
        near = (-71.2501, 48.4199, -71.2499, 48.4201)
        far = (-71.6601, 48.5499, -71.6599, 48.5501)

        def found(bbox: tuple[float, float, float, float]) -> list[int | None]:
            return [s.id for s in repo.sites(bbox=bbox)]

        assert found(near) == [site_id] and found(far) == []
        repo.update_site(site_id, {"lon": -71.66, "lat": 48.55})
        assert found(near) == [] and found(far) == [site_id]
        repo.update_site(site_id, {"lon": None, "lat": None})
        assert found(near) == [] and found(far) == []
        repo.update_site(site_id, {"lon": -71.25, "lat": 48.42})
        assert found(near) == [site_id]
        with repo.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM sites WHERE id = :i"), {"i": site_id})
        assert found(near) == []
        if backend == "sqlite":
            with repo.engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT count(*) FROM sites_rtree")).scalar_one()
            assert rows == 0


def test_a_segment_meets_a_box_exactly_when_shapely_says_so():
    """The line test without geometry agrees with shapely on random segments and boxes,
    including segments along an edge, through a corner, and degenerate ones."""
    from shapely.geometry import LineString

    rng = random.Random(7)
    cases = [
        ((0.0, 0.0), (1.0, 0.0), (0.0, 0.0, 1.0, 1.0)),  # along an edge
        ((-1.0, 2.0), (2.0, -1.0), (0.0, 0.0, 1.0, 1.0)),  # through the corner (1, 1)
        ((-1.0, 2.1), (2.1, -1.0), (0.0, 0.0, 1.0, 1.0)),  # just past it
        ((0.5, 0.5), (0.5, 0.5), (0.0, 0.0, 1.0, 1.0)),  # a point inside
    ]
    for _ in range(3000):
        x1, y1, x2, y2 = (rng.uniform(-2, 3) for _ in range(4))
        w, h = rng.uniform(0.01, 2), rng.uniform(0.01, 2)
        bx, by = rng.uniform(-1, 1), rng.uniform(-1, 1)
        cases.append(((x1, y1), (x2, y2), (bx, by, bx + w, by + h)))
    for a, b, bbox in cases:
        line = {"type": "LineString", "coordinates": [list(a), list(b)]}
        expected = (
            LineString([a, b]).intersects(box(*bbox))
            if a != b
            else box(*bbox).covers(shape({"type": "Point", "coordinates": a}))
        )
        assert intersects(line, bbox) == expected, (a, b, bbox)
