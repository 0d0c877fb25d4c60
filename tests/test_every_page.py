"""The list of every page (tests/support/every_page.py) is complete, and every page in it answers.

The phone-layout and language tests walk that list; a page added to the app but not to it would
escape them, so the first test fails until it is added."""

from __future__ import annotations

import pytest

from tests.support.accounts import sign_in
from tests.support.every_page import page_routes, prepare


def test_the_list_names_every_page_route(app, demo_db, tmp_path):
    cases = prepare(demo_db, tmp_path)
    missing = page_routes(app) - {case.endpoint for case in cases}
    assert missing == set(), f"pages the list forgets: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_answers_its_reader(app, demo_db, tmp_path, lang):
    cases = prepare(demo_db, tmp_path)
    clients: dict[str, object] = {}
    failures = {}
    for case in cases:
        if case.username not in clients:
            fresh = app.test_client()
            clients[case.username] = sign_in(fresh, case.username) if case.username else fresh
        client = clients[case.username]
        sep = "&" if "?" in case.path else "?"
        resp = client.get(f"{case.path}{sep}lang={lang}", follow_redirects=True)
        if resp.status_code != 200 or "text/html" not in resp.content_type:
            failures[case.name] = (resp.status_code, resp.content_type)
    assert failures == {}
