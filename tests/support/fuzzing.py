"""What the two schemathesis fuzz tests share: the checks, the settings and the schema loader.

Each fuzzes one OpenAPI document (``/api/v1`` and ``/ogcapi``) against the real app of
``conftest.py``, signed in with the staff account's personal token. Every answer must be a
documented status with a documented content type and headers, match its schema, and never
be a 5xx. Seeds are fixed (``derandomize``) so a failure here fails everywhere.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.accounts import MANAGED

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis fuzzes the API")

from hypothesis import HealthCheck, settings  # noqa: E402 - after the importorskip
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

#: Forty examples per operation, the same ones on every run.
FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


def wsgi_schema(app: Any, request: pytest.FixtureRequest, document_path: str) -> Any:
    """The OpenAPI document at ``document_path``, calling ``app`` in process."""
    if not hasattr(request.node, "_nodeid"):
        # schemathesis 4.32 renames the test per operation through ``Node._nodeid``, which
        # pytest 9.2 no longer has: give it back the plain node id to start from.
        request.node._nodeid = request.node.nodeid
    return schemathesis.openapi.from_wsgi(document_path, app)


def call_as_staff(case: Any) -> None:
    """Send ``case`` with the staff token and run every check on its answer.

    The app gzips large answers for clients that accept it; schemathesis' WSGI transport
    would hand the compressed bytes to the checks, so the plain body is asked for.
    """
    case.call_and_validate(
        checks=CHECKS,
        headers={
            "Authorization": f"Bearer {MANAGED['staff_token']}",
            "Accept-Encoding": "identity",
        },
    )
