"""Numbers, quantities, distances, money and dates for a reader, in French and in English."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from babel.numbers import get_group_symbol

from mapservice.domain.model import Frequency, Unit
from mapservice.views import formatting as fmt

NBSP = "\u00a0"
#: Babel's French-Canadian group separator: U+00A0 or U+202F depending on the CLDR version.
GROUP = get_group_symbol("fr_CA")


def test_french_group_separator_is_a_no_break_space():
    assert GROUP in ("\u00a0", "\u202f")
    assert fmt.num(1234.5) == f"1{GROUP}234,5"


@pytest.mark.parametrize(
    ("name", "args", "fr", "en"),
    [
        ("qty", (1234.5, "t_per_year"), f"1{GROUP}234,5{NBSP}t/an", f"1,234.5{NBSP}t/year"),
        ("qty", (1234.5, Unit.T_PER_YEAR), f"1{GROUP}234,5{NBSP}t/an", f"1,234.5{NBSP}t/year"),
        ("qty", (12, "m3_per_year"), f"12{NBSP}m³/an", f"12{NBSP}m³/year"),
        ("qty", (3, "units_per_year"), f"3{NBSP}unités/an", f"3{NBSP}units/year"),
        ("qty", (250, "kw"), f"250{NBSP}kW", f"250{NBSP}kW"),
        ("qty", (7.26, None), "7,3", "7.3"),  # no unit, no trailing space
        ("qty", (0, "t_per_year"), f"0{NBSP}t/an", f"0{NBSP}t/year"),
        ("num", (1234567.891, 2), f"1{GROUP}234{GROUP}567,89", "1,234,567.89"),
        ("num", (2.0,), "2", "2"),  # no trailing zero decimals
        ("num", (2.50, 2), "2,5", "2.5"),
        ("num", (1234.56, 0), f"1{GROUP}235", "1,235"),
        ("num", (0,), "0", "0"),
        ("num", (0.0, 3), "0", "0"),
        ("num", (-1234.5,), f"-1{GROUP}234,5", "-1,234.5"),
        ("km", (12345,), f"12,3{NBSP}km", f"12.3{NBSP}km"),
        ("km", (0,), f"0{NBSP}km", f"0{NBSP}km"),
        ("km", (1234567, 0), f"1{GROUP}235{NBSP}km", f"1,235{NBSP}km"),
        ("money", (1234567.4,), f"1{GROUP}234{GROUP}567{NBSP}$", "$1,234,567"),
        ("money", (0,), f"0{NBSP}$", "$0"),
        ("money", (-50,), f"-50{NBSP}$", "-$50"),
        ("minutes", (5400,), f"90{NBSP}min", f"90{NBSP}min"),
        ("minutes", (0,), f"0{NBSP}min", f"0{NBSP}min"),
        ("tonnes_co2e", (1500,), f"1,5{NBSP}t{NBSP}CO₂e", f"1.5{NBSP}t{NBSP}CO₂e"),
        ("day", (date(2026, 11, 28),), "28 novembre 2026", "November 28, 2026"),
        ("day", (datetime(2026, 1, 1, 23, 59),), "1 janvier 2026", "January 1, 2026"),
        ("unit_label", ("t_per_year",), "t/an", "t/year"),
        ("unit_label", (None,), "", ""),
        ("frequency_label", (Frequency.ONE_OFF,), "ponctuel", "one-off"),
        ("frequency_label", ("seasonal",), "saisonnier", "seasonal"),
        ("frequency_label", (None,), "", ""),
    ],
)
def test_french_and_english(name, args, fr, en):
    assert getattr(fmt, name)(*args, lang="fr") == fr
    assert getattr(fmt, name)(*args, lang="en") == en


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("num", (None,)),
        ("qty", (None, "kw")),
        ("km", (None,)),
        ("minutes", (None,)),
        ("money", (None,)),
        ("tonnes_co2e", (None,)),
        ("day", (None,)),
    ],
)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_unknown_is_a_dash(name, args, lang):
    assert getattr(fmt, name)(*args, lang=lang) == "—" == fmt.UNKNOWN


def test_french_is_the_default_and_unknown_languages_fall_back_to_it():
    assert fmt.qty(1234.5, "t_per_year") == f"1{GROUP}234,5{NBSP}t/an"
    assert fmt.km(12345, lang="de") == fmt.km(12345, lang="fr")
    assert fmt.day(date(2026, 11, 28), lang="xx") == "28 novembre 2026"


@pytest.mark.parametrize(
    ("name", "args", "fr", "en"),
    [
        # A tiny negative amount rounds to zero: a reader must not see "-0".
        ("num", (-0.04,), "0", "0"),
        ("tonnes_co2e", (-40,), f"0{NBSP}t{NBSP}CO₂e", f"0{NBSP}t{NBSP}CO₂e"),
        ("money", (-0.4,), f"0{NBSP}$", "$0"),
    ],
)
def test_no_negative_zero(name, args, fr, en):
    assert getattr(fmt, name)(*args, lang="fr") == fr
    assert getattr(fmt, name)(*args, lang="en") == en


def test_money_writes_sums_as_babels_pattern_does() -> None:
    import random

    from mapservice.views.formatting import _money_babel, money

    rng = random.Random(2021)
    sums = (
        [0.5, 1.5, 2.5, -2.5, -0.6, 999.5, -1234.5]
        + [rng.uniform(-1e7, 1e7) for _ in range(500)]
        + [rng.uniform(-3, 3) for _ in range(100)]
    )
    for cad in sums:
        for lang in ("fr", "en"):
            whole = 0 if round(cad) == 0 else cad
            assert money(cad, lang) == _money_babel(whole, lang), (cad, lang)


@pytest.mark.parametrize(
    ("stored", "fr_day", "fr", "en"),
    [
        # 04:30 UTC in December is 23:30 the evening before in Québec (EST, UTC−5)
        (datetime(2026, 12, 7, 4, 30), "6 décembre 2026", "6 décembre 2026, 23 h 30", "11:30"),
        # in July, EDT (UTC−4): 00:30 on July 1st
        (datetime(2026, 7, 1, 4, 30), "1 juillet 2026", "1 juillet 2026, 00 h 30", "12:30"),
    ],
)
def test_stored_times_are_shown_in_quebec_time(stored, fr_day, fr, en):
    """Times are stored in UTC (SQLite gives them back without zone); pages show the
    region's clock, never UTC: the day and the hour change with it."""
    from datetime import UTC

    for moment in (stored, stored.replace(tzinfo=UTC)):
        assert fmt.day(moment) == fr_day
        assert fmt.when(moment) == fr
        assert en in fmt.when(moment, "en")
    assert fmt.day(date(2026, 12, 7)) == "7 décembre 2026"
