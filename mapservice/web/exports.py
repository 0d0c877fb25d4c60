"""Downloads under ``/export/``: each layer as GeoJSON, CSV, XLSX or GeoPackage, and every
layer in one GeoPackage or workbook.

They take the region map's filters (``park``, ``municipality``, ``mrc``, ``sector``,
``category``, ``direction``, ``q``) plus ``status`` and ``bbox``, so "export this view"
downloads what the map draws. GeoJSON and CSV stream; XLSX and GeoPackage are built once per
state of the data, in a child process, and served from the kept file
(:mod:`mapservice.exports.files`). The heavy ones are counted (:mod:`mapservice.web.heavy`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask import Blueprint, Response, request, stream_with_context
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wsgi import FileWrapper

from mapservice.domain.access import Scope
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.exports import csv_typed
from mapservice.exports import formats as export_formats
from mapservice.exports.fields import LAYERS
from mapservice.exports.files import ExportJob, query_args
from mapservice.exports.jobs import EXTRA, layer_features, parse_query
from mapservice.views.map_filters import PARAMETERS
from mapservice.web import services
from mapservice.web.guard import export_scope

bp = Blueprint("exports", __name__, url_prefix="/export")
ALL = "tout"
KNOWN = (*PARAMETERS, *EXTRA, "anonyme", "lang", "csv")
#: ``csv=excel``: the CSV for a French-Canadian Excel (:mod:`mapservice.exports.csv_typed`).
CSV_KINDS = ("excel",)
#: Bytes read from a kept export file at a time.
BLOCK_BYTES = 256 * 1024


def _scope() -> tuple[Scope, bool]:
    """Who asks decides (:func:`mapservice.web.guard.export_scope`): staff everything, a park
    manager their parks, anyone else the anonymised public map's view."""
    return export_scope(request.args.get("anonyme") == "1")


def _checked_args() -> None:
    unknown = sorted(set(request.args) - set(KNOWN))
    if unknown:
        raise InvalidInput(
            tr(
                "Paramètre inconnu : {unknown!r} (attendu : {allowed}).",
                unknown=unknown[0],
                allowed=", ".join(KNOWN),
            ),
            field=unknown[0],
        )


def _features(layer_id: str) -> tuple[Iterator[dict[str, Any]], Scope]:
    _checked_args()
    svc = services()
    query = parse_query(svc, request.args)
    scope, anonymise = _scope()
    return layer_features(svc, layer_id, query, scope, anonymise=anonymise), scope


@bp.get("/<layer>.<fmt>")
def layer(layer: str, fmt: str) -> Response:
    if fmt == "csvt" and layer in LAYERS:
        _checked_args()
        text = csv_typed.csvt(layer, _scope()[0])
        return Response(text, mimetype="text/plain")
    if fmt not in export_formats.FORMATS:
        raise NotFound(
            tr(
                "Format inconnu : {fmt!r} (attendu : {allowed}).",
                fmt=fmt,
                allowed=", ".join(export_formats.FORMATS),
            )
        )
    names = list(LAYERS) if layer == ALL else [layer]
    if layer != ALL and layer not in LAYERS:
        raise NotFound(
            tr(
                "Couche inconnue : {layer!r} (attendu : {allowed} ou {every}).",
                layer=layer,
                allowed=", ".join(LAYERS),
                every=ALL,
            )
        )
    if layer == ALL and fmt not in ("gpkg", "xlsx"):
        raise NotFound(tr("Toutes les couches ensemble : gpkg ou xlsx, pas {fmt!r}.", fmt=fmt))
    excel = _csv_kind() == "excel" and fmt == "csv"
    filename = f"{layer}-excel.csv" if excel else f"{layer}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    mimetype = export_formats.FORMATS[fmt]
    # GeoJSON and CSV stream; a client that reads by ranges (GDAL's /vsicurl/ asks HEAD first,
    # then ranges) gets the same bytes from a kept file instead.
    ranged = request.method == "HEAD" or "Range" in request.headers
    if fmt in ("geojson", "csv") and (excel or not ranged):
        features, scope = _features(layer)
        if fmt == "geojson":
            chunks = export_formats.geojson_chunks(features)
        elif excel:
            chunks = csv_typed.excel_csv_chunks(layer, features, scope)
        else:
            chunks = export_formats.csv_chunks(layer, features, scope)
        return Response(stream_with_context(chunks), mimetype=mimetype, headers=headers)
    # Workbooks and GeoPackages (and a GeoJSON or CSV read by ranges): built once per state of
    # the data, in a child process, then served from the kept file (mapservice.exports.files).
    _checked_args()
    svc = services()
    parse_query(svc, request.args)  # a bad parameter is said here, before any build
    scope, anonymise = _scope()
    job = ExportJob(
        layers=tuple(names),
        fmt=fmt,
        args=query_args(request.args, ignored=("anonyme", "lang", "csv")),
        scope=scope,
        anonymise=anonymise,
    )
    handle = svc.export_files.open(svc.change_stamp(), job)
    return _file_response(handle, mimetype, headers)


def _csv_kind() -> str | None:
    kind = request.args.get("csv") or None
    if kind is not None and kind not in CSV_KINDS:
        raise InvalidInput(
            tr(
                "Paramètre csv inconnu : {kind!r} (attendu : {allowed}).",
                kind=kind[:40],
                allowed=", ".join(CSV_KINDS),
            ),
            field="csv",
        )
    return kind


def _file_response(handle: IO[bytes], mimetype: str, headers: dict[str, str]) -> Response:
    """A kept file, with what lets a client open it from its URL (GDAL's ``/vsicurl/``,
    QGIS): ``Accept-Ranges``, 206 for a ``Range`` (416 past the end), and ``ETag`` (the
    file's name: its data stamp and job) and ``Last-Modified`` for conditional requests (304).
    """
    info = os.fstat(handle.fileno())
    # A real server sends a whole file itself (waitress from the file, gunicorn with
    # sendfile); a part, or any file elsewhere (the test client), is read in blocks from where
    # the range starts. Either way the file is closed with the response, even one that sends
    # none of it (304, 416, HEAD), and after the last block.
    wrapper = request.environ.get("wsgi.file_wrapper")
    if wrapper is not None and "Range" not in request.headers:
        body = wrapper(handle, BLOCK_BYTES)
    else:
        body = _Blocks(handle, BLOCK_BYTES)
    response = Response(body, mimetype=mimetype, headers=headers, direct_passthrough=True)
    response.content_length = info.st_size
    response.set_etag(Path(handle.name).stem)
    response.last_modified = datetime.fromtimestamp(int(info.st_mtime), UTC)
    response.vary.update(("Authorization", "Cookie"))
    try:
        response.make_conditional(request, accept_ranges=True, complete_length=info.st_size)
    except RequestedRangeNotSatisfiable:
        response.close()
        return Response(
            status=416,
            headers={"Content-Range": f"bytes */{info.st_size}", "Accept-Ranges": "bytes"},
        )
    return response


class _Blocks(FileWrapper):
    """A file in blocks, seekable (a range starts where it asks), closed after the last, or
    when the answer is dropped unread (a client that reads only the headers)."""

    def __del__(self) -> None:
        self.close()

    def __next__(self) -> bytes:
        block = self.file.read(self.buffer_size)
        if block:
            return block
        self.close()
        raise StopIteration()
