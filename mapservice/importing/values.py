"""Parse one cell of an import: numbers as French Excel writes them, units, yes/no, types."""

from __future__ import annotations

import math
import re

from mapservice.geocoding.gazetteer import normalize_postal_code
from mapservice.model import Direction, Frequency, Unit
from mapservice.text import fold


class CellError(ValueError):
    """A cell that does not hold what its column expects; ``str()`` is the user message."""


_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)([.,]\d+)?$")


def parse_number(text: str) -> float:
    """Parse ``1,5``, ``1.5``, ``1 234,5`` or ``-71.07``; refuse ``12 t`` and ``1,234.5``."""
    raw = text.strip()
    if "," in raw and "." in raw:
        raise CellError("nombre ambigu : virgule et point à la fois")
    if not _NUMBER.match(raw):
        if re.match(r"^[+-]?[\d.,\s]+\s*[^\d\s.,]+", raw):
            raise CellError("un nombre seul est attendu ; l'unité va dans la colonne « unite »")
        raise CellError("ce n'est pas un nombre")
    value = float(re.sub(r"[ \u00a0\u202f]", "", raw).replace(",", "."))
    if not math.isfinite(value):
        raise CellError("nombre non fini")
    return value


_UNITS = {
    Unit.T_PER_YEAR: ("t/an", "t", "tonne", "tonnes", "tonnes/an", "tonne/an", "t/a", "tm/an",
                      "t/year", "t/yr", "tonnes/year", "tpa", "t an"),
    Unit.M3_PER_YEAR: ("m3/an", "m³/an", "m3", "m³", "metres cubes/an", "m3/year", "m³/year",
                       "mc/an"),
    Unit.UNITS_PER_YEAR: ("unites/an", "unités/an", "unite/an", "unité/an", "unites", "unités",
                          "u/an", "units/year", "units", "unit/year", "pieces/an", "pièces/an"),
    Unit.KW: ("kw", "kW", "kilowatt", "kilowatts"),
}
_UNIT_KEYS = {fold(alias): unit for unit, aliases in _UNITS.items() for alias in aliases}
_KG_KEYS = {fold(a) for a in ("kg/an", "kg", "kg/year", "kilogrammes/an")}


def parse_unit(text: str) -> tuple[Unit, float]:
    """Return the stored unit and the factor to multiply the quantity by (kg → t)."""
    key = fold(text.replace("³", "3"))
    if key in _KG_KEYS:
        return Unit.T_PER_YEAR, 0.001
    unit = _UNIT_KEYS.get(key)
    if unit is None:
        raise CellError("unité inconnue")
    return unit, 1.0


_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}


def parse_bool(text: str) -> bool:
    key = fold(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError("oui ou non attendu")


_DIRECTIONS = {
    **{k: Direction.OUTPUT for k in ("offre", "offres", "output", "outputs", "offer", "sortie",
                                     "rejet", "residu", "o")},
    **{k: Direction.INPUT for k in ("besoin", "besoins", "input", "inputs", "need", "intrant",
                                    "entree", "demande", "b")},
}


def parse_direction(text: str) -> Direction:
    direction = _DIRECTIONS.get(fold(text))
    if direction is None:
        raise CellError("« offre » ou « besoin » attendu")
    return direction


_FREQUENCIES = {
    Frequency.CONTINUOUS: ("continu", "continue", "en continu", "continuous"),
    Frequency.DAILY: ("quotidien", "quotidienne", "journalier", "daily"),
    Frequency.WEEKLY: ("hebdomadaire", "weekly"),
    Frequency.MONTHLY: ("mensuel", "mensuelle", "monthly"),
    Frequency.SEASONAL: ("saisonnier", "saisonniere", "seasonal"),
    Frequency.YEARLY: ("annuel", "annuelle", "yearly", "annual"),
    Frequency.ONE_OFF: ("ponctuel", "ponctuelle", "unique", "one off", "once"),
}
_FREQUENCY_KEYS = {fold(a): f for f, aliases in _FREQUENCIES.items() for a in aliases}


def parse_frequency(text: str) -> Frequency:
    freq = _FREQUENCY_KEYS.get(fold(text))
    if freq is None:
        raise CellError("fréquence inconnue")
    return freq


_NAICS = re.compile(r"^\d{2,6}$")


def parse_naics(text: str) -> str:
    code = text.strip().replace(" ", "")
    if not _NAICS.match(code):
        raise CellError("code SCIAN de 2 à 6 chiffres attendu")
    return code


def parse_postal_code(text: str) -> str:
    """Return ``A1A 1A1`` for any accepted spelling (``g8k2a3``, ``G8K-2A3``)."""
    code = normalize_postal_code(text)
    if code is None:
        raise CellError("code postal mal formé")
    return code
