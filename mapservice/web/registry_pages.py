"""The registry pages: members, their sites and flows in forms, and the spreadsheet import.

Forms are plain HTML (no JavaScript needed). A refused form comes back with status 422, the
person's input kept and each message next to its field; a saved one redirects (303) to the
page of what was saved, with a confirmation. An import is previewed (dry run) before it is
confirmed, and writes everything or nothing. Every write is credited to the signed-in person
in the audit log, whose history of a member, site or flow is shown here and can be restored.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import (
    Blueprint,
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

from mapservice.domain.audit import AuditEntry
from mapservice.domain.model import Frequency, ImportResult, Precision, Site, Unit
from mapservice.domain.text import fold
from mapservice.errors import FormErrors, ImportRejected, InvalidInput, NotFound
from mapservice.importing.columns import COLUMNS
from mapservice.registry import jobs as registry_jobs
from mapservice.web import services, uploads
from mapservice.web.auth import current_principal
from mapservice.web.i18n import frequency_label, language, say, unit_label

bp = Blueprint("registry_pages", __name__, url_prefix="/registre")

Page = str | tuple[str, int]


# --- labels and choices, in the page's language ----------------------------------------------


def member_labels() -> dict[str, str]:
    return {"name": _("Nom de l'entreprise"), "naics_code": _("Code SCIAN"),
            "contact_name": _("Personne-ressource"), "contact_email": _("Courriel"),
            "contact_phone": _("Téléphone"),
            "public_consent": _("L'entreprise accepte d'être nommée publiquement")}


def site_labels() -> dict[str, str]:
    return {"name": _("Nom du site"), "address": _("Adresse civique"),
            "municipality_id": _("Municipalité"), "postal_code": _("Code postal"),
            "lat": _("Latitude"), "lon": _("Longitude")}


def flow_labels() -> dict[str, str]:
    return {"direction": _("Type"), "category_code": _("Catégorie de la taxonomie"),
            "category_text": _("… ou description libre, classée automatiquement"),
            "description": _("Description"), "quantity": _("Quantité"), "unit": _("Unité"),
            "frequency": _("Fréquence"), "hazardous": _("Matière dangereuse"),
            "confidential": _("Quantité confidentielle")}


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
    return sorted(out, key=lambda choice: fold(choice[1]))


def _category_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Categories as option groups, one per root, children indented under their parent."""
    taxonomy, lang = services().taxonomy, language()

    def walk(code: str, depth: int) -> list[tuple[str, str]]:
        out = []
        for child in sorted(taxonomy.children(code), key=lambda c: fold(c.label(lang))):
            out.append((child.code, "\u2003" * depth + child.label(lang)))
            out.extend(walk(child.code, depth + 1))
        return out

    return [(root.label(lang),
             [(root.code, _("%(label)s (en général)", label=root.label(lang)))]
             + walk(root.code, 0))
            for root in sorted(taxonomy.roots(), key=lambda c: fold(c.label(lang)))]


def _context(**extra: Any) -> dict[str, Any]:
    svc = services()
    return {"munis": svc.gazetteer.municipalities, "taxonomy": svc.taxonomy,
            "parks": svc.park_ids(), "precisions": precision_labels(), **extra}


def _form_data() -> dict[str, str]:
    return {k: v for k, v in request.form.items()}


def _actor() -> str:
    """Who the audit log credits a write to: the signed-in person, or the token's owner."""
    return current_principal().username


def _saved(message: str, endpoint: str, **args: Any) -> Response:
    flash(message, "success")
    return redirect(url_for(endpoint, **args), code=303)


# --- members ----------------------------------------------------------------------------------


@bp.get("/")
def members() -> str:
    q = request.args.get("q", "").strip()[:200]
    rows = registry_jobs.list_members(services(), q)
    return render_template("registry_members.html", rows=rows, q=q,
                           total=len(services().repo.members()))


def _member_page(member_id: int | None, values: dict[str, str],
                 error: FormErrors | None = None) -> Page:
    svc = services()
    member = svc.repo.get_member(member_id) if member_id is not None else None
    sites = svc.repo.member_sites(member_id) if member_id is not None else []
    counts: dict[int, int] = {}
    if sites:
        for flow in svc.repo.flows(site_ids=[s.id for s in sites if s.id is not None]):
            counts[flow.site_id] = counts.get(flow.site_id, 0) + 1
    page = render_template("registry_member.html", **_context(
        member=member, sites=sites, flow_counts=counts, values=values,
        errors=error.fields if error else {}, labels=member_labels()))
    return (page, error.status) if error else page


@bp.route("/membres/nouveau", methods=["GET", "POST"])
def new_member() -> Page | Response:
    if request.method == "GET":
        return _member_page(None, registry_jobs.member_form())
    try:
        member_id = registry_jobs.save_member(services(), request.form, actor=_actor())
    except FormErrors as exc:
        return _member_page(None, _form_data(), exc)
    return _saved(_("Membre ajouté. Ajoutez-lui maintenant un site."),
                  ".member", member_id=member_id)


@bp.route("/membres/<int:member_id>", methods=["GET", "POST"])
def member(member_id: int) -> Page | Response:
    svc = services()
    current = svc.repo.get_member(member_id)
    if request.method == "GET":
        return _member_page(member_id, registry_jobs.member_form(current))
    try:
        registry_jobs.save_member(svc, request.form, member_id, actor=_actor())
    except FormErrors as exc:
        return _member_page(member_id, _form_data(), exc)
    return _saved(_("Membre enregistré."), ".member", member_id=member_id)


# --- sites ------------------------------------------------------------------------------------


def _site_page(values: dict[str, str], *, site: Site | None = None,
               member_id: int | None = None, error: FormErrors | None = None) -> Page:
    svc = services()
    member = svc.repo.get_member(site.member_id if site else int(member_id or 0))
    flows = svc.repo.flows(site_ids=[site.id]) if site and site.id is not None else []
    deleted = [e for e in svc.repo.deleted_records("flows")
               if site is not None and (e.old_values or {}).get("site_id") == site.id]
    can_place = "geocoding_pages.position" in current_app.view_functions
    page = render_template("registry_site.html", **_context(
        member=member, site=site, flows=flows, deleted_flows=deleted, values=values,
        can_place=can_place,
        errors=error.fields if error else {}, labels=site_labels(),
        municipality_choices=_municipality_choices()))
    return (page, error.status) if error else page


@bp.route("/membres/<int:member_id>/sites/nouveau", methods=["GET", "POST"])
def new_site(member_id: int) -> Page | Response:
    services().repo.get_member(member_id)
    if request.method == "GET":
        return _site_page(registry_jobs.site_form(), member_id=member_id)
    try:
        site_id = registry_jobs.save_site(services(), request.form, member_id=member_id,
                                          actor=_actor())
    except FormErrors as exc:
        return _site_page(_form_data(), member_id=member_id, error=exc)
    return _saved(_("Site ajouté et placé sur la carte. Ajoutez-lui ses offres et besoins."),
                  ".site", site_id=site_id)


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
def site(site_id: int) -> Page | Response:
    svc = services()
    current = svc.repo.get_site(site_id)
    if request.method == "GET":
        return _site_page(registry_jobs.site_form(current), site=current)
    try:
        registry_jobs.save_site(svc, request.form, site_id=site_id, actor=_actor())
    except FormErrors as exc:
        return _site_page(_form_data(), site=current, error=exc)
    return _saved(_("Site enregistré."), ".site", site_id=site_id)


# --- flows ------------------------------------------------------------------------------------


def _flow_page(values: dict[str, str], *, site_id: int, flow_id: int | None = None,
               error: FormErrors | None = None) -> Page:
    svc = services()
    site = svc.repo.get_site(site_id)
    page = render_template("registry_flow.html", **_context(
        site=site, flow_id=flow_id, values=values, errors=error.fields if error else {},
        labels=flow_labels(), category_groups=_category_groups(),
        units=[(u.value, unit_label(u)) for u in Unit],
        frequencies=[(f.value, frequency_label(f)) for f in Frequency]))
    return (page, error.status) if error else page


@bp.route("/sites/<int:site_id>/flux/nouveau", methods=["GET", "POST"])
def new_flow(site_id: int) -> Page | Response:
    services().repo.get_site(site_id)
    if request.method == "GET":
        values = registry_jobs.flow_form()
        values["direction"] = request.args.get("type", "")
        return _flow_page(values, site_id=site_id)
    try:
        flow_id, note = registry_jobs.save_flow(services(), request.form, site_id=site_id,
                                                actor=_actor())
    except FormErrors as exc:
        return _flow_page(_form_data(), site_id=site_id, error=exc)
    message = _("Flux ajouté.")
    return _saved(f"{message} {say(note)}" if note else message, ".site", site_id=site_id)


@bp.route("/flux/<int:flow_id>", methods=["GET", "POST"])
def flow(flow_id: int) -> Page | Response:
    svc = services()
    current = svc.repo.get_flow(flow_id)
    if request.method == "GET":
        return _flow_page(registry_jobs.flow_form(current), site_id=current.site_id,
                          flow_id=flow_id)
    try:
        _id, note = registry_jobs.save_flow(svc, request.form, flow_id=flow_id, actor=_actor())
    except FormErrors as exc:
        return _flow_page(_form_data(), site_id=current.site_id, flow_id=flow_id, error=exc)
    message = _("Flux enregistré.")
    return _saved(f"{message} {say(note)}" if note else message, ".site",
                  site_id=current.site_id)


@bp.post("/flux/<int:flow_id>/supprimer")
def delete_flow(flow_id: int) -> Response:
    gone = registry_jobs.delete_flow(services(), flow_id, actor=_actor())
    return _saved(_("Flux « %(description)s » supprimé.", description=gone.description),
                  ".site", site_id=gone.site_id)


# --- history ----------------------------------------------------------------------------------

#: The tables whose history has a page, by the name their address uses.
HISTORY_TABLES = {"membres": "members", "sites": "sites", "flux": "flows"}


def column_labels(table: str) -> dict[str, str]:
    """The label of every column a member, site or flow entry may show."""
    if table == "members":
        return member_labels()
    if table == "sites":
        return {**site_labels(), "member_id": _("Membre (n°)"), "park_id": _("Parc"),
                "geocode_precision": _("Précision du placement"),
                "geocode_source": _("Source du placement"),
                "geocode_score": _("Score du placement"), "geocoded_at": _("Placé le"),
                "geocoded_by": _("Placé par"), "geocode_note": _("Remarque")}
    return {**flow_labels(), "site_id": _("Site (n°)")}


def action_labels() -> dict[str, str]:
    return {"create": _("création"), "update": _("modification"), "delete": _("suppression"),
            "restore": _("restauration"), "import": _("import")}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return str(value)


def _history_table(slug: str) -> str:
    table = HISTORY_TABLES.get(slug)
    if table is None:
        raise NotFound(_("Pas d'historique pour « %(table)s » : membres, sites ou flux.",
                         table=slug[:40]))
    return table


def _current_label(table: str, record_id: int) -> str | None:
    """The record's name (a flow's description), or None when it no longer exists."""
    repo = services().repo
    try:
        if table == "members":
            return repo.get_member(record_id).name
        if table == "sites":
            return repo.get_site(record_id).name
        return repo.get_flow(record_id).description
    except NotFound:
        return None


def _edit_url(table: str, record_id: int) -> str:
    if table == "members":
        return url_for(".member", member_id=record_id)
    if table == "sites":
        return url_for(".site", site_id=record_id)
    return url_for(".flow", flow_id=record_id)


def _history_page(slug: str, record_id: int, error: InvalidInput | None = None) -> Page:
    table = _history_table(slug)
    entries: list[AuditEntry] = services().repo.history(table, record_id)
    current = _current_label(table, record_id)
    if current is None and not entries:
        raise NotFound(_("Aucun enregistrement n° %(n)s ni historique.", n=record_id))
    version = (entries[-1].version or {}) if entries else {}
    labels = column_labels(table)
    rows = [{"entry": e, "changes": [(labels.get(name, name), _shown(old), _shown(new))
                                     for name, old, new in e.changes()],
             "restorable": e.version is not None and e.action != "import"}
            for e in reversed(entries)]
    page = render_template(
        "registry_history.html", slug=slug, table=table, record_id=record_id, rows=rows,
        label=current or str(version.get("name") or version.get("description") or record_id),
        edit_url=None if current is None else _edit_url(table, record_id),
        actions=action_labels(), error=error)
    return (page, error.status) if error else page


@bp.get("/historique/<table>/<int:record_id>")
def history(table: str, record_id: int) -> Page:
    """Who created, changed, deleted or restored a member, site or flow, newest first."""
    return _history_page(table, record_id)


@bp.post("/historique/<table>/<int:record_id>/<int:audit_id>/restaurer")
def restore(table: str, record_id: int, audit_id: int) -> Page | Response:
    """Write back the version an entry left (a deleted record comes back with its id)."""
    try:
        changed = registry_jobs.restore(services(), _history_table(table), record_id,
                                        audit_id, actor=_actor())
    except InvalidInput as exc:
        return _history_page(table, record_id, exc)
    message = (_("Version de l'entrée n° %(n)s restaurée.", n=audit_id) if changed
               else _("L'enregistrement est déjà dans cette version : rien n'a changé."))
    return _saved(message, ".history", table=table, record_id=record_id)


# --- import -----------------------------------------------------------------------------------


def _import_form(error: InvalidInput | None = None,
                 done: list[tuple[str, list[dict[str, Any]]]] | None = None) -> Page:
    page = render_template("import_form.html", columns=COLUMNS, done=done or [], values={},
                           errors={"file": error.message} if error else {},
                           labels={"file": _("Fichier CSV ou XLSX")},
                           max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                           max_rows=current_app.config["IMPORT_MAX_ROWS"])
    return (page, error.status) if error else page


@bp.get("/import")
def import_page() -> Page:
    done = [json.loads(str(m)) for m in get_flashed_messages(category_filter=["import"])]
    return _import_form(done=[(m["source"], _result_rows(m)) for m in done])


@bp.post("/import")
def import_preview() -> Page:
    """Keep the upload, try it without writing, and show the issues or what would change."""
    max_bytes = current_app.config["IMPORT_MAX_BYTES"]
    if (request.content_length or 0) > max_bytes + 64 * 1024:
        return _import_form(uploads.too_large(max_bytes))
    file = request.files.get("file")
    try:
        upload = uploads.save(current_app.instance_path, file.stream if file else io.BytesIO(),
                              file.filename if file else None, max_bytes=max_bytes)
    except InvalidInput as exc:
        return _import_form(exc)
    try:
        result = services().import_file(upload.path, dry_run=True, source=upload.source)
    except ImportRejected as exc:
        uploads.discard(upload)
        return _import_issues(exc)
    if not result.changed:
        uploads.discard(upload)
    return render_template("import_preview.html", result=result, upload=upload,
                           rows=_result_rows(result))


@bp.post("/import/<token>")
def import_commit(token: str) -> Page | Response:
    """Write a previewed upload, all or nothing, then forget the file."""
    upload = uploads.claim(current_app.instance_path, token)
    try:
        result = services().import_file(upload.path, dry_run=False, source=upload.source,
                                        actor=_actor())
    except ImportRejected as exc:
        return _import_issues(exc)
    finally:
        uploads.discard(upload)
    flash(json.dumps({"source": upload.source, "inserted": result.inserted,
                      "updated": result.updated, "unchanged": result.unchanged}), "import")
    return redirect(url_for(".import_page"), code=303)


def _import_issues(exc: ImportRejected) -> tuple[str, int]:
    # File-wide problems first, then by row: the geocoder reports its own after the cells.
    issues = sorted(exc.issues, key=lambda i: (i.row is not None, i.row or 0))
    return render_template("import_issues.html", error=exc, issues=issues), exc.status


def _result_rows(result: ImportResult | dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    def part(name: str) -> dict[str, int]:
        return getattr(result, name) if isinstance(result, ImportResult) else result[name]

    labels = {"members": _("Membres"), "sites": _("Sites"), "flows": _("Offres et besoins")}
    return [{"table": table, "label": label, "inserted": part("inserted")[table],
             "updated": part("updated")[table], "unchanged": part("unchanged")[table]}
            for table, label in labels.items()]


@bp.get("/import/modele.csv")
def import_template() -> Response:
    """An empty import file with every column, in the order the demo file uses."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow(["Entreprise exemple inc.", "321113", "", "2485, rue des Érables",
                     "Saguenay (Chicoutimi)", "G7H 5B1", "", "", "offre", "bois.sciure",
                     "Sciure sèche", "120", "t/an", "hebdomadaire", "non", "non",
                     "Julie Tremblay", "julie@exemple.ca", "418 555-0123", "oui"])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=modele-import.csv"})

