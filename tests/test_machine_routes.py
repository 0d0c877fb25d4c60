"""Machine routes: every route of the APIs, exports and health check, and no page."""

from __future__ import annotations

from mapservice.web.machine_routes import API_PREFIXES, MACHINE_PREFIXES

#: Blueprints that answer programs; every other route is a page for people.
MACHINE_BLUEPRINTS = {"api", "api_synergies", "openapi", "ogcapi", "exports", "health"}
API_BLUEPRINTS = {"api", "api_synergies", "openapi", "ogcapi"}


def test_the_prefixes_cover_the_machine_routes_and_no_page(app):
    seen = set()
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        path = rule.rule
        seen.add(blueprint)
        if blueprint in MACHINE_BLUEPRINTS:
            assert path.startswith(MACHINE_PREFIXES), (rule.endpoint, path)
        else:
            assert not path.startswith(MACHINE_PREFIXES), (rule.endpoint, path)
        assert path.startswith(API_PREFIXES) == (blueprint in API_BLUEPRINTS), (rule.endpoint, path)
    assert seen >= MACHINE_BLUEPRINTS


def test_a_machine_route_answers_errors_in_json_and_a_page_in_html(client):
    api = client.get("/api/v1/no-such-thing")
    page = client.get("/no-such-page")
    assert api.status_code == page.status_code == 404
    assert api.mimetype == "application/problem+json"
    assert page.mimetype == "text/html"
