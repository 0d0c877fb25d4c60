"""The event pages (/evenements) through the Flask test client, over the live demo: create an
event, add 30 participants, plan 5 tables of 6, move people, record 10 meetings and find them
« contacted » on the board; and each bad input refused with its message, nothing saved."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mapservice.domain.model import SynergyStatus
from mapservice.domain.text import strip_accents
from mapservice.domain.typography import french
from mapservice.events import jobs as events
from mapservice.matching.jobs import match_all
from mapservice.services import Services
from mapservice.storage import schema as t
from tests.support.accounts import sign_in
from tests.support.browser import signed_in_page
from tests.support.pages import card_ids
from tests.support.pdf import pdf_pages
from tests.support.settings import make_settings


@pytest.fixture
def svc(live_demo_app: Any) -> Services:
    return live_demo_app.extensions["mapservice"]  # type: ignore[no-any-return]


@pytest.fixture
def web(live_demo_app: Any) -> Any:
    return sign_in(live_demo_app.test_client(), "personnel")


def _busiest_members(svc: Services, n: int) -> list[str]:
    """The names of ``n`` members joined by the best candidate synergies of the demo."""
    flows = {f.id: f for f in svc.repo.flows()}
    member_of_site = {s.id: s.member_id for s in svc.repo.sites()}
    names = {m.id: m.name for m in svc.repo.members()}
    chosen: list[int] = []
    candidates = svc.repo.synergies(status=SynergyStatus.CANDIDATE)
    for s in sorted(candidates, key=lambda s: -(s.score or 0)):
        for flow_id in (s.output_flow_id, s.input_flow_id):
            member = member_of_site[flows[flow_id].site_id]
            if member not in chosen and len(chosen) < n:
                chosen.append(member)
    return [names[m] for m in chosen]


def _create(web: Any, title: str = "Maillage d'automne") -> int:
    resp = web.post("/evenements", data={"title": title, "date": "2026-10-15", "place": "Alma"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:800]
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def _page(web: Any, event_id: int) -> str:
    resp = web.get(f"/evenements/{event_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _tables(html: str) -> dict[int, list[int]]:
    out = {}
    for number, body in re.findall(
        r'<section class="table-card" id="table-(\d+)".*?<ol class="seats">(.*?)</ol>', html, re.S
    ):
        out[int(number)] = [int(m) for m in re.findall(r'data-member="(\d+)"', body)]
    return out


def test_the_whole_path_from_creation_to_the_board(web: Any, svc: Services) -> None:
    assert "/evenements" in web.get("/synergies").get_data(as_text=True)  # in the menu
    event_id = _create(web)
    assert "Maillage d&#39;automne" in web.get("/evenements").get_data(as_text=True)

    # 30 participants from a pasted list, written without accents and in capitals.
    names = _busiest_members(svc, 30)
    pasted = "\n".join(strip_accents(name).upper() for name in names) + "\nPersonne Inconnue Ltée"
    resp = web.post(f"/evenements/{event_id}/participants/liste", data={"names": pasted})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="introuvables"' in html
    assert "Personne Inconnue Ltée" in html
    assert len(svc.repo.event_participants(event_id)) == 30

    # The meetings worth having: pairs and small groups of participants, best first.
    html = _page(web, event_id)
    proposed = re.findall(r'<li data-members="([\d,]+)">', html)
    assert 1 <= len(proposed) <= 12
    taking_part = set(svc.repo.event_participants(event_id))
    assert all(set(map(int, m.split(","))) <= taking_part for m in proposed)
    assert any(m.count(",") >= 2 for m in proposed), "a group of three or more"
    values = [float(v.replace(",", ".")) for v in re.findall(r"valeur (\d+,\d\d)</span>", html)]
    assert values == sorted(values, reverse=True)

    # A plan of 5 tables of 6.
    resp = web.post(f"/evenements/{event_id}/plan", data={"tables": "5", "seats": "6"})
    assert resp.status_code == 303
    tables = _tables(_page(web, event_id))
    assert sorted(tables) == [1, 2, 3, 4, 5]
    assert [len(t) for t in tables.values()] == [6] * 5
    assert sorted(m for t in tables.values() for m in t) == sorted(
        svc.repo.event_participants(event_id)
    )

    # Every table is full: a move is refused, with the reason; an exchange goes through.
    one, other = tables[1][0], tables[2][0]
    resp = web.post(f"/evenements/{event_id}/plan/deplacer", data={"member": one, "table": "2"})
    assert resp.status_code == 422 and "pleine" in resp.get_data(as_text=True)
    assert _tables(_page(web, event_id)) == tables
    resp = web.post(
        f"/evenements/{event_id}/plan/deplacer", data={"member": one, "table": "", "swap": other}
    )
    assert resp.status_code == 303
    moved = _tables(_page(web, event_id))
    assert one in moved[2] and other in moved[1]

    # Record 10 meetings: their synergies are « contacted », the event in their history.
    html = _page(web, event_id)
    ticks = re.findall(r'name="synergy" value="(\d+)"', html)
    assert len(ticks) >= 10
    chosen = ticks[:10]
    resp = web.post(f"/evenements/{event_id}/rencontres", data={"synergy": chosen})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:800]
    for synergy_id in map(int, chosen):
        assert svc.repo.get_synergy(synergy_id).status is SynergyStatus.CONTACTED
        last = svc.repo.synergy_events(synergy_id)[-1]
        assert "Maillage d'automne" in last.note and last.author == "personnel"
    assert len(svc.repo.event_meetings(event_id)) == 10
    html = _page(web, event_id)
    assert "10 rencontres enregistrées" in html and 'id="bilan-mois"' in html

    # On the board, in the « contacted » column (the latest changes first).
    board = web.get("/synergies?sort=change").get_data(as_text=True)
    assert set(map(int, chosen)) <= set(card_ids(board, "contacted"))


def test_meetings_already_contacted_are_refused_whole(web: Any, svc: Services) -> None:
    event_id = _create(web)
    names = _busiest_members(svc, 12)
    web.post(f"/evenements/{event_id}/participants/liste", data={"names": "\n".join(names)})
    ticks = re.findall(r'name="synergy" value="(\d+)"', _page(web, event_id))
    assert len(ticks) >= 3
    first, rest = ticks[0], ticks[1:3]
    assert (
        web.post(f"/evenements/{event_id}/rencontres", data={"synergy": [first]}).status_code == 303
    )
    before = [svc.repo.get_synergy(int(i)).status for i in rest]
    resp = web.post(f"/evenements/{event_id}/rencontres", data={"synergy": [first, *rest]})
    assert resp.status_code == 422
    assert f"n° {first}\u00a0: contactée" in resp.get_data(as_text=True)
    assert [svc.repo.get_synergy(int(i)).status for i in rest] == before
    assert len(svc.repo.event_meetings(event_id)) == 1


@pytest.mark.parametrize(
    ("form", "said"),
    [
        ({"title": "", "date": "2026-10-15"}, "Donnez un titre"),
        ({"title": "Soirée", "date": "15/10/2026"}, "attendu : AAAA-MM-JJ"),
    ],
)
def test_a_bad_event_form_is_refused(web: Any, svc: Services, form: dict, said: str) -> None:
    resp = web.post("/evenements", data=form)
    assert resp.status_code == 422 and french(said) in resp.get_data(as_text=True)
    assert svc.repo.events() == []


def test_plans_that_cannot_be_made_say_why(web: Any, svc: Services) -> None:
    event_id = _create(web)
    resp = web.post(f"/evenements/{event_id}/plan", data={"tables": "5", "seats": "6"})
    assert resp.status_code == 422 and "aucun participant" in resp.get_data(as_text=True)
    names = _busiest_members(svc, 8)
    web.post(f"/evenements/{event_id}/participants/liste", data={"names": "\n".join(names)})
    resp = web.post(f"/evenements/{event_id}/plan", data={"tables": "2", "seats": "3"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "8 participants pour 2 tables de 3 places" in html
    resp = web.post(f"/evenements/{event_id}/plan", data={"tables": "deux", "seats": "3"})
    assert resp.status_code == 422 and "de 1 à 100" in resp.get_data(as_text=True)
    assert svc.repo.event_seats(event_id) == [] and svc.repo.get_event(event_id).plan_tables is None


def test_a_member_deleted_meanwhile(web: Any, svc: Services) -> None:
    event_id = _create(web)
    first, second, third = svc.repo.members()[:3]
    web.post(f"/evenements/{event_id}/participants", data={"member": [first.id, second.id]})
    with svc.repo.engine.begin() as conn:  # gone meanwhile (another process, a restore)
        conn.execute(sa.delete(t.members).where(t.members.c.id.in_([second.id, third.id])))
    resp = web.post(f"/evenements/{event_id}/participants", data={"member": [third.id]})
    assert resp.status_code == 422 and "existe plus" in resp.get_data(as_text=True)
    assert svc.repo.event_participants(event_id) == [first.id]
    assert str(third.id) in resp.get_data(as_text=True)
    # Someone taken out of the event in another tab cannot be moved.
    web.post(f"/evenements/{event_id}/plan", data={"tables": "1", "seats": "2"})
    web.post(f"/evenements/{event_id}/participants/{first.id}/retirer")
    resp = web.post(
        f"/evenements/{event_id}/plan/deplacer", data={"member": first.id, "table": "1"}
    )
    assert resp.status_code == 422 and "ne participe plus" in resp.get_data(as_text=True)
    assert svc.repo.event_seats(event_id) == []


def test_a_search_by_park_and_sector_adds_members(web: Any, svc: Services) -> None:
    event_id = _create(web)
    site = next(s for s in svc.repo.sites() if s.park_id)
    html = web.get(f"/evenements/{event_id}?park={site.park_id}").get_data(as_text=True)
    found = re.findall(r'name="member" value="(\d+)"', html)
    assert str(site.member_id) in found
    resp = web.post(f"/evenements/{event_id}/participants", data={"member": found})
    assert resp.status_code == 303
    assert sorted(svc.repo.event_participants(event_id)) == sorted(map(int, found))


def test_strangers_and_unknown_events(live_demo_app: Any, web: Any) -> None:
    stranger = live_demo_app.test_client()
    assert stranger.get("/evenements").status_code in (302, 401)
    assert web.get("/evenements/999").status_code == 404


# --- in Chromium: axe and a phone's width ------------------------------------------------------

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_RUN = """() => axe.run(document, {runOnly: {type: 'tag',
           values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
    .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""


def test_the_event_pages_pass_axe_and_fit_a_phone(
    chromium: Any, served: str, demo_db: str, tmp_path: Path
) -> None:
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        event_id = _create_with_plan(svc)
    finally:
        svc.close()
    paths = ["/evenements", f"/evenements/{event_id}", f"/evenements/{event_id}?sector=metaux"]
    page = signed_in_page(chromium, served, viewport={"width": 1366, "height": 850})
    page.add_init_script(path=str(AXE))
    found = {}
    for path in paths:
        page.goto(served + path)
        page.wait_for_load_state("load")
        if violations := page.evaluate(AXE_RUN):
            found[path] = violations
    page.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
    phone = signed_in_page(chromium, served, viewport={"width": 390, "height": 800})
    wide = {}
    for path in paths:
        phone.goto(served + path)
        phone.wait_for_load_state("load")
        if (width := phone.evaluate("document.documentElement.scrollWidth")) > 390:
            wide[path] = width
    phone.close()
    assert wide == {}


def _create_with_plan(svc: Services) -> int:
    """An event of 12 members of the demo with a plan of 3 tables of 4, through the use cases
    (the demo's candidates matched first: this demo database has none yet)."""
    match_all(svc)
    event_id = events.create_event(
        svc, {"title": "Maillage", "date": "2026-10-15", "place": "Alma"}, author="personnel"
    )
    names = "\n".join(_busiest_members(svc, 12))
    events.import_names(svc, event_id, names, author="personnel")
    events.propose_plan(svc, event_id, "3", "4", author="personnel")
    return event_id


def test_a_facilitator_prepares_and_closes_an_event_in_chromium(
    chromium: Any, served: str, demo_db: str, tmp_path: Path
) -> None:
    """The path of the issue, with the mouse and the keyboard only: create an event, paste 30
    names, plan 5 tables of 6, exchange two people, tick 10 meetings, mark them contacted, and
    find them in the board's « contacted » column."""
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        match_all(svc)  # this demo database has no candidates yet
        names = _busiest_members(svc, 30)
    finally:
        svc.close()
    page = signed_in_page(chromium, served, viewport={"width": 1366, "height": 900})
    page.goto(served + "/evenements")
    page.fill("#f-title", "Maillage d'hiver")
    page.fill("#f-date", "2026-12-10")
    page.fill("#f-place", "Saguenay")
    with page.expect_navigation():
        page.click("#creer button[type=submit]")
    event_url = page.url.split("#")[0]
    assert re.search(r"/evenements/\d+$", event_url)

    page.fill("#names", "\n".join(strip_accents(n).lower() for n in names))
    with page.expect_navigation():
        page.click("#importer button[type=submit]")
    assert page.locator("#liste-participants tbody tr").count() == 30

    page.fill("#tables", "5")
    page.fill("#seats", "6")
    with page.expect_navigation():
        page.click("#proposer button[type=submit]")
    cards = page.locator(".table-card")
    assert cards.count() == 5
    assert [cards.nth(i).locator(".seats li").count() for i in range(5)] == [6] * 5

    # The 30 sheets, printed by the browser as one PDF: one page a company.
    with page.expect_navigation():
        page.click("#fiches")
    assert page.locator(".sheet").count() == 30
    pdf = page.pdf(format="Letter")
    (tmp_path / "fiches.pdf").write_bytes(pdf)
    assert pdf_pages(pdf, tmp_path / "fiches.pdf") == 30
    page.goto(event_url)

    one = page.locator("#table-1 .seats li").first.get_attribute("data-member")
    other = page.locator("#table-2 .seats li").first.get_attribute("data-member")
    page.select_option("#move-member", one)
    page.select_option("#move-swap", other)
    with page.expect_navigation():
        page.click("#deplacer button[type=submit]")
    assert page.locator(f'#table-2 .seats li[data-member="{one}"]').count() == 1
    assert page.locator(f'#table-1 .seats li[data-member="{other}"]').count() == 1

    # each pair's best synergy is in view; its others are folded under it
    ticks = page.locator('.table-card input[name="synergy"]:visible')
    assert ticks.count() >= 10
    chosen = [ticks.nth(i).get_attribute("value") for i in range(10)]
    for value in chosen:
        page.check(f"#s-{value}")
    with page.expect_navigation():
        page.click("#marquer")
    assert "10 rencontres enregistrées" in page.locator("main").inner_text()
    for value in chosen:
        assert (
            page.locator(f'.meeting[data-synergy="{value}"]').first.get_attribute("data-status")
            == "contacted"
        )

    page.goto(served + "/synergies?sort=change")
    contacted = page.locator("section.column.status-contacted")
    for value in chosen:
        assert contacted.locator(f"#synergie-{value}").count() == 1
    page.close()
