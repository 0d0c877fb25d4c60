"""The page of one site: who, where, its offers and needs, and its candidate synergies."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mapservice.errors import InvalidInput
from mapservice.matching import jobs as synergy_jobs
from mapservice.views.site_page import DISTANCES, SORTS, PageText, find_site, site_page
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.geocoding_pages import PRECISION_LABELS
from mapservice.web.guard import may_open
from mapservice.web.i18n import language
from mapservice.web.mapping import map_parts, site_url_pattern, status_labels

bp = Blueprint("site_pages", __name__)


def _read_choice(name: str, allowed: dict[str, Any], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise InvalidInput(
            _(
                "Paramètre %(name)s : %(value)s n'est pas une valeur permise "
                "(attendu : %(allowed)s).",
                name=name,
                value=value,
                allowed=", ".join(allowed),
            ),
            field=name,
        )
    return value


def page_text(lang: str, site_url: str) -> PageText:
    """The words of a site page in the current locale (a request's, or one forced)."""
    return PageText(
        lang=lang,
        site_url=site_url,
        status_labels=status_labels(),
        score_at_least=_("Score ≥ %(n)s"),
    )


@bp.get("/sites/<int:site_id>")
def site(site_id: int) -> str:
    svc = services()
    record = find_site(svc, site_id)  # 404 first
    distance = _read_choice("distance", DISTANCES, "route")
    sort = _read_choice("tri", SORTS, "score")
    order = _read_choice("ordre", {"asc": 1, "desc": 1}, "desc" if sort == "score" else "asc")
    show_all = _read_choice("toutes", {"0": 0, "1": 1}, "0") == "1"
    page = site_page(
        svc,
        record,
        page_text(language(), site_url_pattern()),
        distance=distance,
        sort=sort,
        order=order,
        show_all=show_all,
    )
    problem = None
    if record.lon is None:
        problem = _("Ce site n'est pas placé sur la carte : corrigez sa position d'abord.")
    parts = map_parts(
        page.map_data,
        fit=True,
        cluster=False,
        layers=("parks", "lines", "sites"),
        hidden=(),
        collapsed=True,
    )
    return render_template(
        "site.html",
        site=record,
        member=page.member,
        map=parts,
        rows=page.shown,
        total=len(page.rows),
        problem=problem,
        offers=page.offers,
        needs=page.needs,
        sector=page.sector,
        place=page.place,
        park=page.park,
        taxonomy=svc.taxonomy,
        distance=distance,
        sort=sort,
        order=order,
        status_labels=status_labels(),
        moved=request.args.get("deplacee"),
        precision_labels=PRECISION_LABELS,
        # the same site's registry record, for a reader who may open it
        registry_url=(
            url_for("registry_pages.site", site_id=record.id)
            if may_open("registry_pages.site")
            else None
        ),
    )


@bp.post("/sites/<int:site_id>/synergies")
def move(site_id: int) -> Response:
    """Move one of the site's synergies along the pipeline (saving a candidate first)."""
    svc = services()
    find_site(svc, site_id)
    form = request.form

    def number(name: str) -> int | None:
        raw = form.get(name, "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise InvalidInput(
                _("%(name)s doit être un entier (reçu : %(raw)s).", name=name, raw=raw), field=name
            )
        return int(raw)

    synergy = synergy_jobs.move(
        svc,
        synergy_id=number("synergy_id"),
        output_flow_id=number("output_flow_id"),
        input_flow_id=number("input_flow_id"),
        status=form.get("status", ""),
        author=current_principal().username,  # never a posted name: no one signs for another
        note=form.get("note", ""),
    )
    args: dict[str, Any] = {
        k: v for k, v in request.args.items() if k in ("distance", "tri", "ordre", "toutes", "lang")
    }
    return redirect(
        url_for("site_pages.site", site_id=site_id, deplacee=synergy.id, **args) + "#synergies",
        code=303,
    )
