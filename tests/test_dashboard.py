"""The board and the impact dashboard over real databases (SQLite and PostGIS).

Expected impact figures are computed from the stored rows with plain SQL, never through the
code under test (``tests.support.seeded_registry``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mapservice.domain.model import SynergyStatus
from mapservice.errors import InvalidInput
from mapservice.matching.impact_report import impact_report
from mapservice.services import Services
from mapservice.views import dashboard, impact_dashboard
from tests.support.seeded_registry import by_categories, expected_impact, realise, seed_registry


@pytest.fixture
def seeded(services: Services, tmp_path: Path) -> Services:
    seed_registry(services, tmp_path)
    return services


# --- the board --------------------------------------------------------------------------------


def test_board_columns_in_pipeline_order_with_cards(seeded):
    svc = seeded
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    metal = by_categories(svc, "metaux.ferraille", "usages.matiere_refonte")
    svc.repo.move_synergy(sawdust, SynergyStatus.CONTACTED, author="Julie", note="Appel")
    svc.repo.move_synergy(metal, SynergyStatus.REJECTED, author="Marc")
    columns = dashboard.board(svc)
    assert [c.status for c in columns] == list(dashboard.PIPELINE)
    counts = {c.status: c.count for c in columns}
    assert counts == {
        SynergyStatus.CANDIDATE: 4,
        SynergyStatus.CONTACTED: 1,
        SynergyStatus.IN_PROGRESS: 0,
        SynergyStatus.REALISED: 0,
        SynergyStatus.REJECTED: 1,
    }
    candidates = columns[0].cards
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    (card,) = columns[1].cards
    assert card.id == sawdust and card.status is SynergyStatus.CONTACTED
    assert card.offer.member == "Scierie Boréale (test)" and card.offer.park_id == "jonquiere"
    assert card.offer.park == "Parc industriel de Jonquière (Zone durable Jonquière)"
    assert card.offer.category_label == "Sciure de bois"
    assert card.offer.description == "Sciure d'épinette <sèche>"
    assert card.need.member == "Ferme Laitière (test)" and card.need.quantity == 300
    assert card.by_road and card.distance_m > 2000  # road distance, longer than 2.2 km direct
    assert card.tonnes_per_year == 300 and card.net_t_co2e > 0 and card.net_benefit_cad > 0
    assert card.next == (SynergyStatus.IN_PROGRESS, SynergyStatus.REJECTED)
    assert card.last_event.author == "Julie" and card.last_event.note == "Appel"
    assert columns[4].cards[0].next == (SynergyStatus.CANDIDATE,)
    assert dashboard.board(svc, lang="en")[1].cards[0].offer.category_label == "Sawdust"


def test_confidential_figures_are_masked_on_cards(seeded):
    dreche = by_categories(seeded, "agroalimentaire.dreche", "usages.alimentation_animale")
    (card,) = [c for c in dashboard.board(seeded)[0].cards if c.id == dreche]
    assert card.confidential and card.offer.confidential and card.offer.quantity is None
    assert card.tonnes_per_year is None and card.net_t_co2e is None
    assert card.net_benefit_cad is None
    assert card.score is not None and card.distance_m is not None


def test_columns_are_paged(seeded, monkeypatch):
    monkeypatch.setattr(dashboard, "PER_PAGE", 3)
    first = dashboard.board(seeded)[0]
    assert (first.count, first.page, first.pages, len(first.cards)) == (6, 1, 2, 3)
    assert first.has_more and (first.shown_from, first.shown_to) == (1, 3)
    second = dashboard.board(seeded, status="candidate", page="2")[0]
    assert (
        second.page == 2 and not second.has_more and (second.shown_from, second.shown_to) == (4, 6)
    )
    assert {c.id for c in first.cards}.isdisjoint(c.id for c in second.cards)
    assert dashboard.board(seeded, status="candidate", page="9")[0].page == 2  # the last one
    # Another column's page leaves this one on its first page.
    assert dashboard.board(seeded, status="realised", page="2")[0].page == 1


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"status": "gagnée"}, "status"),
        ({"page": "0"}, "page"),
        ({"page": "deux"}, "page"),
        ({"page": "-1"}, "page"),
    ],
)
def test_board_refuses_bad_parameters(services, args, field):
    with pytest.raises(InvalidInput) as info:
        dashboard.board(services, **args)
    assert info.value.field == field and field in info.value.message


def test_empty_board(services):
    columns = dashboard.board(services)
    assert [c.count for c in columns] == [0] * 5 and all(not c.cards for c in columns)


# --- impact -----------------------------------------------------------------------------------


def test_impact_totals_and_breakdowns_match_the_rows(seeded):
    svc = seeded
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    chips = by_categories(svc, "bois.copeaux", "usages.combustible_biomasse")
    metal = by_categories(svc, "metaux.ferraille", "usages.matiere_refonte")
    realise(svc, sawdust, datetime(2026, 1, 15, 12, tzinfo=UTC))
    realise(svc, chips, datetime(2026, 1, 20, 12, tzinfo=UTC))
    realise(svc, metal, datetime(2026, 4, 3, 12, tzinfo=UTC))
    svc.repo.move_synergy(
        by_categories(svc, "bois.sciure", "usages.combustible_biomasse"),
        SynergyStatus.CONTACTED,
        author="Julie",
    )  # not realised: not counted
    view = impact_dashboard.impact(svc)
    want = expected_impact(svc)
    assert view.count == want["count"]["n"] == 3
    assert view.totals["t_diverted"] == pytest.approx(want["totals"]["t"], abs=1e-3)
    assert view.totals["t_diverted"] == pytest.approx(300 + 700 + 200)
    assert view.totals["t_co2e_net"] == pytest.approx(want["totals"]["co2e"], abs=1e-3)
    assert view.totals["cad_net"] == pytest.approx(want["totals"]["cad"], abs=1e-2)
    # Months run without a gap; February and March had nothing.
    assert [g.key for g in view.by_month] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [g.count for g in view.by_month] == [2, 0, 0, 1]
    assert {g.key: g.t_diverted for g in view.by_month if g.count} == pytest.approx(
        dict(want["month"])
    )
    assert {g.key: g.t_diverted for g in view.by_park} == pytest.approx(dict(want["park"]))
    assert {g.key for g in view.by_park} == {"jonquiere", "alma-joseph-collard", "arvida"}
    assert {g.key: g.t_diverted for g in view.by_category} == pytest.approx(dict(want["category"]))
    assert {g.key: g.label for g in view.by_category} == {
        "bois": "Bois et résidus forestiers",
        "metaux": "Métaux",
    }
    # Largest first, by the chosen measure.
    assert [g.key for g in view.by_category] == ["bois", "metaux"]
    assert [g.t_diverted for g in view.by_park] == sorted(
        (g.t_diverted for g in view.by_park), reverse=True
    )
    by_co2e = impact_dashboard.impact(svc, metric="t_co2e_net")
    assert by_co2e.metric == "t_co2e_net"
    assert [g.t_co2e_net for g in by_co2e.by_park] == sorted(
        (g.t_co2e_net for g in by_co2e.by_park), reverse=True
    )
    # The factors behind the figures come along.
    assert {f["key"] for f in view.transport_factors} >= {
        "truck_kg_co2e_per_tkm",
        "truck_cost_cad_per_tkm",
    }
    assert {f["category"] for f in view.avoided_factors} >= {"metaux.ferraille"}
    assert all(f["source"] for f in view.avoided_factors)


def test_impact_days_and_months_are_the_regions(seeded):
    """A synergy realised at 23 h 30 on March 31st in Québec (03:30 UTC on April 1st) is
    March's, in the report's months, its date filter and the dashboard."""
    svc = seeded
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    realise(svc, sawdust, datetime(2026, 4, 1, 3, 30, tzinfo=UTC))
    assert [g.key for g in impact_dashboard.impact(svc).by_month] == ["2026-03"]
    assert impact_dashboard.impact(svc, start="2026-03-31", end="2026-03-31").count == 1
    assert impact_dashboard.impact(svc, start="2026-04-01").count == 0


def test_impact_filters(seeded):
    svc = seeded
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    metal = by_categories(svc, "metaux.ferraille", "usages.matiere_refonte")
    realise(svc, sawdust, datetime(2026, 1, 15, 12, tzinfo=UTC))
    realise(svc, metal, datetime(2026, 4, 3, 12, tzinfo=UTC))
    march_on = impact_dashboard.impact(svc, start="2026-03-01")
    assert march_on.count == 1 and march_on.by_park[0].key == "arvida"
    assert march_on.start.isoformat() == "2026-03-01" and march_on.end is None
    january = impact_dashboard.impact(svc, start="2026-01-01", end="2026-01-31")
    assert january.count == 1 and [g.key for g in january.by_month] == ["2026-01"]
    # The park filter keeps a synergy with either end in the park; it is shown by its offer.
    need_end = impact_dashboard.impact(svc, park="kenogami")
    assert need_end.count == 1 and need_end.by_park[0].key == "jonquiere"
    assert impact_dashboard.impact(svc, park="alma-nord").count == 0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"start": "hier"}, "from"),
        ({"end": "2026-13-01"}, "to"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "to"),
        ({"park": "nulle-part"}, "park"),
        ({"metric": "bonheur"}, "metric"),
    ],
)
def test_impact_refuses_bad_filters(services, args, field):
    with pytest.raises(InvalidInput) as info:
        impact_dashboard.impact(services, **args)
    assert info.value.field == field


def test_impact_with_nothing_realised(seeded):
    view = impact_dashboard.impact(seeded)
    assert view.count == 0 and view.totals["t_diverted"] == 0
    assert view.by_month == () and view.by_park == () and view.by_category == ()
    assert view.avoided_factors == () and view.transport_factors


def test_impact_report_rows_name_category_and_parks(seeded):
    metal = by_categories(seeded, "metaux.ferraille", "usages.matiere_refonte")
    realise(seeded, metal, datetime(2026, 4, 3, 12, tzinfo=UTC))
    (row,) = impact_report(seeded)["synergies"]
    assert (row["category"], row["output_park"], row["input_park"]) == (
        "metaux.ferraille",
        "arvida",
        "henri-girard",
    )


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("2025-11", "2026-02", ["2025-11", "2025-12", "2026-01", "2026-02"]),
        ("2026-03", "2026-03", ["2026-03"]),
        ("2026-04", "2026-03", []),
    ],
)
def test_months_between(first, last, expected):
    assert impact_dashboard.months_between(first, last) == expected


def test_root_category(services):
    tax = services.taxonomy
    assert impact_dashboard.root_category(tax, "metaux.aluminium.retailles") == "metaux"
    assert impact_dashboard.root_category(tax, "bois") == "bois"
    assert impact_dashboard.root_category(tax, "inconnu.x") == "inconnu.x"
