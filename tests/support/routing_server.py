"""A local HTTP server that answers like OSRM, Valhalla and openrouteservice matrix APIs.

It stands in for the internet in tests: a real socket, real HTTP, real JSON in the shapes of
OSRM ``GET /table/v1/{profile}/{coords}``, Valhalla ``POST /sources_to_targets`` and ORS
``POST /v2/matrix/{profile}``. Distances come from a small in-memory rule (straight line × 1.4
at 60 km/h; no route to points north of :data:`NO_ROAD_NORTH_OF`). It records every request
and can be told to be slow or to fail.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

NO_ROAD_NORTH_OF = 50.0  # latitude: the Monts-Valin have no road in this little world


def road(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float] | None:
    """Return (metres, seconds) between two (lon, lat) points, or None without a road."""
    if a[1] > NO_ROAD_NORTH_OF or b[1] > NO_ROAD_NORTH_OF:
        return None
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    metres = 2 * 6_371_000 * math.asin(math.sqrt(h)) * 1.4
    return metres, metres / (60 / 3.6)


@dataclass
class Behaviour:
    delay_s: float = 0.0
    status: int = 200
    fail_times: int = 0  # answer `status` this many times, then 200
    pass_times: int = 0  # ... after answering this many requests normally


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


@dataclass
class RoutingServer:
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> RoutingServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._handle(None)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self._handle(json.loads(self.rfile.read(length) or b"null"))

            def _handle(self, body: Any) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                owner.requests.append(
                    Recorded(self.command, parts.path, query, body, dict(self.headers.items()))
                )
                b = owner.behaviour
                if b.delay_s:
                    time.sleep(b.delay_s)
                if b.pass_times > 0:
                    b.pass_times -= 1
                elif b.status != 200 and b.fail_times > 0:
                    b.fail_times -= 1
                    self._send(b.status, {"error": "server error"})
                    return
                try:
                    status, payload = _answer(self.command, parts.path, query, body)
                except (KeyError, ValueError, TypeError, IndexError) as exc:
                    status, payload = 400, {"code": "InvalidQuery", "message": repr(exc)}
                self._send(status, payload)

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer to

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _answer(method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    if method == "GET" and path.startswith("/table/v1/"):
        coords = [
            tuple(map(float, c.split(","))) for c in unquote(path.split("/", 4)[4]).split(";")
        ]
        src = [int(i) for i in query["sources"][0].split(";")]
        dst = [int(i) for i in query["destinations"][0].split(";")]
        if query.get("annotations") != ["distance,duration"]:
            return 400, {"code": "InvalidOptions"}
        cells = [[road(coords[i], coords[j]) for j in dst] for i in src]  # type: ignore[arg-type]
        return 200, {
            "code": "Ok",
            "distances": [[c and round(c[0], 1) for c in row] for row in cells],
            "durations": [[c and round(c[1], 1) for c in row] for row in cells],
            "sources": [{"location": coords[i]} for i in src],
            "destinations": [{"location": coords[j]} for j in dst],
        }
    if method == "POST" and path == "/sources_to_targets":
        if body["units"] != "kilometers":
            return 400, {"error": "units"}
        src = [(p["lon"], p["lat"]) for p in body["sources"]]
        dst = [(p["lon"], p["lat"]) for p in body["targets"]]
        rows = []
        for i, a in enumerate(src):
            row = []
            for j, b in enumerate(dst):
                c = road(a, b)
                row.append(
                    {
                        "from_index": i,
                        "to_index": j,
                        "distance": round(c[0] / 1000, 3) if c else None,
                        "time": round(c[1]) if c else None,
                    }
                )
            rows.append(row)
        return 200, {
            "sources_to_targets": rows,
            "units": "kilometers",
            "sources": [body["sources"]],
            "targets": [body["targets"]],
        }
    if method == "POST" and path.startswith("/v2/matrix/"):
        locs = [tuple(p) for p in body["locations"]]
        src, dst = body["sources"], body["destinations"]
        cells = [[road(locs[i], locs[j]) for j in dst] for i in src]
        return 200, {
            "distances": [[c and round(c[0], 2) for c in row] for row in cells],
            "durations": [[c and round(c[1], 2) for c in row] for row in cells],
            "metadata": {"query": body},
        }
    return 404, {"error": "not found"}
