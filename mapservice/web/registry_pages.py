"""The registry pages: members, their sites and flows in forms.

Forms are plain HTML (no JavaScript needed). A refused form comes back with status 422, the
person's input kept and each message next to its field; a saved one redirects (303) to the
page of what was saved, with a confirmation. Every write is credited to the signed-in person
in the audit log. The same blueprint carries the history pages
(:mod:`mapservice.web.registry_history`) and the spreadsheet import
(:mod:`mapservice.web.registry_import`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mapservice.domain.collation import collated
from mapservice.domain.model import Frequency, Precision, Site, Unit
from mapservice.errors import FormErrors
from mapservice.registry import forms as registry_forms
from mapservice.registry import jobs as registry_jobs
from mapservice.registry import queries as registry_queries
from mapservice.web import services
from mapservice.web.auth import current_principal
from mapservice.web.guard import may_open
from mapservice.web.i18n import frequency_label, language, say, unit_label

bp = Blueprint("registry_pages", __name__, url_prefix="/registre")

Page = str | tuple[str, int]


# --- labels and choices, in the page's language ----------------------------------------------


def member_labels() -> dict[str, str]:
    return {
        "name": _("Nom de l'entreprise"),
        "naics_code": _("Code SCIAN"),
        "contact_name": _("Personne-ressource"),
        "contact_email": _("Courriel"),
        "contact_phone": _("Téléphone"),
        "public_consent": _("L'entreprise accepte d'être nommée publiquement"),
    }


def site_labels() -> dict[str, str]:
    return {
        "name": _("Nom du site"),
        "address": _("Adresse civique"),
        "municipality_id": _("Municipalité"),
        "postal_code": _("Code postal"),
        "lat": _("Latitude"),
        "lon": _("Longitude"),
    }


def flow_labels() -> dict[str, str]:
    return {
        "direction": _("Type"),
        "category_code": _("Catégorie de la taxonomie"),
        "category_text": _("… ou description libre, classée automatiquement"),
        "description": _("Description"),
        "quantity": _("Quantité"),
        "unit": _("Unité"),
        "frequency": _("Fréquence"),
        "hazardous": _("Matière dangereuse"),
        "confidential": _("Quantité confidentielle"),
    }


def precision_labels() -> dict[str | None, str]:
    return {
        Precision.MANUAL.value: _("coordonnées exactes (fournies ou placées à la main)"),
        Precision.ADDRESS.value: _("adresse"),
        Precision.POSTCODE.value: _("code postal"),
        Precision.PARK.value: _("parc (par son nom)"),
        Precision.FSA.value: _("zone postale (3 caractères)"),
        Precision.MUNICIPALITY.value: _("centre de la municipalité"),
        None: _("non placé"),
    }


def _municipality_choices() -> list[tuple[str, str]]:
    munis = services().gazetteer.municipalities
    out = []
    for muni in munis.values():
        parent = munis.get(muni.parent_id or "")
        out.append((muni.id, f"{muni.name} ({parent.name})" if parent else muni.name))
    return collated(out, key=lambda choice: choice[1])


def _category_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Categories as option groups, one per root, children indented under their parent."""
    taxonomy, lang = services().taxonomy, language()

    def walk(code: str, depth: int) -> list[tuple[str, str]]:
        out = []
        for child in collated(taxonomy.children(code), key=lambda c: c.label(lang)):
            out.append((child.code, "\u2003" * depth + child.label(lang)))
            out.extend(walk(child.code, depth + 1))
        return out

    return [
        (
            root.label(lang),
            [(root.code, _("%(label)s (en général)", label=root.label(lang)))] + walk(root.code, 0),
        )
        for root in collated(taxonomy.roots(), key=lambda c: c.label(lang))
    ]


def _context(**extra: Any) -> dict[str, Any]:
    svc = services()
    return {
        "munis": svc.gazetteer.municipalities,
        "taxonomy": svc.taxonomy,
        "parks": svc.park_ids(),
        "precisions": precision_labels(),
        **extra,
    }


def _form_data() -> dict[str, str]:
    return {k: v for k, v in request.form.items()}


def audit_actor() -> str:
    """Who the audit log credits a write to: the signed-in person, or the token's owner."""
    return current_principal().username


def saved(message: str, endpoint: str, **args: Any) -> Response:
    flash(message, "success")
    return redirect(url_for(endpoint, **args), code=303)


# --- members ----------------------------------------------------------------------------------


@bp.get("/")
def members() -> str:
    q = request.args.get("q", "").strip()[:200]
    rows = registry_queries.list_members(services(), q)
    return render_template(
        "registry_members.html", rows=rows, q=q, total=registry_queries.count_members(services())
    )


def _member_page(
    member_id: int | None, values: dict[str, str], error: FormErrors | None = None
) -> Page:
    view = registry_queries.member_view(services(), member_id)
    page = render_template(
        "registry_member.html",
        **_context(
            member=view.member,
            sites=view.sites,
            flow_counts=view.flow_counts,
            values=values,
            errors=error.fields if error else {},
            labels=member_labels(),
        ),
    )
    return (page, error.status) if error else page


@bp.route("/membres/nouveau", methods=["GET", "POST"])
def new_member() -> Page | Response:
    if request.method == "GET":
        return _member_page(None, registry_forms.member_form())
    try:
        member_id = registry_jobs.save_member(services(), request.form, actor=audit_actor())
    except FormErrors as exc:
        return _member_page(None, _form_data(), exc)
    return saved(
        _("Membre ajouté. Ajoutez-lui maintenant un site."), ".member", member_id=member_id
    )


@bp.route("/membres/<int:member_id>", methods=["GET", "POST"])
def member(member_id: int) -> Page | Response:
    current = registry_queries.get_member(services(), member_id)
    if request.method == "GET":
        return _member_page(member_id, registry_forms.member_form(current))
    try:
        registry_jobs.save_member(services(), request.form, member_id, actor=audit_actor())
    except FormErrors as exc:
        return _member_page(member_id, _form_data(), exc)
    return saved(_("Membre enregistré."), ".member", member_id=member_id)


# --- sites ------------------------------------------------------------------------------------


def _site_page(
    values: dict[str, str],
    *,
    site: Site | None = None,
    member_id: int | None = None,
    error: FormErrors | None = None,
) -> Page:
    view = registry_queries.site_view(services(), site=site, member_id=member_id)
    can_place = "geocoding_pages.position" in current_app.view_functions
    # the same site's map page (partners, synergies), for a reader who may open it
    map_url = (
        url_for("site_pages.site", site_id=site.id)
        if site is not None and may_open("site_pages.site")
        else None
    )
    page = render_template(
        "registry_site.html",
        **_context(
            member=view.member,
            site=site,
            flows=view.flows,
            deleted_flows=view.deleted_flows,
            values=values,
            can_place=can_place,
            map_url=map_url,
            errors=error.fields if error else {},
            labels=site_labels(),
            municipality_choices=_municipality_choices(),
        ),
    )
    return (page, error.status) if error else page


@bp.route("/membres/<int:member_id>/sites/nouveau", methods=["GET", "POST"])
def new_site(member_id: int) -> Page | Response:
    registry_queries.get_member(services(), member_id)
    if request.method == "GET":
        return _site_page(registry_forms.site_form(), member_id=member_id)
    try:
        site_id = registry_jobs.save_site(
            services(), request.form, member_id=member_id, actor=audit_actor()
        )
    except FormErrors as exc:
        return _site_page(_form_data(), member_id=member_id, error=exc)
    return saved(
        _("Site ajouté et placé sur la carte. Ajoutez-lui ses offres et besoins."),
        ".site",
        site_id=site_id,
    )


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
def site(site_id: int) -> Page | Response:
    current = registry_queries.get_site(services(), site_id)
    if request.method == "GET":
        return _site_page(registry_forms.site_form(current), site=current)
    try:
        registry_jobs.save_site(services(), request.form, site_id=site_id, actor=audit_actor())
    except FormErrors as exc:
        return _site_page(_form_data(), site=current, error=exc)
    return saved(_("Site enregistré."), ".site", site_id=site_id)


# --- flows ------------------------------------------------------------------------------------


def _flow_page(
    values: dict[str, str],
    *,
    site_id: int,
    flow_id: int | None = None,
    error: FormErrors | None = None,
) -> Page:
    site = registry_queries.get_site(services(), site_id)
    page = render_template(
        "registry_flow.html",
        **_context(
            site=site,
            flow_id=flow_id,
            values=values,
            errors=error.fields if error else {},
            labels=flow_labels(),
            category_groups=_category_groups(),
            units=[(u.value, unit_label(u)) for u in Unit],
            frequencies=[(f.value, frequency_label(f)) for f in Frequency],
        ),
    )
    return (page, error.status) if error else page


@bp.route("/sites/<int:site_id>/flux/nouveau", methods=["GET", "POST"])
def new_flow(site_id: int) -> Page | Response:
    registry_queries.get_site(services(), site_id)
    if request.method == "GET":
        values = registry_forms.flow_form()
        values["direction"] = request.args.get("type", "")
        return _flow_page(values, site_id=site_id)
    try:
        flow_id, note = registry_jobs.save_flow(
            services(), request.form, site_id=site_id, actor=audit_actor()
        )
    except FormErrors as exc:
        return _flow_page(_form_data(), site_id=site_id, error=exc)
    message = _("Flux ajouté.")
    return saved(f"{message} {say(note)}" if note else message, ".site", site_id=site_id)


@bp.route("/flux/<int:flow_id>", methods=["GET", "POST"])
def flow(flow_id: int) -> Page | Response:
    current = registry_queries.get_flow(services(), flow_id)
    if request.method == "GET":
        return _flow_page(
            registry_forms.flow_form(current), site_id=current.site_id, flow_id=flow_id
        )
    try:
        _id, note = registry_jobs.save_flow(
            services(), request.form, flow_id=flow_id, actor=audit_actor()
        )
    except FormErrors as exc:
        return _flow_page(_form_data(), site_id=current.site_id, flow_id=flow_id, error=exc)
    message = _("Flux enregistré.")
    return saved(f"{message} {say(note)}" if note else message, ".site", site_id=current.site_id)


@bp.post("/flux/<int:flow_id>/supprimer")
def delete_flow(flow_id: int) -> Response:
    gone = registry_jobs.delete_flow(services(), flow_id, actor=audit_actor())
    return saved(
        _("Flux « %(description)s » supprimé.", description=gone.description),
        ".site",
        site_id=gone.site_id,
    )
