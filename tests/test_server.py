"""Real server processes on loopback: `mapservice serve` (waitress), and `serve --workers N`
(gunicorn's arbiter and its workers)."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from bench.serving import serve
from tests.support.accounts import MANAGED

#: Real server processes, each started and stopped: out of the edit loop (``make test-fast``).
pytestmark = pytest.mark.slow


def test_served_app_answers_map_health_and_export(tmp_path: Path, demo_db: str):
    with serve(demo_db, tmp_path, start_timeout_s=30, stop_timeout_s=10) as server:
        base = server.base
        with urllib.request.urlopen(base + "/healthz", timeout=30) as resp:
            health = json.load(resp)
        assert health["status"] == "ok"
        # a stranger is sent to the sign-in page; the staff token opens the map and exports
        with urllib.request.urlopen(base + "/", timeout=30) as resp:
            assert resp.url.startswith(base + "/connexion") and "password" in resp.read().decode()
        signed = {"Authorization": f"Bearer {MANAGED['staff_token']}"}
        request = urllib.request.Request(base + "/", headers=signed)
        with urllib.request.urlopen(request, timeout=30) as resp:
            assert resp.headers["Server"] == "mapservice"
            html = resp.read().decode()
        assert "L.markerClusterGroup" in html
        request = urllib.request.Request(base + "/export/sites.geojson", headers=signed)
        with urllib.request.urlopen(request, timeout=30) as resp:
            doc = json.load(resp)
        # strangers learn only the status; staff read the counts
        assert health == {"status": "ok"}
        request = urllib.request.Request(base + "/healthz", headers=signed)
        with urllib.request.urlopen(request, timeout=30) as resp:
            details = json.load(resp)
        assert len(doc["features"]) == details["counts"]["sites"] > 0


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _workers(parent: int, count: int, timeout_s: float = 20.0) -> list[int]:
    """The parent's children once there are ``count`` of them: gunicorn forks its workers one
    after the other, and the first may answer before the last is forked."""
    import time

    deadline = time.monotonic() + timeout_s
    while len(found := _children(parent)) != count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and "Z" not in stat.read_text().rsplit(")", 1)[1].split()[0]


def test_several_workers_share_the_port_one_that_dies_is_replaced_and_all_stop(
    tmp_path: Path, demo_db: str
):
    import signal
    import time

    with serve(
        demo_db,
        tmp_path,
        ["--workers", "2", "--threads", "2"],
        start_timeout_s=30,
        stop_timeout_s=10,
    ) as server:
        parent = server.proc.pid
        workers = _workers(parent, 2)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (len(now := _children(parent)) != 2 or workers[0] in now) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert len(now) == 2 and workers[0] not in now and workers[1] in now
        for _ in range(6):  # whichever worker takes the connection answers
            with urllib.request.urlopen(server.base + "/healthz", timeout=30) as resp:
                assert resp.headers["Server"] == "gunicorn"
                assert json.load(resp)["status"] == "ok"
        # gunicorn believes no proxy header itself, not even from loopback: the app decides
        # (MAPSERVICE_TRUSTED_PROXIES, unset here)
        request = urllib.request.Request(
            server.base + "/ogcapi/?f=json",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ailleurs.example.org"},
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            links = [link["href"] for link in json.load(resp)["links"]]
        assert links and all(h.startswith(server.base + "/ogcapi/") for h in links)
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=20) == 0
        assert not any(_alive(pid) for pid in now)
    log = server.log_path.read_text("utf-8")
    assert f"Worker (pid:{workers[0]}) was sent SIGKILL" in log
    assert log.count("Booting worker with pid") == 3


def test_workers_stop_when_their_parent_is_killed_outright(tmp_path: Path, demo_db: str):
    import signal
    import time

    with serve(
        demo_db,
        tmp_path,
        ["--workers", "2", "--threads", "1"],
        start_timeout_s=30,
        stop_timeout_s=10,
    ) as server:
        workers = _workers(server.proc.pid, 2)
        assert len(workers) == 2
        server.proc.kill()  # SIGKILL: the parent cannot pass anything on
        server.proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = [pid for pid in workers if _alive(pid)]
        for pid in alive:  # leave nothing behind even when the test fails
            os.kill(pid, signal.SIGKILL)
        assert alive == [], "orphaned workers kept serving the port"


def test_workers_that_cannot_start_stop_the_server_instead_of_looping(tmp_path: Path):
    import subprocess
    import sys

    from bench.serving import free_port

    code = (
        "from mapservice.ops.server import serve\n"
        "def broken():\n    raise RuntimeError('pas de base')\n"
        f"serve(broken, host='127.0.0.1', port={free_port()}, threads=1, workers=2)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 1
    assert "RuntimeError: pas de base" in done.stderr  # the worker's failure is logged
    assert "Worker failed to boot" in done.stderr
    assert "the server stopped: a worker could not start" in done.stderr


def test_a_server_that_cannot_start_says_why_once(tmp_path: Path):
    import subprocess
    import sys

    env = {
        **os.environ,
        "MAPSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite'}",
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
        "MAPSERVICE_ROUTING": "osrm",
    }
    done = subprocess.run(
        [sys.executable, "-m", "mapservice.cli", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.count("MAPSERVICE_ROUTING_URL") == 1
