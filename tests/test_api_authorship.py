"""Whoever holds a token writes in the token's name: a posted ``author`` or ``by`` is ignored.

The pipeline steps, the category corrections and the hand placements of the JSON API record
the account of the token (or of the session), as the pages do; a name in the body is accepted
so older clients keep working, and never recorded.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from mapservice.services import Services
from tests.support.accounts import MANAGED

OTHERS = ("admin", "gestion", "Julie Tremblay")


def _svc(app: Any) -> Services:
    return app.extensions["mapservice"]


def _bearer() -> dict[str, str]:
    """The personal token of ``personnel`` (staff)."""
    return {"Authorization": f"Bearer {MANAGED['staff_token']}"}


def _pair(app: Any) -> tuple[int, int]:
    from mapservice.matching.jobs import match_all

    found = match_all(_svc(app), backend="geodesic", save=False)[0]
    out, need = found.output_flow.id, found.input_flow.id
    assert out is not None and need is not None
    return out, need


def test_a_token_holder_cannot_sign_a_pipeline_step_in_someone_elses_name(app, stranger):
    out, need = _pair(app)
    r = stranger.post(
        "/api/v1/synergies",
        json={
            "output_flow_id": out,
            "input_flow_id": need,
            "status": "contacted",
            "author": "admin",
        },
        headers=_bearer(),
    )
    assert r.status_code == 200, r.json
    synergy_id = r.json["id"]
    for status, name in (("in_progress", "gestion"), ("realised", "Julie\x00")):
        r = stranger.post(
            f"/api/v1/synergies/{synergy_id}/status",
            json={"status": status, "author": name, "note": status},
            headers=_bearer(),
        )
        assert r.status_code == 200, r.json
    history = stranger.get(f"/api/v1/synergies/{synergy_id}", headers=_bearer()).json["history"]
    assert [h["author"] for h in history] == ["personnel"] * 3
    stored = [e.author for e in _svc(app).repo.synergy_events(synergy_id)]
    assert stored == ["personnel"] * 3 and not set(stored) & set(OTHERS)


def test_a_category_correction_is_kept_in_the_tokens_name(app, stranger, demo_db):
    r = stranger.post(
        "/api/v1/classify/corrections",
        json={"text": "résidus de la cuve 7", "category": "bois.sciure", "author": "admin"},
        headers=_bearer(),
    )
    assert r.status_code == 200, r.json
    with sqlite3.connect(demo_db.removeprefix("sqlite:///")) as db:
        rows = db.execute(
            "SELECT author FROM category_corrections WHERE text = ?", ("résidus de la cuve 7",)
        ).fetchall()
    assert rows == [("personnel",)]


def test_a_site_placed_through_the_api_is_placed_in_the_tokens_name(app, stranger):
    site = next(s for s in _svc(app).repo.sites() if s.lat is not None)
    r = stranger.post(
        f"/api/v1/sites/{site.id}/location",
        json={"lat": 48.4069, "lon": -71.2221, "by": "gestion"},
        headers=_bearer(),
    )
    assert r.status_code == 200 and r.json["geocoded_by"] == "personnel", r.json
    assert _svc(app).repo.get_site(site.id).geocoded_by == "personnel"


def test_the_api_description_says_a_posted_name_is_ignored(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    bodies = {
        ("/sites/{site_id}/location", "by"),
        ("/synergies", "author"),
        ("/synergies/{synergy_id}/status", "author"),
        ("/classify/corrections", "author"),
    }
    for path, name in bodies:
        (operation,) = paths[path]["post"]["requestBody"]["content"].values()
        schema = operation["schema"]
        assert schema["properties"][name]["deprecated"] is True
        assert "Ignoré" in schema["properties"][name]["description"]
        assert name not in schema["required"]
