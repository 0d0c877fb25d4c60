"""The region map page in headless Chromium: page weight, markers drawn, zoom responsiveness.

For each size (250, 5,000 and 50,000 sites by default) the benchmark builds an SQLite database in a
temporary folder (the reference data, then a generated membership imported through the normal
importer), starts ``python -m mapservice.cli serve`` on it, and loads ``/`` in Debian's
Chromium driven by Playwright, several times, each in a fresh browser context (cold cache):

* page weight: bytes of the document and of every sub-resource (Resource Timing);
* markers drawn: ``performance.now()`` when the page sets
  ``document.documentElement.dataset.sitesDrawn`` (its contract: every site marker added and
  drawn);
* responsiveness: ``map.setView`` to Chicoutimi three zoom levels in, then ``moveend`` and two
  animation frames; the longest task (PerformanceObserver ``longtask``).

The baseline is measured in the same run on the same sites: by default the same server's
``/`` with every site inline, clustered in the browser (``MAPSERVICE_MAP_SERVER_CLUSTERS_ABOVE``
set past any size: the page before issue 20); with ``--baseline per-marker``, the per-marker
Folium map that ``/`` served before issue 5 (``bench/pages_baseline.py``), rendered to one HTML
file and served with the app's vendored assets by a loopback ``http.server``. Every request
that does not go to 127.0.0.1 is blocked and counted.

Run ``python -m bench.pages --help`` (or ``make bench-pages``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import functools
import http.server
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.serving import serve
from mapservice.config import finish_settings, load_settings
from mapservice.ops.demo import HEADER, render_csv
from mapservice.services import DEMO_FILE, Services

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "mapservice" / "web" / "static"
KIB = 1024

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}

#: Targets of issue 5, checked at 5,000 sites and more.
TARGET_SITES = 5000
TARGET_DRAWN_MS = 3000.0
TARGET_ZOOM_MS = 500.0
#: Targets of issue 20, checked at 50,000 sites and more: a province's network.
PROVINCE_SITES = 50000
PROVINCE_DRAWN_MS = 1500.0
PROVINCE_WEIGHT_BYTES = 2_000_000
#: The setting that keeps the whole map inline (the page as it was before issue 20).
INLINE_SETTINGS = {"MAPSERVICE_MAP_SERVER_CLUSTERS_ABOVE": str(10**9)}

#: Where the zoom-in goes: downtown Chicoutimi, the densest part of the region, [lat, lon].
ZOOM_TARGET = (48.4280, -71.0680)
ZOOM_LEVELS_IN = 3

#: Share of the generated sites placed inside an industrial park's outline.
PARK_SHARE = 0.6


def _stage(text: str) -> None:
    print(f"[pages] {text}", file=sys.stderr, flush=True)


# --- the membership -------------------------------------------------------------------------


def _read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


@dataclass(frozen=True)
class _Anchor:
    """Where sites go: a park outline, or a place's centre with a scatter in km."""

    municipality: str
    lat: float
    lon: float
    sigma_km: float = 0.0
    outline: Any = None
    streets: tuple[str, ...] = ()


def _anchors(data_dir: Path) -> tuple[list[_Anchor], list[_Anchor], list[float]]:
    """Parks (with their outline) and places (weighted by their number of postal codes)."""
    from shapely.geometry import shape

    places = {r["id"]: r for r in _read_csv(data_dir / "municipalities.csv")}
    parks = []
    for feature in json.loads((data_dir / "parks.geojson").read_text("utf-8"))["features"]:
        props = feature["properties"]
        outline = shape(feature["geometry"]) if feature.get("geometry") else None
        if outline is None or outline.is_empty or outline.geom_type == "Point":
            continue
        centre = outline.centroid
        parks.append(
            _Anchor(
                places[props["municipality_id"]]["name"],
                centre.y,
                centre.x,
                outline=outline,
                streets=tuple(s for s in (props.get("streets") or "").split("|") if s),
            )
        )
    codes = Counter(r["municipality_id"] for r in _read_csv(data_dir / "postal_codes.csv"))
    towns, weights = [], []
    for pid in sorted(codes):
        if pid not in places:
            continue
        place = places[pid]
        towns.append(
            _Anchor(
                place["name"],
                float(place["lat"]),
                float(place["lon"]),
                sigma_km=min(4.0, 0.3 * math.sqrt(codes[pid])),
            )
        )
        weights.append(float(codes[pid]))
    return parks, towns, weights


def _point_in(outline: Any, rng: random.Random) -> tuple[float, float]:
    """Return a (lat, lon) inside ``outline`` (5 decimals)."""
    from shapely.geometry import Point

    west, south, east, north = outline.bounds
    while True:
        lat, lon = round(rng.uniform(south, north), 5), round(rng.uniform(west, east), 5)
        if outline.contains(Point(lon, lat)):
            return lat, lon


def _scatter(anchor: _Anchor, rng: random.Random) -> tuple[float, float]:
    """Return a (lat, lon) normally scattered around ``anchor`` (5 decimals)."""
    dlat = rng.gauss(0.0, anchor.sigma_km) / 111.2
    dlon = rng.gauss(0.0, anchor.sigma_km) / (111.2 * math.cos(math.radians(anchor.lat)))
    return round(anchor.lat + dlat, 5), round(anchor.lon + dlon, 5)


def _fr(value: float) -> str:
    return f"{value:.5f}".replace(".", ",")


def generate_rows(data_dir: Path, n_sites: int, seed: int = 2021) -> list[dict[str, str]]:
    """Return the import rows of a membership of exactly ``n_sites`` sites in the region.

    Each generated member is a copy of a demo member (``data/demo/membres.csv``) drawn at
    random: its sector, contacts, consent, and for each of its sites (one to three) the offers
    and needs of that demo site, word for word, so popups weigh what real ones do and every
    category code is one the demo uses. The member gets a numbered name and its sites new
    places: ``PARK_SHARE`` of them inside a park outline (``data/parks.geojson``, on one of
    its streets), the others scattered around a place of ``data/municipalities.csv`` weighted
    by its number of postal codes. Every site carries explicit latitude and longitude, so the
    import does not need to geocode; the postal code is left empty.

    Same ``seed``, size and ``data/``: the same rows.
    """
    if n_sites < 1:
        raise ValueError("n_sites must be 1 or more")
    rng = random.Random(seed)
    demo = _read_csv(data_dir / DEMO_FILE, delimiter=";")
    members: dict[str, dict[tuple[str, str], list[dict[str, str]]]] = {}
    for row in demo:
        site_key = (row["site"], row["adresse"])
        members.setdefault(row["entreprise"], {}).setdefault(site_key, []).append(row)
    templates = [list(sites.values()) for sites in members.values()]
    parks, towns, weights = _anchors(data_dir)
    streets = json.loads((data_dir / "demo" / "vocabulary.json").read_text("utf-8"))
    town_streets: list[str] = streets["town_streets"]

    rows: list[dict[str, str]] = []
    placed = 0
    number = 0
    while placed < n_sites:
        number += 1
        sites = rng.choice(templates)[: n_sites - placed]
        base = sites[0][0]["entreprise"].replace(" (démo)", "")
        company = f"{base} n° {number} (banc d'essai)"
        for index, site_rows in enumerate(sites):
            if rng.random() < PARK_SHARE:
                anchor = rng.choice(parks)
                lat, lon = _point_in(anchor.outline, rng)
                street = rng.choice(anchor.streets or tuple(town_streets))
            else:
                anchor = rng.choices(towns, weights=weights)[0]
                lat, lon = _scatter(anchor, rng)
                street = rng.choice(town_streets)
            address = f"{rng.randint(10, 4999)}, {street}"
            site_name = "" if index == 0 else f"Établissement {index + 1}"
            for template in site_rows:
                row = dict(template)
                row.update(
                    entreprise=company,
                    site=site_name,
                    adresse=address,
                    municipalite=anchor.municipality,
                    code_postal="",
                    latitude=_fr(lat),
                    longitude=_fr(lon),
                )
                rows.append({k: row[k] for k in HEADER})
            placed += 1
    return rows


def write_membership(path: Path, data_dir: Path, n_sites: int, seed: int) -> int:
    """Write the generated membership as an import CSV; return the number of rows."""
    rows = generate_rows(data_dir, n_sites, seed)
    path.write_bytes(render_csv(rows).encode("utf-8"))
    return len(rows)


def _settings(folder: Path, data_dir: Path) -> dict[str, Any]:
    settings = load_settings({})
    settings.update(
        DATABASE_URL="sqlite:///" + str(folder / "mapservice.sqlite"),
        INSTANCE_PATH=str(folder / "instance"),
        SECRET_KEY="bench",
        DATA_DIR=str(data_dir),
        IMPORT_MAX_ROWS=10**7,  # a province's membership: one file of 170,000 rows, 50 MB
        IMPORT_MAX_BYTES=2**31,
    )
    return finish_settings(settings)


def build_database(folder: Path, data_dir: Path, size: int | str, seed: int) -> dict[str, Any]:
    """Create ``folder/mapservice.sqlite``: reference data, then ``size`` sites (or the demo)."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    settings = _settings(folder, data_dir)
    svc = Services(settings)
    try:
        if size == "demo":
            svc.init_database(demo=True)
            source, n_rows = f"the demo membership ({DEMO_FILE.as_posix()})", None
        else:
            svc.init_database()
            path = folder / "membres.csv"
            n_rows = write_membership(path, data_dir, int(size), seed)
            svc.import_file(path)
            source = f"generated (seed {seed})"
        # every page needs an account: a staff member's personal token
        from mapservice.accounts import jobs as accounts

        accounts.add_user(svc, username="banc", password=secrets.token_urlsafe(16), role="staff")
        token = accounts.make_token(svc, "banc", "banc")
        counts = svc.repo.counts()
        located = sum(1 for s in svc.repo.sites() if s.lat is not None and s.lon is not None)
    finally:
        svc.close()
    return {
        "database_url": settings["DATABASE_URL"],
        "folder": str(folder),
        "source": source,
        "rows": n_rows,
        "members": counts["members"],
        "sites": counts["sites"],
        "located_sites": located,
        "flows": counts["flows"],
        "parks": counts["parks"],
        "seconds": time.perf_counter() - started,
        "token": token,
    }


def build_baseline(folder: Path, data_dir: Path) -> dict[str, Any]:
    """Render the per-marker baseline page of the database in ``folder`` to ``baseline.html``."""
    from bench import pages_baseline

    settings = _settings(folder, data_dir)
    svc = Services(settings)
    try:
        started = time.perf_counter()
        sites, flows = svc.repo.sites(), svc.repo.flows()
        fmap = pages_baseline.region_map(
            parks=svc.repo.parks(),
            sites=sites,
            flows=flows,
            taxonomy=svc.taxonomy,
            municipalities=svc.gazetteer.municipalities,
            tiles=settings["TILES"],
            assets_url="/static/vendor",
        )
        html = pages_baseline.page_html(fmap)
        seconds = time.perf_counter() - started
    finally:
        svc.close()
    (folder / "baseline.html").write_text(html, encoding="utf-8")
    return {"render_s": seconds, "bytes": len(html.encode("utf-8"))}


# --- the servers ----------------------------------------------------------------------------


@contextmanager
def app_server(
    database_url: str, folder: Path, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """``python -m mapservice.cli serve`` on a free loopback port, as tests/conftest.py does
    (``settings``: more ``MAPSERVICE_…`` environment variables)."""
    with serve(database_url, folder, stop_timeout_s=10, settings=settings) as server:
        yield server.base


BENCH_VENDOR = Path(__file__).resolve().parent / "vendor"


class _BaselineHandler(http.server.SimpleHTTPRequestHandler):
    """``/baseline.html`` from the size's folder, ``/static/…`` from the app's static folder."""

    def __init__(self, *args: Any, page_dir: str, **kwargs: Any) -> None:
        self.page_dir = page_dir
        super().__init__(*args, directory=page_dir, **kwargs)

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if clean.startswith("/static/vendor/jquery/"):
            # The app dropped jQuery; the old per-marker page's popups still need it.
            return str(BENCH_VENDOR / "jquery" / clean[len("/static/vendor/jquery/") :])
        if clean.startswith("/static/"):
            return str(STATIC_DIR / clean[len("/static/") :])
        return super().translate_path(path)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """A loopback ``http.server`` serving the baseline page and the vendored assets."""
    handler = functools.partial(_BaselineHandler, page_dir=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the browser ----------------------------------------------------------------------------

#: Runs in every page before its own scripts: long tasks, when sitesDrawn appears, load + 2 rAF.
INIT_SCRIPT = """
(() => {
  const b = window.__bench = {longtasks: [], drawnAt: null, drawnValue: null, loadAt: null,
                              loadFrames: null, longtaskSupported: false, clusteredAtDrawn: null,
                              clusteredAtLoad: null, allClusteredAt: null,
                              allClusteredFrames: null};
  try { performance.setResourceTimingBufferSize(100000); } catch (e) {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
    b.longtaskSupported = PerformanceObserver.supportedEntryTypes.includes('longtask');
  } catch (e) { b.longtaskError = String(e); }
  // Markers held by every marker cluster of the page (chunked loading adds them over time).
  const clustered = () => {
    let n = 0;
    if (!(window.L && L.MarkerClusterGroup)) return 0;
    for (const k of Object.keys(window)) {
      const v = window[k];
      if (v instanceof L.MarkerClusterGroup) n += v.getLayers().length;
    }
    return n;
  };
  const frames = (f) => requestAnimationFrame(() => requestAnimationFrame(f));
  const follow = (expected) => {
    const start = performance.now();
    const tick = () => {
      if (clustered() >= expected) {
        b.allClusteredAt = performance.now();
        frames(() => { b.allClusteredFrames = performance.now(); });
      } else if (performance.now() - start < 300000) {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  };
  const seen = () => {
    const root = document.documentElement;
    if (b.drawnAt === null && root && root.dataset.sitesDrawn !== undefined) {
      b.drawnAt = performance.now();
      b.drawnValue = root.dataset.sitesDrawn;
      b.totalValue = root.dataset.sitesTotal || null;
      b.serverClusters = root.dataset.sitesClustered === 'server';
      // Clustered on the server: what it draws is already its clusters.
      b.clusteredAtDrawn = b.serverClusters ? parseInt(b.drawnValue, 10) : clustered();
      if (!b.serverClusters) follow(parseInt(b.drawnValue, 10) || 0);
    }
  };
  new MutationObserver(seen).observe(document, {subtree: true, attributes: true,
                                                attributeFilter: ['data-sites-drawn']});
  window.addEventListener('load', () => {
    b.loadAt = performance.now();
    b.clusteredAtLoad = clustered();
    frames(() => { b.loadFrames = performance.now(); });
  });
})();
"""

#: Every marker is in the cluster (at once when sitesDrawn appeared, or since, plus 2 frames).
ALL_CLUSTERED_JS = (
    "() => window.__bench.allClusteredFrames !== null || window.__bench.clusteredAtDrawn"
    " >= parseInt(window.__bench.drawnValue, 10)"
)

#: Timestamps a page may record itself for sitesDrawn (checked before our own observer's).
PAGE_STAMPS_JS = """
() => {
  const d = document.documentElement.dataset;
  for (const key of ['sitesDrawnAt', 'sitesDrawnMs', 'sitesDrawnTime']) {
    const v = parseFloat(d[key]);
    if (Number.isFinite(v)) return {source: 'dataset.' + key, ms: v};
  }
  const marks = performance.getEntriesByName('sites-drawn');
  if (marks.length) return {source: "performance mark 'sites-drawn'", ms: marks[0].startTime};
  return null;
}
"""

#: The map (the global folium names map_…), its clusters, and the DOM size.
MAP_STATE_JS = """
() => {
  const name = Object.keys(window).find((k) => k.startsWith('map_') && window[k]
                                        && typeof window[k].setView === 'function');
  let clustered = 0, clusters = 0;
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (window.L && L.MarkerClusterGroup && v instanceof L.MarkerClusterGroup) {
      clusters += 1; clustered += v.getLayers().length;
    }
  }
  const heap = performance.memory ? performance.memory.usedJSHeapSize : null;
  return {map: name || null, zoom: name ? window[name].getZoom() : null, clusters, clustered,
          dom_nodes: document.getElementsByTagName('*').length, js_heap: heap};
}
"""

#: setView(target, zoom + dz), then moveend and two animation frames; then back again.
ZOOM_JS = """
async ([name, lat, lon, dz]) => {
  const map = window[name];
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const data = document.documentElement.dataset;
  const server = data.sitesClustered === 'server';
  // A map clustered on the server has settled when it has drawn the new view's clusters.
  const drawn = (t0) => new Promise((r) => {
    const tick = () => (+data.sitesDrawnAt > t0 ? r() : requestAnimationFrame(tick));
    tick();
  });
  const move = (center, zoom) => new Promise((resolve) => {
    const t0 = performance.now();
    map.once('moveend', () => (server ? drawn(t0) : Promise.resolve())
      .then(frames).then(() => resolve([t0, performance.now()])));
    map.setView(center, zoom);
  });
  const z0 = map.getZoom(), c0 = map.getCenter();
  const zin = await move([lat, lon], z0 + dz);
  await frames();
  await new Promise((r) => setTimeout(r, 300));
  const zout = await move(c0, z0);
  await new Promise((r) => setTimeout(r, 300));
  return {zoom_from: z0, zoom_to: z0 + dz, zoom_in: zin, zoom_out: zout};
}
"""

RESOURCES_JS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const pick = (e) => ({name: e.name, type: e.initiatorType || 'navigation',
                        transfer: e.transferSize, encoded: e.encodedBodySize,
                        decoded: e.decodedBodySize});
  return {document: Object.assign(pick(nav), {ttfb: nav.responseStart,
                                               response_end: nav.responseEnd,
                                               dom_content_loaded: nav.domContentLoadedEventEnd,
                                               load: nav.loadEventEnd}),
          resources: performance.getEntriesByType('resource').map(pick)};
}
"""

_TILE_PATH = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp|pbf|mvt)$")


def _is_tile(url: str) -> bool:
    parts = urlsplit(url)
    return "tile" in (parts.hostname or "") or bool(_TILE_PATH.search(parts.path))


def _long_tasks(tasks: list[list[float]], start: float, end: float) -> dict[str, float]:
    """Longest task and total blocking time (the part of each task over 50 ms) in a window."""
    inside = [d for s, d in tasks if start <= s <= end]
    return {
        "max_ms": max(inside, default=0.0),
        "count": len(inside),
        "blocking_ms": sum(max(0.0, d - 50.0) for d in inside),
    }


def measure_page(
    browser: Any,
    url: str,
    *,
    expects_marker: bool,
    timeout_s: float,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Load ``url`` once in a fresh context and return every figure of that load
    (``headers``: the staff token the app needs; the static baseline needs none)."""
    context = browser.new_context(
        viewport=VIEWPORT, service_workers="block", extra_http_headers=headers or {}
    )
    blocked: list[dict[str, str]] = []
    local: list[str] = []

    def route(route: Any) -> None:
        request = route.request
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.hostname != "127.0.0.1":
            blocked.append(
                {"url": request.url, "type": request.resource_type, "tile": _is_tile(request.url)}
            )
            route.abort()
        else:
            local.append(request.url)
            route.continue_()

    context.add_init_script(INIT_SCRIPT)
    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    timeout_ms = timeout_s * 1000
    try:
        page.goto(url, wait_until="load", timeout=timeout_ms)
        if expects_marker:
            page.wait_for_function(
                "() => document.documentElement.dataset.sitesDrawn !== undefined",
                polling=10,
                timeout=timeout_ms,
            )
            resolved_ms = page.evaluate("performance.now()")
            page.wait_for_function(ALL_CLUSTERED_JS, polling=10, timeout=timeout_ms)
        else:
            page.wait_for_function(
                "() => window.__bench.loadFrames !== null", polling=10, timeout=timeout_ms
            )
            resolved_ms = page.evaluate("performance.now()")
        page.wait_for_timeout(500)  # let what the page deferred finish before zooming
        bench = page.evaluate("window.__bench")
        stamp = page.evaluate(PAGE_STAMPS_JS) if expects_marker else None
        state = page.evaluate(MAP_STATE_JS)
        zoom = None
        if state["map"]:
            zoom = page.evaluate(
                ZOOM_JS, [state["map"], ZOOM_TARGET[0], ZOOM_TARGET[1], ZOOM_LEVELS_IN]
            )
        page.wait_for_timeout(200)  # long-task entries arrive asynchronously
        tasks = page.evaluate("window.__bench.longtasks")
        resources = page.evaluate(RESOURCES_JS)
    finally:
        context.close()

    if expects_marker:
        if stamp is not None:
            stamp_ms, drawn_source = stamp["ms"], stamp["source"]
        elif bench["drawnAt"] is not None:
            stamp_ms, drawn_source = bench["drawnAt"], "MutationObserver on data-sites-drawn"
        else:
            stamp_ms, drawn_source = resolved_ms, "wait_for_function resolved (10 ms polling)"
        # A page that sets sitesDrawn before its cluster holds every marker (chunked loading)
        # is drawn when the last chunk is in, plus two frames.
        early = (bench["clusteredAtDrawn"] or 0) < (int(bench["drawnValue"] or 0))
        drawn_ms = stamp_ms
        if early:
            drawn_ms = bench["allClusteredFrames"]
            drawn_source += ", then all markers clustered + 2 animation frames"
    else:
        stamp_ms, early = None, False
        drawn_ms, drawn_source = bench["loadFrames"], "load event + 2 animation frames"
    doc = resources["document"]
    # The browser's own favicon request is not part of the page.
    mine = [
        r
        for r in resources["resources"]
        if urlsplit(r["name"]).hostname == "127.0.0.1"
        and urlsplit(r["name"]).path != "/favicon.ico"
    ]
    result: dict[str, Any] = {
        "drawn_ms": drawn_ms,
        "drawn_source": drawn_source,
        "stamp_ms": stamp_ms,
        "sites_drawn": bench["drawnValue"],
        "sites_total": bench.get("totalValue"),
        "server_clusters": bool(bench.get("serverClusters")),
        "drawn_early": early,
        "clustered_at_drawn": bench["clusteredAtDrawn"],
        "clustered_at_load": bench["clusteredAtLoad"],
        "all_clustered_ms": bench["allClusteredAt"] if early else bench["drawnAt"],
        "load_ms": bench["loadAt"],
        "load_frames_ms": bench["loadFrames"],
        "ttfb_ms": doc["ttfb"],
        "document_end_ms": doc["response_end"],
        "dom_content_loaded_ms": doc["dom_content_loaded"],
        "document_bytes": doc["encoded"],
        "document_decoded_bytes": doc["decoded"],
        "weight_bytes": doc["encoded"] + sum(r["encoded"] for r in mine),
        "transfer_bytes": doc["transfer"] + sum(r["transfer"] for r in mine),
        "requests": 1 + len(mine),
        "resources": [
            {"url": urlsplit(r["name"]).path, "type": r["type"], "bytes": r["encoded"]}
            for r in mine
        ],
        "local_requests": len(local),
        "tiles_blocked": sum(1 for b in blocked if b["tile"]),
        "external": [b for b in blocked if not b["tile"]],
        "external_js_css": [
            b
            for b in blocked
            if not b["tile"]
            and (
                b["type"] in ("script", "stylesheet")
                or urlsplit(b["url"]).path.endswith((".js", ".css"))
            )
        ],
        "map": state,
        "page_errors": errors,
        "longtask_supported": bench["longtaskSupported"],
        "longtasks_load": _long_tasks(tasks, 0.0, drawn_ms),
    }
    if zoom is not None:
        (in_start, in_end), (out_start, out_end) = zoom["zoom_in"], zoom["zoom_out"]
        result.update(
            zoom_in_ms=in_end - in_start,
            zoom_out_ms=out_end - out_start,
            zoom_from=zoom["zoom_from"],
            zoom_to=zoom["zoom_to"],
            longtasks_zoom=_long_tasks(tasks, in_start, in_end),
            longtasks_zoom_out=_long_tasks(tasks, out_start, out_end),
        )
    return result


def _median(runs: list[dict[str, Any]], key: str, sub: str | None = None) -> float | None:
    values = [
        (r[key][sub] if sub else r[key])
        for r in runs
        if r.get(key) is not None and (sub is None or r[key].get(sub) is not None)
    ]
    return statistics.median(values) if values else None


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every figure over the timed runs (each figure on its own)."""
    last = runs[-1]
    return {
        "runs": len(runs),
        "weight_bytes": _median(runs, "weight_bytes"),
        "transfer_bytes": _median(runs, "transfer_bytes"),
        "document_bytes": _median(runs, "document_bytes"),
        "document_decoded_bytes": _median(runs, "document_decoded_bytes"),
        "requests": _median(runs, "requests"),
        "drawn_ms": _median(runs, "drawn_ms"),
        "drawn_ms_all": [r["drawn_ms"] for r in runs],
        "drawn_source": last["drawn_source"],
        "stamp_ms": _median(runs, "stamp_ms"),
        "all_clustered_ms": _median(runs, "all_clustered_ms"),
        "sites_drawn": last["sites_drawn"],
        "sites_total": last["sites_total"],
        "server_clusters": last["server_clusters"],
        "drawn_early_runs": sum(1 for r in runs if r["drawn_early"]),
        "clustered_at_drawn": [r["clustered_at_drawn"] for r in runs],
        "clustered_at_load": [r["clustered_at_load"] for r in runs],
        "ttfb_ms": _median(runs, "ttfb_ms"),
        "document_end_ms": _median(runs, "document_end_ms"),
        "load_ms": _median(runs, "load_ms"),
        "zoom_in_ms": _median(runs, "zoom_in_ms"),
        "zoom_in_ms_all": [r.get("zoom_in_ms") for r in runs],
        "zoom_out_ms": _median(runs, "zoom_out_ms"),
        "longtask_load_max_ms": _median(runs, "longtasks_load", "max_ms"),
        "longtask_load_blocking_ms": _median(runs, "longtasks_load", "blocking_ms"),
        "longtask_zoom_max_ms": _median(runs, "longtasks_zoom", "max_ms"),
        "longtask_supported": last["longtask_supported"],
        "clustered_markers": last["map"]["clustered"],
        "map": last["map"]["map"],
        "dom_nodes": _median([{"v": r["map"]["dom_nodes"]} for r in runs], "v"),
        "js_heap_bytes": _median([{"v": r["map"]["js_heap"]} for r in runs], "v"),
        "tiles_blocked": max(r["tiles_blocked"] for r in runs),
        "external": last["external"],
        "external_count": max(len(r["external"]) for r in runs),
        "external_js_css": max(len(r["external_js_css"]) for r in runs),
        "page_errors": sorted({e for r in runs for e in r["page_errors"]}),
        "resources": last["resources"],
    }


def run_page(
    browser: Any,
    url: str,
    *,
    expects_marker: bool,
    repeat: int,
    timeout_s: float,
    label: str,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One warm-up load (not counted), then ``repeat`` timed loads; their medians."""
    measure_page(browser, url, expects_marker=expects_marker, timeout_s=timeout_s, headers=headers)
    runs = []
    for k in range(repeat):
        runs.append(
            measure_page(
                browser, url, expects_marker=expects_marker, timeout_s=timeout_s, headers=headers
            )
        )
        _stage(
            f"{label}: run {k + 1}/{repeat}: drawn {runs[-1]['drawn_ms']:,.0f} ms, zoom "
            f"{runs[-1].get('zoom_in_ms', float('nan')):,.0f} ms"
        )
    return summarise(runs)


def has_sites_drawn(root: Path = ROOT) -> bool:
    """Whether the app's map code sets sitesDrawn yet (mapservice/maps.py or static JS)."""
    paths = [
        root / "mapservice" / "maps.py",
        root / "mapservice" / "web" / "pages.py",
        *sorted((root / "mapservice" / "web" / "static" / "js").glob("*.js")),
        *sorted((root / "mapservice" / "web" / "templates").glob("*.html")),
    ]
    return any("sitesDrawn" in p.read_text("utf-8", "replace") for p in paths if p.is_file())


# --- report ---------------------------------------------------------------------------------


def _ratio(new: float | None, old: float | None) -> float | None:
    return new / old if new is not None and old else None


def verdicts(size_info: dict[str, Any]) -> list[dict[str, Any]]:
    """PASS/FAIL lines of one size: external requests always; the targets at 5,000+ sites."""
    new, base = size_info["new"], size_info.get("baseline")
    out = [
        {
            "figure": "external requests (not tiles)",
            "value": new["external_count"],
            "target": "0",
            "pass": new["external_count"] == 0,
        },
        {
            "figure": "external JS/CSS",
            "value": new["external_js_css"],
            "target": "0",
            "pass": new["external_js_css"] == 0,
        },
    ]
    expected = size_info["data"]["located_sites"]
    # Clustered on the server, the page counts the view's sites apart from those it draws
    # (its viewport's); inline, it draws them all.
    drawn = new["sites_total"] if new.get("server_clusters") else new["sites_drawn"]
    out.append(
        {
            "figure": "sites of the view = located sites",
            "value": drawn,
            "target": str(expected),
            "pass": drawn is not None and str(drawn) == str(expected),
        }
    )
    if new["stamp_ms"] is not None:
        out.append(
            {
                "figure": "every marker clustered when sitesDrawn is set",
                "value": f"{new['runs'] - new['drawn_early_runs']} of {new['runs']} runs",
                "target": "all runs",
                "pass": new["drawn_early_runs"] == 0,
            }
        )
    size = size_info["data"]["sites"]
    if size >= TARGET_SITES:
        out.append(
            {
                "figure": "markers drawn (ms)",
                "value": new["drawn_ms"],
                "target": f"≤ {TARGET_DRAWN_MS:,.0f}",
                "pass": new["drawn_ms"] is not None and new["drawn_ms"] <= TARGET_DRAWN_MS,
            }
        )
        out.append(
            {
                "figure": "zoom settle (ms)",
                "value": new["zoom_in_ms"],
                "target": f"≤ {TARGET_ZOOM_MS:,.0f}",
                "pass": new["zoom_in_ms"] is not None and new["zoom_in_ms"] <= TARGET_ZOOM_MS,
            }
        )
        if base is not None:
            out.append(
                {
                    "figure": "drawn vs baseline",
                    "value": size_info["ratios"]["drawn"],
                    "target": "≤ 1.00×",
                    "pass": new["drawn_ms"] is not None
                    and base["drawn_ms"] is not None
                    and new["drawn_ms"] <= base["drawn_ms"],
                }
            )
    if size >= PROVINCE_SITES:
        out.append(
            {
                "figure": "province: drawn (ms)",
                "value": new["drawn_ms"],
                "target": f"< {PROVINCE_DRAWN_MS:,.0f}",
                "pass": new["drawn_ms"] is not None and new["drawn_ms"] < PROVINCE_DRAWN_MS,
            }
        )
        out.append(
            {
                "figure": "province: weight (bytes)",
                "value": new["weight_bytes"],
                "target": f"< {PROVINCE_WEIGHT_BYTES:,}",
                "pass": new["weight_bytes"] is not None
                and new["weight_bytes"] < PROVINCE_WEIGHT_BYTES,
            }
        )
    return out


def _fmt(value: float | None, spec: str = ",.0f", suffix: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{suffix}"


def print_report(meta: dict[str, Any], results: list[dict[str, Any]]) -> None:
    print(
        f"Region map page `/` in headless Chromium ({meta['chromium']}), "
        f"{meta['cpus']} CPUs, viewport {VIEWPORT['width']}×{VIEWPORT['height']}, "
        f"median of {meta['repeat']} cold loads after one warm-up; {meta['date']}; load "
        f"average {meta['load_average'][0]:.1f} at the start, {meta['load_average'][1]:.1f} "
        f"at the end (other processes slow the figures down)."
    )
    if meta["new_drawn"]:
        how = "drawn = when the page sets dataset.sitesDrawn"
    else:
        how = "drawn = load event + 2 animation frames, as the baseline"
    code = (
        "sets sitesDrawn"
        if meta["sites_drawn_code"]
        else "does NOT set sitesDrawn yet: the current per-marker `/` is measured"
    )
    print(f"New page: the app's `/` (mapservice/ {code}); {how}.")
    if meta.get("baseline") == "per-marker":
        print(
            "Baseline: bench/pages_baseline.py (per-marker Folium region map of commit "
            "cde3935), one static HTML file with the vendored assets, same sites."
        )
    else:
        print(
            "Baseline: the same server's `/` with every site inline and clustered in the "
            "browser (MAPSERVICE_MAP_SERVER_CLUSTERS_ABOVE=1000000000: the page before issue "
            "20), same sites, same run."
        )
    print()
    head = (
        f"{'sites':>6}  {'page':<9}{'weight KiB':>11}{'doc KiB':>10}{'req':>5}"
        f"{'drawn ms':>10}{'zoom ms':>9}{'out ms':>8}{'max LT ms':>10}{'TTFB ms':>9}"
        f"{'× weight':>10}{'× drawn':>9}"
    )
    print(head)
    print("-" * len(head))
    for res in results:
        size = res["data"]["sites"]
        for name in ("new", "baseline"):
            page = res.get(name)
            if page is None:
                continue
            ratio_w = ratio_d = ""
            if name == "new" and res.get("baseline") is not None:
                ratio_w = _fmt(res["ratios"]["weight"], ".2f", "×")
                ratio_d = _fmt(res["ratios"]["drawn"], ".2f", "×")
            print(
                f"{size:>6,}  {name:<9}{_fmt(page['weight_bytes'] / KIB):>11}"
                f"{_fmt(page['document_bytes'] / KIB):>10}{_fmt(page['requests']):>5}"
                f"{_fmt(page['drawn_ms']):>10}{_fmt(page['zoom_in_ms']):>9}"
                f"{_fmt(page['zoom_out_ms']):>8}{_fmt(page['longtask_load_max_ms']):>10}"
                f"{_fmt(page['ttfb_ms']):>9}{ratio_w:>10}{ratio_d:>9}"
            )
    print()
    for res in results:
        data, new = res["data"], res["new"]
        print(
            f"{data['sites']:,} sites: {data['source']}; {data['members']:,} members, "
            f"{data['flows']:,} offers and needs, {data['parks']} parks; database built in "
            f"{data['seconds']:.1f} s."
        )
        if new["stamp_ms"] is not None:
            print(
                f"  new page: sitesDrawn set at {_fmt(new['stamp_ms'])} ms with "
                f"{'/'.join(str(n) for n in new['clustered_at_drawn'])} markers in the cluster "
                f"(runs); all {new['sites_drawn']} in the cluster at "
                f"{_fmt(new['all_clustered_ms'])} ms."
            )
        print(
            f"  new page: drawn = {new['drawn_source']}; sitesDrawn = {new['sites_drawn']}; "
            f"{new['clustered_markers']} markers in clusters; external requests: "
            f"{new['external_count']}, tiles blocked: {new['tiles_blocked']}; DOM nodes "
            f"{_fmt(new['dom_nodes'])}, JS heap "
            f"{_fmt((new['js_heap_bytes'] or 0) / 2**20, '.0f')} MiB; "
            f"max long task while zooming {_fmt(new['longtask_zoom_max_ms'])} ms; "
            f"drawn runs {', '.join(_fmt(v) for v in new['drawn_ms_all'])} ms."
        )
        if new["page_errors"]:
            print(f"  new page JavaScript errors: {'; '.join(new['page_errors'][:3])}")
        base = res.get("baseline")
        if base is not None:
            print(
                f"  baseline: drawn = {base['drawn_source']}; {base['clustered_markers']} "
                f"markers in clusters; external requests: {base['external_count']}, tiles "
                f"blocked: {base['tiles_blocked']}; DOM nodes {_fmt(base['dom_nodes'])}, JS "
                f"heap {_fmt((base['js_heap_bytes'] or 0) / 2**20, '.0f')} MiB; max long "
                f"task while zooming {_fmt(base['longtask_zoom_max_ms'])} ms"
                + (
                    f"; Folium render {res['baseline_build']['render_s']:.1f} s, not in its "
                    f"figures (the old app rendered it per request: drawn + render ≈ "
                    f"{(base['drawn_ms'] or 0) / 1000 + res['baseline_build']['render_s']:.1f}"
                    " s, an estimate)."
                    if "baseline_build" in res
                    else f"; drawn runs {', '.join(_fmt(v) for v in base['drawn_ms_all'])} ms."
                )
            )
            if base["page_errors"]:
                print(f"  baseline JavaScript errors: {'; '.join(base['page_errors'][:3])}")
        for v in res["verdicts"]:
            value = v["value"]
            shown = (
                _fmt(value, ".2f", "×")
                if v["figure"] == "drawn vs baseline"
                else _fmt(value)
                if isinstance(value, float)
                else str(value)
            )
            print(
                f"  {'PASS' if v['pass'] else 'FAIL'}  {v['figure']}: {shown} "
                f"(target {v['target']})"
            )
    print()
    print(
        "weight = encoded body bytes of the document and of every 127.0.0.1 sub-resource "
        "(Resource Timing); doc = the document alone; req = requests; drawn = from "
        "navigation start; zoom = setView(Chicoutimi, zoom + 3) until moveend + 2 animation "
        "frames; out = back to the start view; max LT = longest task until drawn; TTFB = "
        "time to the document's first byte (the app renders `/` per request, the baseline "
        "is a static file). × = new ÷ baseline."
    )


# --- main -----------------------------------------------------------------------------------


def _sizes(text: str) -> list[int | str]:
    out: list[int | str] = []
    for part in text.split(","):
        part = part.strip().lower()
        if part == "demo":
            out.append("demo")
        elif part:
            value = int(part)
            if value < 1:
                raise argparse.ArgumentTypeError("sizes must be 1 or more")
            out.append(value)
    if not out:
        raise argparse.ArgumentTypeError("give at least one size")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[250, 5000, 50000],
        help="comma-separated numbers of sites; 'demo' = the demo membership (default "
        "250,5000,50000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed cold loads per page and size; the median counts (default 3)",
    )
    parser.add_argument("--seed", type=int, default=2021, help="generator seed (default 2021)")
    parser.add_argument("--no-baseline", action="store_true", help="measure only the app's page")
    parser.add_argument(
        "--baseline",
        choices=("inline", "per-marker"),
        default="inline",
        help="'inline' = the app's page with every site inline (the page before issue 20, "
        "default); 'per-marker' = bench/pages_baseline.py, the Folium page before issue 5",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a size's database found in --workdir from an earlier run (same seed)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=180.0,
        help="seconds allowed for one page load and its markers (default 180)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the databases, pages and server logs here (default: a "
        "temporary folder, removed)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "data",
        help="reference data folder (default: the project's data/)",
    )
    parser.add_argument("--chromium", default=CHROMIUM, help=f"browser (default {CHROMIUM})")
    parser.add_argument(
        "--new-drawn",
        choices=("auto", "marker", "load"),
        default="auto",
        help="when the app's page counts as drawn: 'marker' = when it sets "
        "sitesDrawn, 'load' = load event + 2 animation frames (the "
        "baseline's rule), 'auto' = 'marker' when mapservice/ sets "
        "sitesDrawn (default)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a line is FAIL"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    from playwright.sync_api import sync_playwright

    # Until the app's page sets sitesDrawn, "drawn" on it is measured like the baseline's.
    marker = {"auto": has_sites_drawn(), "marker": True, "load": False}[args.new_drawn]
    load_before = os.getloadavg()[0]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-pages-"))
    results: list[dict[str, Any]] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
            )
            version = browser.version

            def measure(
                url: str, label: str, expects_marker: bool, headers: dict[str, str] | None
            ) -> dict[str, Any]:
                return run_page(
                    browser,
                    url,
                    expects_marker=expects_marker,
                    repeat=args.repeat,
                    timeout_s=args.timeout,
                    label=label,
                    headers=headers,
                )

            try:
                for size in args.sizes:
                    folder = workdir / f"sites-{size}-seed-{args.seed}"
                    built = folder / "built.json"
                    if args.reuse and built.is_file():
                        data = json.loads(built.read_text("utf-8"))
                    else:
                        if folder.exists():
                            shutil.rmtree(folder)
                        _stage(f"{size} sites: building the database")
                        data = build_database(folder, args.data, size, args.seed)
                        built.write_text(json.dumps(data), encoding="utf-8")
                    _stage(
                        f"{size} sites: {data['sites']:,} sites, {data['flows']:,} flows in "
                        f"{data['seconds']:.1f} s"
                    )
                    res: dict[str, Any] = {"size": size, "data": data}
                    auth = {"Authorization": "Bearer " + data["token"]}
                    with app_server(data["database_url"], folder) as base:
                        res["new"] = measure(base + "/", f"{size} new", marker, auth)
                    if not args.no_baseline and args.baseline == "inline":
                        with app_server(data["database_url"], folder, INLINE_SETTINGS) as base:
                            res["baseline"] = measure(base + "/", f"{size} baseline", marker, auth)
                    elif not args.no_baseline:
                        res["baseline_build"] = build_baseline(folder, args.data)
                        with static_server(folder) as base:
                            res["baseline"] = measure(
                                base + "/baseline.html", f"{size} baseline", False, None
                            )
                    if res.get("baseline") is not None:
                        res["ratios"] = {
                            "weight": _ratio(
                                res["new"]["weight_bytes"], res["baseline"]["weight_bytes"]
                            ),
                            "document": _ratio(
                                res["new"]["document_bytes"], res["baseline"]["document_bytes"]
                            ),
                            "drawn": _ratio(res["new"]["drawn_ms"], res["baseline"]["drawn_ms"]),
                            "zoom": _ratio(res["new"]["zoom_in_ms"], res["baseline"]["zoom_in_ms"]),
                        }
                    res["verdicts"] = verdicts(res)
                    results.append(res)
            finally:
                browser.close()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    meta = {
        "date": date.today().isoformat(),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "chromium": version,
        "seed": args.seed,
        "repeat": args.repeat,
        "viewport": VIEWPORT,
        "sites_drawn_code": has_sites_drawn(),
        "new_drawn": marker,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "zoom": {"target": ZOOM_TARGET, "levels_in": ZOOM_LEVELS_IN},
        "baseline": None if args.no_baseline else args.baseline,
        "targets": {
            "sites": TARGET_SITES,
            "drawn_ms": TARGET_DRAWN_MS,
            "zoom_ms": TARGET_ZOOM_MS,
            "province_sites": PROVINCE_SITES,
            "province_drawn_ms": PROVINCE_DRAWN_MS,
            "province_weight_bytes": PROVINCE_WEIGHT_BYTES,
        },
    }
    print_report(meta, results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({**meta, "sizes": results}, indent=2, ensure_ascii=False, default=str)
            + "\n",
            encoding="utf-8",
        )
        print(f"Figures written to {args.json}")
    failed = any(not v["pass"] for r in results for v in r["verdicts"])
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
