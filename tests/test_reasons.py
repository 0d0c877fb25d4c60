"""A synergy's reasons wherever it appears (site page, board, map popups, material page,
exports), in French and English, and its score on the one 0–100 scale."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from mapservice.domain.access import PUBLIC, STAFF
from mapservice.domain.model import SynergyStatus
from mapservice.domain.reasons import QUANTITIES, score_100, shown_reasons
from mapservice.domain.typography import french
from mapservice.errors import Message, message_data, message_from_data, tr
from mapservice.exports.jobs import LayerQuery, layer_features
from mapservice.services import Services
from mapservice.views.map_filters import MapFilter
from mapservice.views.map_view import TRACKED, region_view
from tests.support.accounts import sign_in
from tests.support.pages import map_data
from tests.support.seeded_registry import by_categories

SAWDUST = ("bois.sciure", "usages.litiere_animale")  # Scierie Boréale's 500 t/an, public


@pytest.fixture
def svc(seeded_app) -> Services:
    return seeded_app.extensions["mapservice"]


@pytest.fixture
def web(seeded_app):
    return sign_in(seeded_app.test_client(), "personnel")


def _sawdust(svc: Services):
    syn_id = by_categories(svc, *SAWDUST)
    (syn,) = [s for s in svc.repo.synergies() if s.id == syn_id]
    return syn


# --- the core: messages kept through storage, the quantity guard, the scale ------------------


def test_stored_reasons_keep_their_message_for_english():
    said = tr(QUANTITIES, offer="500", need="700", unit=tr("t/an"))
    back = message_from_data(message_data(said))
    assert isinstance(back, Message) and back == said
    assert back.render(lambda t: {"t/an": "t/yr"}.get(t, t)).endswith("700 t/yr")
    assert message_from_data("texte d'une ancienne version") == "texte d'une ancienne version"


def test_a_secret_quantity_is_never_stated():
    reasons = (
        tr("catégorie : {how} (force {strength})", how="x", strength="1.00"),
        tr(QUANTITIES, offer="500", need="700", unit="t/an"),
    )
    shown = shown_reasons(reasons, secret=True)
    assert not any("500" in r for r in shown) and "confidentielles" in shown[1]
    assert shown_reasons(reasons, secret=False) == reasons
    # reasons stored as plain text by an older version are guarded too
    assert "500" not in " ".join(
        shown_reasons(["quantités comparables : offre 500 t/an"], secret=True)
    )


def test_score_scale():
    assert (score_100(0.784), score_100(1.0), score_100(0.0), score_100(None)) == (78, 100, 0, None)


def test_stored_synergies_read_back_as_messages(svc):
    syn = _sawdust(svc)
    assert syn.reasons and all(isinstance(r, Message) for r in syn.reasons)
    assert any("500" in r for r in syn.reasons)  # French text as before: the API is unchanged


# --- pages ---------------------------------------------------------------------------------------


def _site_of(svc: Services, category: str) -> int:
    (flow,) = [f for f in svc.repo.flows() if f.category_code == category]
    return flow.site_id


def test_site_page_shows_reasons_in_both_languages(web, svc):
    site_id = _site_of(svc, SAWDUST[0])
    fr = web.get(f"/sites/{site_id}?lang=fr").get_data(as_text=True)
    table = fr[fr.index('id="candidates"') :]
    assert "<summary>Raisons</summary>" in table and french("catégorie : ") in table
    en = web.get(f"/sites/{site_id}?lang=en").get_data(as_text=True)
    table = en[en.index('id="candidates"') :]
    assert "<summary>Reasons</summary>" in table and "category: " in table
    assert "catégorie : " not in table and "comparable quantities: offer 500 t/year" in table
    lines = map_data(en)["lines"]["features"]
    assert lines and all(f["properties"]["yl"] == "Reasons" for f in lines)
    assert all(f["properties"]["y"][0].startswith("category: ") for f in lines)
    scores = [int(s) for s in re.findall(r'<td class="num">(\d+)</td>\s*<td><a href="/sites/', fr)]
    assert scores and all(0 <= s <= 100 for s in scores)


def test_board_cards_show_reasons_and_a_0_100_score(web, svc):
    syn = _sawdust(svc)
    for lang, heading, word in (
        ("fr", "Raisons", french("catégorie : ")),
        ("en", "Reasons", "category: "),
    ):
        html = web.get(f"/synergies?lang={lang}").get_data(as_text=True)
        start = html.index(f'id="synergie-{syn.id}"')
        card = html[start : html.index("</article>", start)]
        assert f"<summary>{heading}</summary>" in card and word in card
        score = re.search(r'<span class="k">Score</span> (\d+)</li>', card)
        assert score and int(score.group(1)) == score_100(syn.score)


def test_material_page_shows_reasons(web):
    fr = web.get("/materiaux/bois?lang=fr").get_data(as_text=True)
    en = web.get("/materiaux/bois?lang=en").get_data(as_text=True)
    assert '<th scope="col">Raisons</th>' in fr and french("catégorie : ") in fr
    assert '<th scope="col">Reasons</th>' in en and "category: " in en
    lines = map_data(en)["lines"]["features"]
    assert lines and all(f["properties"]["y"] for f in lines)


# --- the region map's line popups ---------------------------------------------------------------


def test_map_line_popups_name_both_companies_and_give_reasons(web, svc):
    syn = _sawdust(svc)
    svc.repo.move_synergy(syn.id, SynergyStatus.CONTACTED, author="Julie")
    for lang, offering, word in (
        ("fr", "Entreprise qui offre", french("catégorie : ")),
        ("en", "Offering company", "category: "),
    ):
        html = web.get(f"/?lang={lang}").get_data(as_text=True)
        (line,) = map_data(html)["lines"]["features"]
        rows = dict(map(tuple, line["properties"]["r"]))
        assert rows[offering] == "Scierie Boréale (test)"
        assert rows["Score"] == f"{score_100(syn.score)} / 100"
        assert line["properties"]["y"][0].startswith(word)


def test_anonymised_map_popups_stay_anonymised(svc):
    syn = _sawdust(svc)
    svc.repo.move_synergy(syn.id, SynergyStatus.CONTACTED, author="Julie")
    view = region_view(svc, MapFilter(), anonymise=True, status_labels={}, statuses=TRACKED)
    (line,) = view.data["lines"]["features"]
    text = repr(line["properties"])
    assert "Scierie Boréale" not in text and "Ferme" not in text
    names = {s.member_name for s in svc.repo.sites() if not s.public_consent}
    assert not any(n and n in text for n in names)
    # No quantity of an anonymised site (the climate break-even, « 4 500 km », is no quantity).
    assert "offre 500" not in " ".join(line["properties"]["y"])
    assert "confidentielles" in " ".join(line["properties"]["y"])


# --- exports -------------------------------------------------------------------------------------


def _exported(svc, scope):
    return {f["id"]: f["properties"] for f in layer_features(svc, "synergies", LayerQuery(), scope)}


def test_export_has_reasons_and_an_integer_score(seeded_app, svc):
    syn = _sawdust(svc)
    with seeded_app.app_context():
        props = _exported(svc, STAFF)[syn.id]
    assert props["score"] == score_100(syn.score) and isinstance(props["score"], int)
    assert props["reasons"].startswith("catégorie : ") and " | " in props["reasons"]
    assert "500" in props["reasons"]


def test_export_reasons_never_leak_a_quantity_marked_confidential_after_matching(seeded_app, svc):
    syn = _sawdust(svc)
    with svc.repo.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE flows SET confidential = 1 WHERE id = :i"), {"i": syn.output_flow_id}
        )
    with seeded_app.app_context():
        public = _exported(svc, PUBLIC).get(syn.id)
        staff = _exported(svc, STAFF)[syn.id]
    assert "offre 500" in staff["reasons"]
    assert public is not None
    assert "offre 500" not in public["reasons"] and "confidentielles" in public["reasons"]


def test_match_output_file_scores_0_100_with_reasons(svc, tmp_path):
    import csv

    from mapservice.matching import jobs as synergy_jobs
    from mapservice.matching.export import write_candidates

    site_id = _site_of(svc, SAWDUST[0])
    found = synergy_jobs.site_candidates(svc, site_id, backend="geodesic", limit=10)
    assert write_candidates(svc, found, tmp_path / "out.csv") == len(found) > 0
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["score"]) for r in rows] == [score_100(c.score) for c in found]
    assert all(r["reasons"].startswith("catégorie : ") for r in rows)
