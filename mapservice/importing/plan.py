"""Turn a sheet into an :class:`ImportPlan`: validate every cell, group, geocode, find parks.

Nothing is written here. Every problem in the file is collected (up to a cap) and reported
together, naming row, column, value and what was expected; any problem rejects the file.
Each clean row joins its member's draft in :mod:`mapservice.importing.grouping`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from mapservice.domain.model import ImportPlan, Location, PlannedMember, PlannedSite
from mapservice.errors import GeocodingError, ImportRejected, tr
from mapservice.geocoding import CascadeGeocoder, GeocodeQuery, ParkLocator
from mapservice.geocoding.parks import with_park_note
from mapservice.importing.columns import COLUMNS_BY_NAME, Issues, map_header
from mapservice.importing.grouping import MemberDraft, SiteDraft, fold_key, read_row
from mapservice.importing.reader import open_sheet
from mapservice.importing.sheet import Sheet
from mapservice.importing.values import CellError, check_plain, clean_text
from mapservice.materials.classify import Classifier
from mapservice.materials.taxonomy import Taxonomy

#: Stop collecting after this many issues: the report is long enough to act on.
MAX_ISSUES = 200

_GEO_FIELDS = {"municipalite", "code_postal", "latitude", "longitude"}
#: Cells that name a member or a site: their folded form is a database key (300 characters)
#: and must hold a letter or a digit, or "---" and "***" would be one and the same member.
_KEY_COLUMNS = ("entreprise", "site", "adresse")
_KEY_CHARS = 300
#: Free text kept on several lines; every other cell is one line.
_MULTILINE = {"description"}


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
            if location is not None and park is not None and park.note:
                location = replace(location, note=with_park_note(location.note, park))
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
) -> tuple[dict[str, MemberDraft], Issues, int]:
    mapping, header_issues, _ignored = map_header(sheet.header)
    issues = Issues(header_issues)
    members: dict[str, MemberDraft] = {}
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
            read_row(number, cells, taxonomy, members, issues, classifier)
        if len(issues) >= MAX_ISSUES:
            break
        if on_progress and n_rows % 1000 == 0:
            on_progress(n_rows)
    return members, issues, n_rows


def _clean_cells(number: int, cells: dict[str, str], issues: Issues) -> bool:
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
        key = fold_key(text) if column in _KEY_COLUMNS else ""
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


def _geocode(site: SiteDraft, geocoder: CascadeGeocoder, issues: Issues) -> Location | None:
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
