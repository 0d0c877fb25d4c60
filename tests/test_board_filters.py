"""The board's filters, sorts, « best N per offer », paging and moves of a selection, over real
databases (SQLite and PostGIS).

What each filter must keep is worked out here from the stored rows in plain Python (both ends'
sites, members, categories and descriptions), never through the code under test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mapservice.domain.model import SynergyStatus
from mapservice.domain.text import fold
from mapservice.errors import InvalidInput
from mapservice.matching import jobs as synergy_jobs
from mapservice.services import Services
from mapservice.views import dashboard
from mapservice.views.board_filters import BoardFilter, parse_board_filter
from tests.support.seeded_registry import by_categories, realise, seed_registry

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def seeded(services: Services, tmp_path: Path) -> Services:
    seed_registry(services, tmp_path)
    return services


@dataclass
class Row:
    """A synergy as a reader of the tables sees it: both ends, its figures."""

    id: int
    status: SynergyStatus
    score: float
    distance_m: float
    tonnes: float | None
    updated_at: datetime
    offer: int
    ends: list[dict]


def rows(svc: Services) -> list[Row]:
    flows = {f.id: f for f in svc.repo.flows()}
    sites = {s.id: s for s in svc.repo.sites()}
    out = []
    for s in svc.repo.synergies():
        ends = []
        for flow_id in (s.output_flow_id, s.input_flow_id):
            flow = flows[flow_id]
            site = sites[flow.site_id]
            ends.append(
                {
                    "park": site.park_id,
                    "municipality": site.municipality_id,
                    "member_id": site.member_id,
                    "member": site.member_name,
                    "site": site.name,
                    "category": flow.category_code,
                    "description": flow.description,
                }
            )
        at = s.updated_at if s.updated_at.tzinfo else s.updated_at.replace(tzinfo=UTC)
        distance = s.road_m if s.road_m is not None else s.geodesic_m
        row = Row(s.id, s.status, s.score, distance, s.tonnes_per_year, at, s.output_flow_id, ends)
        out.append(row)
    return out


def shown(columns: list[dashboard.Column]) -> dict[SynergyStatus, list[int]]:
    return {c.status: [card.id for card in c.cards] for c in columns}


def board(svc: Services, **args: str) -> list[dashboard.Column]:
    choices = dashboard.board_choices(svc)
    view = parse_board_filter(Args(args), choices)
    return dashboard.board(
        svc, view=view, status=args.get("status"), page=args.get("page"), now=NOW
    )


class Args(dict):
    """A query string as the board reads it (``stage`` may repeat: comma-separated here)."""

    def getlist(self, key: str) -> list[str]:
        return self[key].split(",") if key in self else []


#: The names of « Sciure de bois » as data/materials/categories.csv writes them, folded.
SAWDUST = (
    "sciure",
    "bran de scie",
    "brin de scie",
    "poussiere de bois",
    "bran de sie",
    "sawdust",
    "saw dust",
    "wood dust",
    "wood flour",
)


def says_sawdust(end: dict) -> bool:
    """An end in « Sciure de bois », or whose company, site or description names it."""
    texts = [fold(end[k] or "") for k in ("member", "site", "description")]
    return end["category"] == "bois.sciure" or any(n in t for n in SAWDUST for t in texts)


def either(pred: Callable[[dict], bool]) -> Callable[[Row], bool]:
    return lambda r: any(pred(e) for e in r.ends)


CASES: list[tuple[str, dict[str, str], Callable[[Row], bool]]] = [
    ("park", {"park": "alma-joseph-collard"}, either(lambda e: e["park"] == "alma-joseph-collard")),
    # A town keeps its boroughs: both Jonquière and Chicoutimi are in Saguenay.
    (
        "municipality",
        {"municipality": "saguenay"},
        either(lambda e: e["municipality"].startswith("saguenay")),
    ),
    ("mrc", {"mrc": "Lac-Saint-Jean-Est"}, either(lambda e: e["municipality"] == "alma")),
    # A parent category keeps its children, on the offer or on the need.
    ("category parent", {"category": "bois"}, either(lambda e: e["category"].startswith("bois."))),
    (
        "category on the need",
        {"category": "usages.combustible_biomasse"},
        either(lambda e: e["category"] == "usages.combustible_biomasse"),
    ),
    ("min score", {"min_score": "60"}, lambda r: round(r.score * 100) >= 60),
    ("max km", {"max_km": "10"}, lambda r: r.distance_m <= 10_000),
    (
        "stage",
        {"stage": "contacted,rejected"},
        lambda r: r.status.value in {"contacted", "rejected"},
    ),
    ("days", {"days": "30"}, lambda r: r.updated_at >= NOW - timedelta(days=30)),
    ("since", {"since": "2026-05-20"}, lambda r: r.updated_at >= datetime(2026, 5, 20, tzinfo=UTC)),
    # Search: case and accents do not matter; company, site, description or material label.
    (
        "search company",
        {"q": "SCIERIE BOREALE"},
        either(lambda e: "scierie boreale" in fold(e["member"])),
    ),
    (
        "search description",
        {"q": "epinette"},
        either(lambda e: "epinette" in fold(e["description"])),
    ),
    ("search material label", {"q": "Copeaux"}, either(lambda e: e["category"] == "bois.copeaux")),
    (
        "search two words",
        {"q": "ferme moulée"},
        either(lambda e: e["member"] == "Ferme Porcine (test)"),
    ),
    # The one matcher (mapservice.materials.search_terms): a plural, a synonym.
    ("search plural", {"q": "sciures"}, either(lambda e: says_sawdust(e))),
    ("search synonym", {"q": "bran de scie"}, either(lambda e: says_sawdust(e))),
    ("search plural -aux", {"q": "métal"}, either(lambda e: e["category"].startswith("metaux"))),
    (
        "combined",
        {"category": "bois", "max_km": "15", "stage": "candidate"},
        lambda r: (
            r.status is SynergyStatus.CANDIDATE
            and r.distance_m <= 15_000
            and any(e["category"].startswith("bois.") for e in r.ends)
        ),
    ),
]


@pytest.fixture
def moved(seeded: Services) -> Services:
    """Two synergies moved along: one contacted last week, one rejected long ago."""
    svc = seeded
    sawdust = by_categories(svc, "bois.sciure", "usages.litiere_animale")
    metal = by_categories(svc, "metaux.ferraille", "usages.matiere_refonte")
    svc.repo.move_synergy(sawdust, SynergyStatus.CONTACTED, author="Julie", at=NOW - timedelta(7))
    svc.repo.move_synergy(metal, SynergyStatus.REJECTED, author="Marc", at=NOW - timedelta(60))
    return svc


@pytest.mark.parametrize(("name", "args", "keep"), CASES, ids=[c[0] for c in CASES])
def test_each_filter_keeps_what_the_rows_say(moved, name, args, keep):
    svc = moved
    expected = {s: [] for s in dashboard.PIPELINE}
    for r in rows(svc):
        if keep(r):
            expected[r.status].append(r.id)
    columns = board(svc, **args)
    got = shown(columns)
    assert {s: sorted(ids) for s, ids in got.items()} == {
        s: sorted(ids)
        for s, ids in expected.items()
        if not args.get("stage") or s.value in args["stage"]
    }
    assert {c.status: c.count for c in columns} == {s: len(got[s]) for s in got}
    assert any(got.values()), "a case that keeps nothing tests nothing"


def test_every_case_leaves_something_out(moved):
    everything = {r.id for r in rows(moved)}
    for _name, args, _keep in CASES:
        kept = {i for ids in shown(board(moved, **args)).values() for i in ids}
        assert kept < everything, args


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("score", lambda r: (-r.score, r.id)),
        ("distance", lambda r: (r.distance_m, r.id)),
        ("tonnes", lambda r: (-(r.tonnes or 0), r.id)),
    ],
)
def test_sorts(seeded, sort, key):
    (candidates,) = [c for c in board(seeded, sort=sort) if c.status is SynergyStatus.CANDIDATE]
    assert [c.id for c in candidates.cards] == [r.id for r in sorted(rows(seeded), key=key)]


def test_sort_by_last_change_puts_the_latest_first(moved):
    columns = board(moved, sort="change")
    latest = sorted(rows(moved), key=lambda r: (r.updated_at, r.id), reverse=True)
    for col in columns:
        assert [c.id for c in col.cards] == [r.id for r in latest if r.status is col.status]


def test_best_n_per_offer_keeps_each_offers_best(seeded):
    by_offer: dict[int, list[Row]] = {}
    for r in rows(seeded):
        by_offer.setdefault(r.offer, []).append(r)
    assert max(len(v) for v in by_offer.values()) >= 2  # sawdust has two partners
    best = {max(v, key=lambda r: (r.score, -r.id)).id for v in by_offer.values()}
    (candidates,) = [c for c in board(seeded, best="1") if c.status is SynergyStatus.CANDIDATE]
    assert {c.id for c in candidates.cards} == best and candidates.count == len(by_offer)
    assert len(board(seeded, best="2")[0].cards) == len(rows(seeded))


def test_paging_under_a_filter(seeded, monkeypatch):
    monkeypatch.setattr(dashboard, "PER_PAGE", 1)
    wood = sorted(
        (r for r in rows(seeded) if any(e["category"].startswith("bois.") for e in r.ends)),
        key=lambda r: (-r.score, r.id),
    )
    n = len(wood)
    assert n >= 3
    pages = [
        board(seeded, category="bois", status="candidate", page=str(p))[0]
        for p in [*range(1, n + 1), 99]
    ]
    assert [p.count for p in pages] == [n] * (n + 1) and {p.pages for p in pages} == {n}
    assert [[c.id for c in p.cards] for p in pages] == [[r.id] for r in wood] + [[wood[-1].id]]
    assert pages[1].shown_from == 2 and pages[1].has_more


@pytest.mark.parametrize(
    ("args", "field", "said"),
    [
        ({"min_score": "101"}, "min_score", "0 à 100"),
        ({"min_score": "0,78"}, "min_score", "entier"),
        ({"max_km": "-3"}, "max_km", "km"),
        ({"max_km": "nan"}, "max_km", "km"),
        ({"park": "atlantide"}, "park", "parc"),
        ({"municipality": "paris"}, "municipality", "répertoire"),
        ({"mrc": "Montréal"}, "mrc", "Lac-Saint-Jean-Est"),
        ({"category": "bois.inconnu"}, "category", "taxonomie"),
        ({"member": "999999"}, "member", "membre"),
        ({"member": "Scierie"}, "member", "membre"),
        ({"stage": "gagnée"}, "stage", "candidate"),
        ({"since": "2026-13-01"}, "since", "AAAA-MM-JJ"),
        ({"days": "0"}, "days", "jours"),
        ({"sort": "alphabet"}, "sort", "distance"),
        ({"best": "0"}, "best", "1 à 100"),
        ({"q": "¿?!"}, "q", "lettres"),
        ({"q": "x" * 121}, "q", "120"),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(services, args, field, said):
    with pytest.raises(InvalidInput) as info:
        parse_board_filter(Args(args), dashboard.board_choices(services))
    assert info.value.field == field
    message = str(info.value.message)
    assert field in message and said in message
    raw = args[field].split(",")[0] if field == "stage" else args[field]
    assert repr(raw[:40]) in message  # what arrived


def test_an_empty_filter_is_no_filter(services):
    view = parse_board_filter(
        Args({"q": " ", "park": "", "stage": ""}), dashboard.board_choices(services)
    )
    assert view == BoardFilter() and view.is_empty()


# --- moving a selection -----------------------------------------------------------------------


def test_a_selection_moves_together_with_one_note(seeded):
    ids = sorted(r.id for r in rows(seeded))[:3]
    moved = synergy_jobs.move_many(
        seeded, synergy_ids=ids, status="contacted", author=" Julie ", note="Courriel groupé"
    )
    assert moved == 3
    for i in ids:
        (event,) = seeded.repo.synergy_events(i)
        assert (event.from_status, event.to_status) == (
            SynergyStatus.CANDIDATE,
            SynergyStatus.CONTACTED,
        )
        assert (event.author, event.note) == ("Julie", "Courriel groupé")
    assert synergy_jobs.move_many(seeded, synergy_ids=ids, status="rejected", author="Marc") == 3
    assert {seeded.repo.get_synergy(i).status for i in ids} == {SynergyStatus.REJECTED}


def test_a_selection_with_a_card_that_cannot_move_moves_nothing(seeded):
    ids = sorted(r.id for r in rows(seeded))
    done = ids[0]
    realise(seeded, done, NOW)
    with pytest.raises(InvalidInput) as info:
        synergy_jobs.move_many(seeded, synergy_ids=ids, status="rejected", author="Julie")
    assert info.value.field == "synergies"
    assert info.value.extra["refused"] == [{"id": done, "status": "realised"}]
    assert f"n° {done}" in info.value.message
    assert all(seeded.repo.get_synergy(i).status is SynergyStatus.CANDIDATE for i in ids[1:])
    assert all(not seeded.repo.synergy_events(i) for i in ids[1:])


def test_a_selection_with_a_card_deleted_meanwhile_moves_nothing(seeded):
    ids = sorted(r.id for r in rows(seeded))
    gone = seeded.repo.get_synergy(ids[-1])
    seeded.repo.delete_flow(gone.input_flow_id)  # takes its synergies with it
    left = [s.id for s in seeded.repo.synergies()]
    with pytest.raises(InvalidInput) as info:
        synergy_jobs.move_many(seeded, synergy_ids=ids, status="contacted", author="Julie")
    assert {r["id"] for r in info.value.extra["refused"]} == set(ids) - set(left)
    assert all(r["status"] is None for r in info.value.extra["refused"])
    assert all(seeded.repo.get_synergy(i).status is SynergyStatus.CANDIDATE for i in left)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "realised"}, "status"),
        ({"status": "gagnée"}, "status"),
        ({"author": "  "}, "author"),
        ({"note": "x" * 2001}, "note"),
        ({"synergy_ids": []}, "synergies"),
        ({"synergy_ids": list(range(1, 502))}, "synergies"),
    ],
)
def test_a_selection_is_checked_before_anything_moves(seeded, kwargs, field):
    ids = [r.id for r in rows(seeded)]
    args = {"synergy_ids": ids, "status": "contacted", "author": "Julie", "note": "", **kwargs}
    with pytest.raises(InvalidInput) as info:
        synergy_jobs.move_many(seeded, **args)
    assert info.value.field == field
    assert all(not seeded.repo.synergy_events(i) for i in ids)
