"""Export files that open from their URL: Range and conditional requests on the kept files
(206, 416, 304), and GDAL's ``/vsicurl/`` (Debian's ``ogrinfo`` 3.6 and pyogrio) reading a
GeoPackage from a live server with the token in ``GDAL_HTTP_HEADERS``, as the README shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import MANAGED
from tests.support.gdal import ogrinfo, pyogrio_options


def _fetch(client: Any, path: str, method: str = "GET", **headers: str) -> Any:
    """The response, read and closed (its kept file with it), even when it has no body."""
    response = client.open(path, method=method, headers=headers)
    response.get_data()
    response.close()
    return response


def test_kept_files_answer_range_and_conditional_requests(client):
    whole = _fetch(client, "/export/sites.gpkg")
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    body = whole.get_data()
    size = len(body)
    assert int(whole.headers["Content-Length"]) == size
    etag, modified = whole.headers["ETag"], whole.headers["Last-Modified"]

    part = _fetch(client, "/export/sites.gpkg", Range="bytes=100-1123")
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-1123/{size}"
    assert part.get_data() == body[100:1124]
    tail = _fetch(client, "/export/sites.gpkg", Range="bytes=-16")
    assert tail.status_code == 206 and tail.get_data() == body[-16:]
    past = _fetch(client, "/export/sites.gpkg", Range=f"bytes={size + 10}-")
    assert past.status_code == 416 and past.headers["Content-Range"] == f"bytes */{size}"

    assert _fetch(client, "/export/sites.gpkg", **{"If-None-Match": etag}).status_code == 304
    since = _fetch(client, "/export/sites.gpkg", **{"If-Modified-Since": modified})
    assert since.status_code == 304
    # the same ETag again (one build per data stamp); another layer, another file
    assert _fetch(client, "/export/sites.gpkg").headers["ETag"] == etag
    assert _fetch(client, "/export/parks.gpkg").headers["ETag"] != etag
    head = _fetch(client, "/export/sites.gpkg", method="HEAD")
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == size
    xlsx = _fetch(client, "/export/sites.xlsx", Range="bytes=0-3")
    assert xlsx.status_code == 206 and xlsx.get_data() == b"PK\x03\x04"


def _gdal_env(token: str) -> dict[str, str]:
    """The GDAL options the README gives: the token as a header, no directory listing."""
    return {
        "GDAL_HTTP_HEADERS": f"Authorization: Bearer {token}",
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".gpkg,.csv,.csvt,.xlsx,.geojson",
    }


def test_gdal_opens_the_geopackage_from_its_url_with_the_token(served: str, tmp_path: Path):
    """Debian's ogrinfo (GDAL 3.6) and geopandas through pyogrio (a newer GDAL) read
    /export/tout.gpkg over /vsicurl/ with ``GDAL_HTTP_HEADERS``, as the README shows: the
    staff's every site, the park manager's park only, nothing without the token."""
    url = f"/vsicurl/{served}/export/tout.gpkg"
    staff = ogrinfo("-so", url, "sites", env=_gdal_env(MANAGED["staff_token"]))
    assert staff.returncode == 0, staff.stderr
    assert staff.stderr == "", staff.stderr
    assert "Geometry: Point" in staff.stdout
    count = int(staff.stdout.split("Feature Count: ")[1].split()[0])
    assert count > 0
    no_token = ogrinfo("-so", url, "sites")
    assert no_token.returncode != 0 or "Feature Count: " + str(count) not in no_token.stdout

    geopandas = pytest.importorskip("geopandas")
    with pyogrio_options(_gdal_env(MANAGED["manager_token"])):
        frame = geopandas.read_file(url, layer="sites", engine="pyogrio")
        parks = geopandas.read_file(url, layer="parks", engine="pyogrio")
    assert set(frame["park_id"]) <= {MANAGED["park"]} and len(frame) < count
    assert list(parks["park_id"]) == [MANAGED["park"]]
    assert str(parks.geometry.iloc[0].geom_type) in ("MultiPolygon", "None")


def test_gdal_reads_the_csv_typed_from_its_url(served: str):
    """GDAL 3.6 opening the machine CSV over /vsicurl/ fetches the ``.csvt`` beside it by
    itself: ``area_ha`` is Real, the points' lon/lat their geometry."""
    env = _gdal_env(MANAGED["staff_token"])
    del env["GDAL_DISABLE_READDIR_ON_OPEN"]  # the .csvt is a sibling GDAL must look for
    done = ogrinfo("-so", f"/vsicurl/{served}/export/parks.csv", "parks", env=env)
    assert done.returncode == 0, done.stderr
    assert "area_ha: Real" in done.stdout, done.stdout
    sites = ogrinfo("-so", f"/vsicurl/{served}/export/sites.csv", "sites", env=env)
    assert "Geometry: Point" in sites.stdout and "offers: Integer64" in sites.stdout


def test_a_csv_read_by_ranges_is_the_streamed_one(client):
    """GeoJSON and CSV stream; HEAD or a Range gets the same bytes from a kept file."""
    streamed = _fetch(client, "/export/sites.csv")
    assert "Accept-Ranges" not in streamed.headers
    body = streamed.get_data()
    head = _fetch(client, "/export/sites.csv", method="HEAD")
    assert int(head.headers["Content-Length"]) == len(body)
    part = _fetch(client, "/export/sites.csv", Range="bytes=3-")
    assert part.status_code == 206 and part.get_data() == body[3:]
    geojson = _fetch(client, "/export/parks.geojson")
    tail = _fetch(client, "/export/parks.geojson", Range="bytes=-40")
    assert tail.get_data() == geojson.get_data()[-40:]
