"""Heavy requests (mapservice/web/heavy.py): which are heavy, and the per-address, per-account
and per-process limits, tried with streamed downloads held open (their place is kept until
their last chunk) while more requests arrive."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from mapservice import create_app
from mapservice.accounts import jobs as accounts
from mapservice.web.heavy import HEAVY_OGC_ITEMS, Slots, is_heavy
from tests.support.accounts import sign_in

HEAVY = "/export/flows.geojson"  # the whole region's layer, streamed


@pytest.fixture
def open_app(tmp_path, demo_db):
    """The demo app with the public map open (exports need no account), the default limits."""

    def make(**config: Any) -> Any:
        app = create_app(
            {
                "DATABASE_URL": demo_db,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "SECRET_KEY": "test",
                "TESTING": True,
                **config,
            }
        )
        accounts.set_public_map(app.extensions["mapservice"], "1", actor="test")
        return app

    return make


class Held:
    """A heavy download started in its own thread and not read until :meth:`close`: the
    request holds its place meanwhile. (A streamed answer's first chunk pushes the request's
    context in the thread that reads it: each held download keeps to its own thread.)"""

    def __init__(self, client: Any, path: str = HEAVY, **kwargs: Any) -> None:
        self.started, self.finish = threading.Event(), threading.Event()
        self.status = 0
        self.thread = threading.Thread(target=self._run, args=(client, path, kwargs))
        self.thread.start()
        assert self.started.wait(60) and self.status == 200

    def _run(self, client: Any, path: str, kwargs: dict[str, Any]) -> None:
        response = client.get(path, buffered=False, **kwargs)
        self.status = response.status_code
        self.started.set()
        self.finish.wait(60)
        response.get_data()
        response.close()

    def close(self) -> None:
        self.finish.set()
        self.thread.join(60)


def _held(client: Any, path: str = HEAVY, **kwargs: Any) -> Held:
    return Held(client, path, **kwargs)


def _refused(response: Any) -> None:
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "10"


def test_a_third_heavy_request_from_one_address_answers_429_with_retry_after(open_app):
    app = open_app()
    browser = app.test_client()
    held = [_held(browser), _held(app.test_client(), "/export/sites.csv")]
    refused = app.test_client().get("/export/sites.geojson")
    _refused(refused)
    page = refused.get_data(as_text=True)
    assert "téléchargements lourds en cours" in page and "réessayez dans 10" in page
    answer = app.test_client().get(
        "/export/parks.csv?lang=en", headers={"Accept": "application/json"}
    )
    _refused(answer)
    body = answer.get_json()
    assert body["code"] == "too_many_requests" and body["retry_after_s"] == 10
    assert body["message"].startswith("You already have 2 heavy downloads running")
    # light requests pass meanwhile: the probe, the map, one park's download
    assert app.test_client().get("/healthz").status_code == 200
    assert app.test_client().get("/").status_code == 200
    park = app.extensions["mapservice"].repo.parks()[0].id
    assert app.test_client().get(f"/export/sites.geojson?park={park}").status_code == 200
    # a held download that ends gives its place back
    held[0].close()
    assert app.test_client().get("/export/sites.geojson").status_code == 200
    held[1].close()
    assert app.extensions["mapservice.heavy"].running() == 0


def test_the_address_is_the_one_a_trusted_proxy_forwards(open_app):
    app = open_app(TRUSTED_PROXIES="127.0.0.1")

    def via(address: str) -> Any:
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        return client

    held = [_held(via("198.51.100.7")), _held(via("198.51.100.7"))]
    _refused(via("198.51.100.7").get(HEAVY))
    other = _held(via("203.0.113.9"))  # another client behind the same proxy
    # a client that reaches the port directly cannot pass for another address
    stranger = open_app(HEAVY_PER_PROCESS=9)
    direct = [stranger.test_client() for _ in range(3)]
    for i, client in enumerate(direct):
        client.environ_base.update(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    kept = [_held(direct[0]), _held(direct[1])]
    _refused(direct[2].get(HEAVY))
    for response in (*held, other, *kept):
        response.close()


def test_one_account_is_limited_whatever_its_addresses(open_app):
    app = open_app(HEAVY_PER_PROCESS=9)
    clients = []
    for i in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{i + 1}"
        clients.append(sign_in(client, "personnel"))
    held = [_held(clients[0]), _held(clients[1], "/export/sites.csv")]
    _refused(clients[2].get(HEAVY))
    someone_else = sign_in(app.test_client(), "gestion")
    someone_else.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    _held(someone_else).close()
    for response in held:
        response.close()


def test_the_process_limit_keeps_threads_for_everyone_else(open_app):
    app = open_app(HEAVY_PER_PROCESS=1, HEAVY_RETRY_AFTER_S=30)
    first = app.test_client()
    first.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    held = _held(first)
    second = app.test_client()
    second.environ_base["REMOTE_ADDR"] = "192.0.2.2"
    refused = second.get("/export/sites.csv", headers={"Accept": "application/json"})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    assert "prépare déjà plusieurs téléchargements lourds" in refused.get_json()["message"]
    held.close()
    assert second.get("/export/sites.csv").status_code == 200


def test_a_refused_request_takes_no_place(tmp_path, demo_db):
    app = create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "HEAVY_PER_PROCESS": 1,
        }
    )  # the public map is closed: strangers are sent to sign in
    for _ in range(3):
        assert app.test_client().get(HEAVY).status_code in (302, 401, 403)
    assert app.test_client().get("/export/sites.geojson?bbox=1,2").status_code == 401
    assert app.extensions["mapservice.heavy"].running() == 0
    staff = sign_in(app.test_client(), "personnel")
    assert staff.get("/export/sites.geojson?bbox=1,2").status_code == 422
    assert app.extensions["mapservice.heavy"].running() == 0


PARK = {"park": "p"}


@pytest.mark.parametrize(
    ("endpoint", "view_args", "args", "heavy"),
    [
        ("exports.layer", {"layer": "tout", "fmt": "xlsx"}, {}, True),
        ("exports.layer", {"layer": "tout", "fmt": "gpkg"}, PARK, True),
        ("exports.layer", {"layer": "sites", "fmt": "xlsx"}, PARK, True),
        ("exports.layer", {"layer": "sites", "fmt": "geojson"}, {}, True),
        ("exports.layer", {"layer": "flows", "fmt": "csv"}, {"bbox": "-72,48,-71,49"}, True),
        ("exports.layer", {"layer": "sites", "fmt": "geojson"}, PARK, False),
        ("exports.layer", {"layer": "flows", "fmt": "csv"}, PARK, False),
        ("ogcapi.items", {"collection_id": "sites"}, {}, False),
        ("ogcapi.items", {"collection_id": "sites"}, {"limit": str(HEAVY_OGC_ITEMS)}, False),
        ("ogcapi.items", {"collection_id": "sites"}, {"limit": str(HEAVY_OGC_ITEMS + 1)}, True),
        ("ogcapi.items", {"collection_id": "sites"}, {"limit": "beaucoup"}, False),
        ("pages.region_map", {}, {}, False),
        ("health.healthz", {}, {}, False),
    ],
)
def test_what_is_heavy(endpoint, view_args, args, heavy):
    assert is_heavy(endpoint, view_args, args) is heavy


def test_a_large_ogc_page_is_counted(open_app):
    app = open_app(HEAVY_PER_PROCESS=1)
    staff = sign_in(app.test_client(), "personnel")
    held = _held(staff)
    page = staff.get(f"/ogcapi/collections/sites/items?limit={HEAVY_OGC_ITEMS + 1}")
    _refused(page)
    assert staff.get("/ogcapi/collections/sites/items?limit=10").status_code == 200
    held.close()
    again = staff.get(f"/ogcapi/collections/sites/items?limit={HEAVY_OGC_ITEMS + 1}")
    assert again.status_code == 200


def test_slots_hold_across_threads():
    """Threads that all ask at once: exactly the limit get a place, every place comes back."""
    slots = Slots(per_client=2, per_process=3)
    start = threading.Barrier(12)
    taken: list[Any] = []
    lock = threading.Lock()

    def ask(i: int) -> None:
        start.wait()
        release, _ = slots.take([f"address:{i % 4}"])
        if release is not None:
            with lock:
                taken.append(release)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 3 and slots.running() == 3
    for release in taken:
        release()
        release()  # twice changes nothing
    assert slots.running() == 0
    one, _ = slots.take(["address:a"])
    two, _ = slots.take(["address:a", "account:1"])
    assert slots.take(["address:a"]) == (None, False)
    assert slots.take(["address:b", "account:1"])[0] is not None
    assert slots.take(["address:c"]) == (None, True)
