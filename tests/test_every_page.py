"""The list of every page (tests/support/every_page.py) is complete, and every page in it answers.

The phone-layout and language tests walk that list; a page added to the app but not to it would
escape them, so the first test fails until it is added."""

from __future__ import annotations

import pytest

from tests.support.every_page import get_every_page, page_routes, prepare


def test_the_list_names_every_page_route(app, demo_db, tmp_path):
    cases = prepare(demo_db, tmp_path)
    missing = page_routes(app) - {case.endpoint for case in cases}
    assert missing == set(), f"pages the list forgets: {sorted(missing)}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_answers_its_reader(app, demo_db, tmp_path, lang):
    failures = {}
    for case, resp in get_every_page(app, prepare(demo_db, tmp_path), lang):
        if resp.status_code != 200 or "text/html" not in resp.content_type:
            failures[case.name] = (resp.status_code, resp.content_type)
    assert failures == {}
