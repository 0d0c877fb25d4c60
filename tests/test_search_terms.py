"""The one matcher of every search box: terms, plurals, synonyms, the taxonomy, and what the
reader may not see (the demo registry for the map; the taxonomy of ``data/``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapservice.domain.access import PUBLIC
from mapservice.domain.disclosure import is_exact
from mapservice.domain.text import fold
from mapservice.materials.search_terms import Haystack, parse_query, spellings
from mapservice.materials.taxonomy import Taxonomy
from mapservice.materials.words import word_keys
from mapservice.services import Services
from mapservice.views.map_filters import MapFilter, apply_filter, search_understood
from mapservice.views.map_view import filter_choices, region_view
from tests.support.settings import make_settings

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.from_directory(DATA)


# --- reading a query ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("bran de scie", "bois.sciure"),
        ("sciure", "bois.sciure"),
        ("SCIURES", "bois.sciure"),
        ("Sawdust", "bois.sciure"),
        ("sciure de bois", "bois.sciure"),
        ("bois.sciure", "bois.sciure"),
        ("métaux", "metaux"),
        ("Metal", "metaux"),
        ("ecorces", "bois.ecorces"),
        ("Écorce", "bois.ecorces"),
        ("drêches", "agroalimentaire.dreche"),
    ],
)
def test_a_query_naming_a_material_is_one_category_term(taxonomy, q, code):
    (term,) = parse_query(q, taxonomy).terms
    assert term.category == code
    assert code in term.codes
    # The subtree: every category under it answers too.
    assert all(
        code in term.codes for c in taxonomy if code in {a.code for a in taxonomy.ancestors(c.code)}
    )


def test_the_subtree_goes_down_to_grand_children(taxonomy):
    (term,) = parse_query("métaux", taxonomy).terms
    assert {"metaux.aluminium", "metaux.aluminium.brasques.premiere_coupe"} <= term.codes
    assert not any(c.startswith("bois") for c in term.codes)


@pytest.mark.parametrize(
    ("q", "lang", "said"),
    [
        ("bran de scie", "fr", ["Sciure de bois (bran de scie)"]),
        ("bran de scie", "en", ["Sawdust (bran de scie)"]),
        ("Sciure de bois", "fr", ["Sciure de bois"]),
        ("sciures alma", "fr", ["Sciure de bois (sciures)"]),
        ("Récupération", "fr", []),
    ],
)
def test_the_page_says_what_was_understood(taxonomy, q, lang, said):
    assert search_understood(q, taxonomy, lang) == said


def test_a_material_and_a_word_make_two_terms(taxonomy):
    terms = parse_query("bran de scie Chicoutimi", taxonomy).terms
    assert [(t.category, t.folded) for t in terms] == [
        ("bois.sciure", "bran de scie"),
        (None, "chicoutimi"),
    ]


def test_stop_words_narrow_nothing_unless_alone(taxonomy):
    assert [t.folded for t in parse_query("palettes de la cour", taxonomy).terms] == [
        "palettes",
        "cour",
    ]
    assert [t.folded for t in parse_query("de", taxonomy).terms] == ["de"]


@pytest.mark.parametrize(
    ("q", "text", "answered"),
    [
        ("palettes", "Palette de bois usagée", True),
        ("palette", "PALETTES DE BOIS", True),
        ("palet", "palettes de bois", True),  # a partial word
        ("métal", "Métaux mélangés", True),  # -aux / -al
        ("copeau", "copeaux d'érable", True),
        ("batteries", "battery", True),
        ("ECORCE", "écorces", True),
        ("tremblay ferme", "Ferme Tremblay (démo)", True),  # any order
        ("lma", "Alma", True),  # inside a word, as the plain search did
        ("ferme tremblay", "Ferme Gagnon", False),
        ("carton", "cuivre", False),
    ],
)
def test_texts_answer_every_word(q, text, answered):
    assert parse_query(q).matches_text(text) is answered


def test_a_text_naming_the_category_otherwise_answers_a_synonym(taxonomy):
    search = parse_query("bran de scie", taxonomy)
    assert search.answered_by(Haystack.of("Sciure pour litière"))
    assert search.answered_by(Haystack.of("saw dust, dry"))
    assert search.answered_by(Haystack.of("rien de dit"), codes=("bois.sciure",))
    assert not search.answered_by(Haystack.of("copeaux"), codes=("bois.copeaux",))


def test_the_database_gets_spellings_a_like_can_find(taxonomy):
    (word,) = parse_query("métal", taxonomy).terms  # a category: its names as written
    assert "metaux" in spellings(word)
    (sawdust,) = parse_query("bran de scie", taxonomy).terms
    assert {"sciure", "sawdust", "sciure de bois"} <= set(spellings(sawdust))
    (plural,) = parse_query("chaudieres", None).terms
    assert spellings(plural) == ("chaudiere",)
    (animal,) = parse_query("animaux", None).terms
    assert set(spellings(animal)) == {"animal"}


# --- the map on the demo registry -----------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_sqlite: Path) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("search")
    shutil.copy(demo_sqlite, folder / "demo.sqlite")
    svc = Services(make_settings(folder, "sqlite:///" + str(folder / "demo.sqlite")))
    yield svc
    svc.close()


def found(svc: Services, q: str) -> tuple[set[int], set[int]]:
    sites, flows = apply_filter(
        MapFilter(q=q), svc.repo.sites(), svc.repo.flows(), filter_choices(svc)
    )
    return {s.id for s in sites if s.id}, {f.id for f in flows if f.id}


@pytest.mark.parametrize(
    "wordings",
    [
        (
            "sciure",
            "bran de scie",
            "sciures",
            "SCIURE",
            "Sawdust",
            "Sciure de bois",
            "brin de scie",
        ),
        ("écorces", "ecorce", "Bark", "ÉCORCES"),
        ("palettes", "palette", "PALETTES"),
    ],
)
def test_every_wording_of_a_material_finds_the_same_sites(demo, wordings):
    results = [found(demo, q) for q in wordings]
    assert results[0][0], wordings[0]
    assert all(r == results[0] for r in results), dict(zip(wordings, results, strict=True))


def test_a_synonym_finds_the_whole_category_and_the_texts_that_name_it(demo):
    sites, flows = found(demo, "bran de scie")
    sawdust = [f for f in demo.repo.flows() if f.category_code == "bois.sciure"]
    said = [f for f in demo.repo.flows() if "sciure" in fold(f.description)]
    assert sawdust and said
    assert {f.id for f in sawdust} | {f.id for f in said} <= flows
    # More than the four sites a substring « bran de scie » found.
    plain = {f.site_id for f in demo.repo.flows() if "bran de scie" in fold(f.description)}
    assert len(sites) > len(plain)


def test_a_category_label_finds_its_sub_categories(demo):
    _, flows = found(demo, "Aluminium")
    codes = {f.category_code for f in demo.repo.flows() if f.id in flows}
    assert {"metaux.aluminium", "metaux.aluminium.retailles"} <= codes


def test_a_partial_company_name_finds_the_company_with_all_its_flows(demo):
    site = next(s for s in demo.repo.sites() if s.member_name == "Récupération Grand-Duc (démo)")
    for q in ("grand-duc", "GRAND DUC", "recuperations grand", "duc récup"):
        sites, flows = found(demo, q)
        assert site.id in sites, q
        assert {f.id for f in demo.repo.flows() if f.site_id == site.id} <= flows


def test_nonsense_finds_nothing(demo):
    assert found(demo, "zzyzx qwfp") == (set(), set())


# --- what the reader may not see ------------------------------------------------------------


def _known_words(texts: list[str]) -> set[str]:
    return {k for text in texts for k, _ in word_keys(text)}


def test_a_search_never_reaches_a_hidden_description(demo, taxonomy):
    """A word only a hidden site's description says finds nothing on the public map."""
    sites = demo.repo.sites()
    flows = demo.repo.flows()
    hidden = {s.id for s in sites if not is_exact(s, PUBLIC)}
    visible = [s for s in sites if s.id not in hidden]
    seen = _known_words(
        [s.member_name or "" for s in visible]
        + [s.name for s in visible]
        + [f.description for f in flows if f.site_id not in hidden]
        + [n for c in taxonomy for n in (c.label_fr, c.label_en, *c.synonyms_fr, *c.synonyms_en)]
    )
    secret = next(
        (f, k)
        for f in flows
        if f.site_id in hidden
        for k, _ in word_keys(f.description)
        if len(k) >= 6 and not any(w.startswith(k[:5]) for w in seen)
    )
    flow, word = secret
    assert flow.id in found(demo, word)[1]  # staff find it
    public = region_view(demo, MapFilter(q=word), anonymise=True)
    assert flow.site_id not in {s.id for s in public.sites}
    assert flow.id not in {f.id for f in public.flows}


def test_a_search_never_reaches_a_hidden_company_name(demo):
    hidden = [s for s in demo.repo.sites() if not is_exact(s, PUBLIC)]
    for site in hidden[:5]:
        word = max(fold(site.member_name or "").split(), key=len)
        public = region_view(demo, MapFilter(q=site.member_name), anonymise=True)
        assert site.id not in {s.id for s in public.sites}, word
