"""A local HTTP server that answers like Nominatim (``/search``, JSON v1) and Photon (``/api``).

It stands in for the internet in tests: a real socket, real HTTP, real JSON in the same shape
as the public services, answering from a small table of the region's addresses. It records
every request (time, path, query, User-Agent) and can be told to be slow or to fail.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: Answers by lower-cased substring of the query: (lat, lon, display name, class, type).
PLACES: list[tuple[str, tuple[float, float, str, str, str]]] = [
    (
        "2485 rue alexis-le-trotteur",
        (
            48.40712,
            -71.22188,
            "2485, Rue Alexis-Le Trotteur, Jonquière, Saguenay, Québec, G7X 0E4, Canada",
            "building",
            "yes",
        ),
    ),
    (
        "rue des actionnaires",
        (
            48.40231,
            -71.08855,
            "Rue des Actionnaires, Chicoutimi, Saguenay, Québec, Canada",
            "highway",
            "residential",
        ),
    ),
    (
        "3000 rue des pins ouest",
        (
            48.58501,
            -71.68990,
            "3000, Rue des Pins Ouest, Alma, Québec, G8B 5W2, Canada",
            "place",
            "house",
        ),
    ),
    # Exists only far away: a namesake street in Montréal.
    (
        "rue sherbrooke",
        (45.5048, -73.5772, "Rue Sherbrooke, Montréal, Québec, Canada", "highway", "primary"),
    ),
    # Two answers: one in Saguenay, one in Alma (a common street name).
    (
        "rue racine",
        (
            48.42737,
            -71.06047,
            "Rue Racine Est, Chicoutimi, Saguenay, Québec",
            "highway",
            "secondary",
        ),
    ),
    ("rue racine", (48.5500, -71.6520, "Rue Racine, Alma, Québec", "highway", "residential")),
]


@dataclass
class Behaviour:
    delay_s: float = 0.0
    status: int = 200
    fail_times: int = 0  # answer `status` this many times, then 200
    retry_after: str | None = None  # sent with those failures as ``Retry-After``


@dataclass
class Recorded:
    at: float
    path: str
    query: dict[str, list[str]]
    user_agent: str


@dataclass
class GeocoderServer:
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> GeocoderServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                owner.requests.append(
                    Recorded(
                        time.monotonic(), parts.path, query, self.headers.get("User-Agent", "")
                    )
                )
                b = owner.behaviour
                if b.delay_s:
                    time.sleep(b.delay_s)
                if b.status != 200 and b.fail_times > 0:
                    b.fail_times -= 1
                    self._send(b.status, {"error": "server error"}, b.retry_after)
                    return
                text = (query.get("q") or [""])[0].lower()
                rows = [row for key, row in PLACES if key in text]
                if parts.path == "/search":
                    self._send(200, [_nominatim(i, row) for i, row in enumerate(rows)])
                elif parts.path == "/api":
                    self._send(
                        200,
                        {"type": "FeatureCollection", "features": [_photon(row) for row in rows]},
                    )
                else:
                    self._send(404, {"error": "not found"})

            def _send(self, status: int, payload: Any, retry_after: str | None = None) -> None:
                body = json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer to

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _nominatim(index: int, row: tuple[float, float, str, str, str]) -> dict[str, Any]:
    lat, lon, name, cls, typ = row
    return {
        "place_id": 1000 + index,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "way",
        "osm_id": 2000 + index,
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "class": cls,
        "type": typ,
        "place_rank": 30,
        "importance": 0.3 - index * 0.01,
        "addresstype": "building"
        if cls == "building"
        else ("road" if cls == "highway" else "house"),
        "name": "",
        "display_name": name,
        "boundingbox": [
            f"{lat - 0.001:.7f}",
            f"{lat + 0.001:.7f}",
            f"{lon - 0.001:.7f}",
            f"{lon + 0.001:.7f}",
        ],
    }


def _photon(row: tuple[float, float, str, str, str]) -> dict[str, Any]:
    lat, lon, name, cls, _typ = row
    kind = "house" if cls in ("building", "place") else "street"
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "name": name.split(",")[0],
            "type": kind,
            "city": "Saguenay",
            "countrycode": "CA",
            "osm_key": cls,
        },
    }
