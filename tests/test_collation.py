"""Québec French collation: lists sort as ICU's fr-CA sorts them (the expected orders below are
what ICU gives)."""

from __future__ import annotations

import random

import pytest

from mapservice.domain.collation import collated, collation_key

ORDERS = [
    # accents do not send a word to the end
    ["Bois", "Écorce de bouleau", "Écorces", "Fer", "Sciure"],
    ["Eau", "Énergie", "Ferraille", "Zinc"],
    ["Parc industriel aéroportuaire d'Alma", "Parc industriel de Jonquière", "Saint-Cœur-de-Marie"],
    # a word break sorts before any letter: hyphen, space and apostrophe alike
    ["Saint-Félix-d'Otis", "Saint-Honoré", "Sainte-Hedwidge", "Sainte-Rose-du-Nord"],
    ["L'Anse-Saint-Jean", "La Baie", "Labrecque", "Lac-Bouchette"],
    # French accents are read from the end of the word (CLDR fr-CA, « backwards 2 »)
    ["cote", "côte", "coté", "côté"],
    # case only breaks ties, lower case first
    ["bois", "Bois", "BOIS", "boisé"],
    # ligatures read as their letters
    ["Cobalt", "Cœur", "Coeurs", "Cuivre"],
    ["Ægir", "Aérien", "Afrique"],
    # digits before letters
    ["3D Métal", "Alma", "Émail"],
    ["Métabetchouan–Lac-à-la-Croix", "Métaux ferreux", "Métaux non ferreux", "Mistassini"],
]


@pytest.mark.parametrize("expected", ORDERS, ids=lambda order: order[0])
def test_lists_sort_as_a_québec_reader_expects(expected):
    shuffled = expected[:]
    random.Random(20).shuffle(shuffled)
    assert collated(shuffled) == expected
    assert sorted(reversed(expected), key=collation_key) == expected


def test_collated_sorts_things_by_their_label():
    rows = [{"label": "Sciure"}, {"label": "Écorces"}, {"label": "énergie"}]
    assert [r["label"] for r in collated(rows, key=lambda r: r["label"])] == [
        "Écorces",
        "énergie",
        "Sciure",
    ]


def test_the_key_is_total_and_keeps_different_spellings_apart():
    spellings = ["Saint-Jean", "Saint Jean", "saint-jean", "Saint–Jean"]
    keys = {collation_key(s) for s in spellings}
    assert len(keys) == len(spellings)
    assert collated(["", " ", "a"]) == ["", " ", "a"]
