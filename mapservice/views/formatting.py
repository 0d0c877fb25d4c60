"""Numbers, quantities, distances, money and dates written for a reader, in French or English.

Babel with the ``fr_CA`` and ``en_CA`` locales: ``1 234,5 t/an`` and ``1,234.5 t/year``.
The web layer passes the page's language; notebooks and the CLI get French.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_time
from babel.numbers import (
    format_currency,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)

from mapservice.domain.model import FREQUENCY_LABELS, UNIT_LABELS, Frequency, Unit
from mapservice.domain.moments import in_quebec

#: Languages of the UI, by the code used in URLs, with their Babel locale.
LOCALES = {"fr": "fr_CA", "en": "en_CA"}
UNKNOWN = "—"


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["fr"])


@lru_cache(maxsize=8)
def _symbols(lang: str) -> tuple[str, str, str]:
    locale = _locale(lang)
    return (get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale))


def num(value: float | int | None, digits: int = 1, lang: str = "fr") -> str:
    """Format a number with at most ``digits`` decimals; ``—`` when unknown.

    The locale's symbols come from Babel; the digits from Python's own formatting, which is
    some forty times faster than Babel's pattern engine (a map of 5,000 sites formats
    some 15,000 quantities per request). Both round half to even.
    """
    if value is None:
        return UNKNOWN
    digits = max(digits, 0)
    rounded = round(float(value), digits)
    if rounded == 0:
        rounded = 0.0  # no "-0" for a small negative figure
    text = f"{abs(rounded):,.{digits}f}"
    if digits:
        text = text.rstrip("0").rstrip(".")
    group, decimal, minus = _symbols(lang)
    text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)
    return minus + text if rounded < 0 else text


def unit_label(unit: Unit | str | None, lang: str = "fr") -> str:
    return "" if unit is None else UNIT_LABELS[Unit(unit)]["en" if lang == "en" else "fr"]


def frequency_label(frequency: Frequency | str | None, lang: str = "fr") -> str:
    if frequency is None:
        return ""
    return FREQUENCY_LABELS[Frequency(frequency)]["en" if lang == "en" else "fr"]


def qty(value: float | None, unit: Unit | str | None, digits: int = 1, lang: str = "fr") -> str:
    """``1 234,5 t/an`` (fr) or ``1,234.5 t/year`` (en)."""
    if value is None:
        return UNKNOWN
    return f"{num(value, digits, lang)}\u00a0{unit_label(unit, lang)}".strip()


def km(metres: float | None, digits: int = 1, lang: str = "fr") -> str:
    return UNKNOWN if metres is None else f"{num(metres / 1000, digits, lang)}\u00a0km"


def minutes(seconds: float | None, lang: str = "fr") -> str:
    return UNKNOWN if seconds is None else f"{num(seconds / 60, 0, lang)}\u00a0min"


def tonnes_co2e(kg: float | None, digits: int = 1, lang: str = "fr") -> str:
    return UNKNOWN if kg is None else f"{num(kg / 1000, digits, lang)}\u00a0t\u00a0CO₂e"


def _money_babel(cad: float, lang: str) -> str:
    pattern = "#,##0\u00a0¤" if lang != "en" else "¤#,##0"
    return format_currency(cad, "CAD", format=pattern, locale=_locale(lang), currency_digits=False)


@lru_cache(maxsize=8)
def _money_affixes(lang: str) -> tuple[str, str]:
    """What Babel writes before and after the digits of a sum in dollars: ``("", " $")``."""
    before, _, after = _money_babel(7, lang).partition("7")
    return before, after


def money(cad: float | None, lang: str = "fr") -> str:
    """``1 234 $`` (fr) or ``$1,234`` (en), whole dollars; ``—`` when unknown.

    Written as Babel's pattern writes it (the affixes come from Babel once per language), with
    the digits of :func:`num`: a site page formats a few hundred sums per request.
    """
    if cad is None:
        return UNKNOWN
    whole = round(float(cad))
    before, after = _money_affixes(lang)
    sign = _symbols(lang)[2] if whole < 0 else ""
    return f"{sign}{before}{num(abs(whole), 0, lang)}{after}"


def day(value: date | datetime | None, lang: str = "fr") -> str:
    """The long date; a stored time gives its day in Québec (not in UTC)."""
    if value is None:
        return UNKNOWN
    if isinstance(value, datetime):
        value = in_quebec(value)
    return format_date(value, "long", locale=_locale(lang))


def when(value: datetime | None, lang: str = "fr") -> str:
    """A stored time as Québec reads it: ``7 décembre 2026, 10 h 29`` (fr),
    ``December 7, 2026, 10:29 AM`` (en)."""
    if value is None:
        return UNKNOWN
    local = in_quebec(value)
    text = format_date(local, "long", locale=_locale(lang))
    return f"{text}, {format_time(local, 'short', locale=_locale(lang))}"
