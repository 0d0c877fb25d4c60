"""Once through a real server process: `mapservice serve` (waitress) on loopback."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from conftest import MANAGED

from bench.serving import serve


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
        assert len(doc["features"]) == health["counts"]["sites"]
