"""Every page a person reads, with real ids filled in, for the tests that must look at all of them.

:func:`prepare` adds to a demo database what some pages need to exist (an event with
participants and a table plan, a saved presenter view) and returns one :class:`PageCase` per
page and per account that reads it. :func:`page_routes` lists the application's GET routes that
answer HTML, so that a test can check that no page was forgotten here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.settings import make_settings

#: GET routes that are not a page: data, files, health, redirects to a download.
NOT_PAGES = frozenset(
    {
        "pages.basemap",
        "pages.roads",
        "place_pages.places",
        "map_clusters.viewport",
        "map_clusters.site",
        "health.healthz",
        "health.caches",
        "mobilisation_pages.download",
        "presenter.download",
        "presenter.download_deck",
        "event_pages.download_presentation",
        "registry_pages.import_template",
        "matching_runs.state",
        "static",
    }
)


@dataclass(frozen=True)
class PageCase:
    """One page as one account reads it."""

    endpoint: str
    path: str
    username: str = "personnel"
    #: A page that is a map: the phone test wants the map to get most of the screen.
    is_map: bool = False

    @property
    def name(self) -> str:
        return f"{self.username}:{self.path}"


def page_routes(app: Any) -> set[str]:
    """The endpoints of the app's GET routes that answer a page (HTML), by their name."""
    out = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith(("/api", "/ogcapi", "/static", "/export", "/vendor")):
            continue
        out.add(rule.endpoint)
    return out


def _one(conn: sqlite3.Connection, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    assert row and row[0] is not None, f"the demo has nothing for: {sql}"
    return row[0]


def prepare(db_url: str, tmp_path: Path) -> list[PageCase]:
    """Make the demo database at ``db_url`` hold one of everything a page shows; its pages."""
    from mapservice.events import jobs as events
    from mapservice.services import Services
    from mapservice.views import presenter

    svc = Services(make_settings(tmp_path, db_url))
    try:
        if not svc.repo.presenter_views():
            presenter.add_view(
                svc,
                {"title": "Vue d'ensemble", "lat": "48.4", "lon": "-71.3", "zoom": "10"},
                actor="personnel",
            )
        event_id = events.create_event(
            svc,
            {"title": "Maillage d'automne", "date": "2026-11-19", "place": "Alma"},
            author="personnel",
        )
        members = [m.id for m in svc.repo.members()][:12]
        events.add_participants(svc, event_id, [str(m) for m in members], author="personnel")
        events.propose_plan(svc, event_id, "3", "4", author="personnel")
    finally:
        svc.close()
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        site = _one(conn, "SELECT min(id) FROM sites WHERE lat IS NOT NULL")
        member = _one(conn, f"SELECT member_id FROM sites WHERE id = {site}")
        flow = _one(conn, f"SELECT min(id) FROM flows WHERE site_id = {site}")
        park = _one(conn, "SELECT park_id FROM sites WHERE park_id IS NOT NULL LIMIT 1")
        # The park manager's park is the one with the most sites (tests/support/accounts.py).
        managed_park = _one(
            conn,
            "SELECT park_id FROM sites WHERE park_id IS NOT NULL"
            " GROUP BY park_id ORDER BY count(*) DESC LIMIT 1",
        )
        material = _one(
            conn,
            "SELECT category_code FROM flows GROUP BY category_code ORDER BY count(*) DESC LIMIT 1",
        )
    view = 1
    cases = [
        PageCase("pages.region_map", "/", is_map=True),
        PageCase("pages.region_map", "/?category=bois&direction=offre", is_map=True),
        PageCase("site_pages.site", f"/sites/{site}"),
        PageCase("geocoding_pages.position", f"/sites/{site}/position", is_map=True),
        PageCase("pages.materials", "/materiaux"),
        PageCase("pages.material", "/materiaux/bois"),
        PageCase("pages.material", f"/materiaux/{material}"),
        PageCase("synergy_pages.board", "/synergies"),
        PageCase("synergy_pages.impact", "/impact"),
        PageCase("mobilisation_pages.page", "/mobilisation"),
        PageCase("classification_pages.queue", "/classement"),
        PageCase("geocoding_pages.review", "/geocodage"),
        PageCase("registry_pages.members", "/registre/"),
        PageCase("registry_pages.member", f"/registre/membres/{member}"),
        PageCase("registry_pages.new_member", "/registre/membres/nouveau"),
        PageCase("registry_pages.new_site", f"/registre/membres/{member}/sites/nouveau"),
        PageCase("registry_pages.site", f"/registre/sites/{site}"),
        PageCase("registry_pages.new_flow", f"/registre/sites/{site}/flux/nouveau"),
        PageCase("registry_pages.flow", f"/registre/flux/{flow}"),
        PageCase("registry_pages.history", f"/registre/historique/sites/{site}"),
        PageCase("registry_pages.import_page", "/registre/import"),
        PageCase("registry_pages.park_outlines_list", "/registre/parcs"),
        PageCase("registry_pages.park_outline", f"/registre/parcs/{park}/contour"),
        PageCase("event_pages.events", "/evenements"),
        PageCase("event_pages.event", f"/evenements/{event_id}"),
        PageCase("event_pages.sheets", f"/evenements/{event_id}/fiches"),
        PageCase("event_pages.presentation", f"/evenements/{event_id}/presentation"),
        PageCase("presenter.views", "/present/vues"),
        PageCase("presenter.present", "/present", username="presentateur", is_map=True),
        PageCase("presenter.slide", f"/present/{view}", username="presentateur", is_map=True),
        PageCase("auth.account", "/compte"),
        PageCase("auth.admin", "/admin", username="admin"),
        PageCase("auth.login", "/connexion", username=""),
        PageCase("pages.region_map", "/", username="gestion", is_map=True),
        PageCase("auth.account", "/compte", username="gestion"),
        PageCase("registry_pages.park_outlines_list", "/registre/parcs", username="gestion"),
        PageCase(
            "registry_pages.park_outline",
            f"/registre/parcs/{managed_park}/contour",
            username="gestion",
        ),
    ]
    return cases


def get_every_page(app: Any, cases: list[PageCase], lang: str) -> Iterator[tuple[PageCase, Any]]:
    """Each case's page in ``lang``, asked by a test client signed in as its reader (one client
    a reader, redirects followed): ``(case, response)`` pairs."""
    from tests.support.accounts import sign_in

    clients: dict[str, Any] = {}
    for case in cases:
        if case.username not in clients:
            fresh = app.test_client()
            clients[case.username] = sign_in(fresh, case.username) if case.username else fresh
        sep = "&" if "?" in case.path else "?"
        yield (
            case,
            clients[case.username].get(f"{case.path}{sep}lang={lang}", follow_redirects=True),
        )
