"""How one operation of the JSON API is described: its parameters, body, responses, headers."""

from __future__ import annotations

from typing import Any

from mapservice.web.openapi_schemas import ID, LIMIT, OFFSET, ref

PROBLEM = {"$ref": "#/components/responses/Problem"}
NOT_MODIFIED = {"$ref": "#/components/responses/NotModified"}
UNAUTHORIZED = {"$ref": "#/components/responses/Unauthorized"}

#: The next and previous pages, as in the body's ``links`` (RFC 8288).
LINK_HEADER = {
    "description": "Pages suivante et précédente (RFC 8288), quand elles existent : "
    '`<…>; rel="next", <…>; rel="prev"`.',
    "schema": {"type": "string"},
}
#: ``author`` or ``by`` in a body: accepted so older clients keep working, never recorded.
IGNORED_SIGNATURE = {
    "type": "string",
    "deprecated": True,
    "description": "Ignoré (accepté pour compatibilité, jamais noté) : l'auteur noté est "
    "toujours le compte du jeton ou de la session ; personne ne signe au nom d'un autre.",
}
ETAG_HEADER = {
    "description": "Étiquette de la réponse : la renvoyer dans If-None-Match.",
    "schema": {"type": "string"},
}


def query(
    name: str,
    description: str,
    *,
    required: bool = False,
    schema: dict[str, Any] | None = None,
    example: Any = None,
) -> dict[str, Any]:
    param = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }
    if example is not None:
        param["example"] = example
    return param


def path_id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": ID}


def request_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


def op(
    summary: str,
    answer: str,
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    errors: tuple[str, ...] = ("422",),
    tag: str = "synergies",
    paged: bool = False,
) -> dict[str, Any]:
    """One operation answering the ``answer`` schema with 200, else a problem per error code."""
    ok: dict[str, Any] = {
        "description": "OK",
        "content": {"application/json": {"schema": ref(answer)}},
    }
    responses: dict[str, Any] = {"200": ok}
    if body is None:  # a GET: tagged, so a client may revalidate (see web/etags.py)
        ok["headers"] = {"ETag": ETAG_HEADER}
        responses["304"] = NOT_MODIFIED
    if paged:
        ok["headers"]["Link"] = LINK_HEADER
    # No or unknown credentials, a role without the API, and (browser sessions only) a write
    # without its CSRF token: see web/guard.py.
    responses["401"], responses["403"] = UNAUTHORIZED, PROBLEM
    if body is not None:
        responses["400"] = PROBLEM
    for code in errors:
        responses[code] = PROBLEM
    # Any operation may find the database unreachable; a write may find its disk full (both
    # roll back whatever the request had begun).
    responses["503"] = PROBLEM
    if body is not None:
        responses["507"] = PROBLEM
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = body
    return operation


def page_params(what: str) -> list[dict[str, Any]]:
    return [
        query(
            "limit", f"Nombre maximal de {what} par page (1 à 1000, 100 par défaut).", schema=LIMIT
        ),
        query("offset", f"Nombre de {what} à sauter avant la page (0 par défaut).", schema=OFFSET),
    ]
