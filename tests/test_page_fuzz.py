"""Every page's query string, fuzzed (hypothesis): no 5xx, no write, whatever is asked.

The JSON API and the OGC API are fuzzed from their OpenAPI documents (``test_api_fuzz.py``,
``test_ogcapi_fuzz.py``); the pages have no such document, so this test takes every GET route
of the app that is not an API, fills its path with ids that exist (and some that do not), and
sends the staff member's signed-in session a query string drawn from every parameter name the
app reads anywhere, plus names it does not know, with values from the hostile end of text:
empty, huge, NUL and other control characters, lone surrogates (as percent-encoded bytes that
are not UTF-8), numbers out of range, repeated keys. Each answer must be below 500 and the
database must be exactly as it was: a GET never writes. Seeds are fixed (``derandomize``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapservice.storage import schema as t

#: Query parameters the pages, exports and API read (``request.args``), and the map's filters.
KNOWN = (
    "address",
    "anonyme",
    "backend",
    "bbox",
    "category",
    "corrige",
    "crs",
    "datetime",
    "deplacee",
    "direction",
    "distance",
    "f",
    "from",
    "lang",
    "layers",
    "metric",
    "municipality",
    "mrc",
    "ordre",
    "page",
    "park",
    "postal_code",
    "q",
    "sector",
    "status",
    "text",
    "to",
    "toutes",
    "tri",
    "type",
    "zoom",
    "lat",
    "lon",
    "limit",
    "offset",
    "all",
    "basemap",
    "next",
)
#: Routes that are not pages: fuzzed from their own documents, or files.
SKIP = ("/api/", "/ogcapi", "/static/", "/export/", "/healthz", "/deconnexion")

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "NaN",
            "inf",
            "-0",
            "999999999999999999999",
            "48.4",
            "-71.2",
            "-71.5,48.3,-71.0,48.6",
            "1,2,3",
            "asc",
            "desc",
            "fr",
            "en",
            "route",
            "vol",
            "1",
            "oui",
            "bois",
            "offre",
            "besoin",
            "contacted",
            "t_co2e_net",
            "2026-01-01",
            "2026-13-45",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "{{ 7*7 }}",
            "' OR 1=1 --",
            "\x00",
            "\u202e",
            "é" * 5000,
        ]
    ),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _routes(app: Any) -> list[str]:
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIP):
            continue
        out.append(rule.rule)
    return sorted(out)


def _fill(rule: str, value: str) -> str:
    return re.sub(r"<(?:(?:int|string|path):)?\w+>", value, rule)


def _everything(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    svc = app.extensions["mapservice"]
    with svc.repo.engine.connect() as conn:
        return {
            tbl.name: [tuple(r) for r in conn.execute(sa.select(tbl).order_by(*tbl.primary_key))]
            for tbl in t.ALL_TABLES
            if tbl.name not in ("api_tokens",)
        }


@pytest.fixture
def pages(app: Any, client: Any) -> tuple[Any, list[str], list[str]]:
    svc = app.extensions["mapservice"]
    site = next(s for s in svc.repo.sites() if s.lon is not None)
    ids = [str(site.id), str(site.member_id), "999999", "0", "18446744073709551616"]
    return client, _routes(app), ids


def test_every_page_is_fuzzed(app: Any) -> None:
    # A page added later must not escape the fuzzer by accident.
    routes = _routes(app)
    assert "/" in routes and "/sites/<int:site_id>" in routes and len(routes) >= 15


@pytest.mark.slow
@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_query_string_makes_a_page_fail_or_write(app: Any, pages: Any, data: Any) -> None:
    client, routes, ids = pages
    rule = data.draw(st.sampled_from(routes), label="route")
    path = _fill(rule, data.draw(st.sampled_from(ids), label="id"))
    names = data.draw(
        st.lists(st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=12)), max_size=6),
        label="names",
    )
    pairs = [(name, data.draw(HOSTILE, label=name)) for name in names]
    query = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='', errors='surrogatepass')}" for k, v in pairs
    )
    if data.draw(st.booleans(), label="raw bytes"):
        query += "&q=%ff%fe%00"  # not UTF-8 at all
    before = _everything(app)
    response = client.get(f"{path}?{query}", headers={"Accept": "text/html"})
    response.close()
    assert response.status_code < 500, (path, query, response.status_code)
    assert _everything(app) == before, (path, query)
