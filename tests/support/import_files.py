"""Membership files as a member would send them: French Excel CSV, and three good rows."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
    "entreprise",
    "secteur_scian",
    "site",
    "adresse",
    "municipalite",
    "code_postal",
    "latitude",
    "longitude",
    "type",
    "matiere",
    "description",
    "quantite",
    "unite",
    "frequence",
    "dangereux",
    "confidentiel",
]

GOOD = [
    [
        "Scierie du Lac (démo)",
        "321113",
        "",
        "1200 rue des Pins",
        "St-Félicien",
        "G8K 2A3",
        "",
        "",
        "offre",
        "bois.sciure",
        "Sciure sèche d'épinette",
        "1 234,5",
        "t/an",
        "hebdomadaire",
        "non",
        "non",
    ],
    [
        "Scierie du Lac (démo)",
        "321113",
        "",
        "1200 rue des Pins",
        "St-Félicien",
        "G8K 2A3",
        "",
        "",
        "besoin",
        "Bran de scie",
        "Pour litière",
        "12",
        "t/an",
        "mensuel",
        "non",
        "non",
    ],
    [
        "Serres Boréales (démo)",
        "111419",
        "Serre nord",
        "",
        "Ville de Saguenay (arr. Jonquière)",
        "",
        "48,4210",
        "-71,2300",
        "besoin",
        "bois.copeaux",
        "",
        "3.5",
        "t/an",
        "",
        "",
        "oui",
    ],
]


def write_csv(path: Path, rows, *, header=HEADER, delimiter=";", encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path
