"""Pages for placing sites: the review list and the page where a marker is dragged into place."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from mapservice.domain.model import Precision
from mapservice.errors import InvalidInput, tr
from mapservice.geocoding import jobs as geocoding_jobs
from mapservice.geocoding.sources import source_label
from mapservice.registry import queries as registry_queries
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.i18n import say
from mapservice.web.mapping import offline_base_options
from mapservice.web.security import mark_scripts

bp = Blueprint("geocoding_pages", __name__)


@bp.app_template_global("geocode_source_label")
def geocode_source_label(code: str | None) -> str | None:
    """What a placement came from (a site's ``geocode_source``), in the page's language."""
    return say(source_label(code))  # type: ignore[no-any-return]


PRECISION_LABELS = {
    "manual": _l("coordonnées exactes (fournies ou placées à la main)"),
    "address": _l("adresse"),
    "postcode": _l("code postal"),
    "park": _l("parc (par son nom)"),
    "fsa": _l("zone postale (3 caractères)"),
    "municipality": _l("centre de la municipalité"),
    None: _l("non placé"),
}


@bp.get("/geocodage")
def review() -> str:
    svc = services()
    sites = registry_queries.sites(svc)
    return render_template(
        "geocoding_review.html",
        review=geocoding_jobs.to_review(sites),
        counts=geocoding_jobs.precision_counts(sites),
        total=len(sites),
        labels=PRECISION_LABELS,
        municipalities=svc.gazetteer.municipalities,
        corrected=request.args.get("corrige", type=int),
    )


def _position_page(site_id: int, *, error: InvalidInput | None = None) -> tuple[str, int]:
    svc = services()
    site = registry_queries.get_site(svc, site_id)
    munis = svc.gazetteer.municipalities
    muni = munis.get(site.municipality_id or "")
    if site.lon is not None and site.lat is not None:
        lon, lat = site.lon, site.lat
    elif muni is not None:
        lon, lat = muni.lon, muni.lat
    else:
        lon, lat = -71.65, 48.55
    coarse = site.geocode_precision is None or site.geocode_precision.rank >= Precision.FSA.rank
    parts, map_name, marker_name = svc.position_map_parts(
        lon=lon,
        lat=lat,
        label=site.member_name or site.name,
        zoom=13 if coarse else 16,
        assets_url=url_for("static", filename="vendor"),
        offline=offline_base_options(),
    )
    # head and body hold the map's own markup only (the label is in the script part)
    parts = {**parts, "header": mark_scripts(parts["header"]), "body": mark_scripts(parts["body"])}
    park = svc.park_ids().get(site.park_id or "")
    return render_template(
        "geocoding_position.html",
        site=site,
        muni=muni,
        park=park,
        map=parts,
        map_name=map_name,
        marker_name=marker_name,
        lat=lat,
        lon=lon,
        labels=PRECISION_LABELS,
        error=error,
    ), 422 if error else 200


@bp.get("/sites/<int:site_id>/position")
def position(site_id: int) -> tuple[str, int]:
    return _position_page(site_id)


@bp.post("/sites/<int:site_id>/position")
def save_position(site_id: int) -> Response | tuple[str, int]:
    who = current_principal().username  # the signed-in account, never a posted name
    try:
        lat = _form_float("lat")
        lon = _form_float("lon")
        geocoding_jobs.move_site(services(), site_id, lon, lat, who, actor=who)
    except InvalidInput as exc:
        return _position_page(site_id, error=exc)
    return redirect(url_for("geocoding_pages.review", corrige=site_id), code=303)


def _form_float(name: str) -> float:
    raw = request.form.get(name, "").strip().replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput(
            tr("Champ {name} invalide : {raw!r} n'est pas un nombre.", name=name, raw=raw[:40]),
            field=name,
        ) from None
