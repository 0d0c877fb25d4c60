"""Behind a reverse proxy: X-Forwarded-* read from the trusted proxies only
(``MAPSERVICE_TRUSTED_PROXIES``), through the middleware, the app and a real served process."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from mapservice import create_app
from mapservice.config import load_settings
from mapservice.errors import ConfigError
from mapservice.web import auth
from mapservice.web.proxies import TrustedProxies, parse
from tests.support.accounts import MANAGED, csrf_token_of

PROXY, CLIENT, OTHER = "10.0.0.1", "198.51.100.9", "203.0.113.7"
PUBLIC = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "carte.example.org"}


@Request.application
def _echo(request: Request) -> Response:
    return Response(
        json.dumps(
            {
                "addr": request.remote_addr,
                "scheme": request.scheme,
                "host": request.host,
                "xff": request.headers.get("X-Forwarded-For"),
            }
        ),
        mimetype="application/json",
    )


@pytest.mark.parametrize(
    ("trusted", "peer", "headers", "seen"),
    [
        # nobody trusted: the headers are dropped, the peer is the client
        ("", PROXY, {"X-Forwarded-For": CLIENT, **PUBLIC}, (PROXY, "http", "localhost", None)),
        # one proxy
        (
            PROXY,
            PROXY,
            {"X-Forwarded-For": CLIENT, **PUBLIC},
            (CLIENT, "https", "carte.example.org", CLIENT),
        ),
        # a request straight from a client that is not the proxy
        (PROXY, CLIENT, {"X-Forwarded-For": OTHER, **PUBLIC}, (CLIENT, "http", "localhost", None)),
        # what the client wrote itself, left of what the proxy added, is not believed
        (
            PROXY,
            PROXY,
            {"X-Forwarded-For": f"{OTHER}, {CLIENT}"},
            (CLIENT, "http", "localhost", f"{OTHER}, {CLIENT}"),
        ),
        # two proxies of one network: the first untrusted address from the right is the client;
        # the outer proxy's scheme and host win over what the inner one appended
        (
            "10.0.0.0/24",
            PROXY,
            {
                "X-Forwarded-For": f"{OTHER}, {CLIENT}, 10.0.0.2",
                "X-Forwarded-Proto": "https, http",
                "X-Forwarded-Host": "carte.example.org, interne:8080",
            },
            (CLIENT, "https", "carte.example.org", f"{OTHER}, {CLIENT}, 10.0.0.2"),
        ),
        # the inner proxy passed the outer one's headers on unchanged
        (
            "10.0.0.0/24",
            PROXY,
            {"X-Forwarded-For": f"{CLIENT}, 10.0.0.2", **PUBLIC},
            (CLIENT, "https", "carte.example.org", f"{CLIENT}, 10.0.0.2"),
        ),
        # every address a proxy: the first one is all there is to go by
        (
            "10.0.0.0/24",
            PROXY,
            {"X-Forwarded-For": "10.0.0.3, 10.0.0.2"},
            ("10.0.0.3", "http", "localhost", "10.0.0.3, 10.0.0.2"),
        ),
        # a dual-stack socket shows an IPv4 peer as ::ffff:a.b.c.d; IPv6 proxies
        (
            PROXY,
            f"::ffff:{PROXY}",
            {"X-Forwarded-For": CLIENT},
            (CLIENT, "http", "localhost", CLIENT),
        ),
        (
            "::1, 127.0.0.1",
            "::1",
            {
                "X-Forwarded-For": "2001:db8::7",
                "X-Forwarded-Port": "8443",
                "X-Forwarded-Host": "carte.example.org",
            },
            ("2001:db8::7", "http", "carte.example.org:8443", "2001:db8::7"),
        ),
        # a trusted proxy without X-Forwarded-For: the peer stays the client
        (PROXY, PROXY, PUBLIC, (PROXY, "https", "carte.example.org", None)),
    ],
)
def test_forwarded_headers_are_read_from_trusted_proxies_only(trusted, peer, headers, seen):
    client = Client(TrustedProxies(_echo, parse(trusted)))
    got = client.get("/", headers=headers, environ_base={"REMOTE_ADDR": peer}).get_json()
    assert (got["addr"], got["scheme"], got["host"], got["xff"]) == seen


@pytest.mark.parametrize("raw", ["10.0.0.300", "192.168.1.1/24", "proxy.example.org"])
def test_a_bad_proxy_address_names_the_variable(raw):
    with pytest.raises(ConfigError) as caught:
        load_settings({"MAPSERVICE_TRUSTED_PROXIES": f"127.0.0.1, {raw}"})
    assert f"MAPSERVICE_TRUSTED_PROXIES='127.0.0.1, {raw}' is not valid: " in str(caught.value)
    assert raw in str(caught.value).split("is not valid: ")[1]


def test_the_setting_reads_addresses_and_networks():
    got = load_settings({"MAPSERVICE_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8 ,::1,"})
    assert [str(n) for n in got["TRUSTED_PROXIES"]] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert load_settings({})["TRUSTED_PROXIES"] == ()


@pytest.fixture
def proxied(tmp_path: Path, demo_db: str) -> Any:
    """The demo app behind one trusted proxy at :data:`PROXY`."""
    app = create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "TRUSTED_PROXIES": PROXY,
        }
    )
    yield app
    app.extensions["mapservice"].close()


def _ogc_links(app: Any, peer: str, headers: dict[str, str]) -> list[str]:
    resp = app.test_client().get(
        "/ogcapi/collections/sites/items?limit=2",
        headers={"Authorization": f"Bearer {MANAGED['staff_token']}", **headers},
        environ_base={"REMOTE_ADDR": peer},
    )
    assert resp.status_code == 200
    return [link["href"] for link in resp.get_json()["links"]]


def _link_header(app: Any, peer: str, headers: dict[str, str]) -> str:
    """The RFC 8288 Link header of the first site whose candidates fill more than a page."""
    client = app.test_client()
    signed = {"Authorization": f"Bearer {MANAGED['staff_token']}", **headers}
    for site_id in range(1, 40):
        resp = client.get(
            f"/api/v1/sites/{site_id}/synergies?limit=1",
            headers=signed,
            environ_base={"REMOTE_ADDR": peer},
        )
        if resp.status_code == 200 and resp.headers.get("Link"):
            return resp.headers["Link"]
    raise AssertionError("no demo site with two candidates among the first 40")


def test_links_and_link_headers_use_the_public_address_behind_a_trusted_proxy(proxied):
    links = _ogc_links(proxied, PROXY, {"X-Forwarded-For": CLIENT, **PUBLIC})
    assert links and all(h.startswith("https://carte.example.org/ogcapi/") for h in links)
    assert "<https://carte.example.org/api/v1/sites/" in _link_header(
        proxied, PROXY, {"X-Forwarded-For": CLIENT, **PUBLIC}
    )
    # the same headers from an address that is not the proxy change nothing
    links = _ogc_links(proxied, CLIENT, PUBLIC)
    assert all(h.startswith("http://localhost/ogcapi/") for h in links)
    assert "<http://localhost/api/v1/sites/" in _link_header(proxied, CLIENT, PUBLIC)


def test_links_ignore_forwarded_headers_without_the_setting(app):
    links = _ogc_links(app, "127.0.0.1", {"X-Forwarded-For": CLIENT, **PUBLIC})
    assert all(h.startswith("http://localhost/ogcapi/") for h in links)


def _sign_in_attempts(app: Any, n: int, peer: str, forwarded_for: str | None = None) -> list[int]:
    client = app.test_client()
    token = csrf_token_of(client.get("/connexion").get_data(as_text=True))
    codes = []
    for i in range(n):
        headers = {"X-Forwarded-For": forwarded_for or f"192.0.2.{i % 250}"}
        codes.append(
            client.post(
                "/connexion",
                headers=headers,
                environ_base={"REMOTE_ADDR": peer},
                data={"username": "x", "password": "faux", "csrf_token": token},
            ).status_code
        )
    return codes


def test_the_sign_in_limit_counts_the_client_behind_a_trusted_proxy(proxied):
    limit = auth.MAX_ATTEMPTS
    assert _sign_in_attempts(proxied, limit + 1, PROXY, CLIENT) == [401] * limit + [429]
    # another client behind the same proxy is not held back by the first one
    assert _sign_in_attempts(proxied, 1, PROXY, OTHER) == [401]
    # a client that reaches the port directly cannot escape the limit by naming other
    # addresses (each attempt claims a new one): it is counted as itself
    assert _sign_in_attempts(proxied, limit + 1, "192.0.2.200") == [401] * limit + [429]


@pytest.mark.slow
def test_a_served_process_behind_a_proxy_on_loopback(tmp_path, demo_db, monkeypatch):
    """`serve --workers 2` (gunicorn) with the proxy on loopback trusted."""
    from bench.serving import serve

    monkeypatch.setenv("MAPSERVICE_TRUSTED_PROXIES", "127.0.0.1, ::1")
    with serve(
        demo_db,
        tmp_path,
        ["--workers", "2", "--threads", "2", "--no-warm"],
        start_timeout_s=30,
        stop_timeout_s=15,
    ) as server:
        request = urllib.request.Request(
            server.base + "/ogcapi/?f=json", headers={"X-Forwarded-For": CLIENT, **PUBLIC}
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            links = [link["href"] for link in json.load(resp)["links"]]
        assert links and all(h.startswith("https://carte.example.org/") for h in links)
