"""Quality words: what a description states, read from data/materials/qualities.csv."""

from __future__ import annotations

import csv

import pytest
from babel.messages.pofile import read_po

from mapservice.config import PROJECT_ROOT
from mapservice.errors import TaxonomyError
from mapservice.materials.qualities import Quality, QualityWords

QUALITIES = PROJECT_ROOT / "data" / "materials" / "qualities.csv"
CATALOGUE = PROJECT_ROOT / "mapservice" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def words():
    return QualityWords.from_csv(QUALITIES)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Copeaux écorcés d'épinette, qualité pâte", {"ecorce", "qualite_pate", "epinette"}),
        ("COPEAUX ECORCES, QUALITE PATE", {"ecorce", "qualite_pate"}),  # folded: no accents
        ("Bois de démolition non traité", {"non_traite"}),  # the longest wording wins
        ("Bois traité sous pression", {"traite"}),
        ("Sciure sèche", {"sec"}),
        ("Retailles de bois franc (érable)", {"feuillu", "erable"}),
        ("Ferraille triée", {"trie"}),
        ("Ferraille non triée", {"melange"}),
        ("Sciure de pin", {"pin"}),
        ("Matières diverses", set()),
        ("", set()),
    ],
)
def test_the_qualities_a_text_states(words, text, keys):
    found = words.keys_in(text)
    # implied qualities come along (épinette is a résineux, pulp grade is debarked)
    assert keys <= found
    assert {k for k in found if k not in keys} <= {"resineux", "feuillu", "ecorce"}


def test_implied_qualities_and_opposites_become_masks(words):
    stated, contrary = words.masks("Copeaux d'épinette pour pâte")
    assert stated & words.bit["resineux"] and stated & words.bit["ecorce"]
    assert contrary & words.bit["feuillu"] and contrary & words.bit["avec_ecorce"]
    assert words.masks("") == (0, 0)
    assert words.labels(words.bit["sec"] | words.bit["propre"]) == ["propre", "sec"]
    assert words.labels(words.bit["sec"], "en") == ["dry"]


def test_opposites_are_mutual_and_every_quality_has_a_source():
    with QUALITIES.open(encoding="utf-8") as fh:
        rows = {r["key"]: r for r in csv.DictReader(fh)}
    for key, row in rows.items():
        assert row["source"].strip(), key
        if row["opposite"]:
            assert rows[row["opposite"]]["opposite"] == key, key


def test_every_quality_label_says_itself_in_english():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    with QUALITIES.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            found = catalogue.get(row["label_fr"])
            assert found is not None and found.string == row["label_en"], row["key"]


def test_an_unknown_opposite_or_implied_quality_is_refused():
    with pytest.raises(TaxonomyError, match="unknown quality 'nowhere'"):
        QualityWords([Quality("sec", ("sec",), "nowhere", (), "sec", "dry")])
    with pytest.raises(TaxonomyError, match="unknown quality 'nowhere'"):
        QualityWords([Quality("pin", ("pin",), None, ("nowhere",), "pin", "pine")])


def test_a_row_without_a_source_is_refused(tmp_path):
    path = tmp_path / "qualities.csv"
    path.write_text(
        "key,words,opposite,implies,label_fr,label_en,source\nsec,sec,,,sec,dry,\n",
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError, match="line 2"):
        QualityWords.from_csv(path)
