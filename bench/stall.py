"""Heavy downloads against everyone else: ``/healthz`` and the map while clients pull tout.xlsx.

The benchmark builds the demo database in a temporary folder with its candidate synergies
(:func:`bench.load.prepare`), opens the public map (so that, as for anyone on the internet,
``/export/tout.xlsx`` needs no account), and starts ``python -m mapservice.cli serve`` (the
production server: waitress for one process, gunicorn for several; ``--no-warm``, so that the
site pages computed ahead take no CPU from either phase) on a free loopback port. The same
server then goes through two phases:

1. *alone* (the baseline of the same run): one probe client asks ``/healthz`` and the map
   (``/``, the public map) in turn, ``--pause`` seconds apart, for ``--baseline`` seconds;
2. *loaded*: ``--clients`` heavy clients pull ``/export/tout.xlsx`` in a loop, each on its own
   keep-alive connection (a client told 429 waits the ``Retry-After`` it was given, as a
   well-behaved client does, then asks again), while the probe client goes on the same way for
   ``--duration`` seconds. The heavy clients are threads of a process of their own, so that
   reading their downloads takes no time from the probe client's interpreter. The heavy clients
   come from ``--addresses`` client addresses (the server trusts the loopback as a proxy and
   each client sends its ``X-Forwarded-For``): 1 by default, all from one address, as one person
   with eight tabs or one script.

It prints p50/p95/max of each probe in both phases and PASS when the loaded p95 of each is
under 200 ms; and what the heavy clients got (downloads, 429s, errors). Run
``python -m bench.stall --help`` (or ``make bench-stall``); see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load import percentile, prepare
from bench.serving import Server, serve

TARGET_P95_MS = 200.0
PROBES = {"healthz": "/healthz", "map": "/"}
HEAVY_PATH = "/export/tout.xlsx"


def _stage(text: str) -> None:
    print(f"[stall] {text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Probe:
    name: str
    phase: str
    latency_s: float
    status: int  # 0 when the request raised
    started: float = 0.0  # time.perf_counter()


@dataclass(frozen=True)
class Pull:
    latency_s: float
    status: int
    retry_after_s: float | None


def _get(
    conn: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str]]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}


def probe_loop(
    server: Server, phase: str, until: float, pause_s: float, timeout_s: float, out: list[Probe]
) -> None:
    """Ask each probe in turn until ``until`` (``time.perf_counter``)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout_s)
    while time.perf_counter() < until:
        for name, path in PROBES.items():
            started = time.perf_counter()
            try:
                status, _ = _get(conn, path, {})
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout_s)
            out.append(Probe(name, phase, time.perf_counter() - started, status, started))
            time.sleep(pause_s)
    conn.close()


def heavy_client(
    host: str, port: int, address: str, stop: Any, timeout_s: float, out: list[Pull]
) -> None:
    """Pull tout.xlsx until ``stop``; after a 429, wait the Retry-After given."""
    headers = {"X-Forwarded-For": address}
    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status, answer = _get(conn, HEAVY_PATH, headers)
        except (OSError, http.client.HTTPException):
            status, answer = 0, {}
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
        wait = answer.get("retry-after")
        retry_after = float(wait) if wait and wait.isdigit() else None
        if not stop.is_set():
            out.append(Pull(time.perf_counter() - started, status, retry_after))
        if status == 429:
            stop.wait(retry_after if retry_after is not None else 1.0)
        elif status == 0:
            stop.wait(1.0)
    conn.close()


def heavy_process(
    host: str, port: int, clients: int, addresses: int, stop: Any, timeout_s: float, queue: Any
) -> None:
    """The heavy clients, as threads of their own process (so that reading their downloads
    takes no time from the probe client's interpreter); their pulls go to ``queue``."""
    pulls: list[Pull] = []
    threads = [
        threading.Thread(
            target=heavy_client,
            args=(host, port, f"198.51.100.{1 + i % addresses}", stop, timeout_s, pulls),
            daemon=True,
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=5)
    queue.put([(p.latency_s, p.status, p.retry_after_s) for p in list(pulls)])


def timeline(probes: Sequence[Probe], step_s: float = 5.0) -> list[dict[str, Any]]:
    """The loaded probes by ``step_s`` from the start of the loaded phase: count, p95."""
    loaded = [p for p in probes if p.phase == "loaded"]
    if not loaded:
        return []
    start = min(p.started for p in loaded)
    slots: dict[int, list[float]] = {}
    for p in loaded:
        slots.setdefault(int((p.started - start) // step_s), []).append(p.latency_s * 1000)
    return [
        {
            "t_s": i * step_s,
            "requests": len(slots.get(i, [])),
            "p95_ms": percentile(sorted(slots.get(i, [])), 95),
        }
        for i in range(max(slots) + 1)
    ]


def summarise(probes: Sequence[Probe]) -> dict[str, dict[str, Any]]:
    """Per probe and phase: requests, p50, p95, max in ms, errors."""
    out: dict[str, dict[str, Any]] = {}
    for name in PROBES:
        for phase in ("alone", "loaded"):
            group = [p for p in probes if p.name == name and p.phase == phase]
            ms = sorted(p.latency_s * 1000 for p in group)
            out[f"{name} {phase}"] = {
                "requests": len(group),
                "p50_ms": percentile(ms, 50),
                "p95_ms": percentile(ms, 95),
                "max_ms": ms[-1] if ms else float("nan"),
                "errors": sum(1 for p in group if p.status != 200),
            }
    return out


def run(
    *,
    clients: int = 8,
    addresses: int = 1,
    baseline_s: float = 10.0,
    duration_s: float = 60.0,
    pause_s: float = 0.1,
    threads: int = 8,
    workers: int = 1,
    seed: int = 2021,
    timeout_s: float = 300.0,
) -> dict[str, Any]:
    """Run both phases on one server and return every figure (see :func:`print_report`)."""
    from mapservice.accounts import jobs as accounts
    from mapservice.config import finish_settings, load_settings
    from mapservice.services import Services

    probes: list[Probe] = []
    pulls: list[Pull] = []
    with tempfile.TemporaryDirectory(prefix="bench-stall-") as tmp:
        folder = Path(tmp)
        _stage("building the demo database and its candidate synergies")
        fixture = prepare(folder, "demo", seed)
        settings = load_settings({})
        settings.update(
            DATABASE_URL=fixture.database_url,
            INSTANCE_PATH=str(folder / "instance"),
            SECRET_KEY="bench",
        )
        svc = Services(finish_settings(settings))
        try:
            accounts.set_public_map(svc, "1", actor="bench-stall")
        finally:
            svc.close()
        os.environ["MAPSERVICE_TRUSTED_PROXIES"] = "127.0.0.1"
        args = ["--threads", str(threads), "--workers", str(workers), "--no-warm"]
        _stage(f"starting the server ({workers} process(es) × {threads} threads)")
        with serve(fixture.database_url, folder, args) as server:
            _stage(f"alone: probes for {baseline_s:g} s")
            warm: list[Probe] = []
            probe_loop(server, "warm", time.perf_counter() + 2.0, pause_s, timeout_s, warm)
            probe_loop(
                server, "alone", time.perf_counter() + baseline_s, pause_s, timeout_s, probes
            )
            _stage(f"loaded: {clients} clients pulling {HEAVY_PATH} for {duration_s:g} s")
            spawn = multiprocessing.get_context("spawn")
            stop, queue = spawn.Event(), spawn.Queue()
            heavy = spawn.Process(
                target=heavy_process,
                args=(server.host, server.port, clients, addresses, stop, timeout_s, queue),
                daemon=True,
            )
            heavy.start()
            probe_loop(
                server, "loaded", time.perf_counter() + duration_s, pause_s, timeout_s, probes
            )
            stop.set()
            _stage("stopping (downloads still running are cut)")
            try:
                pulls = [Pull(*row) for row in queue.get(timeout=30)]
            except Exception:  # noqa: BLE001 - the figures of the probes still stand
                pulls = []
        heavy.join(timeout=10)
    statuses = Counter(p.status for p in pulls)
    done = sorted(p.latency_s for p in pulls if p.status == 200)
    routes = summarise(probes)
    checks = [
        {
            "name": f"{name} p95 < {TARGET_P95_MS:g} ms while loaded",
            "ok": routes[f"{name} loaded"]["p95_ms"] < TARGET_P95_MS
            and not routes[f"{name} loaded"]["errors"],
            "detail": f"{routes[f'{name} loaded']['p95_ms']:.0f} ms, "
            f"{routes[f'{name} loaded']['errors']} errors",
        }
        for name in PROBES
    ]
    return {
        "settings": {
            "clients": clients,
            "addresses": addresses,
            "baseline_s": baseline_s,
            "duration_s": duration_s,
            "pause_s": pause_s,
            "threads": threads,
            "workers": workers,
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
        },
        "database": {k: fixture.built[k] for k in ("sites", "flows", "parks")}
        | {"candidate_pairs": len(fixture.pairs)},
        "probes": routes,
        "heavy": {
            "downloads": statuses.get(200, 0),
            "refused_429": statuses.get(429, 0),
            "errors": sum(n for s, n in statuses.items() if s not in (200, 429)),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "download_p50_s": percentile(done, 50),
            "download_max_s": done[-1] if done else float("nan"),
        },
        "timeline": timeline(probes),
        "checks": checks,
        "pass": all(c["ok"] for c in checks),
    }


def print_report(report: dict[str, Any]) -> None:
    s, db, h = report["settings"], report["database"], report["heavy"]
    server = "waitress" if s["workers"] == 1 else "gunicorn"
    print(
        f"\n{s['clients']} clients pulling {HEAVY_PATH} from {s['addresses']} address(es); "
        f"{server} {s['workers']} process(es) × {s['threads']} threads; "
        f"{s['baseline_s']:g} s alone, then {s['duration_s']:g} s loaded; {db['sites']} sites, "
        f"{db['flows']} flows, {db['candidate_pairs']} candidate synergies; "
        f"Python {s['python']}, {s['cpu_count']} cores"
    )
    print(f"{'probe':<16}{'req':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}")
    for name, r in report["probes"].items():
        print(
            f"{name:<16}{r['requests']:>6}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}"
            f"{r['max_ms']:>9.0f}{r['errors']:>8}"
        )
    print(
        f"heavy clients: {h['downloads']} downloads (p50 {h['download_p50_s']:.2f} s, max "
        f"{h['download_max_s']:.2f} s), {h['refused_429']} answered 429, {h['errors']} errors "
        f"(statuses {h['statuses']})"
    )
    print(
        "loaded, every 5 s (p95 ms of both probes): "
        + "  ".join(f"{t['t_s']:g}s:{t['p95_ms']:.0f}" for t in report["timeline"])
    )
    print()
    for check in report["checks"]:
        print(f"{'PASS' if check['ok'] else 'FAIL'}  {check['name']}  ({check['detail']})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stall",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--clients", type=int, default=8, help="heavy clients (8)")
    parser.add_argument(
        "--addresses", type=int, default=1, help="client addresses they come from (1)"
    )
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds alone (10)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds loaded (60)")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between two probes (0.1)")
    parser.add_argument("--threads", type=int, default=8, help="server threads (8)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (1)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds a client waits for an answer"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a PASS/FAIL line fails"
    )
    args = parser.parse_args(argv)
    if min(args.clients, args.addresses, args.threads, args.workers) < 1 or (
        args.baseline <= 0 or args.duration <= 0 or args.pause < 0
    ):
        parser.error("--clients, --addresses, --threads, --workers ≥ 1; --baseline, --duration > 0")
    report = run(
        clients=args.clients,
        addresses=args.addresses,
        baseline_s=args.baseline,
        duration_s=args.duration,
        pause_s=args.pause,
        threads=args.threads,
        workers=args.workers,
        seed=args.seed,
        timeout_s=args.timeout,
    )
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), "utf-8")
    return 1 if args.check and not report["pass"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
