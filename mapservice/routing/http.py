"""Routing engines over HTTP: OSRM, Valhalla and openrouteservice (public or self-hosted).

Each speaks its engine's own matrix API (OSRM ``table``, Valhalla ``sources_to_targets``,
ORS ``/v2/matrix``). Requests go through :mod:`._http` (User-Agent, timeout, pace, retries on
timeouts, refused connections, 429 and 5xx). Answers per pair (including "no route", a real
answer) are cached under the pair's coordinates rounded to 5 decimals (about 1 m): one read for
a whole matrix, and the new answers of a matrix written in one transaction (even when a later
request of it fails, what was answered is kept); failures are never cached. Large matrices are
cut into requests within each engine's limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

import numpy as np

from mapservice.errors import ConfigError, RoutingUnavailable, ntr, tr
from mapservice.routing._http import HttpClient, Refused, Unanswered, make_pace
from mapservice.routing.base import Distance, DistanceMatrix, Point, check_point, check_points
from mapservice.routing.geodesic import geodesic_matrix_m

USER_AGENT = "mapservice/0.1 (economie circulaire Saguenay-Lac-Saint-Jean)"


#: A pair's answer: (road_m, duration_s), both None when the engine found no route.
Answer = tuple[float | None, float | None]


class RouteCache(Protocol):
    def route_answers(self, backend: str, keys: Iterable[str]) -> dict[str, Answer]:
        """The cached answers among ``keys`` (a key never asked is absent)."""

    def save_route_answers(self, backend: str, answers: Mapping[str, Answer]) -> int:
        """Remember every answer of ``answers`` in one transaction; return how many."""


def pair_key(a: Point, b: Point) -> str:
    """Key of an origin → destination pair in the cache: ``lon,lat;lon,lat`` at 5 decimals."""
    return f"{a[0]:.5f},{a[1]:.5f};{b[0]:.5f},{b[1]:.5f}"


def chunk_sizes(
    n_sources: int, n_targets: int, *, max_coords: int, max_pairs: int
) -> tuple[int, int]:
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

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 2,
        min_delay_s: float = 0.0,
        cache: RouteCache | None = None,
        user_agent: str = USER_AGENT,
        profile: str = "",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                tr(
                    "URL du moteur de routage {name} invalide : {url!r} "
                    "(attendu http(s)://hôte[:port][/chemin])",
                    name=self.name,
                    url=url,
                )
            )
        self.url = url.rstrip("/")
        self.cache = cache
        self.profile = profile
        self.http = HttpClient(
            user_agent=user_agent,
            timeout_s=timeout_s,
            retries=retries,
            pace=make_pace(min_delay_s, sleep=sleep),
            sleep=sleep,
        )

    @property
    def timeout_s(self) -> float:
        return self.http.timeout_s

    @property
    def retries(self) -> int:
        return self.http.retries

    @property
    def requests_made(self) -> int:
        return self.http.requests_made

    @property
    def cache_name(self) -> str:
        """Cache namespace: engine and profile (a truck and a car route differ)."""
        return f"{self.name}:{self.profile}" if self.profile else self.name

    # -- DistanceBackend ---------------------------------------------------------------------

    def distance(self, a: Point, b: Point) -> Distance:
        """Return the engine's distance from ``a`` to ``b``."""
        a, b = check_point(a, field="a"), check_point(b, field="b")
        return self.matrix([a], [b])[0][0]

    def matrix(self, origins: Sequence[Point], destinations: Sequence[Point]) -> DistanceMatrix:
        """Return distances from every origin to every destination, cached pairs first."""
        origins = check_points(origins, field="origins")
        destinations = check_points(destinations, field="destinations")
        cells: Cells = [[(None, None)] * len(destinations) for _ in origins]
        todo = [[True] * len(destinations) for _ in origins]
        keys = [[pair_key(a, b) for b in destinations] for a in origins]
        if self.cache is not None:
            cached = self.cache.route_answers(self.cache_name, {k for row in keys for k in row})
            for i, row in enumerate(keys):
                for j, key in enumerate(row):
                    if key in cached:
                        cells[i][j] = cached[key]
                        todo[i][j] = False
        rows = [i for i, row in enumerate(todo) if any(row)]
        cols = [j for j in range(len(destinations)) if any(todo[i][j] for i in rows)]
        if rows and cols:
            answered: dict[str, Answer] = {}
            try:
                self._fill(origins, destinations, rows, cols, cells, todo, keys, answered)
            finally:
                if self.cache is not None and answered:
                    self.cache.save_route_answers(self.cache_name, answered)
        geo = geodesic_matrix_m(origins, destinations)
        road = [[np.nan if c[0] is None else c[0] for c in row] for row in cells]
        dur = [[np.nan if c[1] is None else c[1] for c in row] for row in cells]
        return DistanceMatrix(
            self.name,
            geo,
            np.array(road).reshape(geo.shape),
            np.array(dur).reshape(geo.shape),
            reason=f"aucun itinéraire selon {self.name}",
        )

    def _fill(
        self,
        origins: list[Point],
        destinations: list[Point],
        rows: list[int],
        cols: list[int],
        cells: Cells,
        todo: list[list[bool]],
        keys: list[list[str]],
        answered: dict[str, Answer],
    ) -> None:
        s, t = chunk_sizes(
            len(rows), len(cols), max_coords=self.max_coords, max_pairs=self.max_pairs
        )
        for r0 in range(0, len(rows), s):
            for c0 in range(0, len(cols), t):
                ri, ci = rows[r0 : r0 + s], cols[c0 : c0 + t]
                if not any(todo[i][j] for i in ri for j in ci):
                    continue
                src, dst = [origins[i] for i in ri], [destinations[j] for j in ci]
                answer = self._table(src, dst)
                for a, i in enumerate(ri):
                    for b, j in enumerate(ci):
                        road_m, duration_s = answer[a][b]
                        cells[i][j] = (road_m, duration_s)
                        if todo[i][j]:
                            answered[keys[i][j]] = (road_m, duration_s)
                        todo[i][j] = False

    # -- one request -------------------------------------------------------------------------

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        """Ask the engine for one sub-matrix; return (road_m, duration_s) cells."""
        raise NotImplementedError

    def _request(
        self, url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        """Send one GET (no body) or JSON POST through :mod:`._http`; return the decoded JSON."""
        try:
            return self.http.request_json("GET" if body is None else "POST", url, body, headers)
        except Refused as exc:
            raise RoutingUnavailable(
                tr(
                    "Le moteur de routage {name} a refusé la requête (HTTP {code}).",
                    name=self.name,
                    code=exc.status,
                ),
                detail=exc.body,
            ) from exc
        except Unanswered as exc:
            raise RoutingUnavailable(
                ntr(
                    "Le moteur de routage {name} ne répond pas : {last}, après {n} essai.",
                    "Le moteur de routage {name} ne répond pas : {last}, après {n} essais.",
                    exc.attempts,
                    name=self.name,
                    last=exc.reason,
                ),
                detail=f"{url}: {exc.reason}",
            ) from exc

    def _bad_answer(self, what: str) -> RoutingUnavailable:
        return RoutingUnavailable(
            tr(
                "Réponse inattendue du moteur de routage {name} : {what}.",
                name=self.name,
                what=what,
            )
        )


class OsrmBackend(HttpBackend):
    """OSRM ``table`` service: ``GET {url}/table/v1/{profile}/{lon,lat;...}``."""

    name = "osrm"
    max_coords = 100  # osrm-routed --max-table-size defaults to 100

    def __init__(self, url: str, *, profile: str = "driving", **kwargs: Any) -> None:
        super().__init__(url, profile=profile, **kwargs)

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in [*sources, *targets])
        n = len(sources)
        query = (
            f"sources={';'.join(str(i) for i in range(n))}"
            f"&destinations={';'.join(str(n + j) for j in range(len(targets)))}"
            "&annotations=distance,duration"
        )
        answer = self._request(f"{self.url}/table/v1/{self.profile}/{coords}?{query}")
        if not isinstance(answer, dict) or answer.get("code") != "Ok":
            code = answer.get("code") if isinstance(answer, dict) else answer
            raise self._bad_answer(f"code {code!r}")
        return _zip_tables(
            answer.get("distances"), answer.get("durations"), n, len(targets), self._bad_answer
        )


class ValhallaBackend(HttpBackend):
    """Valhalla ``POST {url}/sources_to_targets`` (distances in km, converted to metres)."""

    name = "valhalla"
    max_coords = 100
    max_pairs = 2_500  # service_limits.*.max_matrix_location_pairs default

    def __init__(self, url: str, *, costing: str = "truck", **kwargs: Any) -> None:
        super().__init__(url, profile=costing, **kwargs)

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        body = {
            "sources": [{"lat": lat, "lon": lon} for lon, lat in sources],
            "targets": [{"lat": lat, "lon": lon} for lon, lat in targets],
            "costing": self.profile,
            "units": "kilometers",
        }
        answer = self._request(f"{self.url}/sources_to_targets", body)
        rows = answer.get("sources_to_targets") if isinstance(answer, dict) else None
        if not isinstance(rows, list) or len(rows) != len(sources):
            raise self._bad_answer("« sources_to_targets » absent ou de mauvaise taille")
        cells: Cells = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(targets):
                raise self._bad_answer("ligne de « sources_to_targets » de mauvaise taille")
            cells.append(
                [
                    _pair(_number(c.get("distance"), 1000.0), _number(c.get("time")))
                    if isinstance(c, dict)
                    else (None, None)
                    for c in row
                ]
            )
        return cells


class OrsBackend(HttpBackend):
    """openrouteservice ``POST {url}/v2/matrix/{profile}`` (metres and seconds)."""

    name = "ors"
    max_coords = 100
    max_pairs = 3_500  # public API: sources × destinations per request

    def __init__(
        self, url: str, *, api_key: str | None = None, profile: str = "driving-hgv", **kwargs: Any
    ) -> None:
        super().__init__(url, profile=profile, **kwargs)
        self.api_key = api_key

    def _table(self, sources: list[Point], targets: list[Point]) -> Cells:
        n = len(sources)
        body = {
            "locations": [[lon, lat] for lon, lat in [*sources, *targets]],
            "sources": list(range(n)),
            "destinations": list(range(n, n + len(targets))),
            "metrics": ["distance", "duration"],
            "units": "m",
        }
        headers = {"Authorization": self.api_key} if self.api_key else None
        answer = self._request(f"{self.url}/v2/matrix/{self.profile}", body, headers)
        if not isinstance(answer, dict):
            raise self._bad_answer("objet JSON attendu")
        return _zip_tables(
            answer.get("distances"), answer.get("durations"), n, len(targets), self._bad_answer
        )


def _number(value: Any, factor: float = 1.0) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) * factor


def _pair(road_m: float | None, duration_s: float | None) -> tuple[float | None, float | None]:
    # Half an answer is no answer: never a distance without its time, or the reverse.
    if road_m is None or duration_s is None:
        return None, None
    return road_m, duration_s


def _zip_tables(
    distances: Any, durations: Any, n: int, m: int, bad: Callable[[str], RoutingUnavailable]
) -> Cells:
    for name, table in (("distances", distances), ("durations", durations)):
        if not (
            isinstance(table, list)
            and len(table) == n
            and all(isinstance(row, list) and len(row) == m for row in table)
        ):
            raise bad(f"« {name} » absent ou de mauvaise taille (attendu {n} × {m})")
    cells: Cells = []
    for drow, trow in zip(distances, durations, strict=True):
        cells.append([_pair(_number(d), _number(t)) for d, t in zip(drow, trow, strict=True)])
    return cells
