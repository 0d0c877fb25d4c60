"""Writers of a layer's features: GeoJSON and CSV as streams, XLSX and GeoPackage as files.

Every writer takes the features lazily (see :func:`mapservice.exports.jobs.layer_features`), so
50,000 features are never held twice. GeoJSON is RFC 7946 (WGS84 lon/lat, no ``crs``, 6
decimals, already so in the features); CSV carries ``lon``/``lat`` (the point, a polygon's
centroid, or both ends of a line as ``lon``/``lat`` and ``to_lon``/``to_lat``) and ``wkt`` for
what is not a point.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mapservice.domain.access import Scope
from mapservice.domain.moments import as_utc, parse_rfc3339
from mapservice.domain.text import without_bidi
from mapservice.exports.fields import LAYERS, Field, Layer
from mapservice.geo.geojson import positions

FORMATS = {
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}


def geojson_chunks(features: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A FeatureCollection, one feature per chunk."""
    yield '{"type":"FeatureCollection","features":['
    first = True
    for feature in features:
        # A bidirectional control only ever stands inside a string: dropped from the text.
        yield ("" if first else ",\n") + without_bidi(
            json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        )
        first = False
    yield "]}\n"


def position_columns(layer: Layer) -> list[str]:
    if layer.geometry in ("LineString", "MultiLineString"):
        return ["lon", "lat", "to_lon", "to_lat", "wkt"]
    if layer.geometry == "Polygon":
        return ["lon", "lat", "wkt"]
    return ["lon", "lat"]


def position_values(layer: Layer, geometry: dict[str, Any] | None) -> list[Any]:
    columns = position_columns(layer)
    if geometry is None:
        return [""] * len(columns)
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return [lon, lat] + [""] * (len(columns) - 2)
    from shapely.geometry import shape

    geom = shape(geometry)
    if geometry["type"] in ("LineString", "MultiLineString"):
        ends = list(positions(geometry["coordinates"]))
        (lon, lat), (to_lon, to_lat) = ends[0], ends[-1]
        return [lon, lat, to_lon, to_lat, geom.wkt]
    centre = geom.centroid
    return [round(centre.x, 6), round(centre.y, 6), geom.wkt]


#: What a spreadsheet reads as the start of a formula in a CSV cell (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe, which
    Excel and LibreOffice show as text, and loses its bidirectional controls; numbers and
    other values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = without_bidi(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_chunks(
    layer_id: str, features: Iterable[dict[str, Any]], scope: Scope, *, bom: bool = True
) -> Iterator[str]:
    """UTF-8 CSV (a BOM first, for Excel), one chunk per row, the layer's fields in order."""
    layer = LAYERS[layer_id]
    names = layer.field_names(scope)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(names + position_columns(layer))
    yield ("\ufeff" if bom else "") + take()
    for feature in features:
        props = feature["properties"]
        writer.writerow(
            [("" if props[n] is None else csv_safe(props[n])) for n in names]
            + position_values(layer, feature["geometry"])
        )
        yield take()


def write_xlsx(path: Path, layers: Mapping[str, Iterable[dict[str, Any]]], scope: Scope) -> None:
    """One sheet per layer (lon/lat columns), and a sheet "champs" describing every field."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)

    def text_cell(sheet: Any, value: Any) -> Any:
        """openpyxl writes a text starting with "=" as a live formula: keep it a string."""
        if isinstance(value, str):
            value = without_bidi(value)
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    def moment_cell(sheet: Any, value: Any) -> Any:
        """A date cell (Excel has no time zone: the UTC time, the header says so)."""
        moment = parse_rfc3339(value) if isinstance(value, str) else as_utc(value)
        if moment is None:
            return None
        cell = WriteOnlyCell(sheet, value=moment.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell

    for layer_id, features in layers.items():
        layer = LAYERS[layer_id]
        names = layer.field_names(scope)
        timed = {f.name for f in layer.fields if f.format == "date-time"}
        sheet = book.create_sheet(layer_id)
        sheet.append(names + position_columns(layer))
        for feature in features:
            props = feature["properties"]
            sheet.append(
                [
                    moment_cell(sheet, props[n]) if n in timed else text_cell(sheet, props[n])
                    for n in names
                ]
                + position_values(layer, feature["geometry"])
            )
    fields = book.create_sheet("champs")
    fields.append(["couche", "champ", "type", "libellé", "label"])
    for layer_id in layers:
        for f in LAYERS[layer_id].fields:
            if scope.confidential or not f.confidential:
                fields.append([layer_id, f.name, f.format or f.type, f.label_fr, f.label_en])
    book.save(path)


#: The geometry type each layer's GeoPackage table declares (GDAL 3.6 and QGIS 3.22 read it as
#: is): parks are their outlines, every one a MultiPolygon (a park with no outline has no
#: geometry there; its centre is in the other formats).
GPKG_GEOMETRY = {
    "parks": "MultiPolygon",
    "sites": "Point",
    "flows": "Point",
    "synergies": "LineString",
    "routes": "MultiLineString",
}
#: GeoPackage 1.2: GDAL 3.6 and QGIS 3.22 warn that 1.4 "may only be partially supported".
GPKG_VERSION = "1.2"
#: GDAL's time zone flag for UTC (RFC 56).
_GDAL_UTC = 100


def _gpkg_geometry(layer_id: str, geometry: dict[str, Any] | None) -> bytes | None:
    from shapely.geometry import MultiPolygon, Polygon, shape

    if geometry is None:
        return None
    geom = shape(geometry)
    if GPKG_GEOMETRY[layer_id] == "MultiPolygon":
        if isinstance(geom, Polygon):
            geom = MultiPolygon([geom])
        elif not isinstance(geom, MultiPolygon):
            return None  # a park's centre: not an outline
    return geom.wkb


def _column(kind: str, fmt: str | None, values: list[Any]) -> tuple[Any, Any]:
    """One field's values as the array its schema type writes, and its mask of nulls."""
    import numpy as np

    nulls = np.array([v is None for v in values], dtype=bool)
    if fmt == "date-time":
        moments = [parse_rfc3339(v) if isinstance(v, str) else as_utc(v) for v in values]
        naive = [None if m is None else m.replace(tzinfo=None) for m in moments]
        return np.array(naive, dtype="datetime64[ms]"), nulls
    if kind == "number":
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64"), nulls
    if kind == "integer":
        return np.array([0 if v is None else int(v) for v in values], dtype="int64"), nulls
    if kind == "boolean":
        return np.array([bool(v) for v in values], dtype="bool"), nulls
    text = [None if v is None else without_bidi(str(v)) for v in values]
    return np.array(text, dtype=object), None


def _write_batch(
    path: Path, layer_id: str, fields: list[Field], rows: list[dict[str, Any]], *, append: bool
) -> None:
    """One batch of a layer's features into the GeoPackage (``append``: to what is there)."""
    import numpy as np
    import pyogrio.raw

    geometry = np.array([_gpkg_geometry(layer_id, r["geometry"]) for r in rows], dtype=object)
    columns = [_column(f.type, f.format, [r["properties"][f.name] for r in rows]) for f in fields]
    times = {
        f.name: np.full(len(rows), _GDAL_UTC, dtype="int32")
        for f in fields
        if f.format == "date-time"
    }
    pyogrio.raw.write(
        str(path),
        geometry=geometry,
        field_data=[c[0] for c in columns],
        field_mask=[c[1] for c in columns],
        fields=[f.name for f in fields],
        layer=layer_id,
        driver="GPKG",
        crs="EPSG:4326",
        geometry_type=GPKG_GEOMETRY[layer_id],
        append=append,
        promote_to_multi=False,
        dataset_options=None if append else {"VERSION": GPKG_VERSION},
        gdal_tz_offsets=times,
    )


def write_gpkg(
    path: Path, layers: Mapping[str, Iterable[dict[str, Any]]], scope: Scope, *, batch: int = 5000
) -> dict[str, int]:
    """Every layer into one GeoPackage 1.2 (EPSG:4326), written in batches; returns the counts.

    Field types come from the layer's schema (:mod:`mapservice.exports.fields`), never from
    the rows: a column with no value is still Real, Integer64, Boolean or DateTime (UTC).
    """
    counts: dict[str, int] = {}
    created = False
    for layer_id, features in layers.items():
        fields = [f for f in LAYERS[layer_id].fields if scope.confidential or not f.confidential]
        counts[layer_id] = 0
        rows: list[dict[str, Any]] = []
        wrote_any = False
        for feature in features:
            rows.append(feature)
            if len(rows) >= batch:
                _write_batch(path, layer_id, fields, rows, append=created or wrote_any)
                counts[layer_id] += len(rows)
                rows, wrote_any = [], True
        if rows or not wrote_any:
            _write_batch(path, layer_id, fields, rows, append=created or wrote_any)
            counts[layer_id] += len(rows)
        created = True
    return counts
