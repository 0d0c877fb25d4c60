"""Parse one cell of an import: numbers as French Excel writes them, units, yes/no, types."""

from __future__ import annotations

import math
import re

from mapservice.domain.model import Direction, Frequency, Unit
from mapservice.domain.text import fold, without_bidi
from mapservice.errors import tr
from mapservice.geocoding.gazetteer import normalize_postal_code


class CellError(ValueError):
    """A cell that does not hold what its column expects; ``args[0]`` is the user message (a
    :class:`mapservice.errors.Message`), ``str()`` its French."""


_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)([.,]\d+)?$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+([.,]\d+)?[eE][+-]?\d+$")


def parse_number(text: str) -> float:
    """Parse ``1,5``, ``1.5``, ``1 234,5`` or ``-71.07``; refuse ``12 t`` and ``1,234.5``."""
    raw = text.strip()
    if "," in raw and "." in raw:
        raise CellError(tr("nombre ambigu : virgule et point à la fois"))
    if _SCIENTIFIC.match(raw):
        raise CellError(
            tr(
                "notation scientifique non acceptée : écrivez le nombre en entier, "
                "ex. 1500 plutôt que 1,5E+03"
            )
        )
    if not _NUMBER.match(raw):
        if re.match(r"^[+-]?[\d.,\s]+\s*[^\d\s.,]+", raw):
            raise CellError(tr("un nombre seul est attendu ; l'unité va dans la colonne « unite »"))
        raise CellError(tr("ce n'est pas un nombre"))
    value = float(re.sub(r"[ \u00a0\u202f]", "", raw).replace(",", "."))
    if not math.isfinite(value):
        raise CellError(tr("nombre trop grand"))
    return value + 0.0  # -0 is 0


_UNITS = {
    Unit.T_PER_YEAR: (
        "t/an",
        "t",
        "tonne",
        "tonnes",
        "tonnes/an",
        "tonne/an",
        "t/a",
        "tm/an",
        "t/year",
        "t/yr",
        "tonnes/year",
        "tpa",
        "t an",
    ),
    Unit.M3_PER_YEAR: (
        "m3/an",
        "m³/an",
        "m3",
        "m³",
        "metres cubes/an",
        "m3/year",
        "m³/year",
        "mc/an",
    ),
    Unit.UNITS_PER_YEAR: (
        "unites/an",
        "unités/an",
        "unite/an",
        "unité/an",
        "unites",
        "unités",
        "u/an",
        "units/year",
        "units",
        "unit/year",
        "pieces/an",
        "pièces/an",
    ),
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
        raise CellError(tr("unité inconnue"))
    return unit, 1.0


_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}


def parse_bool(text: str) -> bool:
    key = fold(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(tr("oui ou non attendu"))


_DIRECTIONS = {
    **{
        k: Direction.OUTPUT
        for k in ("offre", "offres", "output", "outputs", "offer", "sortie", "rejet", "residu", "o")
    },
    **{
        k: Direction.INPUT
        for k in (
            "besoin",
            "besoins",
            "input",
            "inputs",
            "need",
            "intrant",
            "entree",
            "demande",
            "b",
        )
    },
}


def parse_direction(text: str) -> Direction:
    direction = _DIRECTIONS.get(fold(text))
    if direction is None:
        raise CellError(tr("« offre » ou « besoin » attendu"))
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
        raise CellError(tr("fréquence inconnue"))
    return freq


_NAICS = re.compile(r"^\d{2,6}$")


def parse_naics(text: str) -> str:
    code = text.strip().replace(" ", "")
    if not _NAICS.match(code):
        raise CellError(tr("code SCIAN de 2 à 6 chiffres attendu"))
    return code


def parse_postal_code(text: str) -> str:
    """Return ``A1A 1A1`` for any accepted spelling (``g8k2a3``, ``G8K-2A3``)."""
    code = normalize_postal_code(text)
    if code is None:
        raise CellError(tr("code postal mal formé"))
    return code


#: Control characters (C0 but tab and line breaks, DEL, C1) and lone surrogates. Stricter than
#: :func:`mapservice.errors.check_plain_text`: C1 controls in a spreadsheet only ever come from
#: a file read in the wrong encoding.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def check_plain(text: str) -> None:
    """Raise :class:`CellError` naming the first control character of ``text``, if any."""
    found = _CONTROL.search(text)
    if found is not None:
        raise CellError(
            tr(
                "caractère de contrôle U+{code:04X} en position {position}",
                code=ord(found.group()),
                position=found.start() + 1,
            )
        )


def visible(text: str) -> str:
    """Return ``text`` with control characters written as ``\\xNN``, to be shown safely."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


_SPACES = re.compile(r"[ \t]+")
_BREAKS = re.compile(r"\r\n?|\n")
_UNCLEAN = re.compile(r"[\t\r\n]|  ")


def clean_text(text: str, *, lines: bool = False) -> str:
    """Return ``text`` with runs of spaces and tabs made one space, as the registry forms do.

    With ``lines``, line breaks are kept (each line trimmed, ``\\r\\n`` made ``\\n``);
    without, they become spaces too, since a name or an address is one line. Other characters
    (no-break spaces, U+2028) are left as they are, but bidirectional controls are dropped
    (:func:`mapservice.domain.text.without_bidi`).
    """
    text = without_bidi(text)
    if not _UNCLEAN.search(text):  # the common case, quickly
        return text.strip()
    if lines:
        kept = (_SPACES.sub(" ", line).strip() for line in _BREAKS.split(text))
        return "\n".join(kept).strip()
    return _SPACES.sub(" ", _BREAKS.sub(" ", text)).strip()


_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"[\d\s+().\-#,/a-zA-Zé]+")


def parse_email(text: str) -> str:
    """Return ``text`` if it looks like an e-mail address (the rule of the member form)."""
    if not _EMAIL.match(text):
        raise CellError(tr("adresse courriel mal formée"))
    return text


def parse_phone(text: str) -> str:
    """Return ``text`` if it is a phone number of at least 7 digits (the member form's rule)."""
    if sum(c.isdigit() for c in text) < 7 or not _PHONE.fullmatch(text):
        raise CellError(tr("numéro de téléphone mal formé"))
    return text
