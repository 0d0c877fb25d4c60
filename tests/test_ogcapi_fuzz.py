"""Fuzz ``/ogcapi`` from its own OpenAPI 3.0 document (schemathesis) against the real app.

The app is the one of ``conftest.py`` (a private copy of the demo database in ``tmp_path``),
with candidate synergies stored so that the synergies collection has items; the collections
need an account since issue 7, so the staff token is sent. What every answer must be is in
``fuzzing.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fuzzing import FUZZ_SETTINGS, call_as_staff, schemathesis, wsgi_schema

#: Forty requests per operation: out of the edit loop (``make test-fast``).
pytestmark = pytest.mark.slow


@pytest.fixture
def ogc_schema(app: Any, request: pytest.FixtureRequest) -> Any:
    from mapservice.matching.jobs import match_all

    match_all(app.extensions["mapservice"], backend="geodesic", per_offer=1)
    return wsgi_schema(app, request, "/ogcapi/api")


schema = schemathesis.pytest.from_fixture("ogc_schema")


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_ogcapi_operation_answers_as_documented(case: Any) -> None:
    call_as_staff(case)
