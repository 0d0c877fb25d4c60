"""Fuzz ``/api/v1`` from its own OpenAPI document (schemathesis) against the real app.

The app is the one of ``conftest.py`` (a private copy of the demo database in ``tmp_path``),
asked with the staff account's personal token, with a few synergies stored and moved along
the pipeline so the list, detail and impact operations have something to answer. Each
operation gets valid and invalid requests; what every answer must be is in
``tests/support/fuzzing.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fuzzing import FUZZ_SETTINGS, call_as_staff, schemathesis, wsgi_schema

#: Forty requests per operation: out of the edit loop (``make test-fast``).
pytestmark = pytest.mark.slow


def _seed_synergies(app: Any) -> None:
    """Store the candidates of a few sites; move some along, one as far as ``realised``."""
    from mapservice.matching.jobs import candidate_row, match_all, move

    svc = app.extensions["mapservice"]
    found = match_all(svc, backend="geodesic", save=False, per_offer=1)[:60]
    svc.repo.save_candidates(candidate_row(c) for c in found)
    ids = [s.id for s in svc.repo.synergies()]
    for synergy_id, steps in zip(
        ids, (["contacted", "in_progress", "realised"], ["contacted"], ["rejected"]), strict=False
    ):
        for status in steps:
            move(
                svc,
                synergy_id=synergy_id,
                output_flow_id=None,
                input_flow_id=None,
                status=status,
                author="Fuzz",
            )


@pytest.fixture
def api_schema(app: Any, request: pytest.FixtureRequest) -> Any:
    _seed_synergies(app)
    return wsgi_schema(app, request, "/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_as_documented(case: Any) -> None:
    call_as_staff(case)
