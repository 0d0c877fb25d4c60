"""Exports at scale: features per second and peak memory of each format, streamed or not.

A seeded synthetic registry (15,000 sites and 50,000 offers and needs by default, in the
region's box, real categories) goes through the ``flows`` layer
(:func:`mapservice.exports.layers.flow_features`) into each writer of
:mod:`mapservice.exports.formats`:
GeoJSON and CSV streamed to a file chunk by chunk, XLSX (write-only workbook) and GeoPackage
(GDAL, in batches). The baseline, measured in the same run, is the obvious way: build every
feature in a list, then ``json.dumps`` the whole collection (GeoJSON) or every row (CSV).
Peak memory is tracemalloc's peak during a second, untimed write of GeoJSON and CSV (Python
allocations), so "streamed" must stay far below the baseline's; XLSX and GeoPackage are timed
only (openpyxl's write-only mode and GDAL write as they go).

Run ``python -m bench.exports --help`` (or ``make bench-exports``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mapservice.domain.access import STAFF
from mapservice.domain.model import Direction, Flow, Member, Site, Unit
from mapservice.domain.reference import load_reference
from mapservice.exports import formats as export_formats
from mapservice.exports.layers import Context, flow_features
from mapservice.materials.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def registry(n_sites: int, n_flows: int, seed: int) -> tuple[dict[int, Site], list[Flow], Context]:
    """Sites in the region's box and flows of real categories, all in memory."""
    ref = load_reference(ROOT / "data")
    taxonomy: Taxonomy = ref.taxonomy
    rng = random.Random(seed)
    codes = [c.code for c in taxonomy if c.parent]
    parks = [p.id for p in ref.parks]
    members = {
        i: Member(id=i, name=f"Entreprise {i} (synthétique)", public_consent=i % 3 != 0)
        for i in range(1, n_sites // 2 + 2)
    }
    sites = {}
    for i in range(1, n_sites + 1):
        member_id = rng.randint(1, len(members))
        sites[i] = Site(
            id=i,
            member_id=member_id,
            name=f"Site {i}",
            address=f"{i}, rue Test",
            municipality_id="alma",
            postal_code=None,
            lon=round(rng.uniform(-72.6, -70.8), 6),
            lat=round(rng.uniform(48.2, 48.9), 6),
            park_id=rng.choice(parks) if rng.random() < 0.6 else None,
            member_name=members[member_id].name,
            naics_code="332710",
        )
    flows = [
        Flow(
            id=i,
            site_id=rng.randint(1, n_sites),
            direction=Direction.OUTPUT if rng.random() < 0.55 else Direction.INPUT,
            category_code=rng.choice(codes),
            description=f"Matière {i}, en vrac",
            quantity=round(rng.uniform(0.5, 5000), 1),
            unit=Unit.T_PER_YEAR,
            confidential=rng.random() < 0.1,
        )
        for i in range(1, n_flows + 1)
    ]
    ctx = Context(
        parks={p.id: p for p in ref.parks},
        municipalities={m.id: m for m in ref.municipalities},
        taxonomy=taxonomy,
        members=members,
    )
    return sites, flows, ctx


def measure(write: Callable[[], int], *, memory: bool) -> dict[str, float]:
    """Time one write; then, when ``memory``, run it again under tracemalloc for the peak
    (tracemalloc slows allocation-heavy code several times over, so never both at once)."""
    started = time.perf_counter()
    n = write()
    seconds = time.perf_counter() - started
    peak = float("nan")
    if memory:
        tracemalloc.start()
        write()
        peak = tracemalloc.get_traced_memory()[1] / MIB
        tracemalloc.stop()
    return {
        "features": n,
        "seconds": seconds,
        "per_s": n / seconds if seconds else 0.0,
        "peak_mib": peak,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.exports",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sites", type=int, default=15_000)
    parser.add_argument("--flows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    sites, flows, ctx = registry(args.sites, args.flows, args.seed)

    def features() -> Any:
        return flow_features(flows, sites, ctx, STAFF)

    folder = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    results: dict[str, dict[str, float]] = {}

    def streamed(fmt: str) -> Callable[[], int]:
        def run() -> int:
            counted = [0]

            def count(items: Any) -> Any:
                for item in items:
                    counted[0] += 1
                    yield item

            chunks = (
                export_formats.geojson_chunks(count(features()))
                if fmt == "geojson"
                else export_formats.csv_chunks("flows", count(features()), STAFF)
            )
            with (folder / f"flows.{fmt}").open("w", encoding="utf-8", newline="") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            return counted[0]

        return run

    def whole_geojson() -> int:
        every = list(features())
        text = json.dumps({"type": "FeatureCollection", "features": every}, ensure_ascii=False)
        (folder / "flows-baseline.geojson").write_text(text, encoding="utf-8")
        return len(every)

    def whole_csv() -> int:
        every = list(features())
        out = io.StringIO()
        writer = csv.writer(out)
        names = list(every[0]["properties"]) if every else []
        writer.writerow(names)
        for f in every:
            writer.writerow([f["properties"][n] for n in names] + f["geometry"]["coordinates"])
        (folder / "flows-baseline.csv").write_text(out.getvalue(), encoding="utf-8")
        return len(every)

    def xlsx() -> int:
        export_formats.write_xlsx(folder / "flows.xlsx", {"flows": features()}, STAFF)
        return len(flows)

    def gpkg() -> int:
        return export_formats.write_gpkg(folder / "flows.gpkg", {"flows": features()}, STAFF)[
            "flows"
        ]

    for name, run in (
        ("geojson streamed", streamed("geojson")),
        ("geojson baseline (whole list)", whole_geojson),
        ("csv streamed", streamed("csv")),
        ("csv baseline (whole list)", whole_csv),
        ("xlsx", xlsx),
        ("gpkg", gpkg),
    ):
        results[name] = measure(run, memory=name.startswith(("geojson", "csv")))
        print(
            f"[exports] {name}: {results[name]['per_s']:,.0f} features/s, "
            f"peak {results[name]['peak_mib']:.1f} MiB",
            flush=True,
        )

    print(f"\nflows layer, {args.flows:,} features from {args.sites:,} sites (seed {args.seed})")
    print(f"{'writer':32} {'features/s':>12} {'seconds':>8} {'peak MiB':>9}")
    for name, r in results.items():
        print(f"{name:32} {r['per_s']:>12,.0f} {r['seconds']:>8.2f} {r['peak_mib']:>9.1f}")
    checks = []
    for fmt in ("geojson", "csv"):
        s, b = results[f"{fmt} streamed"], results[f"{fmt} baseline (whole list)"]
        ratio = s["peak_mib"] / b["peak_mib"] if b["peak_mib"] else 0.0
        speed = s["per_s"] / b["per_s"] if b["per_s"] else 0.0
        ok = ratio <= 0.25
        checks.append(ok)
        print(
            f"{'PASS' if ok else 'FAIL'}  {fmt}: streamed peak {ratio:.2f}× the baseline's "
            f"(target ≤ 0.25×), speed {speed:.2f}×"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "sites": args.sites, "flows": args.flows}, indent=1),
            encoding="utf-8",
        )
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    return 0 if all(checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
