"""Once through a real server process: `mapservice serve` (waitress) on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import MANAGED


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_served_app_answers_map_health_and_export(tmp_path: Path, demo_db: str):
    port = _free_port()
    env = {**os.environ, "MAPSERVICE_DATABASE_URL": demo_db,
           "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"), "PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "mapservice.cli", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                    health = json.load(resp)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    out = proc.stdout.read().decode() if proc.poll() is not None else ""
                    raise AssertionError(f"server did not start: {out}") from None
                time.sleep(0.2)
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
        assert len(doc["features"]) == health["counts"]["sites"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
