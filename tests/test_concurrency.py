"""Concurrent writers never see "database is locked", and every acknowledged write is kept.

Several threads (SQLite and PostGIS) and, on SQLite, several processes at once write through the
repository's own methods — members, flows on one shared site, flow updates, synergy moves — with
reads in between. Each worker reports what the database acknowledged; afterwards every
acknowledged row is there with its content, the counts add up, and the history of a synergy
that all workers fought over is one unbroken chain (a move read and written in one transaction).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mapservice.config import PROJECT_ROOT
from mapservice.storage import open_repository
from mapservice.storage import schema as t
from tests.support.concurrent_writer import ROUNDS, work


def _prepare(url: str, n_workers: int) -> dict[str, Any]:
    """Migrate, add one shared site, one synergy per worker and one they all share."""
    repo = open_repository(url)
    repo.migrate()
    member = repo.add_member({"name": "Métal Saguenay ltée", "public_consent": True})
    site = repo.add_site(
        {"member_id": member, "name": "Usine de Jonquière", "lon": -71.25, "lat": 48.42}
    )
    flows = [
        repo.add_flow(
            {
                "site_id": site,
                "direction": direction,
                "category_code": "metaux",
                "description": f"Flux {direction} {i}",
                "hazardous": False,
                "confidential": False,
            }
        )
        for i in range(n_workers + 1)
        for direction in ("output", "input")
    ]
    repo.save_candidates(
        {"output_flow_id": out, "input_flow_id": inp, "kind": "substitution", "reasons_json": "[]"}
        for out, inp in zip(flows[::2], flows[1::2], strict=True)
    )
    synergies = [s.id for s in repo.synergies()]
    repo.close()
    return {"site": site, "own": synergies[:-1], "shared": synergies[-1]}


def _check(url: str, plan: dict[str, Any], reports: list[dict[str, Any]]) -> None:
    repo = open_repository(url)
    try:
        members = {m.id: m.name for m in repo.members()}
        for report in reports:
            for member_id, name in report["members"].items():
                assert members[int(member_id)] == name
        assert len(members) == 1 + sum(len(r["members"]) for r in reports)
        flows = {f.id: [f.description, f.quantity] for f in repo.flows(site_ids=[plan["site"]])}
        for report in reports:
            for flow_id, content in report["flows"].items():
                assert flows[int(flow_id)] == content
        n_setup_flows = 2 * (len(plan["own"]) + 1)
        assert len(flows) == n_setup_flows + sum(len(r["flows"]) for r in reports)
        for synergy_id, report in zip(plan["own"], reports, strict=True):
            assert len(repo.synergy_events(synergy_id)) == report["own_moves"] == ROUNDS
        # In commit order: `at` is stamped before the move waits for the write lock, so two
        # moves a few milliseconds apart may list out of order by time.
        ev = t.synergy_events
        with repo.engine.connect() as conn:
            events = conn.execute(
                sa.select(ev.c.from_status, ev.c.to_status)
                .where(ev.c.synergy_id == plan["shared"])
                .order_by(ev.c.id)
            ).all()
        assert len(events) == sum(r["shared_moves"] for r in reports) >= ROUNDS
        chain = ["candidate"] + [to for _, to in events]
        assert [from_ for from_, _ in events] == chain[:-1]
        assert repo.get_synergy(plan["shared"]).status.value == chain[-1]
    finally:
        repo.close()


def _threads(
    url: str, tags: list[str], plan: dict[str, Any], go: Path, first: int = 0
) -> tuple[list[threading.Thread], list[Any]]:
    results: list[Any] = [None] * len(tags)

    def run(k: int, tag: str) -> None:
        try:
            results[k] = work(
                url, tag, plan["site"], plan["own"][first + k], plan["shared"], str(go)
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            results[k] = exc

    threads = [threading.Thread(target=run, args=(k, tag)) for k, tag in enumerate(tags)]
    for thread in threads:
        thread.start()
    return threads, results


def test_concurrent_threads_lose_nothing(database_url, tmp_path):
    tags = [f"fil{k}" for k in range(4)]
    plan = _prepare(database_url, len(tags))
    go = tmp_path / "go"
    threads, results = _threads(database_url, tags, plan, go)
    go.touch()
    for thread in threads:
        thread.join(timeout=120)
    errors = [r for r in results if not isinstance(r, dict)]
    assert not errors, errors
    _check(database_url, plan, results)


PROCESS = (
    "import json, sys; from tests.support.concurrent_writer import work; "
    "print(json.dumps(work(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6]), "
    "sys.argv[6])))"
)


@pytest.mark.slow
def test_concurrent_processes_and_threads_on_one_sqlite_file(tmp_path):
    url = "sqlite:///" + str(tmp_path / "partage.sqlite")
    procs_tags, thread_tags = [f"proc{k}" for k in range(3)], [f"fil{k}" for k in range(3)]
    plan = _prepare(url, len(procs_tags) + len(thread_tags))
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PROCESS,
                url,
                tag,
                str(plan["site"]),
                str(plan["own"][k]),
                str(plan["shared"]),
                str(go),
            ],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k, tag in enumerate(procs_tags)
    ]
    threads, results = _threads(url, thread_tags, plan, go, first=len(procs_tags))
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}.{tag}").exists() for tag in procs_tags + thread_tags):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "locked" not in err
        reports.append(json.loads(out))
    for thread in threads:
        thread.join(timeout=120)
    errors = [r for r in results if not isinstance(r, dict)]
    assert not errors, errors
    _check(url, plan, reports + results)
