"""Registry use cases behind the forms: validate a member, a site or a flow, then write it.

Form input arrives as strings. Every field is checked before anything is written and all the
problems come back together in one :class:`~mapservice.errors.FormErrors` (field → message),
so a page can show each message next to its field. A site is placed by the same geocoding
cascade and park rule as the importer, and the live site index is told after each write.
Called through :class:`~mapservice.services.Services` by the registry pages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mapservice.domain.model import Direction, Flow, Frequency, Location, Member, Site, Unit
from mapservice.errors import FormErrors, GeocodingError, InvalidInput, tr
from mapservice.geocoding import GeocodeQuery
from mapservice.geocoding.parks import with_park_note
from mapservice.importing.values import parse_naics, parse_number, parse_postal_code
from mapservice.registry.forms import Form, site_form

if TYPE_CHECKING:
    from mapservice.services import Services

#: Who a position found by a form is credited to (``sites.geocoded_by``).
FORM_AUTHOR = "registre (formulaire)"

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")
#: The cascade names its fields as the import columns do; the site form names them so.
_GEO_FIELDS = {
    "municipalite": "municipality_id",
    "code_postal": "postal_code",
    "latitude": "lat",
    "longitude": "lon",
    "adresse": "address",
}


# --- members ----------------------------------------------------------------------------------


def member_values(data: Mapping[str, str]) -> dict[str, Any]:
    """Validate a member form; raise :class:`FormErrors` naming every faulty field."""
    form = Form(data)
    values = {
        "name": form.text(
            "name",
            max_len=200,
            required=True,
            missing=tr("Le nom de l'entreprise est obligatoire."),
        ),
        "naics_code": form.parse(
            "naics_code", parse_naics, tr("De 2 à 6 chiffres attendus, ex. 321113.")
        ),
        "contact_name": form.text("contact_name", max_len=200),
        "contact_email": form.text("contact_email", max_len=200),
        "contact_phone": form.text("contact_phone", max_len=50),
        "public_consent": form.check("public_consent"),
    }
    email = values["contact_email"]
    if email is not None and not _EMAIL.match(email):
        form.fail(
            "contact_email", tr("Adresse invalide : attendu nom@domaine, ex. lea@entreprise.ca.")
        )
    phone = values["contact_phone"]
    if phone is not None and (
        sum(c.isdigit() for c in phone) < 7 or not re.fullmatch(r"[\d\s+().\-#,/a-zA-Zé]+", phone)
    ):
        form.fail(
            "contact_phone",
            tr("Numéro invalide : au moins 7 chiffres, ex. 418 555-0123, poste 12."),
        )
    form.done()
    return values


def save_member(
    services: Services, data: Mapping[str, str], member_id: int | None = None, *, actor: str
) -> int:
    """Add a member (``member_id`` None) or change one, as ``actor``; return its id."""
    if member_id is not None:
        services.repo.get_member(member_id)  # 404 before a word about the form
    values = member_values(data)
    try:
        if member_id is None:
            return services.repo.add_member(values, actor=actor)
        services.repo.update_member(member_id, values, actor=actor)
    except InvalidInput as exc:
        raise FormErrors({"name": tr("Un autre membre porte déjà ce nom.")}) from exc
    return member_id


# --- sites ------------------------------------------------------------------------------------


def site_values(
    services: Services, data: Mapping[str, str], *, member: Member, current: Site | None = None
) -> dict[str, Any]:
    """Validate a site form and place the site; raise :class:`FormErrors` on any problem.

    The position is looked up again only when the address, place, postal code or
    coordinates changed, so a site someone placed by hand stays where they put it.
    """
    form = Form(data)
    address = form.text("address", max_len=300)
    name = form.text("name", max_len=200) or address or member.name
    munis = services.gazetteer.municipalities
    muni_id = (data.get("municipality_id") or "").strip()
    if not muni_id:
        form.fail("municipality_id", tr("Choisissez la municipalité du site."))
    elif muni_id not in munis:
        form.fail("municipality_id", tr("Municipalité inconnue : choisissez-la dans la liste."))
    postal = form.parse(
        "postal_code",
        parse_postal_code,
        tr("Code postal mal formé (attendu : A1A 1A1, ex. G7H 5B1)."),
    )
    lat = form.parse("lat", parse_number, tr("Latitude invalide : un nombre attendu, ex. 48,4280."))
    lon = form.parse(
        "lon", parse_number, tr("Longitude invalide : un nombre attendu, ex. -71,0680.")
    )
    if (lat is None) != (lon is None) and not {"lat", "lon"} & set(form.errors):
        missing = "lon" if lon is None else "lat"
        form.fail(
            missing, tr("Latitude et longitude vont ensemble : indiquez les deux, ou aucune.")
        )
    values: dict[str, Any] = {
        "name": name,
        "address": address,
        "municipality_id": muni_id,
        "postal_code": postal,
    }
    if not form.errors:
        if current is not None and _same_place(current, values, lat, lon):
            values.pop("municipality_id")
        else:
            values.update(_placed(services, form, values, lat, lon))
    form.done()
    return values


def _same_place(site: Site, values: dict[str, Any], lat: float | None, lon: float | None) -> bool:
    shown = site_form(site)
    same_point = (lat is None and not shown["lat"]) or (
        lat is not None
        and lon is not None
        and site.lat is not None
        and site.lon is not None
        and abs(lat - site.lat) < 5e-7
        and abs(lon - site.lon) < 5e-7
    )
    return (
        same_point
        and site.lon is not None
        and values["address"] == site.address
        and values["municipality_id"] == site.municipality_id
        and values["postal_code"] == site.postal_code
    )


def _placed(
    services: Services, form: Form, values: dict[str, Any], lat: float | None, lon: float | None
) -> dict[str, Any]:
    """Place a site as the importer does (cascade, outside-region rule, park); return its
    position columns, or nothing with the problem noted on ``form``."""
    muni = services.gazetteer.municipalities[values["municipality_id"]]
    query = GeocodeQuery(
        address=values["address"],
        municipality=muni.name,
        postal_code=values["postal_code"],
        lat=lat,
        lon=lon,
    )
    try:
        location: Location = services.geocoder.place_in_region(query)
    except GeocodingError as exc:
        form.fail(_GEO_FIELDS.get(exc.field or "", "municipality_id"), exc.message)
        return {}
    park = services.park_locator.assign(location)
    return {
        "municipality_id": location.municipality_id or muni.id,
        "lon": round(location.lon, 7),
        "lat": round(location.lat, 7),
        "park_id": park.park_id if park else None,
        "geocode_precision": location.precision.value,
        "geocode_source": location.source,
        "geocode_score": round(location.score, 4),
        "geocode_note": with_park_note(location.note, park),
        "geocoded_at": datetime.now(UTC),
        "geocoded_by": FORM_AUTHOR,
    }


def save_site(
    services: Services,
    data: Mapping[str, str],
    *,
    member_id: int | None = None,
    site_id: int | None = None,
    actor: str,
) -> int:
    """Add a site to member ``member_id``, or change site ``site_id``, as ``actor``; return
    its id."""
    current = services.repo.get_site(site_id) if site_id is not None else None
    member = services.repo.get_member(current.member_id if current else int(member_id or 0))
    values = site_values(services, data, member=member, current=current)
    try:
        if current is None:
            site_id = services.repo.add_site({"member_id": member.id, **values}, actor=actor)
        else:
            site_id = current.id or 0
            services.repo.update_site(site_id, values, actor=actor)
    except InvalidInput as exc:
        raise FormErrors({"name": tr("Ce membre a déjà un site de ce nom.")}) from exc
    return site_id


# --- flows ------------------------------------------------------------------------------------


def flow_values(services: Services, data: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
    """Validate a flow form; return the values and, when free text was classified, how."""
    form = Form(data)
    raw_direction = (data.get("direction") or "").strip()
    direction = None
    if raw_direction in {d.value for d in Direction}:
        direction = Direction(raw_direction)
    else:
        form.fail("direction", tr("Choisissez « offre » ou « besoin »."))
    code, note = _category(services, form, data, direction)
    description = form.text(
        "description",
        max_len=1000,
        required=True,
        lines=True,
        missing=tr("Décrivez la matière ou le service en quelques mots."),
    )
    quantity = form.parse(
        "quantity", parse_number, tr("Quantité invalide : un nombre attendu, ex. 2,5 ou 1 200.")
    )
    if quantity is not None and quantity < 0:
        form.fail("quantity", tr("La quantité ne peut pas être négative."))
    unit = form.parse("unit", Unit, tr("Unité inconnue : choisissez-la dans la liste."))
    if quantity is not None and unit is None and "unit" not in form.errors:
        form.fail("unit", tr("Une quantité demande son unité."))
    frequency = form.parse(
        "frequency", Frequency, tr("Fréquence inconnue : choisissez-la dans la liste.")
    )
    form.done()
    category = services.taxonomy.get(code or "")
    return {
        "direction": str(direction),
        "category_code": code,
        "description": description,
        "quantity": quantity,
        "unit": unit.value if unit else None,
        "frequency": frequency.value if frequency else None,
        # A category that is hazardous by nature makes the flow so, whatever the box says.
        "hazardous": form.check("hazardous") or bool(category and category.hazardous),
        "confidential": form.check("confidential"),
    }, note


def _category(
    services: Services, form: Form, data: Mapping[str, str], direction: Direction | None
) -> tuple[str | None, str | None]:
    """The category picked in the list, else the one free text names with certainty."""
    taxonomy = services.taxonomy
    code = (data.get("category_code") or "").strip()
    text = form.text("category_text", max_len=300)
    if code:
        if taxonomy.get(code) is None:
            form.fail("category_code", tr("Matière inconnue : choisissez-la dans la liste."))
            return None, None
        return code, None
    if text is None:
        if "category_text" not in form.errors:
            form.fail(
                "category_code",
                tr("Choisissez une matière dans la liste, ou décrivez-la dans le champ suivant."),
            )
        return None, None

    def chosen(code: str) -> tuple[str, str]:
        return code, tr(
            "« {text} » classé dans « {label} ».", text=text, label=taxonomy.label(code)
        )

    exact = taxonomy.lookup(text)
    if exact is not None:
        return chosen(exact.code)
    found = services.classifier.classify(text, direction=direction)
    if found.code is not None and not found.flagged:
        return chosen(found.code)
    codes = ([found.code] if found.code else []) + [c for c, _score in found.candidates]
    hints = ", ".join(taxonomy.label(c) for c in codes[:3]) or ", ".join(
        c.label_fr for c in taxonomy.suggest(text, n=3)
    )
    message = tr("Matière non reconnue avec certitude ; choisissez-la dans la liste.")
    if hints:
        message = tr(
            "Matière non reconnue avec certitude ; choisissez-la dans la liste. Proches : {hints}.",
            hints=hints,
        )
    form.fail("category_text", message)
    return None, None


def save_flow(
    services: Services,
    data: Mapping[str, str],
    *,
    site_id: int | None = None,
    flow_id: int | None = None,
    actor: str,
) -> tuple[int, str | None]:
    """Add an offer or need to site ``site_id``, or change flow ``flow_id``, as ``actor``.

    Returns the flow id and, when free text chose the category, a note saying which.
    """
    if flow_id is not None:
        services.repo.get_flow(flow_id)
    else:
        services.repo.get_site(int(site_id or 0))
    values, note = flow_values(services, data)
    try:
        if flow_id is None:
            flow_id = services.repo.add_flow({"site_id": site_id, **values}, actor=actor)
        else:
            services.repo.update_flow(flow_id, values, actor=actor)
    except InvalidInput as exc:
        raise FormErrors(
            {"description": tr("Ce site a déjà ce flux (même type, matière et description).")}
        ) from exc
    return flow_id, note


def delete_flow(services: Services, flow_id: int, *, actor: str) -> Flow:
    """Remove a flow (and its synergies) as ``actor``; return it, for the page that says so."""
    flow = services.repo.get_flow(flow_id)
    services.repo.delete_flow(flow_id, actor=actor)
    return flow


# --- history ----------------------------------------------------------------------------------


def restore(services: Services, table: str, record_id: int, audit_id: int, *, actor: str) -> bool:
    """Write back the version audit entry ``audit_id`` left of a member, site or flow, as
    ``actor``; False when it already was that version. A restored site goes back on the map
    where that version had it."""
    return services.repo.restore(table, record_id, audit_id, actor)
