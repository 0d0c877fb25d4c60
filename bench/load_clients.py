"""The load benchmark's clients (see :mod:`bench.load`): the mix, the requests, the samples.

Each client is a thread with one keep-alive :class:`http.client.HTTPConnection`; it draws a
route class by weight, sends the request with the benchmark's personal token, and records a
:class:`Sample`, plus a :class:`Write` when the server acknowledged a write.
"""

from __future__ import annotations

import gzip
import http.client
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.serving import Server

#: Untimed requests of each route class before the baseline's timed ones.
WARM_ALONE = 2
USERNAME = "bench-load"
#: Letters of the correction texts: no vowels, nor s or x, so that no two texts fold into
#: the same stored key (the classifier drops plural endings, accents and numbers).
_LETTERS = "bcdfghjklmnpqrtvwz"


@dataclass
class Fixture:
    """What the clients ask about: sites, parks, points, candidate pairs, categories."""

    database_url: str
    site_ids: list[int]
    park_ids: list[str]
    points: list[tuple[float, float]]  # (lat, lon) of located sites
    pairs: list[tuple[int, int]]  # (output_flow_id, input_flow_id) of stored candidates
    categories: list[str]
    token: str
    built: dict[str, Any]


@dataclass(frozen=True)
class Sample:
    route: str
    started: float  # time.perf_counter()
    latency_s: float
    status: int  # 0 when the request raised
    problem: str = ""


@dataclass(frozen=True)
class Write:
    """A write the server acknowledged, and what the database must hold because of it."""

    kind: str  # "synergy" or "correction"
    synergy_id: int = 0
    note: str = ""
    text: str = ""
    category: str = ""


@dataclass
class Workload:
    """Draws requests of the mix; hands out each candidate pair and correction text once."""

    fixture: Fixture
    weights: dict[str, float]
    run_id: str
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_pair: int = 0
    _next_text: int = 0
    _keys: set[str] = field(default_factory=set)
    pairs_exhausted: int = 0

    def __post_init__(self) -> None:
        self._names = [n for n, w in self.weights.items() if w > 0]
        self._weights = [self.weights[n] for n in self._names]

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self._names, weights=self._weights)[0]

    def _pair(self) -> tuple[int, int] | None:
        with self._lock:
            if self._next_pair >= len(self.fixture.pairs):
                self.pairs_exhausted += 1
                return None
            self._next_pair += 1
            return self.fixture.pairs[self._next_pair - 1]

    def _text(self) -> str:
        """A correction text whose stored key no other text of this run shares."""
        from mapservice.materials.classify import Classifier

        with self._lock:
            while True:
                n, word = self._next_text, ""
                self._next_text += 1
                while True:
                    n, digit = divmod(n, len(_LETTERS))
                    word += _LETTERS[digit]
                    if not n:
                        break
                text = f"residu charge {word}"
                key = Classifier.key(text)
                if key not in self._keys:
                    self._keys.add(key)
                    return text

    def request(self, route: str, rng: random.Random) -> tuple[str, str, dict[str, Any] | None]:
        """``(method, path, JSON body)`` of one request of class ``route``."""
        fx = self.fixture
        if route == "map":
            if rng.random() < 0.5 or not fx.park_ids:
                return "GET", "/", None
            return "GET", f"/?park={rng.choice(fx.park_ids)}", None
        if route == "site":
            return "GET", f"/sites/{rng.choice(fx.site_ids)}", None
        if route == "api.synergies":
            return "GET", "/api/v1/synergies?limit=50", None
        if route == "api.reverse":
            lat, lon = rng.choice(fx.points)
            return (
                "GET",
                f"/api/v1/reverse?lat={lat + rng.uniform(-0.01, 0.01):.5f}"
                f"&lon={lon + rng.uniform(-0.01, 0.01):.5f}",
                None,
            )
        if route == "ogcapi.items":
            offset = 100 * rng.randrange(max(1, (len(fx.site_ids) + 99) // 100))
            return "GET", f"/ogcapi/collections/sites/items?limit=100&offset={offset}", None
        if route == "export.geojson":
            query = f"?park={rng.choice(fx.park_ids)}" if fx.park_ids else ""
            return "GET", f"/export/sites.geojson{query}", None
        if route == "write.synergy":
            pair = self._pair()
            if pair is not None:
                return (
                    "POST",
                    "/api/v1/synergies",
                    {
                        "output_flow_id": pair[0],
                        "input_flow_id": pair[1],
                        "status": "contacted",
                        "author": USERNAME,
                        "note": f"{self.run_id} {pair[0]}-{pair[1]}",
                    },
                )
            route = "write.correction"  # every candidate moved: write a correction instead
        if route == "write.correction":
            return (
                "POST",
                "/api/v1/classify/corrections",
                {"text": self._text(), "category": rng.choice(fx.categories), "author": USERNAME},
            )
        raise ValueError(f"unknown route class {route!r}")


def _problem(status: int, body: bytes, encoding: str | None) -> str:
    try:
        if encoding == "gzip":
            body = gzip.decompress(body)
        doc = json.loads(body)
        text = str(doc.get("message") or doc.get("detail") or doc.get("error") or "")
    except (ValueError, OSError, AttributeError):
        text = body[:200].decode("utf-8", "replace")
    return f"{status} {text[:160]}".strip()


class Client:
    """One keep-alive connection that sends requests of the mix and records them."""

    def __init__(self, server: Server, workload: Workload, timeout_s: float) -> None:
        self.server, self.workload, self.timeout_s = server, workload, timeout_s
        self.headers = {
            "Authorization": f"Bearer {workload.fixture.token}",
            "Accept-Encoding": "gzip",
            "Connection": "keep-alive",
        }
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            self.server.host, self.server.port, timeout=self.timeout_s
        )

    def close(self) -> None:
        self.conn.close()

    def send(self, route: str, rng: random.Random) -> tuple[Sample, Write | None]:
        """One request of class ``route``; the write it made if the server acknowledged it."""
        method, path, body = self.workload.request(route, rng)
        if body is not None and path.endswith("/corrections"):
            route = "write.correction"  # the candidate pairs ran out
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if data else {})}
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            payload = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = self._connect()
            return Sample(
                route,
                started,
                time.perf_counter() - started,
                0,
                f"{type(exc).__name__}: {exc}"[:200],
            ), None
        latency = time.perf_counter() - started
        encoding = resp.getheader("Content-Encoding")
        if resp.will_close:
            self.conn.close()
            self.conn = self._connect()
        if not 200 <= resp.status < 400:
            return Sample(
                route, started, latency, resp.status, _problem(resp.status, payload, encoding)
            ), None
        write = (
            _acknowledged(body, payload, encoding)
            if body is not None and resp.status == 200
            else None
        )
        return Sample(route, started, latency, resp.status), write


def client_loop(
    client: Client,
    seed: int,
    stop_at: float,
    samples: list[Sample],
    writes: list[Write],
    think_s: float = 0.0,
) -> None:
    """Send requests of the mix until ``stop_at``, back to back or with a pause after each
    (exponential, ``think_s`` on average); record every one."""
    rng = random.Random(seed)
    if think_s > 0:  # start as a client in mid-session would, not all at once
        time.sleep(rng.expovariate(1 / think_s))
    try:
        while time.perf_counter() < stop_at:
            sample, write = client.send(client.workload.draw(rng), rng)
            samples.append(sample)
            if write is not None:
                writes.append(write)
            if think_s > 0:
                time.sleep(
                    min(rng.expovariate(1 / think_s), max(0.0, stop_at - time.perf_counter()))
                )
    finally:
        client.close()


def load_phase(
    server: Server,
    workload: Workload,
    *,
    clients: int,
    seconds: float,
    seed: int,
    timeout_s: float,
    samples: list[Sample],
    writes: list[Write],
    think_s: float = 0.0,
    during: Callable[[], None] | None = None,
) -> int:
    """``clients`` threads for ``seconds``; ``during()`` runs meanwhile (in this thread).
    Returns how many clients were still waiting for an answer ``timeout_s`` after the end."""
    stop_at = time.perf_counter() + seconds
    workers = [
        threading.Thread(
            target=client_loop,
            name=f"client-{i}",
            daemon=True,
            args=(
                Client(server, workload, timeout_s),
                seed * 1000 + i,
                stop_at,
                samples,
                writes,
                think_s,
            ),
        )
        for i in range(clients)
    ]
    for w in workers:
        w.start()
    if during is not None:
        during()
    for w in workers:
        w.join(max(0.0, stop_at - time.perf_counter()) + timeout_s + 5)
    return sum(1 for w in workers if w.is_alive())


def alone(
    server: Server,
    workload: Workload,
    *,
    requests: int,
    seed: int,
    timeout_s: float,
    writes: list[Write],
) -> list[Sample]:
    """The baseline: ``requests`` of each route class from one client, one at a time, after
    :data:`WARM_ALONE` untimed ones (imports, caches)."""
    rng = random.Random(seed)
    client = Client(server, workload, timeout_s)
    samples = []
    try:
        for route, weight in workload.weights.items():
            for i in range(WARM_ALONE + requests if weight > 0 and requests else 0):
                sample, write = client.send(route, rng)
                if i >= WARM_ALONE or sample.problem:
                    samples.append(sample)
                if write is not None:
                    writes.append(write)
    finally:
        client.close()
    return samples


def _acknowledged(body: dict[str, Any], payload: bytes, encoding: str | None) -> Write:
    if "text" in body:
        return Write("correction", text=body["text"], category=body["category"])
    doc = json.loads(gzip.decompress(payload) if encoding == "gzip" else payload)
    return Write("synergy", synergy_id=int(doc["id"]), note=body["note"])
