"""The pipeline board at 20,000 candidates: its server time for every filter, against the old
load-everything board measured in the same run.

One run builds a seeded SQLite registry in a temporary folder (a generated membership through
the normal importer, the generator of :mod:`bench.pages`), matches it as ``mapservice match``
does, keeps 20,000 candidates (plus some moved along the pipeline with their history), then
times ``GET /synergies`` through Flask's test client (the server's whole work: parsing, SQL,
cards, template; not the network) for a set of pages × filters: no filter, each filter, sorts,
« the best N per offer », the search box, combined filters and last pages. It prints each case's
median and worst time, the worst and median of all, and the ratio of the board's view function
against the old one (:mod:`bench.board_baseline`) on the pages both can show (no filter: first
and last page), checking that both show the same cards.

Run ``python -m bench.board --help``; see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.pages import build_database
from mapservice.domain.model import Direction, SynergyStatus
from mapservice.domain.text import fold, strip_accents

ROOT = Path(__file__).resolve().parent.parent
#: The issue's target: server time of any page of any filter at 20,000 candidates.
TARGET_MS = 200.0
AUTHORS = ("Julie Tremblay (banc)", "Marc Gagnon (banc)", "Sophie Côté (banc)")


def seed_pipeline(svc: Any, candidates: int, others: int, seed: int) -> dict[str, int]:
    """Store ``candidates + others`` synergies, real matches first (padded with copies of real
    figures on unused pairs when the registry gives fewer), then move ``others`` along the
    pipeline over the last two years, with authors and notes."""
    from mapservice.matching import jobs as synergy_jobs

    rng = random.Random(seed)
    found = synergy_jobs.match_all(svc, save=False)
    rows = [synergy_jobs.candidate_row(c) for c in found]
    want = candidates + others
    real = len(rows)
    if real >= want:
        rows = rng.sample(rows, want)
    else:
        flows = svc.repo.flows()
        offers = [f.id for f in flows if f.direction is Direction.OUTPUT]
        needs = [f.id for f in flows if f.direction is Direction.INPUT]
        used = {(r["output_flow_id"], r["input_flow_id"]) for r in rows}
        if len(offers) * len(needs) < want:
            raise SystemExit(f"{len(offers)} offers × {len(needs)} needs < {want} pairs")
        templates = list(rows)
        while len(rows) < want:
            pair = (rng.choice(offers), rng.choice(needs))
            if pair in used:
                continue
            used.add(pair)
            copy = dict(rng.choice(templates))
            copy["output_flow_id"], copy["input_flow_id"] = pair
            copy["score"] = min(1.0, max(0.05, (copy["score"] or 0.5) + rng.uniform(-0.1, 0.1)))
            rows.append(copy)
    svc.repo.save_candidates(rows)
    ids = [s.id for s in svc.repo.synergies()]
    moved = rng.sample(ids, others)
    now = datetime.now(UTC)
    paths = {
        "contacted": (SynergyStatus.CONTACTED,),
        "in_progress": (SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS),
        "realised": (SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS, SynergyStatus.REALISED),
        "rejected": (SynergyStatus.CONTACTED, SynergyStatus.REJECTED),
    }
    shares = {"contacted": 0.4, "in_progress": 0.2, "realised": 0.2, "rejected": 0.2}
    start = 0
    events = 0
    for name, share in shares.items():
        group = moved[start : start + round(others * share)]
        start += len(group)
        for chunk in range(0, len(group), 20):  # 20 cards a day, on days over two years
            day = now - timedelta(days=rng.randint(30, 730))
            for step, status in enumerate(paths[name]):
                svc.repo.move_synergies(
                    group[chunk : chunk + 20],
                    status,
                    author=rng.choice(AUTHORS),
                    note=rng.choice(("", "Appel fait (banc)", "Rencontre prévue (banc)")),
                    at=day + timedelta(days=7 * step),
                )
                events += len(group[chunk : chunk + 20])
    return {"matched": real, "stored": want, "moved": others, "events": events}


def cases(svc: Any) -> list[tuple[str, dict[str, str]]]:
    """Pages × filters to time, with values drawn from the registry."""
    sites = svc.repo.sites()
    flows = svc.repo.flows()
    munis = svc.gazetteer.municipalities
    park = Counter(s.park_id for s in sites if s.park_id).most_common(1)[0][0]
    muni = Counter(s.municipality_id for s in sites if s.municipality_id).most_common(1)[0][0]
    top = munis[muni]
    while top.parent_id and top.parent_id in munis:  # a town, with its boroughs and sectors
        top = munis[top.parent_id]
    mrc = Counter(munis[s.municipality_id].mrc for s in sites if s.municipality_id in munis)
    tax = svc.taxonomy
    roots = Counter(
        (tax.ancestors(f.category_code) or [tax.get(f.category_code)])[-1].code for f in flows
    )
    by_member = Counter(s.member_id for s in sites)
    member = by_member.most_common(1)[0][0]
    name = svc.repo.get_member(member).name
    word = max(fold(name).split(), key=len)
    label = tax.label(Counter(f.category_code for f in flows).most_common(1)[0][0])
    material = strip_accents(max(label.split(), key=len)).upper()
    since = (datetime.now(UTC) - timedelta(days=365)).date().isoformat()
    last = {"status": "candidate", "page": "99999"}
    root = roots.most_common(1)[0][0]
    return [
        ("no filter", {}),
        ("no filter, last page", last),
        ("search: company", {"q": word.upper()}),
        ("search: material, no accents", {"q": material}),
        ("park", {"park": park}),
        ("municipality (town)", {"municipality": top.id}),
        ("MRC", {"mrc": mrc.most_common(1)[0][0]}),
        ("material (parent)", {"category": root}),
        ("company", {"member": str(member)}),
        ("min score 70", {"min_score": "70"}),
        ("max 25 km", {"max_km": "25"}),
        ("stages", {"stage": "contacted,in_progress"}),
        ("changed since a year", {"since": since}),
        ("changed within 30 days", {"days": "30"}),
        ("sort distance", {"sort": "distance"}),
        ("sort tonnage, last page", {"sort": "tonnes", **last}),
        ("best 3 per offer", {"best": "3"}),
        ("best 3, last page", {"best": "3", **last}),
        ("best 1, sort change", {"best": "1", "sort": "change"}),
        ("combined", {"category": root, "min_score": "50", "max_km": "50", "sort": "distance"}),
        ("combined, last page", {"park": park, "best": "5", "sort": "tonnes", **last}),
        ("combined search", {"q": material, "mrc": mrc.most_common(1)[0][0], "days": "365"}),
    ]


def url_of(params: dict[str, str]) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value.split(",") if key == "stage" else [value]
        pairs.extend((key, v) for v in values)
    return "/synergies" + ("?" + urlencode(pairs) if pairs else "")


COUNTS = re.compile(r'<h2 id="h-(\w+)">[^<]*<span class="count">([^<]+)</span>')


def time_page(client: Any, url: str, repeat: int) -> tuple[list[float], dict[str, int], int]:
    """Milliseconds of each request (after one warm-up), the column counts and cards shown."""
    first = client.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"{url} answered {first.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    html = response.get_data(as_text=True)
    counts = {k: int(re.sub(r"\D", "", v)) for k, v in COUNTS.findall(html)}
    return times, counts, html.count('<article class="card')


def time_views(svc: Any, repeat: int) -> list[dict[str, Any]]:
    """The new view function against the frozen old one, same pages, same cards?"""
    from bench import board_baseline
    from mapservice.views import dashboard

    out = []
    for label, kwargs in (
        ("first page", {}),
        ("last page", {"status": "candidate", "page": "99999"}),
    ):
        row: dict[str, Any] = {"page": label}
        for name, run in (
            ("new", lambda kw=kwargs: dashboard.board(svc, **kw)),
            ("old", lambda kw=kwargs: board_baseline.board(svc, **kw)),
        ):
            run()
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                result = run()
                best = min(best, (time.perf_counter() - started) * 1000)
            row[f"{name}_ms"] = best
            row[f"{name}_cards"] = (
                [[c.id for c in col.cards] for col in result]
                if name == "new"
                else [ids for _st, _n, _p, ids in result]
            )
        row["same_cards"] = row.pop("new_cards") == row.pop("old_cards")
        row["ratio"] = row["old_ms"] / row["new_ms"]
        out.append(row)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=20000, help="candidates (20000)")
    parser.add_argument("--others", type=int, default=1500, help="moved along (1500)")
    parser.add_argument("--sites", type=int, default=500, help="generated sites (500)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per case (5)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--workdir", type=Path, help="keep the database there")
    args = parser.parse_args(argv)
    if args.candidates < 1 or args.others < 0 or args.repeat < 1 or args.sites < 2:
        parser.error("--candidates, --repeat ≥ 1; --others ≥ 0; --sites ≥ 2")

    from mapservice import create_app
    from mapservice.ops.server import settled

    with tempfile.TemporaryDirectory(prefix="bench-board-") as tmp:
        folder = args.workdir or Path(tmp)
        started = time.perf_counter()
        built = build_database(folder, ROOT / "data", args.sites, args.seed)
        app = create_app(
            {
                "DATABASE_URL": built["database_url"],
                "INSTANCE_PATH": str(folder / "instance"),
                "SECRET_KEY": "bench",
            }
        )
        svc = app.extensions["mapservice"]
        seeded = seed_pipeline(svc, args.candidates, args.others, args.seed)
        print(
            f"{built['sites']} sites, {built['flows']} offers and needs; matching found "
            f"{seeded['matched']:,} candidates; stored {seeded['stored']:,}, moved "
            f"{seeded['moved']:,} along ({seeded['events']:,} events) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        settled(app)  # as ``mapservice serve`` leaves it once built
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + built["token"]
        rows = []
        print(f"\n{'case':<32} {'median ms':>10} {'worst ms':>9} {'candidates':>11} {'cards':>6}")
        for name, params in cases(svc):
            times, counts, cards = time_page(client, url_of(params), args.repeat)
            row = {
                "case": name,
                "url": url_of(params),
                "median_ms": statistics.median(times),
                "worst_ms": max(times),
                "times_ms": times,
                "counts": counts,
                "cards": cards,
            }
            rows.append(row)
            shown = counts.get("candidate", 0)
            print(
                f"{name:<32} {row['median_ms']:>10.1f} {row['worst_ms']:>9.1f} "
                f"{shown:>11,} {cards:>6}"
            )
        every = [t for r in rows for t in r["times_ms"]]
        worst, median = max(every), statistics.median(every)
        slowest = max(rows, key=lambda r: r["median_ms"])
        verdict = "PASS" if slowest["median_ms"] < TARGET_MS else "FAIL"
        print(
            f"\nall {len(rows)} cases × {args.repeat} requests: median {median:.1f} ms, worst "
            f"request {worst:.1f} ms; slowest case ({slowest['case']}): median "
            f"{slowest['median_ms']:.1f} ms (target: every case < {TARGET_MS:.0f} ms) {verdict}"
        )
        views = time_views(svc, args.repeat)
        print("\nview function only, best of", args.repeat, "(no filter; the old board has none)")
        for v in views:
            print(
                f"  {v['page']:<11} new {v['new_ms']:7.1f} ms, old {v['old_ms']:7.1f} ms: "
                f"{v['ratio']:.1f}× faster; same cards: {'yes' if v['same_cards'] else 'NO'}"
            )
        svc.close()
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "python": platform.python_version(),
                    "built": {k: v for k, v in built.items() if k != "token"},
                    "seeded": seeded,
                    "cases": rows,
                    "worst_ms": worst,
                    "median_ms": median,
                    "slowest_case": slowest["case"],
                    "slowest_case_median_ms": slowest["median_ms"],
                    "views": views,
                },
                indent=2,
                default=str,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
