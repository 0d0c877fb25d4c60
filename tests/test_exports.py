"""Downloads under /export/ and `mapservice export`: every layer in every format, read back
by GDAL (pyogrio) or the csv module, holds the same features and properties as the layer."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mapservice.domain.access import PUBLIC, STAFF
from mapservice.exports.fields import LAYERS
from mapservice.exports.jobs import LayerQuery, layer_features, parse_query

pyogrio = pytest.importorskip("pyogrio", reason="pyogrio (GDAL) reads the exports back")


@pytest.fixture
def svc(app):
    from mapservice.matching import jobs as synergy_jobs

    svc = app.extensions["mapservice"]
    synergy_jobs.match_all(svc, backend="geodesic", per_offer=2)
    return svc


def _expected(svc, layer_id, args=None, scope=STAFF, anonymise=False):
    query = parse_query(svc, args or {}) if args else LayerQuery()
    return list(layer_features(svc, layer_id, query, scope, anonymise=anonymise))


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_geojson_matches_the_layer(client, svc, layer_id):
    response = client.get(f"/export/{layer_id}.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    doc = json.loads(response.get_data(as_text=True))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert doc["features"] == json.loads(json.dumps(_expected(svc, layer_id)))


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_csv_has_every_feature_with_lon_lat(client, svc, layer_id):
    text = client.get(f"/export/{layer_id}.csv").get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    expected = _expected(svc, layer_id)
    assert len(rows) == len(expected)
    first = expected[0]
    key = next(iter(first["properties"]))
    assert rows[0][key] == str(first["properties"][key])
    assert {"lon", "lat"} <= set(rows[0])


@pytest.mark.parametrize("fmt", ["gpkg", "xlsx"])
def test_every_layer_in_one_file_read_back_by_gdal(client, svc, tmp_path, fmt):
    response = client.get(f"/export/tout.{fmt}")
    assert response.status_code == 200
    path = tmp_path / f"tout.{fmt}"
    path.write_bytes(response.get_data())
    names = [row[0] for row in pyogrio.list_layers(path)]
    assert set(LAYERS) <= set(names)
    for layer_id in LAYERS:
        frame = pyogrio.read_dataframe(path, layer=layer_id)
        expected = _expected(svc, layer_id)
        assert len(frame) == len(expected)
        assert list(frame.columns[: len(LAYERS[layer_id].field_names(STAFF))]) == LAYERS[
            layer_id
        ].field_names(STAFF)
    if fmt == "gpkg":
        sites = pyogrio.read_dataframe(path, layer="sites")
        assert sites.crs.to_epsg() == 4326
        assert sites.geometry.x.between(-73.6, -69.6).all()


def test_filters_narrow_every_format(client, svc):
    wood = client.get("/export/flows.geojson?category=bois&direction=offre").get_json()
    assert wood["features"]
    for feature in wood["features"]:
        props = feature["properties"]
        assert props["direction"] == "output"
        assert props["category"] == "bois" or props["category"].startswith("bois.")
    bbox = "-71.3,48.3,-70.9,48.5"
    inside = client.get(f"/export/sites.geojson?bbox={bbox}").get_json()["features"]
    expected = [
        s
        for s in svc.repo.sites()
        if s.lon is not None and -71.3 <= s.lon <= -70.9 and 48.3 <= s.lat <= 48.5
    ]
    assert sorted(f["id"] for f in inside) == sorted(s.id for s in expected)


def test_empty_results_are_valid_empty_files(client, svc, tmp_path):
    doc = client.get("/export/sites.geojson?q=zzzzzz").get_json()
    assert doc == {"type": "FeatureCollection", "features": []}
    text = client.get("/export/sites.csv?q=zzzzzz").get_data(as_text=True)
    assert len(text.strip().splitlines()) == 1  # the header
    path = tmp_path / "vide.gpkg"
    path.write_bytes(client.get("/export/sites.gpkg?q=zzzzzz").get_data())
    assert len(pyogrio.read_dataframe(path, layer="sites")) == 0


@pytest.mark.parametrize(
    "url, status, field",
    [
        ("/export/sites.geojson?park=nulle-part", 422, "park"),
        ("/export/sites.geojson?bbox=1,2,3", 422, "bbox"),
        ("/export/synergies.csv?status=peut-etre", 422, "status"),
        ("/export/sites.geojson?couleur=rouge", 422, "couleur"),
        ("/export/rivieres.geojson", 404, None),
        ("/export/sites.shp", 404, None),
        ("/export/tout.geojson", 404, None),
    ],
)
def test_bad_requests_say_what_was_expected(client, url, status, field):
    response = client.get(url)
    assert response.status_code == status
    if field:
        assert response.get_json()["field"] == field


def test_the_public_export_names_no_one_without_consent(client, svc):
    hidden = {m.name for m in svc.repo.members() if not m.public_consent}
    contacts = {m.contact_email for m in svc.repo.members() if m.contact_email}
    for layer_id in ("sites", "flows", "synergies"):
        text = client.get(f"/export/{layer_id}.geojson?anonyme=1").get_data(as_text=True)
        assert [n for n in hidden if json.dumps(n, ensure_ascii=False)[1:-1] in text] == []
        assert [c for c in contacts if c in text] == []
    expected = _expected(svc, "sites", scope=PUBLIC, anonymise=True)
    got = client.get("/export/sites.geojson?anonyme=1").get_json()["features"]
    assert got == json.loads(json.dumps(expected))


@pytest.mark.slow
def test_cli_export_writes_every_format(svc, tmp_path):
    from click.testing import CliRunner

    from mapservice.cli.main import main

    env = {
        "MAPSERVICE_DATABASE_URL": svc.settings["DATABASE_URL"],
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "i"),
    }
    runner = CliRunner()
    for name in ("flows.csv", "sites.geojson", "tout.gpkg", "tout.xlsx"):
        layer = name.split(".")[0]
        result = runner.invoke(
            main,
            ["export", layer, "--out", str(tmp_path / name), "--filter", "category=metaux"],
            env=env,
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "flows.csv").read_text("utf-8-sig"))))
    assert rows and all(r["category"].startswith("metaux") for r in rows)
    bad = runner.invoke(main, ["export", "sites", "--out", str(tmp_path / "x.shp")], env=env)
    assert bad.exit_code != 0 and ".geojson" in bad.output
    bad = runner.invoke(
        main,
        ["export", "sites", "--out", str(tmp_path / "x.csv"), "--filter", "park=nulle-part"],
        env=env,
    )
    assert bad.exit_code != 0 and "nulle-part" in bad.output


def test_a_name_that_looks_like_a_formula_stays_text_in_csv_and_xlsx(app, tmp_path):
    """CSV injection: a spreadsheet must show these names, never run them."""
    import csv
    import io

    from openpyxl import load_workbook

    from mapservice.domain.access import STAFF
    from mapservice.exports import formats as export_formats
    from mapservice.exports.jobs import LayerQuery, layer_features

    hostile = [
        '=HYPERLINK("http://x.example","clic")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "=cmd|' /C calc'!A0",
    ]
    with app.app_context():
        features = list(layer_features(app.extensions["mapservice"], "sites", LayerQuery(), STAFF))[
            : len(hostile)
        ]
    for feature, name in zip(features, hostile, strict=True):
        feature["properties"] = {**feature["properties"], "member": name}
    text = "".join(export_formats.csv_chunks("sites", features, STAFF)).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["member"] for r in rows] == ["'" + name for name in hostile]
    path = tmp_path / "x.xlsx"
    export_formats.write_xlsx(path, {"sites": features}, STAFF)
    sheet = load_workbook(path)["sites"]
    column = [c.value for c in sheet[1]].index("member") + 1
    cells = [sheet.cell(row=i + 2, column=column) for i in range(len(hostile))]
    assert [c.value for c in cells] == hostile
    assert all(c.data_type == "s" for c in cells)


def test_a_synergy_move_rereads_the_synergies_layer_only(svc):
    from mapservice.exports.jobs import cached_features
    from mapservice.matching import jobs as synergy_jobs

    sites = cached_features(svc, "sites", LayerQuery(), STAFF)
    synergies = cached_features(svc, "synergies", LayerQuery(), STAFF)
    moved = next(s for s in svc.repo.synergies() if s.status.value == "candidate")
    synergy_jobs.move(
        svc,
        synergy_id=moved.id,
        output_flow_id=None,
        input_flow_id=None,
        status="contacted",
        author="Test",
    )
    assert cached_features(svc, "sites", LayerQuery(), STAFF) is sites
    again = cached_features(svc, "synergies", LayerQuery(), STAFF)
    assert again is not synergies
    assert {
        f["properties"]["status"] for f in again if f["properties"]["synergy_id"] == moved.id
    } == {"contacted"}
