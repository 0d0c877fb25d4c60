"""Confidential means confidential: what each role can derive of hidden values, by attack.

On the live demo (members who did not consent, confidential quantities, tracked synergies and
thousands of candidates), with the public map open, each role reads every output it may open
through the real HTTP surface and runs the attacks of :mod:`tests.support.inference_attacks`:
benefit and CO2e inversion to tonnes, score inversion to the quantity ratio, trilateration
from the distances to public partners, the points lines end at, 6-digit codes of hidden
sites, and ``q`` probes (exports, OGC API, the map's count). Nothing may come back for the
public, a presenter or a park manager (outside their parks); staff are the control that the
attacks do work (a suite that cannot fail proves nothing).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapservice import create_app
from mapservice.services import Services
from tests.support.accounts import sign_in
from tests.support.inference_roles import USERS, open_to_every_role
from tests.support.inference_run import findings
from tests.support.settings import make_settings

ROLES = ("anonymous", "presenter", "park_manager", "staff")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, live_demo_sqlite: Path) -> Iterator[dict]:
    """The live demo with a presenter, a park manager (of the park with the most sites of
    members who did not consent), one saved presenter view, and the public map open."""
    folder = tmp_path_factory.mktemp("inference")
    target = folder / "demo.sqlite"
    shutil.copy(live_demo_sqlite, target)
    url = "sqlite:///" + str(target)
    svc = Services(make_settings(folder, url))
    park = open_to_every_role(svc)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )
    yield {"app": app, "svc": svc, "park": park, "found": {}}
    svc.close()


def found_by(world: dict, role: str) -> dict[str, Any]:
    """What ``role`` recovers (computed once per role)."""
    if role not in world["found"]:
        client = world["app"].test_client()
        if role in USERS:
            sign_in(client, USERS[role])
        own = frozenset({world["park"]}) if role == "park_manager" else frozenset()
        world["found"][role] = findings(role, client, world["svc"], own)
    return world["found"][role]


LEAKS = (
    "quantities_by_figures",
    "quantities_by_score",
    "positions_by_distances",
    "positions_by_line_ends",
    "six_digit_codes",
)


@pytest.mark.parametrize("role", ["anonymous", "presenter", "park_manager"])
def test_no_hidden_value_can_be_derived(world, role):
    found = found_by(world, role)
    assert found["targets"] and found["secret_quantities"]
    assert {k: found[k] for k in LEAKS} == dict.fromkeys(LEAKS, 0), found
    search = found["search"]
    assert search["probes"] and (search["export"], search["map"], search["ogcapi"]) == (0, 0, 0)
    # A filter on a hidden name or a confidential quantity matches nothing.
    assert found["properties"]["probes"] and found["properties"]["ogcapi"] == 0, found


def test_the_attacks_work_on_what_staff_see(world):
    """The control: the same attacks on staff's outputs recover hidden quantities and points,
    so the suite would fail if the public saw what staff see."""
    found = found_by(world, "staff")
    assert all(found[k] > 0 for k in LEAKS), found
    assert found["search"]["export"] == found["search"]["probes"] > 0
    assert found["properties"]["ogcapi"] == found["properties"]["probes"] > 0
