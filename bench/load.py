"""Under load: the served app with mixed reads and writes, latency per route, lost writes.

The benchmark builds a fresh SQLite database in a temporary folder (the demo membership, or a
generated one of ``--sites N``), stores the registry's candidate synergies
(:func:`mapservice.matching.jobs.match_all`, geodesic), adds a staff account with a personal
token, and starts ``python -m mapservice.cli serve --threads N --workers W`` (waitress for one
process, gunicorn for several) as a subprocess on
a free loopback port. First the baseline: one client alone sends ``--alone`` requests of each
route class, one at a time (the same server, unloaded). Then ``--clients`` threads, each with
its own keep-alive :class:`http.client.HTTPConnection` and ``Authorization: Bearer <token>``,
send requests of a weighted mix back to back (or pausing ``--think`` seconds on average) for
``--warmup`` + ``--duration`` seconds; only the requests started after the warm-up count.
Every write the server acknowledged (200) is looked up in the
database once the server has stopped: a write that is not there is a *lost write*.

The clients and the mix's requests are in :mod:`bench.load_clients`. Run
``python -m bench.load --help`` (or ``make bench-load``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.load_clients import USERNAME, Fixture, Sample, Workload, Write, alone, load_phase
from bench.pages import build_database
from bench.serving import Server, serve

ROOT = Path(__file__).resolve().parent.parent

#: Route classes: default weight of the mix, and whether the issue's p95 target applies.
#: The target covers the map, the site page and the API (JSON API and OGC API); the GeoJSON
#: export is a download and is reported without a target.
ROUTES: dict[str, tuple[float, bool]] = {
    "map": (20, True),  # GET / and /?park=<id>
    "site": (20, True),  # GET /sites/<id>
    "api.synergies": (12, True),  # GET /api/v1/synergies?limit=50
    "api.reverse": (12, True),  # GET /api/v1/reverse?lat=…&lon=…
    "ogcapi.items": (10, True),  # GET /ogcapi/collections/sites/items?limit=100
    "export.geojson": (6, False),  # GET /export/sites.geojson?park=<id>
    "write.synergy": (10, True),  # POST /api/v1/synergies (candidate → contacted)
    "write.correction": (10, True),  # POST /api/v1/classify/corrections
}
TARGET_P95_MS = 200.0


def _stage(text: str) -> None:
    print(f"[load] {text}", file=sys.stderr, flush=True)


def parse_mix(text: str) -> dict[str, float]:
    """``map=20,site=20,…``: weights of the route classes; the ones not named keep theirs."""
    weights = {name: weight for name, (weight, _) in ROUTES.items()}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, raw = part.partition("=")
        if name.strip() not in ROUTES:
            msg = f"--mix: unknown route class {name.strip()!r} (expected: {', '.join(ROUTES)})"
            raise argparse.ArgumentTypeError(msg)
        try:
            weight = float(raw)
        except ValueError:
            weight = -1.0
        if not weight >= 0:
            msg = f"--mix: weight of {name.strip()} must be a number ≥ 0, got {raw!r}"
            raise argparse.ArgumentTypeError(msg)
        weights[name.strip()] = weight
    if not any(weights.values()):
        raise argparse.ArgumentTypeError("--mix: every weight is 0")
    return weights


# --- the database, the server ---------------------------------------------------------------


def prepare(folder: Path, sites: str, seed: int) -> Fixture:
    """Build the database, store the candidates, add the account and its token."""
    from mapservice.accounts import jobs as accounts
    from mapservice.config import finish_settings, load_settings
    from mapservice.domain.model import SynergyStatus
    from mapservice.matching import jobs as synergy_jobs
    from mapservice.services import Services

    built = build_database(folder, ROOT / "data", "demo" if sites == "demo" else int(sites), seed)
    settings = load_settings({})
    settings.update(
        DATABASE_URL=built["database_url"],
        INSTANCE_PATH=str(folder / "instance"),
        SECRET_KEY="bench",
        DATA_DIR=str(ROOT / "data"),
    )
    svc = Services(finish_settings(settings))
    try:
        synergy_jobs.match_all(svc, backend="geodesic", save=True)
        pairs = [
            (s.output_flow_id, s.input_flow_id)
            for s in svc.repo.synergies(status=SynergyStatus.CANDIDATE)
        ]
        # the password is never used (the bench signs with a token); it must only pass the rules
        accounts.add_user(svc, username=USERNAME, password="tuque-verglas-outarde", role="staff")
        token = accounts.make_token(svc, USERNAME, "bench")
        located = [s for s in svc.repo.sites() if s.lat is not None and s.lon is not None]
        flows = svc.repo.flows()
    finally:
        svc.close()
    return Fixture(
        database_url=built["database_url"],
        site_ids=[s.id for s in located if s.id is not None],
        park_ids=sorted({s.park_id for s in located if s.park_id}),
        points=[
            (s.lat, s.lon)
            for s in located  # type: ignore[misc]
            if s.lat is not None and s.lon is not None
        ],
        pairs=pairs,
        categories=sorted({f.category_code for f in flows}),
        token=token,
        built=built,
    )


@contextmanager
def served(
    fixture: Fixture, folder: Path, threads: int, workers: int = 1, warm: bool = True
) -> Iterator[Server]:
    """``python -m mapservice.cli serve --threads N --workers W`` on a free loopback port."""
    with serve(
        fixture.database_url,
        folder,
        ["--threads", str(threads), "--workers", str(workers), "--warm" if warm else "--no-warm"],
    ) as server:
        yield server


#: The server has settled when it uses less than this share of one core over a second.
SETTLED_CORES = 0.05


def settle(pid: int, timeout_s: float) -> float | None:
    """Wait until the idle server stops computing (its site pages ahead, see
    :mod:`mapservice.web.warming`), at most ``timeout_s``; the seconds waited, None when it
    did not settle in time or CPU time cannot be read."""
    started = time.perf_counter()
    before = process_cpu_s(pid)
    while before is not None and time.perf_counter() - started < timeout_s:
        time.sleep(1.0)
        now = process_cpu_s(pid)
        if now is None:
            return None
        if now - before < SETTLED_CORES:
            return time.perf_counter() - started
        before = now
    return None


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds so far of a process and its live children (the server's
    workers), from Linux ``/proc``; None without it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(process_cpu_s(int(child)) or 0.0 for child in children)


def machine_busy_s() -> float | None:
    """CPU seconds spent not idle by the whole machine so far (all cores), or None."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# --- the clients ----------------------------------------------------------------------------


# --- after the run --------------------------------------------------------------------------


def lost_writes(database_url: str, writes: Sequence[Write]) -> list[str]:
    """Each acknowledged write whose effect is not in the database, described."""
    from mapservice.domain.model import SynergyStatus
    from mapservice.errors import NotFound
    from mapservice.materials.classify import Classifier
    from mapservice.storage import open_repository

    repo = open_repository(database_url)
    try:
        corrections = repo.category_corrections()
        events = {
            (e.synergy_id, e.note)
            for e in repo.synergy_events()
            if e.to_status is SynergyStatus.CONTACTED
        }
        lost = []
        for w in writes:
            if w.kind == "correction":
                if corrections.get(Classifier.key(w.text)) != w.category:
                    lost.append(f"correction {w.text!r} → {w.category} not stored")
                continue
            try:
                status = repo.get_synergy(w.synergy_id).status
            except NotFound:
                lost.append(f"synergy {w.synergy_id} missing")
                continue
            if status is not SynergyStatus.CONTACTED or (w.synergy_id, w.note) not in events:
                lost.append(
                    f"synergy {w.synergy_id}: status {status.value}, contacted event "
                    f"{'present' if (w.synergy_id, w.note) in events else 'missing'}"
                )
    finally:
        repo.close()
    return lost


def _profile(pid: int, duration_s: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample the server with py-spy over the measured window (``.svg`` flame graph,
    ``.json`` speedscope, anything else py-spy's raw collapsed stacks)."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
    fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(out.suffix, "raw")
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(duration_s))),
            "--rate",
            "200",
            "--format",
            fmt,
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0–100) of an ascending sequence; nan when empty."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def summarise(samples: Sequence[Sample], duration_s: float) -> dict[str, dict[str, Any]]:
    """Per route class and in total: requests, rps, p50/p95/p99/max in ms, errors."""
    groups: dict[str, list[Sample]] = {name: [] for name in ROUTES}
    for s in samples:
        groups[s.route].append(s)
    groups["total"] = list(samples)
    out = {}
    for name, group in groups.items():
        ms = sorted(s.latency_s * 1000 for s in group)
        out[name] = {
            "requests": len(group),
            "rps": len(group) / duration_s,
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "max_ms": ms[-1] if ms else float("nan"),
            "errors": sum(1 for s in group if s.problem),
            "target": ROUTES[name][1] if name in ROUTES else False,
        }
    return out


def run(
    *,
    clients: int = 50,
    threads: int = 8,
    workers: int = 1,
    duration_s: float = 30.0,
    warmup_s: float = 5.0,
    alone_requests: int = 20,
    think_s: float = 2.0,
    mix: dict[str, float] | None = None,
    warm: bool = True,
    settle_s: float = 120.0,
    sites: str = "demo",
    seed: int = 2021,
    timeout_s: float = 30.0,
    profile: Path | None = None,
    before_verify: Callable[[str, Sequence[Write]], None] | None = None,
) -> dict[str, Any]:
    """Run the load and return every figure (see :func:`print_report`).

    Phases on one server: waiting for it to settle (at most ``settle_s``: a server started
    with ``warm`` computes its site pages first), the baseline (``alone_requests`` of each
    route class from a single client), then ``clients`` for ``warmup_s`` (not counted) and
    ``duration_s`` (measured) without a pause between the two.
    ``before_verify(database_url, acknowledged_writes)`` runs after the server has stopped and
    before the database is checked; the benchmark's own test uses it to remove a write and see
    that the check notices.
    """
    weights = mix or {name: weight for name, (weight, _) in ROUTES.items()}
    writes: list[Write] = []
    cpu: list[tuple[float | None, ...]] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        folder = Path(tmp)
        _stage(f"building the database ({sites})")
        fixture = prepare(folder, sites, seed)
        _stage(
            f"{fixture.built['sites']} sites, {fixture.built['flows']} flows, "
            f"{len(fixture.pairs)} candidate pairs; starting the server ({workers} × "
            f"{threads} threads)"
        )
        workload = Workload(fixture, weights, run_id=f"bench-load {seed}")
        with served(fixture, folder, threads, workers, warm) as server:
            settled_s = None
            if settle_s > 0:
                _stage(f"waiting for the idle server to settle (at most {settle_s:g} s)")
                settled_s = settle(server.proc.pid, settle_s)
            _stage(f"baseline: {alone_requests} requests of each route class, one client")
            baseline = alone(
                server,
                workload,
                requests=alone_requests,
                seed=seed + 1,
                timeout_s=timeout_s,
                writes=writes,
            )
            loaded: list[Sample] = []

            def measure() -> None:
                time.sleep(max(0.0, measure_from - time.perf_counter()))
                _stage(f"measuring for {duration_s:g} s")
                spy = _profile(server.proc.pid, duration_s, profile) if profile else None
                cpu.append(
                    (
                        time.process_time(),
                        process_cpu_s(server.proc.pid),
                        machine_busy_s(),
                        time.perf_counter(),
                    )
                )
                time.sleep(max(0.0, measure_from + duration_s - time.perf_counter()))
                cpu.append(
                    (
                        time.process_time(),
                        process_cpu_s(server.proc.pid),
                        machine_busy_s(),
                        time.perf_counter(),
                    )
                )
                if spy is not None:
                    spy.wait(timeout=60)

            _stage(f"{clients} clients: {warmup_s:g} s warm-up, then {duration_s:g} s measured")
            measure_from = time.perf_counter() + warmup_s
            hung = load_phase(
                server,
                workload,
                clients=clients,
                seconds=warmup_s + duration_s,
                seed=seed + 2,
                timeout_s=timeout_s,
                samples=loaded,
                writes=writes,
                think_s=think_s,
                during=measure,
            )
        server_log = server.log_path.read_text("utf-8", "replace")
        if before_verify is not None:
            before_verify(fixture.database_url, list(writes))
        _stage(f"checking {len(writes)} acknowledged writes in the database")
        lost = lost_writes(fixture.database_url, writes)
    warming_up = [s for s in loaded if s.started < measure_from]
    samples = [s for s in loaded if s.started >= measure_from]
    return figures(
        samples=samples,
        baseline=baseline,
        warm=warming_up,
        writes=writes,
        lost=lost,
        hung=hung,
        cpu=cpu,
        server_log=server_log,
        fixture=fixture,
        workload=workload,
        settings={
            "clients": clients,
            "threads": threads,
            "workers": workers,
            "duration_s": duration_s,
            "warmup_s": warmup_s,
            "alone_requests": alone_requests,
            "think_s": think_s,
            "warm": warm,
            "settle_s": settle_s,
            "settled_after_s": settled_s,
            "mix": weights,
            "sites": sites,
            "seed": seed,
            "python": platform.python_version(),
        },
    )


def timeline(samples: Sequence[Sample], step_s: float = 1.0) -> list[dict[str, Any]]:
    """Requests started in each ``step_s`` of the measured window: count, p50, p95, errors."""
    if not samples:
        return []
    start = min(s.started for s in samples)
    slots: dict[int, list[Sample]] = {}
    for s in samples:
        slots.setdefault(int((s.started - start) // step_s), []).append(s)
    out = []
    for i in range(max(slots) + 1):
        ms = sorted(s.latency_s * 1000 for s in slots.get(i, []))
        out.append(
            {
                "t_s": i * step_s,
                "requests": len(ms),
                "p50_ms": percentile(ms, 50),
                "p95_ms": percentile(ms, 95),
                "errors": sum(1 for s in slots.get(i, []) if s.problem),
            }
        )
    return out


def cpu_figures(cpu: list[tuple[float | None, ...]], requests: int) -> dict[str, Any]:
    """Cores kept busy over the measured window by the generator (this process), the server
    and everything else on the machine; the server's CPU time per request."""
    (gen0, srv0, all0, t0), (gen1, srv1, all1, t1) = cpu
    wall = float(t1 - t0)  # type: ignore[operator]

    def cores(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else (b - a) / wall

    gen, srv, machine = cores(gen0, gen1), cores(srv0, srv1), cores(all0, all1)
    return {
        "generator_cores": gen,
        "server_cores": srv,
        "machine_cores": machine,
        "other_cores": None if None in (gen, srv, machine) else max(0.0, machine - gen - srv),  # type: ignore[operator]
        "server_ms_per_request": None
        if srv is None or not requests
        else srv * wall * 1000 / requests,
        "cpu_count": os.cpu_count(),
    }


def figures(
    *,
    samples: list[Sample],
    baseline: list[Sample],
    warm: list[Sample],
    writes: list[Write],
    lost: list[str],
    hung: int,
    cpu: list[tuple[float | None, ...]],
    server_log: str,
    fixture: Fixture,
    workload: Workload,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Every figure of a run, and the PASS/FAIL lines."""
    duration_s = settings["duration_s"]
    routes = summarise(samples, duration_s)
    alone_routes = summarise(baseline, 1.0)
    for name, r in routes.items():
        r["alone_p50_ms"] = alone_routes[name]["p50_ms"]
    problems = Counter(f"{s.route}: {s.problem}" for s in (*warm, *baseline, *samples) if s.problem)
    errors = {
        "measured": routes["total"]["errors"],
        "warmup": sum(1 for s in warm if s.problem),
        "baseline": sum(1 for s in baseline if s.problem),
        "hung_clients": hung,
    }
    checks = [
        {
            "name": f"{name} p95 < {TARGET_P95_MS:g} ms",
            "ok": r["p95_ms"] < TARGET_P95_MS,
            "detail": f"{r['p95_ms']:.0f} ms",
        }
        for name, r in routes.items()
        if r["target"] and r["requests"]
    ]
    checks += [
        {
            "name": "errors = 0",
            "ok": not any(errors.values()),
            "detail": ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in errors.items()),
        },
        {
            "name": "lost writes = 0",
            "ok": not lost,
            "detail": f"{len(lost)} of {len(writes)} acknowledged",
        },
    ]
    return {
        "settings": settings,
        "database": {k: fixture.built[k] for k in ("sites", "flows", "parks", "source")}
        | {"candidate_pairs": len(fixture.pairs)},
        "routes": routes,
        "cpu": cpu_figures(cpu, routes["total"]["requests"]),
        "errors": errors,
        "error_kinds": dict(problems.most_common(20)),
        "writes": {
            "acknowledged": len(writes),
            "synergies": sum(1 for w in writes if w.kind == "synergy"),
            "corrections": sum(1 for w in writes if w.kind == "correction"),
            "pairs_exhausted": workload.pairs_exhausted,
            "lost": len(lost),
            "lost_examples": lost[:10],
        },
        "server_log": {
            "database_is_locked": server_log.count("database is locked"),
            "tracebacks": server_log.count("Traceback"),
            "queue_depth_warnings": server_log.count("Task queue depth"),
        },
        "checks": checks,
        "pass": all(c["ok"] for c in checks),
        "timeline": timeline(samples),
    }


def print_report(report: dict[str, Any]) -> None:
    s = report["settings"]
    db = report["database"]
    pace = f"think {s['think_s']:g} s" if s["think_s"] else "back to back"
    server = "waitress" if s["workers"] == 1 else "gunicorn"
    print(
        f"\n{s['clients']} clients ({pace}), {server} {s['workers']} process(es) × "
        f"{s['threads']} threads, "
        f"{s['duration_s']:g} s measured after {s['warmup_s']:g} s warm-up; {db['sites']} "
        f"sites, {db['flows']} flows, {db['candidate_pairs']} candidate synergies "
        f"({db['source']}); Python {s['python']}"
    )
    if not s["warm"]:
        ahead = "site pages not computed ahead (--no-warm)"
    elif s["settled_after_s"] is not None:
        ahead = (
            f"site pages computed ahead: the server settled {s['settled_after_s']:.0f} s "
            "after it started"
        )
    else:
        ahead = (
            "site pages computed ahead, but the server had not settled when the baseline started"
            if s["settle_s"]
            else "the baseline started at once (--settle 0)"
        )
    print(ahead)
    print(
        f"{'route':<18}{'req':>7}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>8}{'alone p50':>11}{'p95/alone':>11}  target"
    )
    for name, r in report["routes"].items():
        if name == "total":
            print("-" * 107)
        target = f"p95 < {TARGET_P95_MS:g}" if r["target"] else ""
        # the baseline measured in the same run: what the load adds to one request's time
        ratio = f"{r['p95_ms'] / r['alone_p50_ms']:.1f}×" if r["alone_p50_ms"] > 0 else "n/a"
        print(
            f"{name:<18}{r['requests']:>7}{r['rps']:>8.1f}{r['p50_ms']:>9.0f}"
            f"{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}{r['max_ms']:>9.0f}{r['errors']:>8}"
            f"{r['alone_p50_ms']:>11.0f}{ratio:>11}  {target}"
        )
    c = report["cpu"]

    def cores(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.2f}"

    per_request = c["server_ms_per_request"]
    print(
        f"\nCPU over the measured window, in cores busy (of {c['cpu_count']}): load generator "
        f"{cores(c['generator_cores'])}, server {cores(c['server_cores'])}, other processes "
        f"{cores(c['other_cores'])}; server CPU per request "
        + ("n/a" if per_request is None else f"{per_request:.1f} ms")
    )
    w = report["writes"]
    print(
        f"writes acknowledged: {w['acknowledged']} ({w['synergies']} synergies moved to "
        f"contacted, {w['corrections']} corrections); lost: {w['lost']}"
    )
    for line in w["lost_examples"]:
        print(f"  lost: {line}")
    log = report["server_log"]
    print(
        f"server log: {log['database_is_locked']} 'database is locked', "
        f"{log['tracebacks']} tracebacks, {log['queue_depth_warnings']} queue-depth warnings"
    )
    e = report["errors"]
    print(
        f"errors: {e['measured']} measured, {e['warmup']} in warm-up, {e['baseline']} in the "
        f"baseline, {e['hung_clients']} clients without an answer at the end"
    )
    for text, n in report["error_kinds"].items():
        print(f"  error ×{n}: {text}")
    print()
    for check in report["checks"]:
        print(f"{'PASS' if check['ok'] else 'FAIL'}  {check['name']}  ({check['detail']})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured (30)")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of load before measuring (5)"
    )
    parser.add_argument(
        "--alone",
        type=int,
        default=20,
        help="baseline: requests of each route class from one client (20)",
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean pause of a client after each answer, in s (2: people "
        "clicking through pages; 0: back to back, the server's capacity)",
    )
    parser.add_argument("--threads", type=int, default=8, help="server threads per process (8)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes sharing the port (`serve --workers`): one per "
        "core by default, as the README recommends for many users",
    )
    parser.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="serve with --no-warm: site pages computed on their first visit",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=120.0,
        help="at most this many s waiting for the started server to go idle "
        "before the baseline (120; 0: start at once)",
    )
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=None,
        help="weights of route classes, e.g. map=20,site=20 (see README)",
    )
    parser.add_argument(
        "--sites",
        default="demo",
        help="'demo' (the demo membership) or a number of generated sites",
    )
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds a client waits for an answer (30)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample the server with py-spy while measuring (.svg, .json, raw)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a PASS/FAIL line fails"
    )
    args = parser.parse_args(argv)
    if args.sites != "demo" and not (args.sites.isdigit() and int(args.sites) > 0):
        parser.error(f"--sites: expected 'demo' or a whole number > 0, got {args.sites!r}")
    if (
        args.clients < 1
        or args.threads < 1
        or args.workers < 1
        or args.duration <= 0
        or args.warmup < 0
        or args.settle < 0
        or args.think < 0
        or args.alone < 0
    ):
        parser.error(
            "--clients, --threads and --workers must be ≥ 1, --duration > 0, --warmup, "
            "--settle, --think and --alone ≥ 0"
        )
    report = run(
        clients=args.clients,
        threads=args.threads,
        workers=args.workers,
        duration_s=args.duration,
        warmup_s=args.warmup,
        alone_requests=args.alone,
        think_s=args.think,
        mix=args.mix,
        warm=args.warm,
        settle_s=args.settle,
        sites=args.sites,
        seed=args.seed,
        timeout_s=args.timeout,
        profile=args.profile,
    )
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    return 1 if args.check and not report["pass"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
