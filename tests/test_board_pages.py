"""The board's filter form, cards (links, contact, history) and moves of a selection, through
the Flask test client, in French and English."""

from __future__ import annotations

import re
from html import unescape

import pytest

from mapservice.domain.model import SynergyStatus
from mapservice.domain.typography import french
from mapservice.services import Services
from tests.support.accounts import ACCOUNTS, PASSWORD, sign_in
from tests.support.pages import card_ids, column
from tests.support.seeded_registry import by_categories, realise


@pytest.fixture
def svc(seeded_app) -> Services:
    return seeded_app.extensions["mapservice"]


@pytest.fixture
def web(seeded_app):
    """A browser-like client signed in as staff (it sends the session's CSRF token)."""
    return sign_in(seeded_app.test_client(), "personnel")


def card(html: str, synergy_id: int) -> str:
    start = html.index(f'id="synergie-{synergy_id}"')
    return html[start : html.index("</article>", start)]


def counts(html: str) -> dict[str, int]:
    return {
        s: int(n) for s, n in re.findall(r'<h2 id="h-(\w+)">[^<]*<span class="count">(\d+)<', html)
    }


def test_filters_apply_to_every_column_and_stay_in_the_links(web, svc, monkeypatch):
    from mapservice.views import dashboard

    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    svc.repo.move_synergy(sawdust, SynergyStatus.CONTACTED, author="Julie")
    html = web.get("/synergies?category=bois").get_data(as_text=True)
    assert counts(html) == {
        "candidate": 3,
        "contacted": 1,
        "in_progress": 0,
        "realised": 0,
        "rejected": 0,
    }
    assert card_ids(html, "contacted") == [sawdust]
    assert '<option value="bois" selected>' in html
    assert "4 synergies correspondent aux filtres." in html
    assert "Aucune synergie à cette étape ne correspond aux filtres." in column(html, "realised")
    # Paging keeps the filter; so does a move (its next).
    monkeypatch.setattr(dashboard, "PER_PAGE", 2)
    html = web.get("/synergies?category=bois&sort=distance").get_data(as_text=True)
    more = re.search(r'href="([^"]+)#colonne-candidate">Voir plus', html)
    assert more and more.group(1).replace("&amp;", "&") == (
        "/synergies?category=bois&sort=distance&status=candidate&page=2"
    )
    assert 'name="next" value="/synergies?category=bois&amp;sort=distance"' in html


def test_search_ignores_case_and_accents(web, svc):
    for q, who in (("FERME LAITIERE", "Ferme Laitière (test)"), ("drêche", "Brasserie du Fjord")):
        html = web.get("/synergies", query_string={"q": q}).get_data(as_text=True)
        ids = card_ids(html, "candidate")
        assert ids and counts(html)["candidate"] == len(ids)
        assert all(who in card(html, i) for i in ids)
        assert len(ids) < len(card_ids(web.get("/synergies").get_data(as_text=True), "candidate"))
    html = web.get("/synergies", query_string={"q": "introuvable"}).get_data(as_text=True)
    assert sum(counts(html).values()) == 0 and "Aucune synergie n'est encore suivie" not in html


def test_stages_filter_shows_only_those_columns(web):
    html = web.get("/synergies?stage=contacted&stage=rejected").get_data(as_text=True)
    assert list(counts(html)) == ["contacted", "rejected"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_score=cent", "min_score"),
        ("max_km=-1", "max_km"),
        ("best=1000", "best"),
        ("since=hier", "since"),
        ("park=atlantide", "park"),
        ("page=z%C3%A9ro", "page"),
    ],
)
def test_a_bad_value_is_refused_next_to_its_field(web, query, field):
    r = web.get("/synergies?" + query)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert f'id="err-{field}"' in html and f"Paramètre {field} invalide" in html
    assert 'id="board"' in html and 'class="card' not in html  # nothing shown from it
    if field != "page":
        assert f'id="f-{field}" ' in html and 'aria-invalid="true"' in html


def test_each_card_links_both_sites_and_shows_contact_and_history(web, svc):
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    realise(svc, sawdust, svc.repo.get_synergy(sawdust).updated_at, author="Julie")
    syn = svc.repo.get_synergy(sawdust)
    sites = {f.id: f.site_id for f in svc.repo.flows()}
    offer_site = svc.repo.get_site(sites[syn.output_flow_id])
    svc.repo.update_member(
        offer_site.member_id,
        {
            "contact_name": "Lise Côté",
            "contact_email": "lise@example.org",
            "contact_phone": "418 555-0101",
        },
    )
    html = card(web.get("/synergies").get_data(as_text=True), sawdust)
    for site_id in (sites[syn.output_flow_id], sites[syn.input_flow_id]):
        assert f'href="/sites/{site_id}"' in html and f'href="/registre/sites/{site_id}"' in html
    assert "Lise Côté" in html and 'href="mailto:lise@example.org"' in html
    assert 'href="tel:418555-0101"' in html
    history = html[html.index('<details class="history">') :]
    assert "Historique (3 étapes)" in history
    steps = re.findall(r"<li><time[^>]*>[^<]+</time>, Julie\u00a0:\s*([^<]*)</li>", history)
    assert [re.sub(r"[ \t\n]+", " ", s).strip() for s in steps] == [
        french(s)
        for s in [
            "Candidate → Contactée — « contacted »",
            "Contactée → En cours — « in_progress »",
            "En cours → Réalisée — « realised »",
        ]
    ]


def test_marking_a_selection_contacted(web, svc):
    ids = sorted(s.id for s in svc.repo.synergies())[:3]
    r = web.post(
        "/synergies/selection",
        data={
            "synergies": [str(i) for i in ids],
            "status": "contacted",
            "author": "Julie",  # ignored: the signed-in account is the author
            "note": "Courriel groupé",
            "next": "/synergies?category=bois",
        },
    )
    assert r.status_code == 303
    assert r.headers["Location"] == "/synergies?category=bois&lot=3&vers=contacted#selection"
    html = web.get(r.headers["Location"]).get_data(as_text=True)
    assert french("3 synergies : maintenant « Contactée ».") in html
    for i in ids:
        (event,) = svc.repo.synergy_events(i)
        assert (event.to_status, event.author, event.note) == (
            SynergyStatus.CONTACTED,
            "personnel",
            "Courriel groupé",
        )


def test_a_selection_with_a_forbidden_or_deleted_card_moves_nothing(web, svc):
    ids = sorted(s.id for s in svc.repo.synergies())
    done, gone = ids[0], ids[-1]
    realise(svc, done, svc.repo.get_synergy(done).updated_at)
    svc.repo.delete_flow(svc.repo.get_synergy(gone).input_flow_id)
    r = web.post(
        "/synergies/selection",
        data={
            "synergies": [str(i) for i in ids],
            "status": "rejected",
            "author": "Julie",
            "next": "/synergies?sort=distance",
        },
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    said = unescape(re.search(r'id="move-error">(.*?)</p>', html, flags=re.S).group(1))
    assert "Aucune synergie de la sélection n'a été déplacée" in said
    assert (
        french(f"n° {done} (« Réalisée »)") in said and f"n° {gone} (supprimée entre-temps)" in said
    )
    assert "Rejetée" in said
    assert all(s.status is not SynergyStatus.REJECTED for s in svc.repo.synergies())
    # The board it came from, with the selection still ticked.
    assert '<option value="distance" selected>' in html
    kept = next(s.id for s in svc.repo.synergies() if s.id != done)
    assert re.search(rf'value="{kept}" id="pick-{kept}" class="pick" checked', html)


def test_a_selection_needs_the_csrf_token(seeded_app, svc):
    client = sign_in(seeded_app.test_client(), "personnel")
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    ids = [s.id for s in svc.repo.synergies()]
    r = client.post(
        "/synergies/selection",
        data={"synergies": [str(ids[0])], "status": "rejected", "author": "Julie"},
    )
    assert r.status_code == 400
    assert svc.repo.get_synergy(ids[0]).status is SynergyStatus.CANDIDATE


def test_the_board_and_its_selection_are_staff_only(seeded_app, svc):
    from mapservice.accounts import jobs as accounts

    anonymous = seeded_app.test_client()
    assert anonymous.get("/synergies?q=scierie").status_code == 302
    r = anonymous.post("/synergies/selection", data={"synergies": "1", "status": "rejected"})
    assert r.status_code in (302, 400)
    accounts.add_user(
        svc, username="presentateur", password=PASSWORD, role=ACCOUNTS["presentateur"]
    )
    manager = sign_in(seeded_app.test_client(), "presentateur")
    assert manager.get("/synergies").status_code == 403
    ids = [s.id for s in svc.repo.synergies()]
    r = manager.post(
        "/synergies/selection",
        data={"synergies": [str(ids[0])], "status": "rejected", "author": "X"},
    )
    assert r.status_code == 403
    assert svc.repo.get_synergy(ids[0]).status is SynergyStatus.CANDIDATE


def test_the_board_in_english(web, svc):
    html = web.get("/synergies?lang=en&category=bois&best=1").get_data(as_text=True)
    for said in ("Search", "Minimum score (0 to 100)", "More filters", "Selected cards"):
        assert said in html, said
    assert "Site page" in html and "Registry record" in html
    r = web.get("/synergies?lang=en&min_score=200")
    assert r.status_code == 422 and "Invalid min_score parameter" in r.get_data(as_text=True)
    ids = sorted(s.id for s in svc.repo.synergies())
    realise(svc, ids[0], svc.repo.get_synergy(ids[0]).updated_at)
    r = web.post(
        "/synergies/selection?lang=en",
        data={"synergies": [str(i) for i in ids], "status": "rejected", "author": "Julie"},
    )
    assert r.status_code == 422
    assert f"No synergy of the selection was moved: 1 of the {len(ids)}" in r.get_data(as_text=True)
