"""Query names that ``url_for`` reserves, or that name a route's path value, never make a 500.

A handler that passed the request's query arguments to ``url_for`` as keywords answered
``/ogcapi?endpoint=x``, ``/present?number=2`` or ``/?_external=1`` with a 500: ``url_for`` took
them for its own options or for a path value. Links are now built from the path values the
code chose plus an encoded query string (:func:`mapservice.web.links.link`). This test sends
every GET route of the app's ``url_map``, its path filled with ids that exist, each of those
names as a query argument, from the staff session and from a stranger.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest

from mapservice.events import jobs as events
from mapservice.views import presenter
from tests.support.accounts import sign_in

#: ``url_for``'s own keywords, and the names of the app's path values.
RESERVED = ("endpoint", "_external", "_anchor", "_method", "_scheme")
PATH_NAMES = (
    "number",
    "site_id",
    "member_id",
    "flow_id",
    "synergy_id",
    "record_id",
    "table",
    "layer",
    "fmt",
    "code",
    "collection_id",
    "feature_id",
    "filename",
    "park_id",
    "event_id",
)
#: Values that break a build: not an int; an int.
VALUES = ("x", "2")


def _path_values(app: Any) -> dict[str, str]:
    svc = app.extensions["mapservice"]
    site = next(s for s in svc.repo.sites() if s.lon is not None)
    flow = next(iter(svc.repo.flows()))
    synergy = next(iter(svc.repo.synergies()))
    return {
        "site_id": str(site.id),
        "member_id": str(site.member_id),
        "flow_id": str(flow.id),
        "synergy_id": str(synergy.id),
        "record_id": str(site.id),
        "table": "sites",
        "number": "1",
        "layer": "sites",
        "fmt": "geojson",
        "code": flow.category_code or "bois",
        "collection_id": "sites",
        "feature_id": str(site.id),
        "filename": "css/app.css",
        "park_id": next(iter(svc.park_ids())),
        "event_id": "1",  # the event the fixture creates
    }


def _paths(app: Any) -> list[str]:
    values = _path_values(app)
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        paths.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule))
    return sorted(paths)


@pytest.fixture
def routes(live_demo_app: Any) -> tuple[Any, list[str]]:
    svc = live_demo_app.extensions["mapservice"]
    # Two saved views: /present redirects to the first slide, and slides link to each other.
    for title in ("Première", "Deuxième"):
        form = {"title": title, "lat": "48.4", "lon": "-71.6", "zoom": "9", "anonymised": "on"}
        presenter.add_view(svc, form, actor="personnel")
    event = {"title": "Maillage", "date": "2026-10-15"}
    assert events.create_event(svc, event, author="personnel") == 1
    return live_demo_app, _paths(live_demo_app)


def test_every_route_is_covered(routes: Any) -> None:
    _, paths = routes
    assert "/ogcapi/collections/sites/items" in paths and "/present/1" in paths
    assert len(paths) >= 50


@pytest.mark.slow
@pytest.mark.parametrize("signed_in", [True, False], ids=["staff", "stranger"])
@pytest.mark.parametrize("name", RESERVED + PATH_NAMES)
def test_a_reserved_query_name_never_makes_a_500(routes: Any, name: str, signed_in: bool) -> None:
    app, paths = routes
    client = app.test_client()
    if signed_in:
        sign_in(client, "personnel")
    failed = []
    for path in paths:
        for value in VALUES:
            query = f"{quote(name)}={quote(value)}"
            response = client.get(f"{path}?{query}", headers={"Accept": "text/html"})
            response.close()
            if response.status_code >= 500:
                failed.append((path, query, response.status_code))
    assert not failed, failed
