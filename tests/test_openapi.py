"""The JSON API's OpenAPI 3.1 document, problem+json errors and ETags."""

from __future__ import annotations

import re

import pytest


def test_the_document_is_valid_openapi_3_1(client):
    validator = pytest.importorskip(
        "openapi_spec_validator", reason="openapi-spec-validator checks the document"
    )
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json(force=True)
    assert doc["openapi"].startswith("3.1")
    validator.validate(doc)


def test_every_api_route_is_described(client, app):
    doc = client.get("/api/v1/openapi.json").get_json(force=True)
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    assert routes == described


def test_errors_are_problem_json_naming_the_parameter(client):
    response = client.get("/api/v1/reverse?lat=abc&lon=-71")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 422 and body["title"] and body["type"] == "about:blank"
    assert body["field"] == "lat" and body["detail"] == body["message"]
    missing = client.get("/api/v1/synergies/999999")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["instance"] == "/api/v1/synergies/999999"


def test_etags_let_clients_revalidate(client):
    first = client.get("/api/v1/reverse?lat=48.43&lon=-71.07")
    tag = first.headers["ETag"]
    again = client.get("/api/v1/reverse?lat=48.43&lon=-71.07", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    other = client.get("/api/v1/reverse?lat=48.55&lon=-71.65", headers={"If-None-Match": tag})
    assert other.status_code == 200


def test_the_docs_page_lists_every_operation(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    doc = client.get("/api/v1/openapi.json").get_json(force=True)
    for path, ops in doc["paths"].items():
        for method in ops:
            assert f"{method.upper()} /api/v1{path}" in html


def test_the_documented_401_and_403_are_what_strangers_and_other_roles_get(
    client, stranger, client_as
):
    doc = client.get("/api/v1/openapi.json").get_json(force=True)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            public = op.get("security") == []
            assert public == ({"401", "403"}.isdisjoint(op["responses"])), (method, path)
    r = stranger.get("/api/v1/synergies")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    assert "Bearer" in r.headers["WWW-Authenticate"]
    assert client_as("gestion").get("/api/v1/synergies").status_code == 403
    assert stranger.get("/api/v1/openapi.json").status_code == 200
