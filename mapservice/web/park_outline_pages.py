"""Pages to replace a park's outline: upload GeoJSON or draw it on the map, with history.

Staff reach every park, a park manager their own (the guard lets both in, the use cases in
:mod:`mapservice.registry.park_outlines` refuse other parks with 403). The routes belong to
the registry's blueprint, under ``/registre/parcs``.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mapservice.domain.outlines import OUTLINE_STATUSES, REPLACEMENT_STATUSES
from mapservice.errors import InvalidInput
from mapservice.registry import park_outlines
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.i18n import language
from mapservice.web.mapping import offline_base_options
from mapservice.web.registry_pages import Page, bp, saved
from mapservice.web.security import mark_scripts


def status_labels() -> dict[str, str]:
    return {
        "surveyed": _("levé (contour mesuré sur le terrain ou d'après un plan officiel)"),
        "traced": _("tracé d'après les rues du parc"),
        "estimated": _("estimé d'après des indices"),
        "town": _("emplacement inconnu : un point de la ville en tient lieu"),
    }


@bp.get("/parcs")
def park_outlines_list() -> str:
    """The parks whose outline the asker may replace, with what each outline is worth."""
    parks = park_outlines.editable_parks(services(), current_principal())
    return render_template(
        "park_outlines.html", parks=parks, labels=status_labels(), statuses=OUTLINE_STATUSES
    )


def _outline_page(
    park_id: str, error: InvalidInput | None = None, form: dict | None = None
) -> Page:
    svc, who = services(), current_principal()
    park = park_outlines.park_to_edit(svc, who, park_id)
    history = park_outlines.outline_history(svc, who, park_id)
    parts, map_name = park_outlines.outline_map_parts(
        svc, park, assets_url=url_for("static", filename="vendor"), offline=offline_base_options()
    )
    parts = {**parts, "header": mark_scripts(parts["header"]), "body": mark_scripts(parts["body"])}
    page = render_template(
        "park_outline.html",
        park=park,
        history=history,
        map=parts,
        map_name=map_name,
        labels=status_labels(),
        choices=REPLACEMENT_STATUSES,
        error=error,
        form=form or {},
        lang=language(),
    )
    return (page, error.status) if error else page


@bp.get("/parcs/<park_id>/contour")
def park_outline(park_id: str) -> Page:
    """The park's outline on a map, a form to replace it and its history."""
    return _outline_page(park_id)


@bp.post("/parcs/<park_id>/contour")
def replace_park_outline(park_id: str) -> Page | Response:
    """Replace the outline with an uploaded file or the one drawn on the map."""
    file = request.files.get("fichier")
    drawn = request.form.get("geojson", "")
    text: str | bytes = file.read() if file and file.filename else drawn
    form = {k: request.form.get(k, "") for k in ("status", "note", "geojson")}
    try:
        done = park_outlines.replace_outline(
            services(),
            current_principal(),
            park_id,
            text,
            request.form.get("status", ""),
            note=request.form.get("note"),
        )
    except InvalidInput as exc:
        return _outline_page(park_id, exc, form)
    message = _(
        "Contour remplacé (%(area)s ha, %(status)s). Sites placés entrés dans le parc : "
        "%(joined)s ; sortis : %(left)s ; le parc en compte %(in_park)s.",
        area=done.area_ha,
        status=status_labels()[done.status],
        joined=done.sites_joined,
        left=done.sites_left,
        in_park=done.sites_in_park,
    )
    if done.note:
        message += " " + _("Remarque : %(note)s", note=done.note)
    return saved(message, ".park_outline", park_id=park_id)


@bp.post("/parcs/<park_id>/contour/<int:change_id>/restaurer")
def restore_park_outline(park_id: str, change_id: int) -> Page | Response:
    """Bring back the outline the park had before change ``change_id``."""
    try:
        park_outlines.restore_outline(services(), current_principal(), park_id, change_id)
    except InvalidInput as exc:
        return _outline_page(park_id, exc)
    return saved(
        _("Contour d'avant le changement n° %(n)s restauré.", n=change_id),
        ".park_outline",
        park_id=park_id,
    )
