"""The import file's columns: French names, English aliases, and what each one expects."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from mapservice.errors import ImportIssue
from mapservice.text import fold


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...]
    required: bool
    expected: str


COLUMNS: tuple[Column, ...] = (
    Column("entreprise", ("company", "member", "membre", "nom entreprise", "raison sociale"), True,
           "le nom de l'entreprise membre"),
    Column("secteur_scian", ("scian", "naics", "sector", "secteur", "code scian"), False,
           "un code SCIAN de 2 à 6 chiffres"),
    Column("site", ("site name", "etablissement", "usine"), False,
           "le nom du site (vide : le site principal)"),
    Column("adresse", ("address", "adresse civique", "street address"), False,
           "l'adresse civique"),
    Column("municipalite", ("municipality", "ville", "city", "town"), True,
           "une municipalité, un arrondissement ou un secteur de la région"),
    Column("code_postal", ("postal code", "postal_code", "postcode", "cp"), False,
           "un code postal canadien A1A 1A1"),
    Column("latitude", ("lat",), False, "une latitude en degrés décimaux (WGS84), ex. 48,4280"),
    Column("longitude", ("lon", "lng", "long"), False,
           "une longitude en degrés décimaux (WGS84), ex. -71,0680"),
    Column("type", ("direction", "offre besoin", "kind"), True, "« offre » ou « besoin »"),
    Column("matiere", ("material", "category", "categorie", "matiere code"), True,
           "un code, un libellé ou un synonyme de la taxonomie des matières"),
    Column("description", ("desc", "details"), False, "une description libre"),
    Column("quantite", ("quantity", "qty", "qte"), False, "un nombre (virgule ou point décimal)"),
    Column("unite", ("unit", "unites", "units"), False, "t/an, m3/an, unités/an ou kW"),
    Column("frequence", ("frequency",), False,
           "continu, quotidien, hebdomadaire, mensuel, saisonnier, annuel ou ponctuel"),
    Column("dangereux", ("hazardous", "matiere dangereuse", "mdr"), False, "oui ou non"),
    Column("confidentiel", ("confidential",), False, "oui ou non"),
    Column("contact_nom", ("contact", "contact name"), False, "le nom d'une personne-ressource"),
    Column("contact_courriel", ("contact email", "courriel", "email"), False,
           "une adresse courriel"),
    Column("contact_telephone", ("contact phone", "telephone", "phone"), False,
           "un numéro de téléphone"),
    Column("consentement_public", ("public consent", "consentement", "public"), False,
           "oui si l'entreprise accepte d'être nommée publiquement, sinon non"),
)

COLUMNS_BY_NAME = {c.name: c for c in COLUMNS}
_KEYS = {fold(alias): c.name for c in COLUMNS for alias in (c.name, *c.aliases)}


def map_header(header: list[str]) -> tuple[dict[str, int], list[ImportIssue], list[str]]:
    """Map canonical column names to their index in ``header``.

    Returns the mapping, the issues (missing required columns, misspellings, duplicates) and the
    names of unknown columns that are ignored because they look like nothing we know.
    """
    mapping: dict[str, int] = {}
    issues: list[ImportIssue] = []
    ignored: list[str] = []
    for index, raw in enumerate(header):
        label = raw.strip()
        if not label:
            continue
        name = _KEYS.get(fold(label))
        if name is None:
            close = difflib.get_close_matches(fold(label), list(_KEYS), n=1, cutoff=0.75)
            if close:
                suggestion = _KEYS[close[0]]
                issues.append(
                    ImportIssue(1, label, label, f"« {suggestion} »",
                                f"Colonne inconnue ; vouliez-vous dire « {suggestion} » ?")
                )
            else:
                ignored.append(label)
            continue
        if name in mapping:
            issues.append(
                ImportIssue(1, label, label, "chaque colonne une seule fois",
                            f"La colonne « {name} » apparaît deux fois.")
            )
            continue
        mapping[name] = index
    misspelled = {i.expected.strip("« »") for i in issues}
    for column in COLUMNS:
        if column.required and column.name not in mapping and column.name not in misspelled:
            expected_cols = ", ".join(c.name for c in COLUMNS if c.required)
            issues.append(
                ImportIssue(1, column.name, None, f"les colonnes obligatoires : {expected_cols}",
                            f"Colonne obligatoire absente : « {column.name} ».")
            )
    return mapping, issues, ignored
