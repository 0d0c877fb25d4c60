"""Every page, in French and in English, reads as a person should read it.

The scan walks every page of :mod:`tests.support.every_page` as the account that reads it, over
the living demo (with its synergies at every stage), in French (the default) and in English
(``?lang=en``), and reads only the visible text (no script, style or attribute). It fails on
internal codes, « (s) » plurals and « 1 » before a plural noun, breakable spaces before
« : ; ? ! » and inside « » (French), and words of the other language (English words in French
pages, French words in English pages; the members' own texts are taken out first).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from mapservice import create_app
from mapservice.domain.typography import french
from mapservice.services import Services
from tests.support import language_scan as scan
from tests.support.accounts import add_role_accounts
from tests.support.every_page import PageCase, get_every_page, prepare
from tests.support.settings import make_settings
from tests.support.visible_text import visible_text


@pytest.fixture
def living_app(tmp_path: Path, live_demo_sqlite: Path) -> tuple[Any, str]:
    """The app over a private copy of the living demo, with one account per role."""
    target = tmp_path / "live_demo.sqlite"
    shutil.copy(live_demo_sqlite, target)
    url = "sqlite:///" + str(target)
    svc = Services(make_settings(tmp_path, url))
    try:
        add_role_accounts(svc, skip=("personnel",))  # the living demo has its staff account
    finally:
        svc.close()
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )
    return app, url


def read_every_page(app: Any, cases: list[PageCase], lang: str) -> dict[str, list[str]]:
    """Each page's runs of visible text, by the case's name."""
    pages = {}
    for case, resp in get_every_page(app, cases, lang):
        assert resp.status_code == 200, case.name
        pages[case.name] = visible_text(resp.get_data(as_text=True))
    return pages


def problems(runs: list[str], lang: str, data: set[str], ids: set[str]) -> list[str]:
    """What a person should not read on one page."""
    found = [f"code: {c}" for c in scan.codes(runs, ids)]
    found += [f"plural: {p}" for p in scan.plurals(runs)]
    found += [f"unit: {u}" for u in scan.units(runs, lang)]
    if lang == "fr":
        found += [f"breakable space: {s!r}" for s in scan.breakable_spaces(runs)]
        found += [f"English word: {w}" for w in scan.words_of(runs, scan.ENGLISH, data)]
    else:
        found += [f"French word: {w}" for w in scan.words_of(runs, scan.FRENCH, data)]
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_reads_in_its_language(living_app, tmp_path, lang):
    app, url = living_app
    cases = prepare(url, tmp_path)
    db_path = url.removeprefix("sqlite:///")
    data, ids = scan.data_texts(db_path), scan.known_ids(db_path)
    pages = read_every_page(app, cases, lang)
    found = {name: problems(runs, lang, data, ids) for name, runs in pages.items()}
    report = [f"{name}: {p}" for name, page in found.items() for p in sorted(set(page))]
    assert not report, "\n".join(report)


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        (["Parc : Alma"], []),
        (["Parc\u00a0: « Alma »"], []),
        (["parks,sites,lines"], ["code"]),
        (["category = bois"], ["code"]),
        (["net = évitées − transport"], []),
        (["metaux.aluminium.retailles"], ["code"]),
        (["sources : data/factors.csv"], ["code"]),
        (["alma-nord"], ["known"]),
        (["Saint-Cœur-de-Marie, 10:29, 1,5 t/an, peut-être"], []),
    ],
)
def test_the_code_check_finds_codes_and_leaves_words(runs, expected):
    found = scan.codes(runs, {"alma-nord"})
    assert bool(found) == bool(expected), found


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("1 erreur(s)", True),
        ("250 membre(s)", True),
        ("1 synergies réalisées", True),
        ("avec 1 barres", True),
        ("1 barres", True),
        ("1 realised synergies", True),
        ("1 fois par mois", False),
        ("1 synergie réalisée", False),
        ("21 synergies", False),
        ("0,1 tonnes", False),
    ],
)
def test_the_plural_check(text, flagged):
    assert bool(scan.plurals([text])) is flagged


@pytest.mark.parametrize(
    ("runs", "flagged"),
    [
        (["Parc : Alma"], True),
        (["Parc", " ", ": Alma"], True),
        (["« Sciure »"], True),
        (["Vraiment ?"], True),
        ([french("Parc : « Sciure » ; vraiment ? oui !")], False),
        (["10:29, http://x, a != b"], False),
    ],
)
def test_the_typography_check(runs, flagged):
    assert bool(scan.breakable_spaces(runs)) is flagged


def test_the_word_checks_skip_data():
    runs = ["Sites of the park", "The Wood Shop", "Scierie du Lac"]
    assert scan.words_of(runs, scan.ENGLISH, {"The Wood Shop"}) == [
        "of « Sites of the park »",
        "the « Sites of the park »",
    ]
    assert scan.words_of(runs, scan.FRENCH, {"Scierie du Lac"}) == []
