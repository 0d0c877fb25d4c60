"""The board and the impact page in headless Chromium: move a card with the keyboard, see the
charts drawn."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapservice.domain.model import SynergyStatus
from mapservice.matching import jobs as synergy_jobs
from mapservice.services import Services
from tests.support.browser import signed_in_page
from tests.support.settings import make_settings

#: Realisation dates of the synergies the demo pipeline gets (one per synergy, oldest first).
REALISED_AT = [
    datetime(2025, m, d, 15, tzinfo=UTC) for m, d in ((9, 12), (10, 3), (10, 28), (12, 9))
] + [datetime(2026, m, d, 15, tzinfo=UTC) for m, d in ((1, 22), (2, 17), (2, 26), (4, 8))]


@pytest.fixture
def pipeline(demo_db: str, tmp_path: Path) -> dict[str, list[int]]:
    """Candidates for the demo membership (road distances), and a pipeline in motion."""
    svc = Services(make_settings(tmp_path, demo_db))
    try:
        found = synergy_jobs.match_all(svc, per_offer=2)
        assert len(found) > 100
        flows = {f.id: f for f in svc.repo.flows()}
        ranked = [
            s
            for s in svc.repo.synergies()
            if s.tonnes_per_year
            and not flows[s.output_flow_id].confidential
            and not flows[s.input_flow_id].confidential
        ]
        ranked.sort(key=lambda s: -(s.score or 0))
        done, later = ranked[: len(REALISED_AT)], ranked[len(REALISED_AT) :]
        for syn, at in zip(done, REALISED_AT, strict=True):
            for status in (
                SynergyStatus.CONTACTED,
                SynergyStatus.IN_PROGRESS,
                SynergyStatus.REALISED,
            ):
                svc.repo.move_synergy(syn.id, status, author="Julie", at=at, note="")
        steps = {
            SynergyStatus.CONTACTED: later[0:3],
            SynergyStatus.IN_PROGRESS: later[3:5],
            SynergyStatus.REJECTED: later[5:7],
        }
        for status, rows in steps.items():
            for syn in rows:
                if status is SynergyStatus.IN_PROGRESS:
                    svc.repo.move_synergy(syn.id, SynergyStatus.CONTACTED, author="Marc")
                svc.repo.move_synergy(syn.id, status, author="Marc", note="Suivi de démo")
        return {"realised": [s.id for s in done]}
    finally:
        svc.close()


def test_move_a_card_with_the_keyboard(chromium, served, pipeline, tmp_path):
    page = signed_in_page(chromium, served, viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/synergies")
    candidates = page.locator("#colonne-candidate article.card")
    expect(candidates).to_have_count(50)  # a page of the 975 candidates
    expect(page.locator("#colonne-candidate .more")).to_contain_text("Voir plus")
    card = candidates.first
    card_id = card.get_attribute("id")
    button = card.get_by_role("button", name="Marquer contactée")

    # No name to type: the signed-in account is the author. Tab from the top of the page to the
    # card's button (past the filters, the selection's note and buttons, the card's check box,
    # its links and contacts), then Enter.
    page.locator("h1").first.focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("the button cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/synergies?deplacee=*")
    expect(page.get_by_role("status")).to_contain_text("maintenant « Contactée »")
    expect(page.locator(f"#colonne-contacted #{card_id}")).to_be_visible()
    expect(page.locator(f"#colonne-candidate #{card_id}")).to_have_count(0)
    expect(page.locator(f"#colonne-contacted #{card_id} .last")).to_contain_text("par personnel")
    expect(page.locator("#author")).to_contain_text("personnel")
    assert page.locator("input[name=author]").count() == 0
    page.screenshot(path=tmp_path / "synergies.png", full_page=True)
    assert errors == []
    page.close()


def test_impact_page_draws_its_charts(chromium, served, pipeline, tmp_path):
    page = signed_in_page(chromium, served, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/impact")
    expect(page.locator("#total-count")).to_have_text("8")
    for chart, least in (("month", 8), ("park", 2), ("category", 2)):
        svg = page.locator(f"svg#chart-{chart}")
        expect(svg).to_have_attribute("role", "img")
        bars = svg.locator("rect.bar")
        assert bars.count() >= least, chart
        box = svg.bounding_box()
        assert box is not None and box["width"] > 500 and box["height"] > 80
        assert any(
            float(bars.nth(i).get_attribute("width") or 0) > 0
            and float(bars.nth(i).get_attribute("height") or 0) > 0
            for i in range(bars.count())
        )
    # The numbers behind a chart open from the keyboard.
    summary = page.locator("#chart-park-data summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#chart-park-data table")).to_be_visible()
    page.screenshot(path=tmp_path / "impact.png", full_page=True)

    page.select_option("#f-metric", "t_co2e_net")
    page.click("text=Afficher")
    page.wait_for_url("**/impact?*metric=t_co2e_net*")
    expect(page.locator("#h-month")).to_be_visible()
    page.goto(f"{served}/impact?from=hier")
    expect(page.get_by_role("alert")).to_contain_text("from")
    assert errors == []
    page.close()
