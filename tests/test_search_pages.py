"""The search boxes of the pages: what they find and what they say they understood."""

from __future__ import annotations

import re

import pytest


def _summary(html: str) -> str:
    return re.search(r'<p id="summary"[^>]*>(.*?)</p>', html, re.S).group(1)


@pytest.mark.parametrize("q", ["sciure", "bran de scie", "SCIURES", "Sawdust"])
def test_the_region_map_finds_a_material_however_it_is_written(client, q):
    html = client.get("/", query_string={"q": q}).get_data(as_text=True)
    base = client.get("/", query_string={"q": "sciure"}).get_data(as_text=True)
    assert _summary(html) == _summary(base)
    assert "Recherche comprise" in html and "Sciure de bois" in html


def test_the_map_says_which_synonym_it_read(client):
    html = client.get("/", query_string={"q": "bran de scie"}).get_data(as_text=True)
    understood = re.search(r'<p class="search-understood"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Sciure de bois (bran de scie)" in understood
    english = client.get("/", query_string={"q": "bran de scie", "lang": "en"})
    assert "Sawdust (bran de scie)" in english.get_data(as_text=True)


def test_no_understanding_is_said_for_a_company_name(client):
    html = client.get("/", query_string={"q": "Grand-Duc"}).get_data(as_text=True)
    assert "search-understood" not in html
    assert "Récupération Grand-Duc" in html


def test_the_board_says_what_it_understood(client):
    html = client.get("/synergies", query_string={"q": "sciures"}).get_data(as_text=True)
    assert "Sciure de bois (sciures)" in html
