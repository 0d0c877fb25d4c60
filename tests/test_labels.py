"""Pages say labels, not codes: a saved view's filter and layers, parks by name, where a
placement came from, the distance backend of a reason, the values of the registry's history,
/impact's factor sources and units; lists in Québec French order; no UTC on any page."""

from __future__ import annotations

import json
import re
import sqlite3
from html import unescape

import pytest

from mapservice.domain.collation import collated
from mapservice.domain.reasons import SaidNumber, labelled
from mapservice.domain.typography import french
from mapservice.errors import message_data, message_from_data, say, tr
from mapservice.geocoding.sources import SOURCE_LABELS, source_label
from tests.support.accounts import MANAGED
from tests.support.every_page import get_every_page, prepare

#: Codes that once reached a page (the language scan of every page looks for codes in general).
CODES = re.compile(
    r"road-graph|geonames-|gazetteer|correction-manuelle|coordonnees-fournies|statcan-"
    r"|data/factors\.csv|avoided_emissions\.csv|parks,sites|category =|park =|\bUTC\b"
)


def _text(resp) -> str:
    """The words of a page as a person reads them (no markup, scripts or styles)."""
    html = resp.get_data(as_text=True)
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _site(demo_db: str, source: str | None = None) -> tuple[int, str, str]:
    """A placed demo site (from ``source`` if given): id, municipality id and source."""
    where = "lat IS NOT NULL" + (f" AND geocode_source = '{source}'" if source else "")
    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as conn:
        row = conn.execute(
            f"SELECT id, municipality_id, geocode_source FROM sites WHERE {where} ORDER BY id"
        ).fetchone()
    assert row, where
    return row


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_saved_view_says_its_filter_and_layers(client, lang):
    park = client.application.extensions["mapservice"].park_ids()
    park_id, park_name = next((p.id, p.name) for p in park.values())
    saved = client.post(
        "/present/vues",
        data={
            "title": "Bois d'Alma",
            "lat": "48.5",
            "lon": "-71.6",
            "zoom": "11",
            "layers": "parks,sites,lines",
            "filters": f"category=bois&park={park_id}&direction=offre",
        },
    )
    assert saved.status_code in (200, 302, 303)
    text = _text(client.get(f"/present/vues?lang={lang}"))
    assert not CODES.search(text), CODES.search(text)
    if lang == "fr":
        assert "Matière : Bois" in text
        assert f"Parc industriel : {park_name}" in text
        assert french("Couches : Parcs industriels, Sites des membres, Synergies") in text
    else:
        assert "Layers: Industrial parks, Members' sites, Synergies" in text
        assert park_name in text


def test_the_account_page_names_the_managed_park(client_as):
    manager = client_as("gestion")
    text = _text(manager.get("/compte"))
    name = manager.application.extensions["mapservice"].park_ids()[MANAGED["park"]].name
    assert name in text
    assert f" {MANAGED['park']} " not in text


@pytest.mark.parametrize(
    ("lang", "said"), [("fr", "code postal de GeoNames"), ("en", "GeoNames postal code")]
)
def test_the_position_page_says_where_the_placement_came_from(client, demo_db, lang, said):
    site_id, _, _ = _site(demo_db, "geonames-postal-code")
    text = _text(client.get(f"/sites/{site_id}/position?lang={lang}"))
    assert said in text
    assert "geonames-postal-code" not in text


def test_every_source_the_cascade_stores_has_a_label():
    from pathlib import Path

    stored = set()
    for path in Path("mapservice/geocoding").glob("*.py"):
        stored |= set(re.findall(r'source="([a-z-]+)"', path.read_text(encoding="utf-8")))
    assert stored, "the cascade's sources were not found"
    assert stored - {"parcs-"} <= set(SOURCE_LABELS)
    assert {f"parcs-{how}" for how in ("nom", "alias", "rue")} <= set(SOURCE_LABELS)
    assert str(source_label("nominatim")) == "adresse trouvée dans OpenStreetMap par Nominatim"
    assert str(source_label("cadastre")) == "autre source : cadastre"
    assert source_label(None) is None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_history_says_names_and_labels_instead_of_ids_and_codes(client, demo_db, lang):
    site_id, muni_id, _ = _site(demo_db, "geonames-postal-code")
    muni = client.application.extensions["mapservice"].gazetteer.municipalities[muni_id]
    text = _text(client.get(f"/registre/historique/sites/{site_id}?lang={lang}"))
    assert muni.name in text
    assert f" {muni_id} " not in text or muni_id == muni.name.lower()
    assert not CODES.search(text), CODES.search(text)
    assert ("code postal de GeoNames" if lang == "fr" else "GeoNames postal code") in text
    # coordinates with the page's decimal separator
    assert re.search(r"-7\d,\d+" if lang == "fr" else r"-7\d\.\d+", text)


def test_a_flow_history_says_its_category_direction_and_unit(client, demo_db):
    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as conn:
        flow_id, code = conn.execute("SELECT id, category_code FROM flows ORDER BY id").fetchone()
    label = client.application.extensions["mapservice"].taxonomy.label(code, "fr")
    text = _text(client.get(f"/registre/historique/flux/{flow_id}"))
    assert label in text
    assert not re.search(r"\b(output|input|t_per_year|to_classify|description_key)\b", text)


def test_reasons_name_the_road_network_and_write_numbers_the_reader_s_way(client, demo_db):
    site_id, _, _ = _site(demo_db)
    fr = _text(client.get(f"/sites/{site_id}?lang=fr"))
    en = _text(client.get(f"/sites/{site_id}?lang=en"))
    assert "road-graph" not in fr + en
    assert re.search(r"distance routière [\d\u202f]+(,\d)? km \(réseau routier régional\)", fr)
    assert re.search(r"road distance [\d,]+(\.\d)? km \(regional road network\)", en)
    assert not re.search(r"road distance \d+,\d km", en)  # no French decimal comma in English
    # a rule's note (data) is said in English through the catalogue too
    assert "offre commune" in fr and "offre commune" not in en and "shared offer" in en


def test_reasons_stored_before_are_said_with_labels_and_figures():
    old = message_data(
        tr(
            "distance routière {road_km} km ({backend}), {geo_km} km à vol d'oiseau, "
            "maximum {max_km} km",
            road_km="1\u202f234,5",
            backend="road-graph",
            geo_km="9,8",
            max_km="50",
        )
    )
    reason = labelled(message_from_data(json.loads(json.dumps(old))))
    assert str(reason) == (
        "distance routière 1\u202f234,5 km (réseau routier régional), 9,8 km à vol d'oiseau, "
        "maximum 50 km"
    )
    english = say(reason, lambda text: text, lambda value, spec: f"{value:,}")
    assert "1,234.5 km" in english and "9.8 km" in english
    # a figure JSON gave back as a plain float is written the French way again
    again = labelled(message_from_data(json.loads(json.dumps(message_data(reason)))))
    assert str(again) == str(reason)
    assert str(SaidNumber(1.0, 2)) == "1" and str(SaidNumber(0.432, 2)) == "0,43"
    noted = labelled(
        message_from_data(
            {"t": "catégorie : {how} — {note}", "p": {"how": "x", "note": "Sciure sèche"}}
        )
    )
    assert (
        say(noted, lambda t: {"Sciure sèche": "Dry sawdust"}.get(t, t))
        == "catégorie : x — Dry sawdust"
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_impact_says_its_factors_sources_and_units_in_the_page_language(client, lang):
    text = _text(client.get(f"/impact?lang={lang}"))
    assert not CODES.search(text), CODES.search(text)
    if lang == "fr":
        assert french("Camion lourd : émissions par tonne-kilomètre en charge") in text
        assert "estimation de mapservice" in text
        assert "$/t·km" in text and "CAD/" not in text
        assert "mapservice estimate" not in text
    else:
        assert "Heavy truck: emissions per loaded tonne-kilometre" in text
        assert "mapservice estimate" in text


def test_filter_choices_are_in_québec_french_order(client):
    html = client.get("/").get_data(as_text=True)

    def options(select_id: str) -> list[str]:
        block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S)
        assert block, select_id
        found = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', block.group(0))
        return [unescape(o).strip("\u00a0 ") for o in found]

    parks = options("f-park")
    assert parks == collated(parks) and len(parks) > 5
    towns = [re.sub(r" \(.*\)$", "", t) for t in options("f-municipality")]
    assert towns == collated(towns) and len(towns) > 40
    assert towns.index("L'Anse-Saint-Jean") < towns.index("La Baie") < towns.index("Labrecque")
    # the categories are a tree: each level in order (the roots have no indent)
    roots = [
        unescape(o)
        for o in re.findall(
            r'<option value="[^"]+"[^>]*>([^<\u00a0&][^<]*)</option>',
            re.search(r'<select id="f-category".*?</select>', html, re.S).group(0),
        )
    ]
    assert roots == collated(roots)
    assert roots.index("Énergie") < roots.index("Métaux") if "Métaux" in roots else True


def test_the_materials_page_lists_accented_names_in_their_place(client):
    text = _text(client.get("/materiaux"))
    # both under « Bois »: the accented one no longer goes after every plain letter
    assert text.index("Écorces") < text.index("Sciure de bois")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_page_says_utc_or_an_internal_code(app, demo_db, tmp_path, lang):
    found = {}
    for case, resp in get_every_page(app, prepare(demo_db, tmp_path), lang):
        hit = CODES.search(_text(resp))
        if hit:
            found[case.name] = hit.group(0)
    assert found == {}
