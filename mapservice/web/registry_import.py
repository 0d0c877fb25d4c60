"""The registry's spreadsheet import: upload, preview (a dry run), confirm; and the template.

An import writes everything or nothing; the upload is kept between the preview and the
confirmation (:mod:`mapservice.web.uploads`). Its routes belong to the registry's blueprint
(:mod:`mapservice.web.registry_pages`), so their addresses and access rule are the registry's.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import (
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mapservice.domain.model import ImportResult
from mapservice.errors import ImportRejected, InvalidInput
from mapservice.importing.columns import COLUMNS
from mapservice.importing.preview import preview_lines
from mapservice.web import services, uploads
from mapservice.web.i18n import language
from mapservice.web.registry_pages import Page, audit_actor, bp, precision_labels


def _import_form(
    error: InvalidInput | None = None,
    done: list[tuple[str, list[dict[str, Any]], int]] | None = None,
) -> Page:
    page = render_template(
        "import_form.html",
        columns=COLUMNS,
        done=done or [],
        values={},
        errors={"file": error.message} if error else {},
        labels={"file": _("Fichier CSV ou XLSX")},
        max_bytes=current_app.config["IMPORT_MAX_BYTES"],
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    )
    return (page, error.status) if error else page


@bp.get("/import")
def import_page() -> Page:
    done = [json.loads(str(m)) for m in get_flashed_messages(category_filter=["import"])]
    return _import_form(
        done=[(m["source"], _result_rows(m), m.get("to_classify", 0)) for m in done]
    )


@bp.post("/import")
def import_preview() -> Page:
    """Keep the upload, try it without writing, and show the issues or what would change."""
    max_bytes = current_app.config["IMPORT_MAX_BYTES"]
    if (request.content_length or 0) > max_bytes + 64 * 1024:
        return _import_form(uploads.too_large(max_bytes))
    file = request.files.get("file")
    try:
        upload = uploads.save(
            current_app.instance_path,
            file.stream if file else io.BytesIO(),
            file.filename if file else None,
            max_bytes=max_bytes,
        )
    except InvalidInput as exc:
        return _import_form(exc)
    try:
        result = services().import_file(upload.path, dry_run=True, source=upload.source)
    except ImportRejected as exc:
        uploads.discard(upload)
        return _import_issues(exc)
    if not result.changed:
        uploads.discard(upload)
    taxonomy = services().taxonomy
    return render_template(
        "import_preview.html",
        result=result,
        upload=upload,
        rows=_result_rows(result),
        lines=preview_lines(result.plan) if result.plan else [],
        label=lambda code: taxonomy.label(code, language()),
        precisions=precision_labels(),
    )


@bp.post("/import/<token>")
def import_commit(token: str) -> Page | Response:
    """Write a previewed upload, all or nothing, then forget the file."""
    upload = uploads.claim(current_app.instance_path, token)
    try:
        result = services().import_file(
            upload.path, dry_run=False, source=upload.source, actor=audit_actor()
        )
    except ImportRejected as exc:
        return _import_issues(exc)
    finally:
        uploads.discard(upload)
    flash(
        json.dumps(
            {
                "source": upload.source,
                "inserted": result.inserted,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "to_classify": result.to_classify,
            }
        ),
        "import",
    )
    return redirect(url_for(".import_page"), code=303)


def _import_issues(exc: ImportRejected) -> tuple[str, int]:
    # File-wide problems first, then by row: the geocoder reports its own after the cells.
    issues = sorted(exc.issues, key=lambda i: (i.row is not None, i.row or 0))
    return render_template("import_issues.html", error=exc, issues=issues), exc.status


def _result_rows(result: ImportResult | dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    def part(name: str) -> dict[str, int]:
        return getattr(result, name) if isinstance(result, ImportResult) else result[name]

    labels = {"members": _("Membres"), "sites": _("Sites"), "flows": _("Offres et besoins")}
    return [
        {
            "table": table,
            "label": label,
            "inserted": part("inserted")[table],
            "updated": part("updated")[table],
            "unchanged": part("unchanged")[table],
        }
        for table, label in labels.items()
    ]


@bp.get("/import/modele.csv")
def import_template() -> Response:
    """An empty import file with every column, in the order the demo file uses."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow(
        [
            "Entreprise exemple inc.",
            "321113",
            "",
            "2485, rue des Érables",
            "Saguenay (Chicoutimi)",
            "G7H 5B1",
            "",
            "",
            "offre",
            "bois.sciure",
            "Sciure sèche",
            "120",
            "t/an",
            "hebdomadaire",
            "non",
            "non",
            "Julie Tremblay",
            "julie@exemple.ca",
            "418 555-0123",
            "oui",
        ]
    )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=modele-import.csv"},
    )
