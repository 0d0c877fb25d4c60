from __future__ import annotations

import pytest

from mapservice.domain.text import fold, squeeze, strip_accents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Saint-Félix-d'Otis ", "saint felix d otis"),
        ("Cœur", "coeur"),
        ("L\u2019Anse-Saint-Jean", "l anse saint jean"),
        ("MÉTABETCHOUAN–LAC-À-LA-CROIX", "metabetchouan lac a la croix"),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_squeeze_and_strip():
    assert squeeze("L'Anse") == squeeze("Lanse") == "lanse"
    assert strip_accents("Kénogami") == "Kenogami"
