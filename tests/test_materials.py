"""The taxonomy, its rules and the factors: the real files, and broken copies of them."""

from __future__ import annotations

import re
import shutil

import pytest

from mapservice.config import PROJECT_ROOT
from mapservice.errors import TaxonomyError
from mapservice.materials.compatibility import Compatibility
from mapservice.materials.taxonomy import Taxonomy, load_factors

DATA = PROJECT_ROOT / "data"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.from_directory(DATA)


def test_size_and_families(taxonomy):
    assert len(taxonomy) >= 40
    roots = {c.code for c in taxonomy.roots()}
    for family in (
        "bois",
        "metaux",
        "agroalimentaire",
        "construction",
        "plastiques",
        "emballages",
        "energie",
        "mutualisation",
    ):
        assert family in roots, family
    kinds = {c.kind for c in taxonomy}
    assert kinds == {"material", "energy", "mutualisation"}
    assert len(taxonomy.rules) >= 40


def test_every_category_is_complete(taxonomy):
    for cat in taxonomy:
        assert cat.label_fr and cat.label_en, cat.code
        assert cat.max_transport_km > 0, cat.code
        if cat.ewc_code:
            assert re.fullmatch(r"\d\d \d\d \d\d\*?", cat.ewc_code), cat.code
            assert cat.ewc_code.endswith("*") == cat.hazardous or not cat.hazardous, cat.code


def test_heat_travels_less_far_than_metal(taxonomy):
    heat = [c for c in taxonomy if c.kind == "energy" and c.default_unit == "kw"]
    metals = [c for c in taxonomy if c.code.startswith("metaux")]
    assert heat and metals
    assert max(c.max_transport_km for c in heat) < min(c.max_transport_km for c in metals)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("bois.sciure", "bois"),
        ("Sciure de bois", "bois"),
        ("bran de scie", "bois"),
        ("SCIURES", "bois"),
        ("Drêche de brasserie", "agroalimentaire"),
        ("dreches", "agroalimentaire"),
        ("brasques usées", "metaux"),
        ("SPL", "metaux"),
        ("béton concassé", "construction"),
        ("Beton concasse", "construction"),
        ("palettes", "emballages"),
        ("chaleur résiduelle", "energie"),
        ("Sawdust", "bois"),
    ],
)
def test_lookup_what_staff_write(taxonomy, text, family):
    cat = taxonomy.lookup(text)
    assert cat is not None, text
    root = (taxonomy.ancestors(cat.code) or [cat])[-1]
    assert root.code == family


@pytest.mark.parametrize("text", ["licorne", "", "   ", "sciure de licorne magique"])
def test_unknown_text_is_not_forced_into_a_category(taxonomy, text):
    assert taxonomy.lookup(text) is None


def test_suggestions_for_a_misspelling(taxonomy):
    codes = [c.code for c in taxonomy.suggest("sciur de boi")]
    assert any(code.startswith("bois") for code in codes)


def test_hazardous_categories_exist(taxonomy):
    hazardous = {c.code for c in taxonomy if c.hazardous}
    assert any("brasque" in code for code in hazardous)
    assert any("huile" in code for code in hazardous)


def test_rules_point_between_known_categories(taxonomy):
    for rule in taxonomy.rules:
        assert taxonomy.get(rule.output_code) and taxonomy.get(rule.input_code)
        assert 0 <= rule.strength <= 1


def test_factors_have_source_and_year():
    factors = load_factors(DATA / "factors.csv")
    truck = factors["truck_kg_co2e_per_tkm"]
    assert 0.05 <= truck.value <= 0.2 and truck.source and truck.year
    assert all(f.source for f in factors.values())


def _copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA / "materials", target / "materials")
    return target


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_strength_names_file_line_and_column(tmp_path):
    data = _copy(tmp_path)
    rules = data / "materials" / "compatibility.csv"
    lines = rules.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[2] = "1.5"
    lines[1] = ",".join(fields)
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"compatibility.csv:2: column 'strength' is '1.5'"):
        Taxonomy.from_directory(data)


def test_unknown_parent_is_refused(tmp_path):
    data = _copy(tmp_path)
    cats = data / "materials" / "categories.csv"
    with cats.open("a", encoding="utf-8") as fh:
        fh.write("bois.fantome,inexistant,material,Fantôme,Ghost,,,,false,t_per_year,,100,\n")
    with pytest.raises(TaxonomyError, match="unknown parent 'inexistant'"):
        Taxonomy.from_directory(data)


def test_duplicate_code_is_refused(tmp_path):
    data = _copy(tmp_path)
    cats = data / "materials" / "categories.csv"
    with cats.open("a", encoding="utf-8") as fh:
        fh.write("bois,,material,Bois,Wood,,,,false,t_per_year,,100,\n")
    with pytest.raises(TaxonomyError, match="duplicate category code 'bois'"):
        Taxonomy.from_directory(data)


def test_bad_unit_is_refused(tmp_path):
    data = _copy(tmp_path)
    cats = data / "materials" / "categories.csv"
    with cats.open("a", encoding="utf-8") as fh:
        fh.write("bois.x,bois,material,X,X,,,,false,brouettes,,100,\n")
    with pytest.raises(TaxonomyError, match="column 'default_unit' is 'brouettes'"):
        Taxonomy.from_directory(data)


@pytest.mark.parametrize(
    ("output", "outlet"),
    [
        ("metaux.aluminium.brasques.premiere_coupe", "usages.cimenterie"),  # SPL treatment
        ("metaux.aluminium.brasques.deuxieme_coupe", "usages.cimenterie"),
        ("metaux.aluminium.megots_anodes", "usages.fabrication_anodes"),  # anode plant
        ("metaux.aluminium.crasses", "usages.matiere_refonte"),  # aluminium recovery
        ("metaux.aluminium.crasses.noires", "usages.matiere_refonte"),
        ("pates_papiers.boues_chaux", "usages.amendement_sol"),  # agricultural liming
        ("pates_papiers.dregs_grits", "usages.amendement_sol"),
        ("bois.granules", "usages.combustible_biomasse"),  # heating
        ("metaux.scories", "usages.granulats_remblai"),
        ("autres.refractaires", "usages.granulats_remblai"),
    ],
)
def test_heavy_industry_residues_have_their_real_outlets(taxonomy, output, outlet):
    fit = Compatibility(taxonomy).fit(output, outlet)
    assert fit is not None and fit.strength >= 0.3, (output, outlet, fit)


@pytest.mark.parametrize(
    ("output", "never"),
    [
        # The aluminium family's remelt rule must not reach carbon, salts or hazardous linings.
        ("metaux.aluminium.brasques", "usages.matiere_refonte"),
        ("metaux.aluminium.brasques.premiere_coupe", "usages.matiere_refonte"),
        ("metaux.aluminium.brasques.deuxieme_coupe", "usages.matiere_refonte"),
        ("metaux.aluminium.megots_anodes", "usages.matiere_refonte"),
        ("metaux.aluminium.bain", "usages.matiere_refonte"),
        # Spent refractories are not demolition brick.
        ("autres.refractaires", "construction.briques"),
    ],
)
def test_heavy_industry_residues_are_kept_from_wrong_outlets(taxonomy, output, never):
    assert Compatibility(taxonomy).fit(output, never) is None


def test_hazardous_smelter_residues_carry_a_starred_list_of_waste_code(taxonomy):
    for code in (
        "metaux.aluminium.brasques",
        "metaux.aluminium.brasques.premiere_coupe",
        "metaux.aluminium.brasques.deuxieme_coupe",
        "metaux.aluminium.crasses.noires",
    ):
        cat = taxonomy.get(code)
        assert cat.hazardous and cat.ewc_code.endswith("*"), code
    assert taxonomy.get("construction.crd_melanges").ewc_code == "17 09 04"
    assert taxonomy.lookup("briques réfractaires").code == "autres.refractaires"
    assert taxonomy.lookup("CRD").code == "construction.crd_melanges"
