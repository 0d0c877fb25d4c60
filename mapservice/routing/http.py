"""Routing engines over HTTP: OSRM, Valhalla and openrouteservice (public or self-hosted).

Each speaks its engine's own matrix API (OSRM ``table``, Valhalla ``sources_to_targets``,
ORS ``/v2/matrix``). Every request carries a User-Agent and a timeout, waits on an optional
throttle, and is retried on timeouts, refused connections, 429 and 5xx. Answers per pair
(including "no route", a real answer) are cached under the pair's coordinates rounded to 5
decimals (about 1 m), as ``[{"road_m": …, "duration_s": …}]``; failures are never cached.
Large matrices are cut into requests within each engine's limits.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

import numpy as np

from mapservice.errors import ConfigError, RoutingUnavailable, tr
from mapservice.routing._throttle import Throttle
from mapservice.routing.base import (
    Distance,
    DistanceMatrix,
    Point,
    check_point,
    check_points,
)
from mapservice.routing.geodesic import geodesic_matrix_m

USER_AGENT = "mapservice/0.1 (economie circulaire Saguenay-Lac-Saint-Jean)"


class RouteCache(Protocol):
    def cache_get(self, backend: str, key: str) -> list[Any] | dict[str, Any] | None: ...

    def cache_put(self, backend: str, key: str, query: str,
                  value: list[Any] | dict[str, Any]) -> None: ...


def pair_key(a: Point, b: Point) -> str:
    """Key of an origin → destination pair in the cache: ``lon,lat;lon,lat`` at 5 decimals."""
    return f"{a[0]:.5f},{a[1]:.5f};{b[0]:.5f},{b[1]:.5f}"


def chunk_sizes(n_sources: int, n_targets: int, *, max_coords: int,
                max_pairs: int) -> tuple[int, int]:
    """Return (sources, targets) per request so that s + t <= max_coords and s × t <= max_pairs."""
    half = max(1, max_coords // 2)
    s = max(1, min(n_sources, max(half, max_coords - n_targets)))
    t = max(1, min(n_targets, max_coords - s))
    while s * t > max_pairs and (s > 1 or t > 1):
        if s >= t:
            s -= 1
        else:
            t -= 1
    return s, t


Cells = list[list[tuple[float | None, float | None]]]  # (road_m, duration_s) per pair


class HttpBackend:
    """What the three engines share: configuration, cache, chunking, retries."""

    name = "http"
    #: Engine limits for one request: coordinates (sources + targets) and pairs.
    max_coords = 100
    max_pairs = 10_000

    def __init__(self, url: str, *, timeout_s: float = 10.0, retries: int = 2,
                 min_delay_s: float = 0.0, cache: RouteCache | None = None,
                 user_agent: str = USER_AGENT, profile: str = "",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(tr("URL du moteur de routage {name} invalide : {url!r} "
                                 "(attendu http(s)://hôte[:port][/chemin])",
                                 name=self.name, url=url))
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.retries = retries
        self.cache = cache
        self.user_agent = user_agent
        self.profile = profile
        self.throttle = Throttle(min_delay_s, sleep=sleep)
        self._sleep = sleep
        self.requests_made = 0

    @property
    def cache_name(self) -> str:
        """Cache namespace: engine and profile (a truck and a car route differ)."""
        return f"{self.name}:{self.profile}" if self.profile else self.name

    # -- DistanceBackend ---------------------------------------------------------------------

    def distance(self, a: Point, b: Point) -> Distance:
        """Return the engine's distance from ``a`` to ``b``."""
        a, b = check_point(a, field="a"), check_point(b, field="b")
        return self.matrix([a], [b])[0][0]

    def matrix(self, origins: Sequence[Point],
               destinations: Sequence[Point]) -> DistanceMatrix:
        """Return distances from every origin to every destination, cached pairs first."""
        origins = check_points(origins, field="origins")
        destinations = check_points(destinations, field="destinations")
        cells: Cells = [[(None, None)] * len(destinations) for _ in origins]
        todo = [[True] * len(destinations) for _ in origins]
        if self.cache is not None:
            for i, a in enumerate(origins):
                for j, b in enumerate(destinations):
                    cached = _cached_pair(self.cache.cache_get(self.cache_name, pair_key(a, b)))
                    if cached is not None:
                        cells[i][j] = cached
                        todo[i][j] = False
        rows = [i for i, row in enumerate(todo) if any(row)]
        cols = [j for j in range(len(destinations)) if any(todo[i][j] for i in rows)]
        if rows and cols:
            self._fill(origins, destinations, rows, cols, cells, todo)
        geo = geodesic_matrix_m(origins, destinations)
        road = [[np.nan if c[0] is None else c[0] for c in row] for row in cells]
        dur = [[np.nan if c[1] is None else c[1] for c in row] for row in cells]
        return DistanceMatrix(self.name, geo, np.array(road).reshape(geo.shape),
                              np.array(dur).reshape(geo.shape),
                              reason=f"aucun itinéraire selon {self.name}")

    def _fill(self, origins: list[Point], destinations: list[Point], rows: list[int],
              cols: list[int], cells: Cells, todo: list[list[bool]]) -> None:
        s, t = chunk_sizes(len(rows), len(cols), max_coords=self.max_coords,
                           max_pairs=self.max_pairs)
        for r0 in range(0, len(rows), s):
            for c0 in range(0, len(cols), t):
                ri, ci = rows[r0:r0 + s], cols[c0:c0 + t]
                if not any(todo[i][j] for i in ri for j in ci):
                    continue
                src, dst = [origins[i] for i in ri], [destinations[j] for j in ci]
                answer = self._table(src, dst)
                for a, i in enumerate(ri):
                    for b, j in enumerate(ci):
                        road_m, duration_s = answer[a][b]
                        cells[i][j] = (road_m, duration_s)
                        if self.cache is not None and todo[i][j]:
                            key = pair_key(origins[i], destinations[j])
                            self.cache.cache_put(self.cache_name, key, key,
                                                 [{"road_m": road_m, "duration_s": duration_s}])
                        todo[i][j] = False

    # -- one request -------------------------------------------------------------------------

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        """Ask the engine for one sub-matrix; return (road_m, duration_s) cells."""
        raise NotImplementedError

    def _request(self, url: str, body: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> Any:
        """Send one GET (no body) or JSON POST with retries; return the decoded JSON."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        all_headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(min(2.0 ** (attempt - 1), 8.0) * max(self.throttle.min_delay_s, 0.05))
            self.throttle.wait()
            self.requests_made += 1
            request = urllib.request.Request(url, data=data, headers=all_headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                text = _error_text(exc)
                if exc.code == 429 or exc.code >= 500:
                    last = f"HTTP {exc.code}"
                    continue
                raise RoutingUnavailable(
                    tr("Le moteur de routage {name} a refusé la requête (HTTP {code}).",
                       name=self.name, code=exc.code),
                    detail=text,
                ) from exc
            except TimeoutError as exc:
                last = f"délai de {self.timeout_s:g} s dépassé ({exc})"
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    last = f"délai de {self.timeout_s:g} s dépassé"
                else:
                    last = f"connexion impossible ({exc.reason})"
            except (ValueError, OSError, http.client.HTTPException) as exc:
                # bad JSON, connection reset or answer cut mid-way
                last = f"réponse illisible ({type(exc).__name__})"
        raise RoutingUnavailable(
            tr("Le moteur de routage {name} ne répond pas : {last}, après "
               "{retries} essai(s).", name=self.name, last=last, retries=self.retries + 1),
            detail=f"{url}: {last}",
        )

    def _bad_answer(self, what: str) -> RoutingUnavailable:
        return RoutingUnavailable(tr("Réponse inattendue du moteur de routage {name} : {what}.",
                                     name=self.name, what=what))


class OsrmBackend(HttpBackend):
    """OSRM ``table`` service: ``GET {url}/table/v1/{profile}/{lon,lat;...}``."""

    name = "osrm"
    max_coords = 100  # osrm-routed --max-table-size defaults to 100

    def __init__(self, url: str, *, profile: str = "driving", **kwargs: Any) -> None:
        super().__init__(url, profile=profile, **kwargs)

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in [*sources, *targets])
        n = len(sources)
        query = (f"sources={';'.join(str(i) for i in range(n))}"
                 f"&destinations={';'.join(str(n + j) for j in range(len(targets)))}"
                 "&annotations=distance,duration")
        answer = self._request(f"{self.url}/table/v1/{self.profile}/{coords}?{query}")
        if not isinstance(answer, dict) or answer.get("code") != "Ok":
            code = answer.get("code") if isinstance(answer, dict) else answer
            raise self._bad_answer(f"code {code!r}")
        return _zip_tables(answer.get("distances"), answer.get("durations"), n, len(targets),
                           self._bad_answer)


class ValhallaBackend(HttpBackend):
    """Valhalla ``POST {url}/sources_to_targets`` (distances in km, converted to metres)."""

    name = "valhalla"
    max_coords = 100
    max_pairs = 2_500  # service_limits.*.max_matrix_location_pairs default

    def __init__(self, url: str, *, costing: str = "truck", **kwargs: Any) -> None:
        super().__init__(url, profile=costing, **kwargs)

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        body = {"sources": [{"lat": lat, "lon": lon} for lon, lat in sources],
                "targets": [{"lat": lat, "lon": lon} for lon, lat in targets],
                "costing": self.profile, "units": "kilometers"}
        answer = self._request(f"{self.url}/sources_to_targets", body)
        rows = answer.get("sources_to_targets") if isinstance(answer, dict) else None
        if not isinstance(rows, list) or len(rows) != len(sources):
            raise self._bad_answer("« sources_to_targets » absent ou de mauvaise taille")
        cells: Cells = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(targets):
                raise self._bad_answer("ligne de « sources_to_targets » de mauvaise taille")
            cells.append([_pair(_number(c.get("distance"), 1000.0), _number(c.get("time")))
                          if isinstance(c, dict) else (None, None) for c in row])
        return cells


class OrsBackend(HttpBackend):
    """openrouteservice ``POST {url}/v2/matrix/{profile}`` (metres and seconds)."""

    name = "ors"
    max_coords = 100
    max_pairs = 3_500  # public API: sources × destinations per request

    def __init__(self, url: str, *, api_key: str | None = None, profile: str = "driving-hgv",
                 **kwargs: Any) -> None:
        super().__init__(url, profile=profile, **kwargs)
        self.api_key = api_key

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        n = len(sources)
        body = {"locations": [[lon, lat] for lon, lat in [*sources, *targets]],
                "sources": list(range(n)), "destinations": list(range(n, n + len(targets))),
                "metrics": ["distance", "duration"], "units": "m"}
        headers = {"Authorization": self.api_key} if self.api_key else None
        answer = self._request(f"{self.url}/v2/matrix/{self.profile}", body, headers)
        if not isinstance(answer, dict):
            raise self._bad_answer("objet JSON attendu")
        return _zip_tables(answer.get("distances"), answer.get("durations"), n, len(targets),
                           self._bad_answer)


def _cached_pair(value: Any) -> tuple[float | None, float | None] | None:
    """Return the (road_m, duration_s) of a cache entry, or None when it holds no pair.

    Entries are stored as a one-item list of ``{"road_m", "duration_s"}``: the shape of the
    geocoding cache table (a list of JSON objects), so the same store serves both.
    """
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict) or not {"road_m", "duration_s"} <= value.keys():
        return None
    return _pair(_number(value["road_m"]), _number(value["duration_s"]))


def _number(value: Any, factor: float = 1.0) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) * factor


def _pair(road_m: float | None, duration_s: float | None) -> tuple[float | None, float | None]:
    # Half an answer is no answer: never a distance without its time, or the reverse.
    if road_m is None or duration_s is None:
        return None, None
    return road_m, duration_s


def _zip_tables(distances: Any, durations: Any, n: int, m: int,
                bad: Callable[[str], RoutingUnavailable]) -> Cells:
    for name, table in (("distances", distances), ("durations", durations)):
        if not (isinstance(table, list) and len(table) == n
                and all(isinstance(row, list) and len(row) == m for row in table)):
            raise bad(f"« {name} » absent ou de mauvaise taille (attendu {n} × {m})")
    cells: Cells = []
    for drow, trow in zip(distances, durations, strict=True):
        cells.append([_pair(_number(d), _number(t)) for d, t in zip(drow, trow, strict=True)])
    return cells


def _error_text(exc: urllib.error.HTTPError) -> str:
    """Return the start of an error answer's body (for logs), and close it."""
    try:
        return exc.read().decode("utf-8", "replace")[:500]
    except (OSError, http.client.HTTPException):
        return repr(exc)
    finally:
        exc.close()
