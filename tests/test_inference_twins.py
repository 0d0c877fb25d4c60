"""Side channels: two registries that differ only in hidden values must give every non-staff
reader the same answers, to the byte (bodies, counts, orders, searches, filters, ETags).

The twin (:mod:`tests.support.twin_registry`) moves every hidden site, renames it, changes its
6-digit code and descriptions, scales every confidential quantity and every synergy figure that
follows from them. A search for a word only the twin's hidden descriptions hold, a count, the
order of a list or a figure that differs would tell the reader something they may not know.
Staff are the control: their answers do differ.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapservice import create_app
from mapservice.services import Services
from tests.support.accounts import sign_in
from tests.support.inference_roles import USERS, open_to_every_role
from tests.support.settings import make_settings
from tests.support.twin_registry import TWIN_WORD, answer, make_twin

#: Candidates kept (by id) besides the tracked synergies: enough pairs, quicker exports.
CANDIDATES = 1500
COMMON = (
    "/",
    f"/?q={TWIN_WORD}",
    "/?sector=bois-chimie",
    "/export/sites.geojson",
    "/export/flows.geojson",
    f"/export/flows.csv?q={TWIN_WORD}",
    f"/export/sites.csv?q={TWIN_WORD}",
    "/export/synergies.geojson",
    "/export/synergies.csv",
    "/export/routes.geojson",
)
MORE = {
    "presenter": ("/present/1", "/present/1/telecharger"),
    "park_manager": (
        "/ogcapi/collections?f=json",
        "/ogcapi/collections/synergies?f=json",
        "/ogcapi/collections/sites/items/1?f=json",
        "/ogcapi/collections/sites/items?limit=10000",
        "/ogcapi/collections/flows/items?limit=10000",
        f"/ogcapi/collections/flows/items?q={TWIN_WORD}",
        "/ogcapi/collections/synergies/items?limit=10000",
        "/ogcapi/collections/routes/items?limit=10000",
    ),
}


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory, live_demo_sqlite: Path) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("twins")
    first = folder / "first.sqlite"
    shutil.copy(live_demo_sqlite, first)
    con = sqlite3.connect(first)
    with con:
        con.execute(
            "DELETE FROM synergies WHERE status = 'candidate' AND id NOT IN "
            "(SELECT id FROM synergies WHERE status = 'candidate' ORDER BY id LIMIT ?)",
            [CANDIDATES],
        )
    con.close()
    svc = Services(make_settings(folder, "sqlite:///" + str(first)))
    park = open_to_every_role(svc)
    svc.close()
    second = folder / "second.sqlite"
    make_twin(first, second, park=park)
    apps = [
        create_app(
            {
                "DATABASE_URL": "sqlite:///" + str(path),
                "INSTANCE_PATH": str(folder / f"instance-{path.stem}"),
                "SECRET_KEY": "test",
                "TESTING": True,
            }
        )
        for path in (first, second)
    ]
    yield {"apps": apps}


def clients(twins: dict, role: str) -> list:
    out = []
    for app in twins["apps"]:
        client = app.test_client()
        if role in USERS:
            sign_in(client, USERS[role])
        out.append(client)
    return out


@pytest.mark.parametrize("role", ["anonymous", "presenter", "park_manager"])
def test_hidden_values_change_nothing_a_reader_gets(twins, role):
    first, second = clients(twins, role)
    differ = [
        url for url in (*COMMON, *MORE.get(role, ())) if answer(first, url) != answer(second, url)
    ]
    assert differ == []


def test_they_change_what_staff_get(twins):
    first, second = clients(twins, "staff")
    for url in (
        "/export/flows.geojson",
        "/export/synergies.geojson",
        f"/export/flows.csv?q={TWIN_WORD}",
    ):
        assert answer(first, url) != answer(second, url), url
