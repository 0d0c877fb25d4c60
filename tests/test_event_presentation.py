"""An event's presentation (:mod:`mapservice.events.presentation` and the deck pages that show
it): the whole event, then one view per table of its saved plan, each view picking exactly
that table's people and framed on their sites, anonymised as the anonymised map is."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from mapservice.domain.typography import french
from mapservice.errors import InvalidInput
from mapservice.events import jobs as events
from mapservice.events.presentation import event_deck
from mapservice.services import Services
from mapservice.storage import schema as t
from tests.support.accounts import sign_in
from tests.support.pages import map_data


@pytest.fixture
def svc(live_demo_app: Any) -> Services:
    return live_demo_app.extensions["mapservice"]  # type: ignore[no-any-return]


@pytest.fixture
def web(live_demo_app: Any) -> Any:
    return sign_in(live_demo_app.test_client(), "personnel")


def _event(svc: Services, n: int = 30, tables: int = 5, seats: int = 6) -> int:
    """An event of the first ``n`` members of the demo, planned ``tables`` × ``seats``."""
    event_id = events.create_event(
        svc, {"title": "Maillage d'automne", "date": "2026-10-15", "place": "Alma"}, author="t"
    )
    members = sorted(m.id for m in svc.repo.members() if m.id is not None)[:n]
    events.add_participants(svc, event_id, map(str, members), author="t")
    events.propose_plan(svc, event_id, str(tables), str(seats), author="t")
    return event_id


def _table_members(svc: Services, event_id: int) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for seat in svc.repo.event_seats(event_id):
        out.setdefault(seat.table_number, []).append(seat.member_id)
    return out


def _located_names(svc: Services, member_ids: list[int]) -> Counter[str]:
    """One name per located site of ``member_ids``: what a named map draws for them."""
    names = {m.id: m.name for m in svc.repo.members()}
    return Counter(
        names[s.member_id]
        for s in svc.repo.sites()
        if s.member_id in member_ids and s.lon is not None and s.lat is not None
    )


def _shown(data: dict, view: dict) -> list[dict]:
    return [data["sites"]["features"][i] for i in view["sites"]]


def test_the_deck_is_the_event_then_one_view_per_table(web: Any, svc: Services) -> None:
    event_id = _event(svc)
    tables = _table_members(svc, event_id)
    assert sorted(tables) == [1, 2, 3, 4, 5]
    html = web.get(f"/evenements/{event_id}/presentation?anonyme=0").get_data(as_text=True)
    data = map_data(html)
    views = data["deck"]["views"]
    assert len(views) == 1 + 5
    assert views[0]["title"] == "Maillage d'automne · 30 participants"
    everyone = [m for people in tables.values() for m in people]
    assert Counter(f["properties"]["n"] for f in _shown(data, views[0])) == _located_names(
        svc, everyone
    )
    for number, view in enumerate(views[1:], start=1):
        assert view["title"].startswith(f"Table {number} · 6 participants · valeur ")
        shown = _shown(data, view)
        assert Counter(f["properties"]["n"] for f in shown) == _located_names(svc, tables[number])
        box = view["bounds"]
        for feature in shown:
            lon, lat = feature["geometry"]["coordinates"]
            assert box["west"] <= lon <= box["east"] and box["south"] <= lat <= box["north"]
        assert view["anonymised"] is False
    # The deck leaves to the event's plan and downloads the event's file.
    assert f'href="/evenements/{event_id}#plan"' in html
    assert f'href="/evenements/{event_id}/presentation/telecharger"' in html


def test_the_deck_is_anonymised_as_the_map(web: Any, svc: Services) -> None:
    event_id = _event(svc)
    tables = _table_members(svc, event_id)
    html = web.get(f"/evenements/{event_id}/presentation").get_data(as_text=True)
    data = map_data(html)
    hidden = [m for m in svc.repo.members() if not m.public_consent]
    seated = {m for people in tables.values() for m in people}
    assert any(m.id in seated for m in hidden)  # the case this test is about
    for view, people in zip(data["deck"]["views"][1:], tables.values(), strict=True):
        assert view["anonymised"] is True
        shown = _shown(data, view)
        # Every site still drawn, a hidden member's unnamed (its sector) and with no link.
        assert len(shown) == sum(_located_names(svc, people).values())
        names = {f["properties"]["n"] for f in shown}
        assert not names & {m.name for m in hidden}
        assert all("u" not in f["properties"] for f in shown if f["properties"].get("a"))
    assert [m.name for m in hidden if m.name in html] == []


def test_the_download_is_the_event_deck_in_one_file(web: Any, svc: Services) -> None:
    event_id = _event(svc, n=12, tables=3, seats=4)
    resp = web.get(f"/evenements/{event_id}/presentation/telecharger")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == (
        f'attachment; filename="presentation-evenement-{event_id}.html"'
    )
    html = resp.get_data(as_text=True)
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:|/)", html)
    views = map_data(html)["deck"]["views"]
    assert [v["title"].split(" · ")[0] for v in views[1:]] == ["Table 1", "Table 2", "Table 3"]
    page = web.get(f"/evenements/{event_id}").get_data(as_text=True)
    assert f'href="/evenements/{event_id}/presentation"' in page
    assert f'href="/evenements/{event_id}/presentation/telecharger"' in page


def test_without_a_plan_the_page_says_to_propose_one(
    web: Any, svc: Services, live_demo_app: Any
) -> None:
    event_id = events.create_event(
        svc, {"title": "Sans plan", "date": "2026-10-15", "place": ""}, author="t"
    )
    with pytest.raises(InvalidInput):
        event_deck(svc, event_id)
    for path in ("presentation", "presentation/telecharger"):
        resp = web.get(f"/evenements/{event_id}/{path}")
        assert resp.status_code == 422
        html = resp.get_data(as_text=True)
        assert french("pas encore de plan : proposez-en un d&#39;abord") in html
        assert 'id="presenter-plan"' not in html and "Content-Disposition" not in resp.headers
    assert web.get("/evenements/999/presentation").status_code == 404
    assert live_demo_app.test_client().get(f"/evenements/{event_id}/presentation").status_code in (
        302,
        401,
    )


def test_participants_deleted_meanwhile_leave_the_deck(web: Any, svc: Services) -> None:
    event_id = _event(svc, n=8, tables=2, seats=4)
    before = _table_members(svc, event_id)
    gone = [before[1][0], *before[2]]  # one of table 1, all of table 2
    with svc.repo.engine.begin() as conn:  # gone meanwhile (another process, a restore)
        conn.execute(sa.delete(t.members).where(t.members.c.id.in_(gone)))
    deck = event_deck(svc, event_id)
    assert not set(gone) & set(deck.member_ids)
    assert [table.member_ids for table in deck.tables] == [tuple(before[1][1:]), ()]
    data = map_data(web.get(f"/evenements/{event_id}/presentation").get_data(as_text=True))
    views = data["deck"]["views"]
    assert [v["title"].split(" · ")[1] for v in views] == [
        "3 participants",
        "3 participants",
        "0 participant",  # French says the plural from 2 on
    ]
    # The emptied table keeps its number and shows nobody, not the whole region.
    assert views[2]["title"].startswith("Table 2 ·")
    assert views[2]["sites"] == [] and views[2]["bounds"] is None
