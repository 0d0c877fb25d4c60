"""Read each checked row of an import into the member, site and flow drafts it belongs to."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from mapservice.domain.model import Direction, PlannedFlow, Unit
from mapservice.domain.text import fold
from mapservice.errors import tr
from mapservice.importing.columns import Issues
from mapservice.importing.values import (
    CellError,
    parse_bool,
    parse_direction,
    parse_email,
    parse_frequency,
    parse_naics,
    parse_number,
    parse_phone,
    parse_postal_code,
    parse_unit,
)
from mapservice.materials.classify import Classifier
from mapservice.materials.taxonomy import Taxonomy

#: The database keeps this many characters of a flow's folded description as its key.
_DESCRIPTION_KEY_CHARS = 500
#: The category a flow « à classer » is filed under until staff classify it.
UNCLASSIFIED = "autres"
#: How many of the classifier's suggestions a flow « à classer » keeps.
N_SUGGESTIONS = 3
#: Names repeat on every row of a member: fold each once.
fold_key = functools.lru_cache(maxsize=4096)(fold)


@dataclass
class SiteDraft:
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
class MemberDraft:
    name: str
    naics: str | None
    first_row: int
    contacts: dict[str, str | None] = field(default_factory=dict)
    consent: bool | None = None
    sites: dict[str, SiteDraft] = field(default_factory=dict)


def read_row(
    number: int,
    cells: dict[str, str],
    taxonomy: Taxonomy,
    members: dict[str, MemberDraft],
    issues: Issues,
    classifier: Classifier | None = None,
) -> None:
    """Check one row's values and add its flow to its member's site draft, or note why not."""
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
    if not material:
        issues.add(number, "matiere", "", tr("La matière est vide."))
    found = _classify(material, direction, taxonomy, classifier) if material else None

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
    if len(issues) > before or found is None or direction is None:
        return
    category = taxonomy.get(found.code)
    if category is None:  # a taxonomy without the « autres » family: nothing to file it under
        issues.add(number, "matiere", material, tr("Matière inconnue de la taxonomie."))
        return

    member_key = fold_key(company)
    member = members.get(member_key)
    if member is None:
        member = members[member_key] = MemberDraft(company, naics, number)  # type: ignore[arg-type]
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
    site_key = fold_key(site_name)
    site = member.sites.get(site_key)
    if site is None:
        site = member.sites[site_key] = SiteDraft(
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

    # A flow « à classer » keeps its material text as its description when there is no other.
    description = cells.get("description") or (material if found.to_classify else category.label_fr)
    # Flows « à classer » share one category: their material text keeps them apart.
    key_text = (
        f"{material} — {description}"
        if found.to_classify and material != description
        else description
    )
    flow_key = (str(direction), category.code, fold(key_text)[:_DESCRIPTION_KEY_CHARS])
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
            category_code=category.code,
            description=description,
            quantity=quantity,  # type: ignore[arg-type]
            unit=unit,
            frequency=frequency,  # type: ignore[arg-type]
            hazardous=bool(hazardous) if hazardous is not None else category.hazardous,
            confidential=bool(confidential),
            row=number,
            to_classify=found.to_classify,
            suggestions=found.suggestions,
            material_text=material,
            confidence=found.confidence,
        )
    )


@dataclass(frozen=True)
class Found:
    """The category a row's material text gets, or « à classer » with the suggestions."""

    code: str
    confidence: float
    to_classify: bool = False
    suggestions: tuple[str, ...] = ()


def _classify(
    material: str, direction: object, taxonomy: Taxonomy, classifier: Classifier | None
) -> Found:
    """Classify a material text; never refuse it.

    A taxonomy name, a staff correction or a sure guess gives the category. Otherwise the flow
    is « à classer » under :data:`UNCLASSIFIED` with the classifier's best
    :data:`N_SUGGESTIONS` codes (members write « alu à refondre », « rebuts divers »…).
    """
    category = taxonomy.lookup(material)
    if category is not None:
        return Found(category.code, 1.0)
    if classifier is None:
        hints = tuple(c.code for c in taxonomy.suggest(material, n=N_SUGGESTIONS))
        return Found(UNCLASSIFIED, 0.0, True, hints)
    # Free text ("drêche de brasserie", "retailles d'alu"): taken when the classifier is sure,
    # or when staff corrected that wording before.
    way = direction if isinstance(direction, Direction) else None
    result = classifier.classify(material, direction=way)
    if result.code is not None and not result.flagged:
        return Found(result.code, result.confidence)
    ranked = [c for c, _ in ((result.code, result.confidence), *result.candidates) if c]
    suggestions = tuple(dict.fromkeys(ranked))[:N_SUGGESTIONS]
    return Found(UNCLASSIFIED, result.confidence, True, suggestions)
