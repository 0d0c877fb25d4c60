"""A sheet for every company at a maillage event: the data, the page, and the PDF by Chromium.

On the live demo (members who did not consent, confidential quantities, thousands of stored
synergies), 30 participants seated by the real table plan (:mod:`mapservice.matching.seating`)
give 30 sheets, whose partners are participants only, with their tables. The page is rendered
within the app as each reader would get it (signed in as staff, as a park manager, or not at
all); the confidential values of the registry are searched for in its HTML. Chromium prints it
as one PDF of one letter page a company, and no sheet spills over its page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from flask_login import login_user

from mapservice.domain.access import STAFF, Principal, Role
from mapservice.domain.model import Site
from mapservice.errors import InvalidInput
from mapservice.matching.meetings import PairSynergy, Participant, pair_values
from mapservice.matching.seating import plan_tables
from mapservice.views import formatting
from mapservice.views.event_sheets import event_sheets
from mapservice.views.qr_code import qr_svg
from mapservice.web.auth import SessionUser
from mapservice.web.event_sheet_pages import sheets_page
from tests.support.pdf import pdf_pages

BASE = "https://carte.example"
STAFF_USER = Principal(user_id=1, username="personnel", role=Role.STAFF)


def participants(svc: Any) -> list[int]:
    """30 members spread over the demo (every eighth), in id order."""
    ids = sorted(m.id for m in svc.repo.members() if m.id is not None)
    return ids[::8][:30]


def table_plan(svc: Any, ids: list[int]) -> dict[int, int]:
    """Member → table of the real plan for 5 tables of 6, from the stored synergies."""
    site_member = {s.id: s.member_id for s in svc.repo.sites()}
    flow_member = {f.id: site_member[f.site_id] for f in svc.repo.flows()}
    people = [Participant(i, str(i)) for i in ids]
    values = pair_values(
        people,
        (
            PairSynergy(
                s.id or 0, flow_member[s.output_flow_id], flow_member[s.input_flow_id], s.score
            )
            for s in svc.repo.synergies()
        ),
    )
    plan = plan_tables(people, values, tables=5, seats=6)
    return {i: plan.table_of(i) for i in ids}


def render(app: Any, who: Principal | None, ids: list[int], lang: str = "fr", **kw: Any) -> str:
    """The sheets page as ``who`` gets it (None: not signed in), in ``lang``."""
    with app.test_request_context(f"/evenements/fiches?lang={lang}", base_url=BASE):
        if who is not None:
            login_user(SessionUser(who))
        return sheets_page(
            title="Maillage d'automne", day=date(2026, 12, 10), place="Alma", member_ids=ids, **kw
        )


def articles(html: str) -> list[str]:
    return html.split('<article class="sheet"')[1:]


@pytest.fixture
def svc(live_demo_app: Any) -> Any:
    return live_demo_app.extensions["mapservice"]


def test_thirty_participants_give_thirty_sheets_whose_partners_are_participants(svc):
    ids = participants(svc)
    tables = table_plan(svc, ids)
    sheets = event_sheets(
        svc,
        title=" Maillage d'automne ",
        day=date(2026, 12, 10),
        place="Alma",
        member_ids=ids,
        table_of=tables,
        scope=STAFF,
        lang="fr",
        page_url=BASE + "/registre/membres/{id}",
    )
    assert [s.member_id for s in sheets] == ids
    assert {s.event.title for s in sheets} == {"Maillage d'automne"}
    site_member = {s.id: s.member_id for s in svc.repo.sites()}
    flow_member = {f.id: site_member[f.site_id] for f in svc.repo.flows()}
    stored = {s.id: s for s in svc.repo.synergies()}
    partners = 0
    for sheet in sheets:
        assert sheet.name and sheet.table == tables[sheet.member_id]
        assert sheet.qr_svg == qr_svg(f"{BASE}/registre/membres/{sheet.member_id}")
        values = [p.value for p in sheet.partners]
        assert values == sorted(values, reverse=True)
        for partner in sheet.partners:
            partners += 1
            assert partner.member_id in ids and partner.member_id != sheet.member_id
            assert partner.table == tables[partner.member_id]
            for link in partner.links:
                syn = stored[link.synergy_id]
                ends = {flow_member[syn.output_flow_id], flow_member[syn.input_flow_id]}
                assert ends == {sheet.member_id, partner.member_id}
                assert syn.status.value != "rejected"
                assert link.score == round(syn.score * 100)  # staff see every figure
    assert partners >= 30


def test_the_page_holds_one_sheet_a_participant_in_french_or_english(live_demo_app, svc):
    ids = participants(svc)
    french = render(live_demo_app, STAFF_USER, ids, table_of=table_plan(svc, ids))
    assert len(articles(french)) == 30
    assert "Partenaires présents à rencontrer" in french and "Table" in french
    assert f'aria-label="Code QR vers {BASE}/registre/membres/{ids[0]}"' in french
    english = render(live_demo_app, STAFF_USER, ids, lang="en")
    assert len(articles(english)) == 30
    assert "Partners present to meet" in english and "Partenaires présents" not in english
    # the stored reasons are said in English, as on the board
    assert "category: " in english and "catégorie : " not in english


def test_a_member_without_a_located_site_still_prints_its_position_unknown(live_demo_app, svc):
    member = svc.repo.add_member({"name": "Atelier Sans-Adresse (démo)", "naics_code": "332710"})
    svc.repo.add_site(
        {"member_id": member, "name": "Atelier", "address": None, "municipality_id": None}
    )
    ids = [*participants(svc)[:5], member]
    for who, name in ((STAFF_USER, "Atelier Sans-Adresse (démo)"), (None, None)):
        sheet = articles(render(live_demo_app, who, ids))[-1]
        assert "position inconnue" in sheet
        assert (name in sheet) if name else ("entreprise non nommée" in sheet)
    assert "position unknown" in articles(render(live_demo_app, STAFF_USER, ids, lang="en"))[-1]


@pytest.mark.parametrize(
    ("ids", "says"),
    [
        ([], "aucun participant"),
        ([1, 99999], "aucun membre n° 99999"),
        ([1, 2, 1], "figure deux fois"),
    ],
)
def test_bad_participants_are_refused_with_a_clear_message(svc, ids, says):
    with pytest.raises(InvalidInput, match=says):
        event_sheets(
            svc,
            title="x",
            day=None,
            place="",
            member_ids=ids,
            table_of=None,
            scope=STAFF,
            lang="fr",
        )


# --- confidentiality --------------------------------------------------------------------------


def secrets(svc: Any, ids: list[int], seen: set[int]) -> dict[str, set[str]]:
    """What a reader who sees exactly the sites ``seen`` (and no confidential quantity) must
    never find: the names, addresses and flow descriptions of the other participants' sites,
    the confidential quantities as a page writes them, and the savings of the synergies that
    scale with them. A value the reader may also see elsewhere (the demo's texts and figures
    repeat: another flow of 0,5 t/an, another description that starts the same) proves
    nothing and is left out."""
    present = set(ids)
    sites = {s.id: s for s in svc.repo.sites() if s.member_id in present}
    flows = {f.id: f for f in svc.repo.flows(site_ids=list(sites))}
    named = {sites[i].member_name or "" for i in seen if i in sites}
    out: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, set[str]] = defaultdict(set)
    for site in sites.values():
        if site.id not in seen:
            out["names"].add(site.member_name or "")
            out["addresses"].add(site.address if site.address and len(site.address) > 12 else "")
    for flow in flows.values():
        quantity = formatting.qty(flow.quantity, flow.unit, lang="fr")
        out["quantities" if flow.confidential else "shown"].add(quantity)
        if flow.site_id in seen:
            shown["descriptions"].add(flow.description)
        elif len(flow.description) > 25:
            out["descriptions"].add(flow.description)
    for syn in svc.repo.synergies(flow_ids=list(flows)):
        offer, need = flows.get(syn.output_flow_id), flows.get(syn.input_flow_id)
        if offer and need and syn.net_benefit_cad:
            secret = offer.confidential or need.confidential
            out["savings" if secret else "shown"].add(formatting.money(syn.net_benefit_cad))
    probes = {
        "names": {n for n in out["names"] if not any(n in m for m in named)},
        "addresses": out["addresses"],
        "descriptions": {
            d for d in out["descriptions"] if not any(d in e for e in shown["descriptions"])
        },
        "quantities": out["quantities"] - out["shown"],
        "savings": out["savings"] - out["shown"],
    }
    return {k: {v.replace("'", "&#39;") for v in vs if v} for k, vs in probes.items()}


#: Before a probed figure: not a digit, nor what a page writes inside a number.
NOT_IN_A_NUMBER = r"(?<![\d,.\u00a0\u202f])"


def found(html: str, probes: dict[str, set[str]]) -> dict[str, list[str]]:
    """The probes found in ``html``; a figure only as a whole number (``5 t/an`` is not in
    ``25 t/an``)."""
    return {
        kind: sorted(
            v
            for v in values
            if (re.search(NOT_IN_A_NUMBER + re.escape(v), html) if v[0].isdigit() else v in html)
        )
        for kind, values in probes.items()
    }


def managed_park(svc: Any, ids: list[int]) -> str:
    """The park with the most sites of participants who did not consent."""
    count: dict[str, int] = defaultdict(int)
    for site in svc.repo.sites():
        if site.member_id in ids and not site.public_consent and site.park_id:
            count[site.park_id] += 1
    return max(sorted(count), key=count.__getitem__)


def exact_for(sites: list[Site], parks: frozenset[str] | None) -> set[int]:
    """The sites a reader names: the consenting ones, and those in ``parks``."""
    return {
        s.id
        for s in sites
        if s.id is not None and (s.public_consent or (parks is not None and s.park_id in parks))
    }


def test_the_public_and_a_park_manager_find_no_hidden_value_staff_find_them_all(live_demo_app, svc):
    ids = participants(svc)
    tables = table_plan(svc, ids)
    sites = [s for s in svc.repo.sites() if s.member_id in ids]
    public_probes = secrets(svc, ids, exact_for(sites, None))
    counts = {k: len(v) for k, v in public_probes.items()}
    assert min(counts.values()) >= 1 and counts["names"] >= 5, counts
    staff_html = render(live_demo_app, STAFF_USER, ids, table_of=tables)
    # the control: every probe finds something in what staff read
    assert all(found(staff_html, public_probes).values())

    public_html = render(live_demo_app, None, ids, table_of=tables)
    assert found(public_html, public_probes) == {k: [] for k in public_probes}
    assert "entreprise non nommée" in public_html and "quantité confidentielle" in public_html

    park = managed_park(svc, ids)
    manager = Principal(
        user_id=2, username="gestion", role=Role.PARK_MANAGER, parks=frozenset({park})
    )
    manager_probes = secrets(svc, ids, exact_for(sites, frozenset({park})))
    manager_html = render(live_demo_app, manager, ids, table_of=tables)
    assert found(manager_html, manager_probes) == {k: [] for k in manager_probes}
    tenants = {s.member_name for s in sites if s.park_id == park and not s.public_consent}
    assert any(name and name.replace("'", "&#39;") in manager_html for name in tenants)


def test_an_unnamed_company_has_no_table_no_link_and_no_qr_code(live_demo_app, svc):
    ids = participants(svc)
    tables = table_plan(svc, ids)
    html = render(live_demo_app, None, ids, table_of=tables)
    hidden = [a for a in articles(html) if "(entreprise non nommée)</small></h2>" in a]
    assert hidden
    for sheet in hidden:
        assert "own-table" not in sheet and "<svg" not in sheet and "/registre/" not in sheet
    # a partner not named to the reader is shown without its table
    for partner in re.findall(r"<h4>(.*?)</h4>", html, flags=re.S):
        assert ("entreprise non nommée" not in partner) or ("at-table" not in partner)


# --- printed by Chromium -------------------------------------------------------------------------


def print_page(chromium: Any, app: Any, html: str) -> Any:
    """A Chromium page showing ``html``, its stylesheets and scripts served by the app."""
    client = app.test_client()
    page = chromium.new_page(viewport={"width": 726, "height": 956})  # letter less margins

    def serve(route: Any) -> None:
        path = route.request.url.removeprefix("http://fiches.test")
        if path == "/fiches":
            route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        elif path.startswith("/static/"):
            with client.get(path) as answer:
                route.fulfill(
                    status=answer.status_code, body=answer.data, content_type=answer.content_type
                )
        else:
            route.abort()

    page.route("**/*", serve)
    page.goto("http://fiches.test/fiches")
    return page


def test_thirty_sheets_print_as_one_pdf_of_thirty_letter_pages(
    chromium, live_demo_app, svc, tmp_path
):
    ids = participants(svc)
    html = render(live_demo_app, STAFF_USER, ids, table_of=table_plan(svc, ids))
    page = print_page(chromium, live_demo_app, html)
    try:
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        page.emulate_media(media="print")
        spilled = page.evaluate(
            """() => [...document.querySelectorAll('.sheet')]
                 .map((s, i) => [i + 1, s.scrollHeight - s.clientHeight])
                 .filter(([, d]) => d > 0)"""
        )
        hidden = page.evaluate(
            "() => getComputedStyle(document.querySelector('header.app')).display"
        )
    finally:
        page.close()
    path = tmp_path / "fiches.pdf"
    path.write_bytes(pdf)
    assert pdf_pages(pdf, path) == 30
    assert re.search(rb"/MediaBox\s*\[0 0 612 792\]", pdf)  # letter, in points
    assert spilled == []  # no sheet is cut at the foot of its page
    assert hidden == "none"  # the navigation is not printed
