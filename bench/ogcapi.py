"""OGC API paging: walking a whole collection page by page, as GDAL and QGIS do.

A generated membership (5,000 sites by default, the generator of :mod:`bench.pages`, imported
through the normal importer into SQLite in a temporary folder) is served by the app (Flask's
test client, so that the figure is the server's work, not the network's). Each collection is
read from the first page to the last by following ``next`` links. The new way keeps the
layer's read between pages (:func:`mapservice.exports.jobs.cached_features`); the baseline,
measured in the same run, is the same code with that cache turned off, so every page rebuilds
the whole layer to count it and slice it, as ``/items`` did before.

Run ``python -m bench.ogcapi --help`` (or ``make bench-ogcapi``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.pages import build_database

ROOT = Path(__file__).resolve().parent.parent


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=5000, help="generated sites (5000)")
    parser.add_argument("--limit", type=int, default=1000, help="page size (1000)")
    parser.add_argument("--layers", default="sites,flows", help="collections (sites,flows)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
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
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
