"""Turn a sheet into an :class:`ImportPlan`: validate every cell, group, geocode, find parks.

Nothing is written here. Every problem in the file is collected (up to a cap) and reported
together, naming row, column, value and what was expected; any problem rejects the file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from mapservice.domain.model import (
    Direction,
    ImportPlan,
    Location,
    PlannedFlow,
    PlannedMember,
    PlannedSite,
    Unit,
)
from mapservice.domain.text import fold
from mapservice.errors import GeocodingError, ImportIssue, ImportRejected, tr
from mapservice.geocoding import CascadeGeocoder, GeocodeQuery, ParkLocator
from mapservice.importing.columns import COLUMNS_BY_NAME, map_header, shorten
from mapservice.importing.reader import Sheet, open_sheet
from mapservice.importing.values import (
    CellError,
    check_plain,
    clean_text,
    parse_bool,
    parse_direction,
    parse_email,
    parse_frequency,
    parse_naics,
    parse_number,
    parse_phone,
    parse_postal_code,
    parse_unit,
    visible,
)
from mapservice.materials.classify import Classifier
from mapservice.materials.taxonomy import Taxonomy

#: Stop collecting after this many issues: the report is long enough to act on.
MAX_ISSUES = 200

_GEO_FIELDS = {"municipalite", "code_postal", "latitude", "longitude"}
#: Cells that name a member or a site: their folded form is a database key (300 characters)
#: and must hold a letter or a digit, or "---" and "***" would be one and the same member.
_KEY_COLUMNS = ("entreprise", "site", "adresse")
_KEY_CHARS = 300
#: The database keeps this many characters of a flow's folded description as its key.
_DESCRIPTION_KEY_CHARS = 500
#: Free text kept on several lines; every other cell is one line.
_MULTILINE = {"description"}
#: Names repeat on every row of a member: fold each once.
_fold = functools.lru_cache(maxsize=4096)(fold)


@dataclass
class _SiteDraft:
    name: str
    address: str | None
    municipality: str
    postal_code: str | None
    lat: float | None
    lon: float | None
    first_row: int
    flows: list[PlannedFlow] = field(default_factory=list)
    flow_rows: dict[tuple[str, str, str], int] = field(default_factory=dict)


@dataclass
class _MemberDraft:
    name: str
    naics: str | None
    first_row: int
    contacts: dict[str, str | None] = field(default_factory=dict)
    consent: bool | None = None
    sites: dict[str, _SiteDraft] = field(default_factory=dict)


class _Issues(list[ImportIssue]):
    def add(
        self,
        row: int | None,
        column: str | None,
        value: str | None,
        message: str,
        expected: str | None = None,
    ) -> None:
        if column in COLUMNS_BY_NAME and expected is None:
            expected = COLUMNS_BY_NAME[column].expected
        shown = None if value is None else visible(shorten(value))
        self.append(ImportIssue(row, column, shown, expected or "", message))


def build_plan(
    path: Path,
    *,
    taxonomy: Taxonomy,
    geocoder: CascadeGeocoder,
    parks: ParkLocator,
    max_rows: int,
    max_bytes: int,
    source: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    classifier: Classifier | None = None,
) -> ImportPlan:
    """Read, validate and group ``path``; raise :class:`ImportRejected` listing every problem."""
    source = source or path.name
    sheet = open_sheet(path, max_bytes=max_bytes, source=source)
    try:
        members, issues, n_rows = _read_sheet(
            sheet, taxonomy, max_rows, on_progress, source, classifier
        )
    finally:
        sheet.close()
    if n_rows == 0 and not issues:
        issues.add(
            None,
            None,
            None,
            tr("Le fichier ne contient aucune ligne de données."),
            tr("au moins une ligne sous l'en-tête"),
        )
    if len(issues) >= MAX_ISSUES or n_rows > max_rows:
        raise ImportRejected(issues=list(issues)[:MAX_ISSUES], source=source)
    # Sites are placed even when rows already failed, so one report lists every problem.

    planned = []
    for member in members.values():
        sites = []
        for site in member.sites.values():
            location = _geocode(site, geocoder, issues)
            park = parks.assign(location)
            muni_id = location.municipality_id if location else None
            if location and muni_id is None:
                muni = geocoder.gazetteer.match(site.municipality)
                muni_id = muni.id if muni else None
            sites.append(
                PlannedSite(
                    name=site.name,
                    address=site.address,
                    municipality_id=muni_id,
                    postal_code=site.postal_code,
                    location=location,
                    park_id=park.park_id if park else None,
                    flows=tuple(site.flows),
                )
            )
        planned.append(
            PlannedMember(
                name=member.name,
                naics_code=member.naics,
                sites=tuple(sites),
                contact_name=member.contacts.get("contact_nom"),
                contact_email=member.contacts.get("contact_courriel"),
                contact_phone=member.contacts.get("contact_telephone"),
                public_consent=member.consent,
            )
        )
    if issues:
        raise ImportRejected(issues=list(issues)[:MAX_ISSUES], source=source)
    return ImportPlan(members=tuple(planned), source=source)


def _read_sheet(
    sheet: Sheet,
    taxonomy: Taxonomy,
    max_rows: int,
    on_progress: Callable[[int], None] | None,
    source: str,
    classifier: Classifier | None = None,
) -> tuple[dict[str, _MemberDraft], _Issues, int]:
    mapping, header_issues, _ignored = map_header(sheet.header)
    issues = _Issues(header_issues)
    members: dict[str, _MemberDraft] = {}
    if issues:
        raise ImportRejected(issues=list(issues), source=source)
    n_rows = 0
    for number, values in sheet.rows:
        if not any(v.strip() for v in values):
            continue
        n_rows += 1
        if n_rows > max_rows:
            issues.add(
                number,
                None,
                None,
                tr("Fichier trop long : plus de {n} lignes de données.", n=max_rows),
                tr("au plus {n} lignes (MAPSERVICE_IMPORT_MAX_ROWS)", n=max_rows),
            )
            break
        cells = {
            name: (values[i].strip() if i < len(values) else "") for name, i in mapping.items()
        }
        if _clean_cells(number, cells, issues):
            _read_row(number, cells, taxonomy, members, issues, classifier)
        if len(issues) >= MAX_ISSUES:
            break
        if on_progress and n_rows % 1000 == 0:
            on_progress(n_rows)
    return members, issues, n_rows


def _clean_cells(number: int, cells: dict[str, str], issues: _Issues) -> bool:
    """Clean the row's cells in place; note every cell that cannot be read further.

    A cell is refused, before its content is looked at, when it holds a control character,
    is longer than its column allows, or names a member or a site without a letter or digit.
    Returns whether the row can be read.
    """
    before = len(issues)
    try:
        check_plain("\n".join(cells.values()))  # one look at the row; each cell if it fails
        plain = True
    except CellError:
        plain = False
    for column, raw in cells.items():
        if not raw:
            continue
        spec = COLUMNS_BY_NAME[column]
        try:
            if not plain:
                check_plain(raw)
        except CellError as exc:
            issues.add(
                number,
                column,
                raw,
                tr("Valeur invalide : {reason}.", reason=exc.args[0]),
                tr("{expected}, sans caractère de contrôle", expected=spec.expected),
            )
            continue
        text = cells[column] = clean_text(raw, lines=column in _MULTILINE)
        key = _fold(text) if column in _KEY_COLUMNS else ""
        if len(text) > spec.max_len:
            issues.add(
                number,
                column,
                text,
                tr(
                    "Trop long : {n} caractères (au plus {max_len}).",
                    n=len(text),
                    max_len=spec.max_len,
                ),
                tr(
                    "{expected}, en {max_len} caractères au plus",
                    expected=spec.expected,
                    max_len=spec.max_len,
                ),
            )
        elif len(key) > _KEY_CHARS:
            issues.add(
                number,
                column,
                text,
                tr(
                    "Trop long une fois les ligatures et symboles décomposés : "
                    "{length} caractères (au plus {max_chars}).",
                    length=len(key),
                    max_chars=_KEY_CHARS,
                ),
                tr("{expected}, en lettres et chiffres ordinaires", expected=spec.expected),
            )
        elif column in _KEY_COLUMNS and not key:
            issues.add(
                number,
                column,
                text,
                tr(
                    "Ni lettre latine ni chiffre : ce nom ne peut "
                    "pas distinguer un membre ou un site d'un autre."
                ),
                tr(
                    "{expected}, avec au moins une lettre de a à z (accentuée ou "
                    "non) ou un chiffre",
                    expected=spec.expected,
                ),
            )
    return len(issues) == before


def _geocode(site: _SiteDraft, geocoder: CascadeGeocoder, issues: _Issues) -> Location | None:
    query = GeocodeQuery(
        address=site.address,
        municipality=site.municipality,
        postal_code=site.postal_code,
        lat=site.lat,
        lon=site.lon,
    )
    try:
        return geocoder.place_in_region(query)
    except GeocodingError as exc:
        column = exc.field if exc.field in _GEO_FIELDS else "municipalite"
        value = {
            "municipalite": site.municipality,
            "code_postal": site.postal_code,
            "latitude": None if site.lat is None else str(site.lat),
            "longitude": None if site.lon is None else str(site.lon),
        }[column]
        issues.add(site.first_row, column, value, exc.message)
        return None


def _read_row(
    number: int,
    cells: dict[str, str],
    taxonomy: Taxonomy,
    members: dict[str, _MemberDraft],
    issues: _Issues,
    classifier: Classifier | None = None,
) -> None:
    before = len(issues)

    def parse(column: str, parser: Callable[[str], object]) -> object | None:
        text = cells.get(column, "")
        if not text:
            return None
        try:
            return parser(text)
        except CellError as exc:
            issues.add(number, column, text, tr("Valeur invalide : {reason}.", reason=exc.args[0]))
            return None

    company = cells.get("entreprise", "")
    if not company:
        issues.add(number, "entreprise", "", tr("Le nom de l'entreprise est vide."))
    municipality = cells.get("municipalite", "")
    if not municipality:
        issues.add(number, "municipalite", "", tr("La municipalité est vide."))
    direction = parse("type", parse_direction)
    if not cells.get("type"):
        issues.add(number, "type", "", tr("Le type est vide."))
    naics = parse("secteur_scian", parse_naics)
    lat = parse("latitude", parse_number)
    lon = parse("longitude", parse_number)
    quantity = parse("quantite", parse_number)
    unit_factor = parse("unite", parse_unit)
    frequency = parse("frequence", parse_frequency)
    hazardous = parse("dangereux", parse_bool)
    confidential = parse("confidentiel", parse_bool)
    consent = parse("consentement_public", parse_bool)
    postal = parse("code_postal", parse_postal_code)
    parse("contact_courriel", parse_email)
    parse("contact_telephone", parse_phone)

    material = cells.get("matiere", "")
    category = taxonomy.lookup(material) if material else None
    found = None
    if category is None and material and classifier is not None:
        # Free text ("drêche de brasserie", "retailles d'alu"): taken only when the classifier
        # is sure, or when staff corrected that wording before; never forced.
        found = classifier.classify(
            material, direction=direction if isinstance(direction, Direction) else None
        )
        if found.code is not None and not found.flagged:
            category = taxonomy.get(found.code)
    if not material:
        issues.add(number, "matiere", "", tr("La matière est vide."))
    elif category is None:
        hints = [f"{c.code} ({c.label_fr})" for c in taxonomy.suggest(material, n=3)]
        if found is not None:
            hints = [
                f"{code} ({taxonomy.label(code)})"
                for code, _ in ([(found.code, found.confidence)] if found.code else [])
                + list(found.candidates)
            ][:3] or hints
        issues.add(
            number,
            "matiere",
            material,
            tr("Matière inconnue de la taxonomie. Proches : {hints}.", hints=", ".join(hints))
            if hints
            else tr("Matière inconnue de la taxonomie."),
        )

    unit: Unit | None = None
    if unit_factor is not None:
        unit, factor = cast(tuple[Unit, float], unit_factor)
        if quantity is not None:
            quantity = cast(float, quantity) * factor
    if quantity is not None:
        if cast(float, quantity) < 0:
            issues.add(number, "quantite", cells["quantite"], tr("Quantité négative."))
        if unit is None:
            issues.add(
                number, "unite", cells.get("unite", ""), tr("Une quantité demande son unité.")
            )
    if len(issues) > before or category is None or direction is None:
        return

    member_key = _fold(company)
    member = members.get(member_key)
    if member is None:
        member = members[member_key] = _MemberDraft(company, naics, number)  # type: ignore[arg-type]
    elif naics is not None and member.naics not in (None, naics):
        issues.add(
            number,
            "secteur_scian",
            str(naics),
            tr(
                "Code SCIAN différent de celui de la ligne {first_row} ({naics}) pour la "
                "même entreprise.",
                first_row=member.first_row,
                naics=member.naics,
            ),
        )
        return
    elif naics is not None:
        member.naics = naics  # type: ignore[assignment]
    for column in ("contact_nom", "contact_courriel", "contact_telephone"):
        if cells.get(column):
            member.contacts[column] = cells[column]
    if consent is not None:
        member.consent = bool(consent)

    site_name = cells.get("site") or cells.get("adresse") or company
    site_key = _fold(site_name)
    site = member.sites.get(site_key)
    if site is None:
        site = member.sites[site_key] = _SiteDraft(
            name=site_name,
            address=cells.get("adresse") or None,
            municipality=municipality,
            postal_code=postal,  # type: ignore[arg-type]
            lat=lat,  # type: ignore[arg-type]
            lon=lon,  # type: ignore[arg-type]
            first_row=number,
        )
    elif fold(site.municipality) != fold(municipality) or (
        postal and site.postal_code and postal != site.postal_code
    ):
        issues.add(
            number,
            "municipalite",
            municipality,
            tr(
                "Le site « {site} » a une autre adresse à la ligne {first_row}.",
                site=site_name,
                first_row=site.first_row,
            ),
            tr("la même municipalité et le même code postal pour un même site"),
        )
        return

    description = cells.get("description") or category.label_fr  # type: ignore[union-attr]
    flow_key = (
        str(direction),
        category.code,  # type: ignore[union-attr]
        fold(description)[:_DESCRIPTION_KEY_CHARS],
    )
    if flow_key in site.flow_rows:
        issues.add(
            number,
            None,
            None,
            tr(
                "Ligne en double de la ligne {first_row} (même entreprise, "
                "site, type, matière et description).",
                first_row=site.flow_rows[flow_key],
            ),
            tr("une ligne par offre ou besoin"),
        )
        return
    site.flow_rows[flow_key] = number
    site.flows.append(
        PlannedFlow(
            direction=Direction(str(direction)),
            category_code=category.code,  # type: ignore[union-attr]
            description=description,
            quantity=quantity,  # type: ignore[arg-type]
            unit=unit,
            frequency=frequency,  # type: ignore[arg-type]
            hazardous=bool(hazardous) if hazardous is not None else category.hazardous,  # type: ignore[union-attr]
            confidential=bool(confidential),
            row=number,
        )
    )
