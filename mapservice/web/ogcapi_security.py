"""How the OGC API document says who may call what: HTTP Basic (the personal token as the
password, as QGIS and GDAL send it) and Bearer, on every operation that answers 401.

The landing page, the conformance classes and the document itself are public; the
collections, their items, schemas and queryables need a staff or park manager's token
(:mod:`mapservice.web.guard`).
"""

from __future__ import annotations

from typing import Any

SCHEMES = {
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "Le jeton personnel (`ms_…`) comme mot de passe, avec n'importe quel "
        "nom d'utilisateur (QGIS, GDAL).",
    },
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "Jeton personnel (`ms_…`), créé sur la page du compte.",
    },
}


def secured(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (OpenAPI 3.0) with :data:`SCHEMES` and ``security`` on the protected operations."""
    doc["components"]["securitySchemes"] = SCHEMES
    for operations in doc["paths"].values():
        for operation in operations.values():
            if "401" in operation["responses"]:
                operation["security"] = [{"basic": []}, {"bearer": []}]
    return doc
