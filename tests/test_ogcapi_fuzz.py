"""Fuzz ``/ogcapi`` from its own OpenAPI 3.0 document (schemathesis) against the real app.

The app is the one of ``conftest.py`` (a private copy of the demo database in ``tmp_path``),
with candidate synergies stored so that the synergies collection has items. Every answer must
be a documented status with a documented content type, match its schema, and never be a 5xx.
Seeds are fixed (``derandomize``) so a failure here fails everywhere.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import MANAGED

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis fuzzes the API")

from hypothesis import HealthCheck, settings  # noqa: E402 - after the importorskip
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def ogc_schema(app: Any, request: pytest.FixtureRequest) -> Any:
    from mapservice.synergy_jobs import match_all

    if not hasattr(request.node, "_nodeid"):
        # schemathesis 4.32 renames the test per operation through ``Node._nodeid``, which
        # pytest 9.2 no longer has: give it back the plain node id to start from.
        request.node._nodeid = request.node.nodeid
    match_all(app.extensions["mapservice"], backend="geodesic", per_offer=1)
    return schemathesis.openapi.from_wsgi("/ogcapi/api", app)


schema = schemathesis.pytest.from_fixture("ogc_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_ogcapi_operation_answers_as_documented(case: Any) -> None:
    # the collections need an account since issue 7: the staff member's personal token
    case.call_and_validate(checks=CHECKS, headers={
        "Accept-Encoding": "identity", "Authorization": f"Bearer {MANAGED['staff_token']}"})
