"""OGC API paging: walking a whole collection page by page, as GDAL and QGIS do.

A generated membership (5,000 sites by default, the generator of :mod:`bench.pages`, imported
through the normal importer into SQLite in a temporary folder) is served by the app (Flask's
test client, so that the figure is the server's work, not the network's). Each collection is
read from the first page to the last by following ``next`` links. The new way keeps the
layer's read between pages (:func:`mapservice.exports.jobs.cached_features`); the baseline,
measured in the same run, is the same code with that cache turned off, so every page rebuilds
the whole layer to count it and slice it, as ``/items`` did before.

``--synergies N`` also measures one page (``--page``, 100) of N generated synergies with
nothing kept (:func:`mapservice.exports.jobs.layer_page`: the selection on the synergies' ends,
the page's features only) against the baseline in the same run, the whole layer written then
sliced, as ``/items`` paged before; and the first page of two boxes (a town, a 2 km square),
selected in the store, against the whole layer written then tested by intersection in Python.

Run ``python -m bench.ogcapi --help`` (or ``make bench-ogcapi``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.pages import build_database

ROOT = Path(__file__).resolve().parent.parent
#: Boxes a park manager draws: around Jonquière, and a 2 km square in Chicoutimi.
BOXES = {"box-town": (-71.30, 48.38, -71.18, 48.45), "box-2km": (-71.075, 48.42, -71.048, 48.438)}


def walk(
    client: Any, layer: str, limit: int, headers: dict[str, str] | None = None
) -> tuple[int, int, float]:
    """Follow ``next`` from the first page to the last; return features, pages, seconds."""
    url: str | None = f"/ogcapi/collections/{layer}/items?limit={limit}"
    features = pages = 0
    started = time.perf_counter()
    while url:
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        doc = response.get_json()
        features += doc["numberReturned"]
        pages += 1
        nxt = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
        url = None if nxt is None else urlsplit(nxt).path + "?" + urlsplit(nxt).query
    return features, pages, time.perf_counter() - started


def _timed(run: Any, repeat: int) -> tuple[Any, float]:
    """The result of ``run()`` and its best wall time over ``repeat`` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return result, best


def synergy_pages(
    folder: Path, sites: int, synergies: int, page: int, seed: int, repeat: int
) -> list[dict[str, Any]]:
    """One page of ``page`` out of ``synergies`` generated synergies (first, middle, last),
    nothing kept: the page written from the selection, against the whole layer written and
    sliced; both must agree on the count and the ids."""
    from bench.pages import _settings
    from mapservice.domain.access import STAFF
    from mapservice.domain.model import Direction
    from mapservice.exports.jobs import LayerQuery, layer_features, layer_page
    from mapservice.geo.boxes import intersects
    from mapservice.services import Services

    built = build_database(folder, ROOT / "data", sites, seed)
    svc = Services({**_settings(folder, ROOT / "data"), "CACHE_LAYER_READS": 0})
    try:
        flows = svc.repo.flows()
        offers = [f.id for f in flows if f.direction is Direction.OUTPUT]
        needs = [f.id for f in flows if f.direction is Direction.INPUT]
        rng = random.Random(seed)
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < min(synergies, len(offers) * len(needs)):
            pairs.add((rng.choice(offers), rng.choice(needs)))
        reasons = json.dumps(
            [{"t": "quantités comparables : offre {offer} t/an", "p": {"offer": "3,5"}}]
        )
        started = time.perf_counter()
        svc.repo.save_candidates(
            {
                "output_flow_id": a,
                "input_flow_id": b,
                "kind": "substitution",
                "score": rng.random(),
                "geodesic_m": rng.uniform(100, 90_000),
                "tonnes_per_year": rng.uniform(1, 500),
                "distance_backend": "geodesic",
                "reasons_json": reasons,
            }
            for a, b in sorted(pairs)
        )
        print(
            f"{built['sites']} sites, {len(pairs)} synergies "
            f"({time.perf_counter() - started:.1f} s to store)"
        )
        rows = []
        layer_page(svc, "synergies", LayerQuery(), STAFF, 0, page)  # warm: imports, reference
        for where, offset in (
            ("first", 0),
            ("middle", len(pairs) // 2),
            ("last", len(pairs) - page),
        ):
            (count, found), new_s = _timed(
                lambda o=offset: layer_page(svc, "synergies", LayerQuery(), STAFF, o, page), repeat
            )

            def whole(o: int = offset) -> tuple[int, list[dict[str, Any]]]:
                features = list(layer_features(svc, "synergies", LayerQuery(), STAFF))
                return len(features), features[o : o + page]

            (base_count, base_found), base_s = _timed(whole, 1)
            if (count, [f["id"] for f in found]) != (base_count, [f["id"] for f in base_found]):
                raise RuntimeError(f"the {where} page differs from the whole layer's slice")
            rows.append(
                {
                    "page": where,
                    "synergies": count,
                    "limit": page,
                    "offset": offset,
                    "page_s": new_s,
                    "whole_s": base_s,
                    "ratio": new_s / base_s,
                }
            )
        # A box: the store selects the lines that may cross it (SQLite: the lines' envelopes
        # in SQL, then the exact test), against the whole layer written then tested in Python.
        for where, bbox in BOXES.items():
            query = LayerQuery(bbox=bbox)
            (count, found), new_s = _timed(
                lambda q=query: layer_page(svc, "synergies", q, STAFF, 0, page), repeat
            )

            def boxed(b: tuple[float, float, float, float] = bbox) -> list[dict[str, Any]]:
                every = layer_features(svc, "synergies", LayerQuery(), STAFF)
                return [f for f in every if intersects(f["geometry"], b)]

            base_found, base_s = _timed(boxed, 1)
            if (count, [f["id"] for f in found]) != (
                len(base_found),
                [f["id"] for f in base_found[:page]],
            ):
                raise RuntimeError(f"the {where} box differs from the whole layer tested")
            rows.append(
                {
                    "page": where,
                    "synergies": count,
                    "limit": page,
                    "offset": 0,
                    "page_s": new_s,
                    "whole_s": base_s,
                    "ratio": new_s / base_s,
                }
            )
        return rows
    finally:
        svc.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=5000, help="generated sites (5000)")
    parser.add_argument("--limit", type=int, default=1000, help="page size (1000)")
    parser.add_argument("--layers", default="sites,flows", help="collections (sites,flows)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--synergies", type=int, default=0, help="also page N generated synergies (0: not)"
    )
    parser.add_argument("--synergy-sites", type=int, default=2000, help="their sites (2000)")
    parser.add_argument("--page", type=int, default=100, help="their page size (100)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N pages (3)")
    args = parser.parse_args(argv)

    from mapservice import create_app

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-ogcapi-") as tmp:
        folder = Path(tmp)
        built = build_database(folder, ROOT / "data", args.sites, args.seed)
        print(
            f"{built['sites']} sites, {built['flows']} offers and needs "
            f"({built['seconds']:.1f} s to build)"
        )
        config = {
            "DATABASE_URL": built["database_url"],
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "bench",
        }
        client = create_app(config).test_client()
        # the baseline: the same code keeping no layer read
        rebuilding = create_app({**config, "CACHE_LAYER_READS": 0}).test_client()
        # the OGC API needs an account: the staff token build_database made, as QGIS would send
        signed = {"Authorization": "Bearer " + built["token"]}
        for layer in args.layers.split(","):
            walk(client, layer, args.limit, signed)  # warm: imports, reference data, first read
            walk(rebuilding, layer, args.limit, signed)
            new = walk(client, layer, args.limit, signed)
            base = walk(rebuilding, layer, args.limit, signed)
            if new[0] != base[0]:
                raise RuntimeError(f"{layer}: {new[0]} features kept, {base[0]} rebuilt")
            rows.append(
                {
                    "layer": layer,
                    "features": new[0],
                    "pages": new[1],
                    "kept_s": new[2],
                    "rebuilt_s": base[2],
                    "ratio": new[2] / base[2],
                }
            )
    print(f"\nPython {platform.python_version()}, page size {args.limit}")
    print(f"{'layer':<10}{'features':>10}{'pages':>7}{'kept s':>9}{'rebuilt s':>11}{'ratio':>8}")
    for r in rows:
        print(
            f"{r['layer']:<10}{r['features']:>10}{r['pages']:>7}{r['kept_s']:>9.2f}"
            f"{r['rebuilt_s']:>11.2f}{r['ratio']:>7.2f}×"
        )
    paged: list[dict[str, Any]] = []
    if args.synergies:
        with tempfile.TemporaryDirectory(prefix="bench-ogcapi-synergies-") as tmp:
            paged = synergy_pages(
                Path(tmp), args.synergy_sites, args.synergies, args.page, args.seed, args.repeat
            )
        print(f"\n{'page':<8}{'synergies':>11}{'offset':>9}{'page s':>9}{'whole s':>9}{'ratio':>9}")
        for r in paged:
            print(
                f"{r['page']:<8}{r['synergies']:>11}{r['offset']:>9}{r['page_s']:>9.3f}"
                f"{r['whole_s']:>9.2f}{r['ratio']:>8.3f}×"
            )
    if args.json:
        args.json.write_text(json.dumps(rows + paged, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
