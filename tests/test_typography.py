"""Québec typography (mapservice/domain/typography.py) and where the pages apply it: the French
catalogue and the ``typo``/``quoted`` filters, never English pages, attributes or form values."""

from __future__ import annotations

import re

import pytest

from mapservice.domain.typography import NARROW_NO_BREAK, NO_BREAK, french

NB, NNB = NO_BREAK, NARROW_NO_BREAK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Parc : Alma", f"Parc{NB}: Alma"),
        ("Total :", f"Total{NB}:"),
        ("« Sciure »", f"«{NB}Sciure{NB}»"),
        ("Vraiment ? Oui ! Non ; peut-être", f"Vraiment{NNB}? Oui{NNB}! Non{NNB}; peut-être"),
        ("(voir ci-dessous !)", f"(voir ci-dessous{NNB}!)"),
        ("10:29, EPSG:4326, http://x/?a=1", "10:29, EPSG:4326, http://x/?a=1"),
        ("a != b", "a != b"),
        ("Parc: Alma", "Parc: Alma"),  # adds no space, removes none
        ("", ""),
    ],
)
def test_french_makes_the_spaces_that_are_there_no_break(text, expected):
    assert french(text) == expected
    assert french(expected) == expected  # idempotent


def _view(client, title: str):
    return client.post(
        "/present/vues",
        data={"title": title, "lat": "48.5", "lon": "-71.9", "zoom": "10", "layers": "sites"},
    )


def test_french_pages_get_it_english_pages_attributes_and_form_values_do_not(client):
    assert _view(client, "Vue : nord ?").status_code == 303
    fr = client.get("/present/vues?lang=fr").get_data(as_text=True)
    en = client.get("/present/vues?lang=en").get_data(as_text=True)
    # What a person wrote comes back as written in a form field (no silent change on save).
    assert 'value="Vue : nord ?"' in fr and 'value="Vue : nord ?"' in en
    # The catalogue's French is in Québec typography; English has none of it.
    assert NB in fr or NNB in fr
    assert NNB not in en and f"{NB}:" not in en
    # No value, address, name or class gets a typographic space (labels such as aria-label
    # are words for people, said by the catalogue in Québec typography).
    for name, attribute in re.findall(r'\b(value|href|action|name|id|class|type)="([^"]*)"', fr):
        assert NB not in attribute and NNB not in attribute, (name, attribute)


def test_a_plural_is_chosen_by_the_french_rule_in_french_and_the_catalogue_in_english(client):
    page = {
        lang: client.get(f"/registre/?lang={lang}").get_data(as_text=True) for lang in ("fr", "en")
    }
    assert re.search(r"\d membres au registre\.", page["fr"])
    assert re.search(r"\d members in the registry\.", page["en"])
    assert "(s)" not in page["fr"] and "(s)" not in page["en"]
