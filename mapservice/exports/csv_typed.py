"""The CSV's companions: the ``.csvt`` that GDAL reads beside a CSV, and the CSV for a
French-Canadian Excel.

The machine CSV (:func:`mapservice.exports.formats.csv_chunks`: ``,``, decimal points, the
fields' names) carries no types; GDAL reads them from a ``.csvt`` of the same name, one line
of types in column order (``Integer64,String,Real,DateTime,…``), which
:func:`csvt` writes from the layer's schema. A single HTTP download cannot bring a second
file along, so the ``.csvt`` is its own URL beside the CSV's (``/export/sites.csvt``): GDAL
opening ``/vsicurl/…/export/sites.csv`` fetches it by itself.

The Excel CSV (:func:`excel_csv_chunks`) is what a spreadsheet set to French (Canada) opens
with a double click: ``;`` between cells, a decimal comma, the fields' French labels as
headers, UTF-8 with a BOM, times as ``AAAA-MM-JJ HH:MM:SS`` in UTC.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from mapservice.domain.access import Scope
from mapservice.domain.moments import as_utc, parse_rfc3339
from mapservice.exports.fields import LAYERS, Field
from mapservice.exports.formats import csv_safe, position_columns, position_values

#: GDAL's CSV field types (https://gdal.org/drivers/vector/csv.html) by schema type.
_CSVT = {
    "integer": "Integer64",
    "number": "Real",
    "string": "String",
    "boolean": "Integer(Boolean)",
}
#: The French headers of the position columns.
POSITION_LABELS = {
    "lon": "Longitude",
    "lat": "Latitude",
    "to_lon": "Longitude d'arrivée",
    "to_lat": "Latitude d'arrivée",
    "wkt": "Géométrie (WKT)",
}


def _csvt_type(f: Field) -> str:
    return "DateTime" if f.format == "date-time" else _CSVT[f.type]


def csvt(layer_id: str, scope: Scope) -> str:
    """The ``.csvt`` line of the machine CSV of ``layer_id`` for ``scope`` (same columns):
    a point's ``lon``/``lat`` are its coordinates (``CoordX``/``CoordY``), a line's or an
    outline's ``wkt`` its geometry (``WKT``)."""
    layer = LAYERS[layer_id]
    types = [_csvt_type(f) for f in layer.fields if scope.confidential or not f.confidential]
    positions = position_columns(layer)
    if positions == ["lon", "lat"]:
        types += ["CoordX", "CoordY"]
    else:
        types += ["Real"] * (len(positions) - 1) + ["WKT"]
    return ",".join(types) + "\r\n"


def _excel_value(value: Any, f: Field | None) -> Any:
    """A cell as French (Canada) Excel reads it."""
    if value is None or value == "":
        return ""
    if f is not None and f.format == "date-time":
        moment = parse_rfc3339(value) if isinstance(value, str) else as_utc(value)
        return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return csv_safe(value)


def excel_csv_chunks(
    layer_id: str, features: Iterable[dict[str, Any]], scope: Scope
) -> Iterator[str]:
    """The layer for a French-Canadian Excel: a BOM, then one chunk per row (see the module)."""
    layer = LAYERS[layer_id]
    fields = [f for f in layer.fields if scope.confidential or not f.confidential]
    positions = position_columns(layer)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([f.label_fr for f in fields] + [POSITION_LABELS[p] for p in positions])
    yield "\ufeff" + take()
    for feature in features:
        props = feature["properties"]
        writer.writerow(
            [_excel_value(props[f.name], f) for f in fields]
            + [
                v if isinstance(v, str) else _excel_value(float(v), None)
                for v in position_values(layer, feature["geometry"])
            ]
        )
        yield take()
