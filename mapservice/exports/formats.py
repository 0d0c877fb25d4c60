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
from mapservice.domain.text import without_bidi
from mapservice.exports.fields import LAYERS, Layer
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


def _position_columns(layer: Layer) -> list[str]:
    if layer.geometry in ("LineString", "MultiLineString"):
        return ["lon", "lat", "to_lon", "to_lat", "wkt"]
    if layer.geometry == "Polygon":
        return ["lon", "lat", "wkt"]
    return ["lon", "lat"]


def _positions(layer: Layer, geometry: dict[str, Any] | None) -> list[Any]:
    columns = _position_columns(layer)
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

    writer.writerow(names + _position_columns(layer))
    yield ("\ufeff" if bom else "") + take()
    for feature in features:
        props = feature["properties"]
        writer.writerow(
            [("" if props[n] is None else csv_safe(props[n])) for n in names]
            + _positions(layer, feature["geometry"])
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

    for layer_id, features in layers.items():
        layer = LAYERS[layer_id]
        names = layer.field_names(scope)
        sheet = book.create_sheet(layer_id)
        sheet.append(names + _position_columns(layer))
        for feature in features:
            props = feature["properties"]
            sheet.append(
                [text_cell(sheet, props[n]) for n in names] + _positions(layer, feature["geometry"])
            )
    fields = book.create_sheet("champs")
    fields.append(["couche", "champ", "type", "libellé", "label"])
    for layer_id in layers:
        for f in LAYERS[layer_id].fields:
            if scope.confidential or not f.confidential:
                fields.append([layer_id, f.name, f.type, f.label_fr, f.label_en])
    book.save(path)


_OGR_TYPES = {"integer": "int64", "number": "float64", "boolean": "bool", "string": "object"}


def write_gpkg(
    path: Path, layers: Mapping[str, Iterable[dict[str, Any]]], scope: Scope, *, batch: int = 5000
) -> dict[str, int]:
    """Every layer into one GeoPackage (EPSG:4326), written in batches; returns the counts."""
    import numpy as np
    import pyogrio.raw
    from shapely.geometry import shape

    counts: dict[str, int] = {}
    first_layer = True
    for layer_id, features in layers.items():
        layer = LAYERS[layer_id]
        names = layer.field_names(scope)
        kinds = {f.name: f.type for f in layer.fields}
        counts[layer_id] = 0
        rows: list[dict[str, Any]] = []

        def flush(
            rows: list[dict[str, Any]],
            *,
            append: bool,
            layer: Layer = layer,
            names: list[str] = names,
            kinds: dict[str, str] = kinds,
        ) -> None:
            geometry = np.array(
                [None if r["geometry"] is None else shape(r["geometry"]).wkb for r in rows],
                dtype=object,
            )
            data = []
            for name in names:
                values = [r["properties"][name] for r in rows]
                kind = kinds[name]
                if kind == "number":
                    data.append(
                        np.array(
                            [np.nan if v is None else float(v) for v in values], dtype="float64"
                        )
                    )
                elif kind == "integer":
                    data.append(
                        np.array([-1 if v is None else int(v) for v in values], dtype="int64")
                        if None not in values
                        else np.array([np.nan if v is None else float(v) for v in values])
                    )
                elif kind == "boolean":
                    data.append(np.array([bool(v) for v in values], dtype="bool"))
                else:
                    data.append(
                        np.array(
                            [None if v is None else without_bidi(str(v)) for v in values],
                            dtype=object,
                        )
                    )
            pyogrio.raw.write(
                str(path),
                geometry=geometry,
                field_data=data,
                fields=names,
                layer=layer.id,
                driver="GPKG",
                crs="EPSG:4326",
                geometry_type="Unknown" if layer.geometry == "Polygon" else layer.geometry,
                append=append,
                promote_to_multi=False,
            )

        wrote_any = False
        for feature in features:
            rows.append(feature)
            if len(rows) >= batch:
                flush(rows, append=not first_layer or wrote_any)
                counts[layer_id] += len(rows)
                rows, wrote_any = [], True
        if rows or not wrote_any:
            flush(rows, append=not first_layer or wrote_any)
            counts[layer_id] += len(rows)
        first_layer = False
    return counts
