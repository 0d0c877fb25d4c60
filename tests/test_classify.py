"""Free text to category on the real taxonomy: what staff write, and what must stay unknown."""

from __future__ import annotations

import pytest

from mapservice.config import PROJECT_ROOT
from mapservice.domain.model import Direction
from mapservice.domain.text import strip_accents
from mapservice.materials.classify import ACCEPT, EXACT, SURE, Classification, Classifier
from mapservice.materials.name_index import TOKENS_MAX
from mapservice.materials.taxonomy import Taxonomy

DATA = PROJECT_ROOT / "data"


def _cases(*rows: tuple[str, str | None]) -> list:
    """Parametrise ``(text, code)`` rows with ids that read as ``text -> code`` in ASCII."""
    out = []
    for text, code in rows:
        ascii_text = strip_accents(text).replace("°", "deg").replace("’", "'")
        label = ascii_text if ascii_text == text else f"{ascii_text} (accents)"
        out.append(pytest.param(text, code, id=f"{label} -> {code}"))
    return out


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.from_directory(DATA)


@pytest.fixture(scope="module")
def classifier(taxonomy) -> Classifier:
    return Classifier(taxonomy)


ISSUE = _cases(
    ("sciure de bois", "bois.sciure"),
    ("drêche de brasserie", "agroalimentaire.dreche"),
    ("cendres de biomasse", "bois.cendres"),
    ("brasques usées", "metaux.aluminium.brasques"),
    ("retailles d'aluminium", "metaux.aluminium.retailles"),
    ("palettes brisées", "bois.palettes_rebut"),
    ("béton concassé", "construction.beton_concasse"),
    ("chaleur résiduelle 45 °C", "energie.chaleur_basse_t"),
)

ENGLISH = _cases(
    ("sawdust", "bois.sciure"),
    ("pine sawdust", "bois.sciure"),
    ("brewer's spent grain", "agroalimentaire.dreche"),
    ("brewers spent grains", "agroalimentaire.dreche"),
    ("biomass ash", "bois.cendres"),
    ("biomass ashes", "bois.cendres"),
    ("spent pot lining", "metaux.aluminium.brasques"),
    ("spent potlining", "metaux.aluminium.brasques"),
    ("aluminium offcuts", "metaux.aluminium.retailles"),
    ("aluminum offcuts", "metaux.aluminium.retailles"),
    ("aluminum scrap", "metaux.aluminium.retailles"),
    ("broken pallets", "bois.palettes_rebut"),
    ("broken pallet", "bois.palettes_rebut"),
    ("crushed concrete", "construction.beton_concasse"),
    ("waste heat 45 C", "energie.chaleur_basse_t"),
    ("wood chips", "bois.copeaux"),
    ("used motor oil", "chimiques.huiles_usees"),
)

# Plural or singular, accents or none, upper case: the issue's examples written differently.
VARIANTS = _cases(
    ("SCIURES DE BOIS", "bois.sciure"),
    ("Sciures", "bois.sciure"),
    ("dreche de brasserie", "agroalimentaire.dreche"),
    ("drêches de brasserie", "agroalimentaire.dreche"),
    ("DRECHE", "agroalimentaire.dreche"),
    ("cendre de biomasse", "bois.cendres"),
    ("cendres biomasse", "bois.cendres"),
    ("brasque usée", "metaux.aluminium.brasques"),
    ("BRASQUES USEES", "metaux.aluminium.brasques"),
    ("retaille d'aluminium", "metaux.aluminium.retailles"),
    ("retailles d aluminium", "metaux.aluminium.retailles"),
    ("Retailles d’aluminium", "metaux.aluminium.retailles"),
    ("palette brisée", "bois.palettes_rebut"),
    ("PALETTES BRISEES", "bois.palettes_rebut"),
    ("beton concasse", "construction.beton_concasse"),
    ("bétons concassés", "construction.beton_concasse"),
    ("chaleur residuelle", "energie.chaleur_basse_t"),
    ("Chaleurs résiduelles à 45°C", "energie.chaleur_basse_t"),
)

# Misspellings: found by the fuzzy stage, never accepted without confirmation.
TYPOS = _cases(
    ("sciur de bois", "bois.sciure"),
    ("alluminium", "metaux.aluminium"),
    ("retailles d'alluminium", "metaux.aluminium.retailles"),
    ("brasqes usées", "metaux.aluminium.brasques"),
    ("béton concasé", "construction.beton_concasse"),
    ("sawdsut", "bois.sciure"),
    ("alumnium scrap", "metaux.aluminium.retailles"),
    ("palletes brisées", "bois.palettes_rebut"),
)

# What companies of the region write: forestry, pulp and paper, aluminium, agri-food,
# construction, packaging, chemicals, energy, resource sharing, needs written as uses.
REGIONAL = _cases(
    ("bran de scie", "bois.sciure"),
    ("sciure de pin sèche", "bois.sciure"),
    ("sciure d'épinette humide", "bois.sciure"),
    ("copeaux de bois franc", "bois.copeaux"),
    ("copeaux d'épinette", "bois.copeaux"),
    ("plaquettes forestières", "bois.copeaux"),
    ("écorce de bouleau", "bois.ecorces"),
    ("écorces de résineux", "bois.ecorces"),
    ("ripes de rabotage", "bois.rabotures"),
    ("planures", "bois.rabotures"),
    ("dosses et délignures", "bois"),
    ("bois de démolition", "bois.crd"),
    ("palettes de bois brisées", "bois.palettes_rebut"),
    ("palettes 48x40 usagées", "emballages.palettes"),
    ("cendres volantes", "bois.cendres"),
    ("cendres de chaudière à biomasse", "bois.cendres"),
    ("boues de désencrage", "pates_papiers.boues"),
    ("boues de papetière mixtes", "pates_papiers.boues"),
    ("biosolides de papetière", "pates_papiers.boues"),
    ("rejets de fibres", "pates_papiers.fibres_rejetees"),
    ("boîtes de carton usagées", "emballages.carton_ondule"),
    ("brasques de cuves", "metaux.aluminium.brasques"),
    ("revêtements de cuves usés", "metaux.aluminium.brasques"),
    ("écumes d'aluminium", "metaux.aluminium.crasses"),
    ("drosse blanche", "metaux.aluminium.crasses"),
    ("boues rouges", "metaux.aluminium.residu_bauxite"),
    ("copeaux d'alu", "metaux.aluminium.retailles"),
    ("chutes d'aluminium 6061", "metaux.aluminium.retailles"),
    ("tournures d'aluminium", "metaux.aluminium.retailles"),
    ("retailles d'acier", "metaux.ferraille"),
    ("ferraille d'acier", "metaux.ferraille"),
    ("câbles électriques en cuivre", "metaux.cuivre"),
    ("drèches", "agroalimentaire.dreche"),
    ("grains de brasserie usés", "agroalimentaire.dreche"),
    ("drêches de microbrasserie", "agroalimentaire.dreche"),
    ("lactosérum acide", "agroalimentaire.lactoserum"),
    ("petit-lait", "agroalimentaire.lactoserum"),
    ("bleuets congelés déclassés", "agroalimentaire.fruits_declasses"),
    ("pain rassis", "agroalimentaire.pain_declasse"),
    ("fumier de vache", "agroalimentaire.fumier"),
    ("lisier de porc", "agroalimentaire.fumier"),
    ("viscères de poisson", "agroalimentaire.residus_viande_poisson"),
    ("rognures de gazon", "agroalimentaire.residus_verts"),
    ("huiles de friture", "agroalimentaire"),
    ("pelures de pommes de terre", "agroalimentaire"),
    ("béton de démolition", "construction.beton_concasse"),
    ("débris de béton", "construction.beton_concasse"),
    ("béton concassé 0-3/4", "construction.beton_concasse"),
    ("asphalte recyclé", "construction.enrobe_bitumineux"),
    ("planage d'asphalte", "construction.enrobe_bitumineux"),
    ("bardeaux d'asphalte", "construction.enrobe_bitumineux"),
    ("gyproc", "construction.gypse"),
    ("retailles de gypse", "construction.gypse"),
    ("terre d'excavation", "construction.sol_propre"),
    ("pierre concassée", "construction.granulats"),
    ("pellicule d'enrobage", "plastiques.films_agricoles"),
    ("plastique agricole", "plastiques.films_agricoles"),
    ("plastique d'enrobage de balles rondes", "plastiques.films_agricoles"),
    ("big bags usagés", "emballages.sacs_vrac"),
    ("supersacs", "emballages.sacs_vrac"),
    ("barils de 205 litres", "emballages.barils_ibc"),
    ("chaudières de plastique", "emballages.barils_ibc"),
    ("styromousse", "plastiques"),
    ("pellicule étirable", "plastiques.melanges"),
    ("tuyaux de PEHD", "plastiques.pehd"),
    ("huile usée", "chimiques.huiles_usees"),
    ("huile hydraulique", "chimiques.huiles_usees"),
    ("guenilles souillées", "chimiques.absorbants_souilles"),
    ("varsol", "chimiques.solvants"),
    ("restes de peinture", "chimiques.peintures"),
    ("pneus hors route", "autres.pneus"),
    ("vitres", "autres.verre"),
    ("ordinateurs désuets", "autres.electronique"),
    ("vapeur basse pression", "energie.vapeur"),
    ("eau de refroidissement à 35 °C", "energie.chaleur_basse_t"),
    ("rejets thermiques 80 °C", "energie.chaleur_haute_t"),
    ("fumées chaudes", "energie.chaleur_haute_t"),
    ("CO2 biogénique", "energie.co2"),
    ("camion partagé", "mutualisation.transport"),
    ("chariot élévateur", "mutualisation.equipement"),
    ("espace d'entreposage disponible", "mutualisation.entreposage"),
    ("combustible pour notre chaudière", "usages.combustible_biomasse"),
    ("litière pour chevaux", "usages.litiere_animale"),
    ("matériel de remblai", "usages.granulats_remblai"),
    ("chauffage de serres", "usages.serriculture"),
)

UNKNOWN = [
    "asdf",
    "bonjour",
    "services comptables",
    "logiciel",
    "marketing numérique",
    "tubes fluorescents",
    "",
    "   ",
    "1234",
    "de la",
    "déchets",
    "résidus",
    "eau",
    "sol contaminé",
    "terre contaminée aux hydrocarbures",
    "bois contaminé aux BPC",
    "logiciel de gestion des palettes",
]


@pytest.mark.parametrize(("text", "code"), ISSUE + ENGLISH + VARIANTS + REGIONAL)
def test_maps_text_to_its_category(classifier, text, code):
    result = classifier.classify(text)
    assert result.code == code, result.reason_fr
    assert result.confidence >= ACCEPT
    assert result.method in ("exact", "tokens")
    assert all(c != code for c, _ in result.candidates)


@pytest.mark.parametrize(("text", "code"), ISSUE + ENGLISH)
def test_the_issue_examples_are_sure(classifier, text, code):
    result = classifier.classify(text)
    assert (result.code, result.flagged) == (code, False), result.reason_fr
    assert result.confidence >= SURE


@pytest.mark.parametrize(("text", "code"), TYPOS)
def test_typos_are_found_but_must_be_confirmed(classifier, text, code):
    result = classifier.classify(text)
    assert (result.code, result.method) == (code, "fuzzy"), result.reason_fr
    assert ACCEPT <= result.confidence < SURE
    assert result.flagged
    assert "orthographe" in result.reason_fr


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_text_is_flagged_never_forced(classifier, text):
    result = classifier.classify(text)
    assert result.code is None, result.reason_fr
    assert result.flagged
    assert result.method == "none"
    assert result.confidence < ACCEPT
    assert result.reason_fr.startswith("non reconnu")
    assert len(result.candidates) <= 5


def test_unknown_text_comes_with_candidates(classifier):
    result = classifier.classify("services comptables")
    assert result.candidates[0][0] == "mutualisation.services_expertise"
    scores = [s for _, s in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(s < ACCEPT for s in scores)
    assert classifier.classify("sol contaminé").candidates  # offered, never chosen


def test_contamination_rules_out_clean_categories(classifier):
    assert classifier.classify("sol propre").code == "construction.sol_propre"
    assert classifier.classify("sol contaminé").code is None
    assert classifier.classify("huile contaminée").code == "chimiques.huiles_usees"


def test_confidence_ordering_exact_tokens_fuzzy(classifier):
    exact = classifier.classify("sciure de bois")
    tokens = classifier.classify("sciure de bois d'épinette")
    fuzzy = classifier.classify("sciur de bois")
    assert [r.method for r in (exact, tokens, fuzzy)] == ["exact", "tokens", "fuzzy"]
    assert {r.code for r in (exact, tokens, fuzzy)} == {"bois.sciure"}
    assert exact.confidence == EXACT > tokens.confidence > fuzzy.confidence
    assert tokens.confidence <= TOKENS_MAX


def test_classification_is_shown_with_a_french_reason(classifier):
    exact = classifier.classify("drêche")
    assert exact == Classification(
        text="drêche",
        code="agroalimentaire.dreche",
        confidence=EXACT,
        method="exact",
        candidates=exact.candidates,
        flagged=False,
        reason_fr="reconnu : synonyme « drêche » de Drêche de brasserie",
    )
    tokens = classifier.classify("fumier de vache")
    assert tokens.flagged and tokens.code == "agroalimentaire.fumier"
    assert "« fumier »" in tokens.reason_fr
    assert "mots inconnus : vache" in tokens.reason_fr
    assert "mots d'une autre catégorie : copeaux" in classifier.classify("sciure copeaux").reason_fr
    assert tokens.reason_fr.endswith("à confirmer")


@pytest.mark.parametrize(
    ("text", "code"),
    _cases(
        ("chaleur résiduelle 45 °C", "energie.chaleur_basse_t"),
        ("chaleur résiduelle 85 °C", "energie.chaleur_haute_t"),
        ("waste heat at 80 C", "energie.chaleur_haute_t"),
        ("eau chaude résiduelle 122 °F", "energie.chaleur_basse_t"),
        ("fumées chaudes 40°C", "energie.chaleur_basse_t"),
        ("chaleur de procédé", "energie.chaleur_haute_t"),
    ),
)
def test_a_stated_temperature_decides_low_or_high_heat(classifier, text, code):
    result = classifier.classify(text)
    assert result.code == code, result.reason_fr


def test_an_offer_is_a_material_a_need_may_be_a_use(classifier):
    offer = classifier.classify("copeaux pour litière", direction=Direction.OUTPUT)
    need = classifier.classify("copeaux pour litière", direction=Direction.INPUT)
    assert (offer.code, need.code) == ("bois.copeaux", "usages.litiere_animale")
    assert classifier.classify("litière", direction=Direction.OUTPUT).code == (
        "usages.litiere_animale"
    )  # the text names the use, exactly
    need = classifier.classify("litière pour chevaux", direction=Direction.INPUT)
    offer = classifier.classify("litière pour chevaux", direction=Direction.OUTPUT)
    assert need.code == "usages.litiere_animale"
    assert need.confidence > offer.confidence


CORRECTED = _cases(
    ("boues de chaux", "usages.amendement_sol"),
    ("Boues de Chaux", "usages.amendement_sol"),
    ("boue de chaux", "usages.amendement_sol"),
    ("BOUES DE CHAUX 200 t/an", "usages.amendement_sol"),
)


@pytest.mark.parametrize(("text", "code"), CORRECTED)
def test_a_correction_applies_to_the_same_text_written_differently(classifier, text, code):
    assert classifier.classify(text).method != "correction"
    corrected = classifier.with_corrections({"boues de chaux": code})
    result = corrected.classify(text)
    assert (result.code, result.confidence, result.method, result.flagged) == (
        code,
        1.0,
        "correction",
        False,
    )
    assert result.reason_fr == "corrigé par le personnel : Amendement de sol et chaulage"


@pytest.mark.parametrize("text", ["boues de désencrage", "chaux", "boues de chaux vive"])
def test_a_correction_does_not_touch_other_texts(classifier, text):
    corrected = classifier.with_corrections({"boues de chaux": "usages.amendement_sol"})
    assert corrected.classify(text) == classifier.classify(text)


def test_a_correction_overrides_an_exact_match_and_is_kept(taxonomy):
    classifier = Classifier(taxonomy, corrections={"Cartons": "emballages.carton_ondule"})
    assert classifier.classify("carton").code == "emballages.carton_ondule"
    assert classifier.classify("carton").candidates[0][0] == "pates_papiers.carton"
    assert classifier.classify("carton plat").code == "pates_papiers.carton"
    assert dict(classifier.corrections) == {"carton": "emballages.carton_ondule"}
    later = classifier.with_corrections({"ripe": "bois.sciure"})
    assert later.classify("ripes").code == "bois.sciure"
    assert later.classify("carton").code == "emballages.carton_ondule"
    assert classifier.classify("ripes").code == "bois.rabotures"  # the original is unchanged


@pytest.mark.parametrize(
    ("corrections", "message"),
    [
        ({"sciure": "bois.inexistant"}, "unknown category code 'bois.inexistant'"),
        ({"45 °C": "bois.sciure"}, "has no words to match on"),
    ],
)
def test_a_bad_correction_is_refused(taxonomy, corrections, message):
    with pytest.raises(ValueError, match=message):
        Classifier(taxonomy, corrections)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Chaleur résiduelle 45 °C", "chaleur residuelles"),
        ("Drêches", "dreche"),
        ("retailles d'aluminium", "Retaille d aluminium"),
        ("retailles d'aluminium", "retailles daluminium"),
        ("Métaux", "métal"),
        ("copeaux", "COPEAU"),
        ("sciure 500 tonnes par an", "sciure"),
    ],
)
def test_key_ignores_case_accents_plural_spacing_and_quantities(a, b):
    assert Classifier.key(a) == Classifier.key(b) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("sciure de bois", "sciure"),
        ("brasques usées", "brasques"),
        ("chaleur résiduelle", "chaleur"),
    ],
)
def test_key_keeps_words_apart(a, b):
    assert Classifier.key(a) != Classifier.key(b)


@pytest.mark.parametrize(
    "text",
    [
        "sciure de bois",
        "brasques usées",
        "boues de chaux",
        "Chaleur résiduelle 45 °C",
        "palettes 48x40",
    ],
)
def test_key_is_stable(text):
    assert Classifier.key(Classifier.key(text)) == Classifier.key(text)


@pytest.mark.parametrize(
    ("text", "code", "suggested"),
    [
        # Generic words go to the category members mean by them.
        ("énergie thermique", "energie.chaleur_basse_t", None),
        ("énergie thermique 85 °C", "energie.chaleur_haute_t", None),
        ("copeaux", "bois.copeaux", None),
        ("CRD", "construction.crd_melanges", "bois.crd"),  # mixed debris (17 09 04), not wood
        # Two materials named: the one most of the text describes, the other suggested.
        ("rabotures et bran de scie de sapin", "bois.sciure", "bois.rabotures"),
        ("sciure, copeaux de bois", "bois.copeaux", "bois.sciure"),
        ("carton / plastiques mélangés", "plastiques.melanges", "pates_papiers.carton"),
    ],
)
def test_generic_and_mixed_wordings_are_classified_without_doubt(classifier, text, code, suggested):
    found = classifier.classify(text)
    assert (found.code, found.flagged) == (code, False)
    if suggested:
        assert suggested in [c for c, _ in found.candidates[:2]]


def test_a_mixed_wording_with_an_unknown_part_stays_in_doubt(classifier):
    found = classifier.classify("sciure et gizmo flarb")
    assert found.flagged and found.method != "compound"


# The region's heavy industry (issue 17): smelter, kraft-mill and C&D residues as written, with
# their European List of Waste code and whether they are hazardous.
HEAVY_INDUSTRY = [
    pytest.param(*row, id=strip_accents(row[0]) + " -> " + row[1])
    for row in (
        ("brasque usée 1re coupe", "metaux.aluminium.brasques.premiere_coupe", "16 11 01*", True),
        (
            "Brasques 1ère coupe 300 t/an",
            "metaux.aluminium.brasques.premiere_coupe",
            "16 11 01*",
            True,
        ),
        ("first cut SPL", "metaux.aluminium.brasques.premiere_coupe", "16 11 01*", True),
        ("brasque 2e coupe", "metaux.aluminium.brasques.deuxieme_coupe", "16 11 03*", True),
        (
            "Brasque usée - 2ème coupe",
            "metaux.aluminium.brasques.deuxieme_coupe",
            "16 11 03*",
            True,
        ),
        ("SPL", "metaux.aluminium.brasques", "16 11 01*", True),
        ("brasque", "metaux.aluminium.brasques", "16 11 01*", True),
        ("mégots d'anodes", "metaux.aluminium.megots_anodes", "10 03 02", False),
        ("mégots", "metaux.aluminium.megots_anodes", "10 03 02", False),
        ("BU", "metaux.aluminium.megots_anodes", "10 03 02", False),
        ("anode butts", "metaux.aluminium.megots_anodes", "10 03 02", False),
        ("bain électrolytique", "metaux.aluminium.bain", "10 03 99", False),
        ("excès de bain de cryolithe", "metaux.aluminium.bain", "10 03 99", False),
        ("crasses", "metaux.aluminium.crasses", "10 03 16", False),
        ("crasses d'aluminium", "metaux.aluminium.crasses", "10 03 16", False),
        ("crasses noires", "metaux.aluminium.crasses.noires", "10 03 09*", True),
        ("briques réfractaires usées", "autres.refractaires", "16 11 04", False),
        ("réfractaires usés du four", "autres.refractaires", "16 11 04", False),
        ("résidus de CRD mélangés", "construction.crd_melanges", "17 09 04", False),
        ("résidus de CRD", "construction.crd_melanges", "17 09 04", False),
        ("CRD", "construction.crd_melanges", "17 09 04", False),
        ("bois CRD", "bois.crd", "17 02 01", False),
        ("boues de chaux de la papetière", "pates_papiers.boues_chaux", "03 03 09", False),
        ("boues de chaux", "pates_papiers.boues_chaux", "03 03 09", False),
        ("dregs", "pates_papiers.dregs_grits", "03 03 02", False),
        ("grits", "pates_papiers.dregs_grits", "03 03 02", False),
        ("dregs et grits", "pates_papiers.dregs_grits", "03 03 02", False),
        ("granules", "bois.granules", "03 01 05", False),
        ("granules de bois hors normes", "bois.granules", "03 01 05", False),
        ("pellets", "bois.granules", "03 01 05", False),
        ("scories", "metaux.scories", "10 02 02", False),
        ("scories de fonderie", "metaux.scories", "10 02 02", False),
    )
]


@pytest.mark.parametrize(("text", "code", "ewc", "hazardous"), HEAVY_INDUSTRY)
def test_heavy_industry_residues_get_their_code_and_hazard(classifier, text, code, ewc, hazardous):
    found = classifier.classify(text)
    assert (found.code, found.flagged) == (code, False), found.reason_fr
    cat = classifier.taxonomy.get(code)
    assert (cat.ewc_code, cat.hazardous) == (ewc, hazardous)


def test_ordinals_tell_the_two_cuts_of_spent_pot_lining_apart():
    first, second = Classifier.key("brasque 1re coupe"), Classifier.key("brasque 2e coupe")
    assert first != second
    assert Classifier.key("brasque première coupe") == first
    assert Classifier.key("brasque 2ème coupe") == second
