"""The import file's columns: French names, English aliases, and what each one expects."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from mapservice.domain.text import fold
from mapservice.errors import ImportIssue, tr
from mapservice.importing.values import visible


@dataclass(frozen=True)
class Column:
    """One column: its French name, the headers also taken for it, and what a cell holds.

    ``max_len`` caps a cell in characters: the registry forms' limits for free text (the
    database's are a little wider), a generous bound for cells that must match a format.
    """

    name: str
    aliases: tuple[str, ...]
    required: bool
    expected: str
    max_len: int = 100


COLUMNS: tuple[Column, ...] = (
    Column(
        "entreprise",
        ("company", "member", "membre", "nom entreprise", "raison sociale"),
        True,
        tr("le nom de l'entreprise membre"),
        200,
    ),
    Column(
        "secteur_scian",
        ("scian", "naics", "sector", "secteur", "code scian"),
        False,
        tr("un code SCIAN de 2 à 6 chiffres"),
    ),
    Column(
        "site",
        ("site name", "etablissement", "usine"),
        False,
        tr("le nom du site (vide : le site principal)"),
        200,
    ),
    Column(
        "adresse",
        ("address", "adresse civique", "street address"),
        False,
        tr("l'adresse civique"),
        300,
    ),
    Column(
        "municipalite",
        ("municipality", "ville", "city", "town"),
        True,
        tr("une municipalité, un arrondissement ou un secteur de la région"),
        200,
    ),
    Column(
        "code_postal",
        ("postal code", "postal_code", "postcode", "cp"),
        False,
        tr("un code postal canadien A1A 1A1"),
    ),
    Column("latitude", ("lat",), False, tr("une latitude en degrés décimaux (WGS84), ex. 48,4280")),
    Column(
        "longitude",
        ("lon", "lng", "long"),
        False,
        tr("une longitude en degrés décimaux (WGS84), ex. -71,0680"),
    ),
    Column("type", ("direction", "offre besoin", "kind"), True, tr("« offre » ou « besoin »")),
    Column(
        "matiere",
        ("material", "category", "categorie", "matiere code"),
        True,
        tr("un code, un libellé ou un synonyme de la taxonomie des matières"),
        300,
    ),
    Column("description", ("desc", "details"), False, tr("une description libre"), 1000),
    Column(
        "quantite", ("quantity", "qty", "qte"), False, tr("un nombre (virgule ou point décimal)")
    ),
    Column("unite", ("unit", "unites", "units"), False, tr("t/an, m3/an, unités/an ou kW")),
    Column(
        "frequence",
        ("frequency",),
        False,
        tr("continu, quotidien, hebdomadaire, mensuel, saisonnier, annuel ou ponctuel"),
    ),
    Column("dangereux", ("hazardous", "matiere dangereuse", "mdr"), False, tr("oui ou non")),
    Column("confidentiel", ("confidential",), False, tr("oui ou non")),
    Column(
        "contact_nom",
        ("contact", "contact name"),
        False,
        tr("le nom d'une personne-ressource"),
        200,
    ),
    Column(
        "contact_courriel",
        ("contact email", "courriel", "email"),
        False,
        tr("une adresse courriel, ex. lea@entreprise.ca"),
        200,
    ),
    Column(
        "contact_telephone",
        ("contact phone", "telephone", "phone"),
        False,
        tr("un numéro de téléphone d'au moins 7 chiffres, ex. 418 555-0123"),
        50,
    ),
    Column(
        "consentement_public",
        ("public consent", "consentement", "public"),
        False,
        tr("oui si l'entreprise accepte d'être nommée publiquement, sinon non"),
    ),
)

COLUMNS_BY_NAME = {c.name: c for c in COLUMNS}
#: More named columns than this is no membership file, and each costs a fuzzy match.
MAX_COLUMNS = 200
#: A value quoted back in an issue is cut to this many characters.
SHOWN_CHARS = 80
_KEYS = {fold(alias): c.name for c in COLUMNS for alias in (c.name, *c.aliases)}


def shorten(text: str) -> str:
    """Return ``text`` cut to :data:`SHOWN_CHARS` characters, with an ellipsis if it was cut."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def map_header(header: list[str]) -> tuple[dict[str, int], list[ImportIssue], list[str]]:
    """Map canonical column names to their index in ``header``.

    Returns the mapping, the issues (missing required columns, misspellings, duplicates) and the
    names of unknown columns that are ignored because they look like nothing we know.
    """
    mapping: dict[str, int] = {}
    issues: list[ImportIssue] = []
    ignored: list[str] = []
    named = sum(1 for raw in header if raw.strip())
    if named > MAX_COLUMNS:
        return (
            mapping,
            [
                ImportIssue(
                    1,
                    None,
                    f"{named} colonnes",
                    tr("au plus {maximum} colonnes nommées", maximum=MAX_COLUMNS),
                    tr("En-tête trop large : {named} colonnes nommées.", named=named),
                )
            ],
            ignored,
        )
    for index, raw in enumerate(header):
        label = raw.strip()
        if not label:
            continue
        shown = visible(shorten(label))
        name = _KEYS.get(fold(label))
        if name is None:
            close = difflib.get_close_matches(fold(label), list(_KEYS), n=1, cutoff=0.75)
            if close:
                suggestion = _KEYS[close[0]]
                issues.append(
                    ImportIssue(
                        1,
                        shown,
                        shown,
                        tr("« {suggestion} »", suggestion=suggestion),
                        tr(
                            "Colonne inconnue ; vouliez-vous dire « {suggestion} » ?",
                            suggestion=suggestion,
                        ),
                    )
                )
            else:
                ignored.append(shown)
            continue
        if name in mapping:
            issues.append(
                ImportIssue(
                    1,
                    shown,
                    shown,
                    tr("chaque colonne une seule fois"),
                    tr("La colonne « {name} » apparaît deux fois.", name=name),
                )
            )
            continue
        mapping[name] = index
    misspelled = {i.expected.strip("« »") for i in issues}
    for column in COLUMNS:
        if column.required and column.name not in mapping and column.name not in misspelled:
            expected_cols = ", ".join(c.name for c in COLUMNS if c.required)
            issues.append(
                ImportIssue(
                    1,
                    column.name,
                    None,
                    tr("les colonnes obligatoires : {columns}", columns=expected_cols),
                    tr("Colonne obligatoire absente : « {column} ».", column=column.name),
                )
            )
    return mapping, issues, ignored


class Issues(list[ImportIssue]):
    """The problems found in a file; each names what its column expects unless told."""

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
