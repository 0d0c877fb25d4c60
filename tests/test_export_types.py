"""Export files typed from the layers' schema and read back by real readers: GeoPackage 1.2
that GDAL 3.6 (Debian's ``ogrinfo``) opens without a warning, with precise geometry types and
DateTime in UTC; date cells in workbooks; the ``.csvt`` beside a CSV; the CSV for a
French-Canadian Excel; times with their offset everywhere."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest

from mapservice.domain.access import STAFF
from mapservice.exports import csv_typed, formats
from mapservice.exports.fields import LAYERS
from mapservice.exports.jobs import LayerQuery, layer_features
from tests.support.gdal import field_types, ogrinfo


def _matched(app: Any) -> Any:
    from mapservice.matching import jobs as synergy_jobs

    svc = app.extensions["mapservice"]
    synergy_jobs.match_all(svc, backend="geodesic", per_offer=2)
    return svc


def test_the_geopackage_opens_in_gdal_3_6_without_warning_with_precise_types(app, client, tmp_path):
    _matched(app)
    response = client.get("/export/tout.gpkg")
    assert response.status_code == 200
    path = tmp_path / "tout.gpkg"
    path.write_bytes(response.get_data())
    expected = {
        "parks": "Multi Polygon",
        "sites": "Point",
        "flows": "Point",
        "synergies": "Line String",
        "routes": "Multi Line String",
    }
    for layer_id, geometry in expected.items():
        done = ogrinfo("-so", str(path), layer_id)
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", done.stderr  # no « GeoPackage 1.4 … partially supported »
        assert f"Geometry: {geometry}" in done.stdout
        types = field_types(done.stdout)
        for f in LAYERS[layer_id].fields:
            want = {
                "integer": "Integer64",
                "number": "Real",
                "boolean": "Integer(Boolean)",
                "string": "String",
            }[f.type]
            assert types[f.name] == ("DateTime" if f.format == "date-time" else want), f.name
    # GeoPackage 1.2: application_id GPKG, user_version 10200
    import sqlite3

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200


def test_types_come_from_the_schema_not_from_the_rows(app, tmp_path):
    """Parks that have no area (a park manager's, say) still give area_ha as Real, in the
    GeoPackage, the .csvt and the workbook's field sheet; no time still gives a DateTime."""
    svc = _matched(app)
    parks = list(layer_features(svc, "parks", LayerQuery(), STAFF))
    synergies = list(layer_features(svc, "synergies", LayerQuery(), STAFF))[:3]
    for p in parks:
        p["properties"]["area_ha"] = None
    for s in synergies:
        s["properties"]["updated_at"] = None
        s["properties"]["score"] = None
    path = tmp_path / "bare.gpkg"
    formats.write_gpkg(path, {"parks": parks, "synergies": synergies}, STAFF)
    parks_report = ogrinfo("-so", str(path), "parks")
    assert field_types(parks_report.stdout)["area_ha"] == "Real"
    synergies_report = ogrinfo("-so", str(path), "synergies")
    types = field_types(synergies_report.stdout)
    assert types["updated_at"] == "DateTime" and types["score"] == "Integer64"

    pyogrio = pytest.importorskip("pyogrio")
    frame = pyogrio.read_dataframe(path, layer="synergies")
    assert frame["score"].isna().all() and frame["updated_at"].isna().all()
    assert str(pyogrio.read_info(path, layer="parks")["dtypes"][8]) == "float64"

    csvt = csv_typed.csvt("parks", STAFF).strip().split(",")
    names = LAYERS["parks"].field_names(STAFF) + ["lon", "lat", "wkt"]
    assert dict(zip(names, csvt, strict=True))["area_ha"] == "Real"


def test_times_carry_their_offset_and_are_typed(app, client, tmp_path):
    """updated_at is RFC 3339 in UTC (``Z``) in GeoJSON and OGC API items; a DateTime in
    UTC in the GeoPackage; a date cell in the workbook."""
    _matched(app)
    body = client.get("/export/synergies.geojson").get_json()
    moment = body["features"][0]["properties"]["updated_at"]
    assert moment.endswith("Z") and datetime.fromisoformat(moment).utcoffset().total_seconds() == 0
    items = client.get("/ogcapi/collections/synergies/items?f=json&limit=5").get_json()
    assert all(f["properties"]["updated_at"].endswith("Z") for f in items["features"])
    schema = client.get("/ogcapi/collections/synergies/schema").get_json()
    assert schema["properties"]["updated_at"]["format"] == "date-time"

    path = tmp_path / "synergies.gpkg"
    path.write_bytes(client.get("/export/synergies.gpkg").get_data())
    pyogrio = pytest.importorskip("pyogrio")
    frame = pyogrio.read_dataframe(path, datetime_as_string=True)
    first = frame["updated_at"].iloc[0]
    assert first.endswith("Z") or first.endswith("+00:00"), first
    assert datetime.fromisoformat(first.replace("Z", "+00:00")) == datetime.fromisoformat(
        frame.sort_values("synergy_id")["updated_at"].iloc[0].replace("Z", "+00:00")
    )
    done = ogrinfo("-al", "-where", "synergy_id = " + str(frame["synergy_id"].iloc[0]), str(path))
    assert (
        "updated_at (DateTime) = " in done.stdout and "+00" in done.stdout.split("updated_at")[-1]
    )

    openpyxl = pytest.importorskip("openpyxl")
    xlsx = tmp_path / "synergies.xlsx"
    xlsx.write_bytes(client.get("/export/synergies.xlsx").get_data())
    book = openpyxl.load_workbook(xlsx, read_only=True)
    rows = list(book["synergies"].iter_rows(values_only=True))
    column = rows[0].index("updated_at")
    assert all(isinstance(r[column], datetime) for r in rows[1:])
    by_id = {f["id"]: f["properties"]["updated_at"] for f in body["features"]}
    first_row = rows[1]
    expected = datetime.fromisoformat(by_id[first_row[0]].replace("Z", "+00:00"))
    assert abs((first_row[column] - expected.replace(tzinfo=None)).total_seconds()) < 0.01
    book.close()


def test_the_csvt_gives_gdal_the_csv_types(app, client, tmp_path):
    """``/export/<layer>.csvt`` beside the CSV: GDAL 3.6 reads the CSV's fields typed."""
    _matched(app)
    for layer_id in ("parks", "sites", "synergies"):
        csv_text = client.get(f"/export/{layer_id}.csv").get_data(as_text=True)
        (tmp_path / f"{layer_id}.csv").write_text(csv_text.lstrip("\ufeff"), encoding="utf-8")
        csvt = client.get(f"/export/{layer_id}.csvt")
        assert csvt.status_code == 200
        (tmp_path / f"{layer_id}.csvt").write_text(csvt.get_data(as_text=True))
        header = next(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
        assert len(csvt.get_data(as_text=True).strip().split(",")) == len(header)
        done = ogrinfo("-so", str(tmp_path / f"{layer_id}.csv"), layer_id)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        types = field_types(done.stdout)
        assert types[LAYERS[layer_id].fields[0].name] in ("Integer64", "String")
        if layer_id == "parks":
            assert types["area_ha"] == "Real"
        if layer_id == "sites":
            assert "Geometry: Point" in done.stdout and types["offers"] == "Integer64"
        if layer_id == "synergies":
            assert types["updated_at"] == "DateTime" and types["net_t_co2e"] == "Real"
            # a CSV cannot declare a geometry type: GDAL reads the WKT column as the geometry
            assert "Geometry Column = geom_wkt" in done.stdout


def test_the_excel_csv_is_french_canadian(app, client):
    """``?csv=excel``: BOM, ``;``, French headers, decimal comma; the map offers it; the
    machine CSV is unchanged; another value of ``csv`` is refused."""
    _matched(app)
    response = client.get("/export/synergies.csv?csv=excel")
    assert response.status_code == 200
    assert 'filename="synergies-excel.csv"' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    fields = [f for f in LAYERS["synergies"].fields]
    assert rows[0][: len(fields)] == [f.label_fr for f in fields]
    assert rows[0][len(fields) :] == [
        "Longitude",
        "Latitude",
        "Longitude d'arrivée",
        "Latitude d'arrivée",
        "Géométrie (WKT)",
    ]
    km = rows[0].index("Distance à vol d'oiseau (km)")
    assert any("," in r[km] for r in rows[1:]) and not any("." in r[km] for r in rows[1:])
    when = rows[0].index("Mis à jour (UTC)")
    datetime.strptime(rows[1][when], "%Y-%m-%d %H:%M:%S")
    machine = client.get("/export/synergies.csv").get_data(as_text=True).lstrip("\ufeff")
    machine_rows = list(csv.reader(io.StringIO(machine)))
    assert len(machine_rows) == len(rows)
    assert (
        machine_rows[0][0] == "synergy_id"
        and "." in machine_rows[1][machine_rows[0].index("geodesic_km")]
    )

    page = client.get("/").get_data(as_text=True)
    assert 'id="export-excel"' in page and "csv=excel" in page
    assert client.get("/export/sites.csv?csv=tableur").status_code == 422
