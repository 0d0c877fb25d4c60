"""Sector colours come from the SCIAN code's real sector: every subsector of SCIAN Canada 2022."""

from __future__ import annotations

import pytest

from mapservice.domain.sectors import BY_CODE, OTHER, sector_group, sector_prefix, shown_sector

#: Every three-digit subsector of SCIAN Canada 2022, by the group whose colour it takes.
SUBSECTORS = {
    "primaire": "111 112 113 114 115 211 212 213",
    "construction": "221 236 237 238",
    "alimentaire": "311 312 313 314 315 316",
    # wood, paper, printing, petroleum, chemicals, plastics, minerals, and furniture (wood)
    "bois-chimie": "321 322 323 324 325 326 327 337",
    "metaux": "331 332 333 334 335 336 339",
    "transport": "411 412 413 414 415 416 417 418 419 441 444 445 449 455 456 457 458 459 "
    "481 482 483 484 485 486 487 488 491 492 493",
    "services": "512 513 516 517 518 519 521 522 523 524 526 531 532 533 541 551 561 "
    "611 621 622 623 624 711 712 713 721 722 811 812 813 814 911 912 913 914 919",
    "environnement": "562",
}
CASES = [(code, group) for group, codes in SUBSECTORS.items() for code in codes.split()]


@pytest.mark.parametrize(("subsector", "group"), CASES)
def test_each_subsector_takes_its_real_sector(subsector, group):
    assert sector_group(subsector).code == group
    for longer in (subsector + "1", subsector + "110", subsector + "999"):
        assert sector_group(longer).code == group, longer


@pytest.mark.parametrize(
    ("naics", "group"),
    [
        ("337110", "bois-chimie"),  # a cabinet maker works wood, not metal
        ("337127", "bois-chimie"),
        ("332710", "metaux"),  # a machine shop
        ("333990", "metaux"),
        ("321113", "bois-chimie"),  # a sawmill
        ("561320", "services"),  # a staffing agency is no waste manager
        ("562110", "environnement"),
        ("56", "autre"),  # the sector alone does not say which
        ("33", "autre"),
    ],
)
def test_named_trades(naics, group):
    assert sector_group(naics).code == group


def test_a_hidden_site_keeps_its_sector_and_a_split_sector_says_no_group():
    for code, _group in CASES:
        full = code + "110"
        kept = shown_sector(full)
        assert kept == full[:2]
        split = kept in ("33", "56")
        assert sector_group(kept) is (OTHER if split else sector_group(full)), full
    assert sector_prefix("332710") == "332" and sector_prefix("321113") == "32"
    assert sector_prefix("337110") == "337"
    assert shown_sector("337110") == "33" and shown_sector("3") is None
    assert sector_prefix("999999") is None and sector_prefix(None) is None
    assert sector_group("999999") is OTHER


def test_furniture_is_named_in_its_group():
    assert "meubles" in BY_CODE["bois-chimie"].label("fr")
    assert "furniture" in BY_CODE["bois-chimie"].label("en")
