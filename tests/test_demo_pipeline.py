"""The live demo: ``init --demo`` leaves matched candidates and a fictional two-year history."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from mapservice.domain.model import SynergyStatus
from mapservice.ops.demo_pipeline import SPAN_DAYS, TARGETS, bring_to_life
from mapservice.services import Services
from tests.support.accounts import sign_in
from tests.support.settings import make_settings


@pytest.fixture(scope="module")
def live(live_demo_sqlite):
    svc = Services(make_settings(live_demo_sqlite.parent, "sqlite:///" + str(live_demo_sqlite)))
    yield svc
    svc.close()


def test_the_demo_holds_candidates_and_every_other_status(live):
    counts = Counter(s.status for s in live.repo.synergies())
    assert counts[SynergyStatus.CANDIDATE] > 1000
    for status, n in TARGETS.items():
        assert counts[status] == n, status


def test_the_history_spans_the_last_two_years_and_says_it_is_fictional(live):
    now = datetime.now(UTC)
    events = live.repo.synergy_events()
    ats = [e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC) for e in events]
    assert all(now - timedelta(days=SPAN_DAYS) <= at <= now for at in ats)
    assert max(ats) - min(ats) > timedelta(days=365)  # spread, not bunched on one day
    assert all(e.author.endswith("(démo)") and e.note.endswith("(démo)") for e in events)
    realised = {e.synergy_id: e.at for e in events if e.to_status is SynergyStatus.REALISED}
    assert len(realised) == TARGETS[SynergyStatus.REALISED]
    for synergy_id in realised:
        steps = [e.to_status for e in live.repo.synergy_events(synergy_id)]
        assert steps == [SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS, SynergyStatus.REALISED]


def test_impact_shows_the_realised_synergies(live_demo_app):
    client = sign_in(live_demo_app.test_client(), "personnel")
    html = client.get("/impact").get_data(as_text=True)
    tonnes = re.search(r'id="total-tonnes">([^<]+)<', html)
    assert tonnes is not None and tonnes.group(1).strip() not in ("0", "0,0")
    assert "Aucune synergie réalisée" not in html
    board = client.get("/synergies").get_data(as_text=True)
    assert "Aucune synergie n'est encore suivie" not in board


@pytest.mark.slow
def test_the_history_is_seeded_and_init_again_keeps_it(tmp_path):
    today = datetime(2026, 6, 1, 12, tzinfo=UTC)
    histories = []
    for name in ("a", "b"):
        svc = Services(make_settings(tmp_path, f"sqlite:///{tmp_path / name}.sqlite"))
        svc.init_database(demo=True)
        first = bring_to_life(svc, today=today)
        assert first.events > 0
        again = bring_to_life(svc, today=today)
        assert again.events == 0 and again.candidates == first.candidates
        histories.append(
            [(e.synergy_id, e.to_status, e.at, e.author, e.note) for e in svc.repo.synergy_events()]
        )
        svc.close()
    assert histories[0] == histories[1]
