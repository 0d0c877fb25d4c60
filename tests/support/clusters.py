"""The region map drawn from the server's clusters: an app and a served page that use them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mapservice import create_app
from tests.support.browser import signed_in_page

#: A bounding box that holds the whole map (west, south, east, north).
WORLD = "-180,-85,180,85"


def clustered_app(tmp_path: Path, db_url: str, above: int = 0) -> Any:
    """The app over ``db_url`` whose region map is clustered above ``above`` sites."""
    return create_app(
        {
            "DATABASE_URL": db_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "MAP_SERVER_CLUSTERS_ABOVE": above,
        }
    )


def clusters_answer(client: Any, zoom: float, query: str = "", bbox: str = WORLD) -> dict[str, Any]:
    """``/carte/grappes.json`` for ``zoom`` and ``bbox`` (plus the map filters in ``query``)."""
    resp = client.get(f"/carte/grappes.json?zoom={zoom}&bbox={bbox}{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()


def wait_drawn_after(page: Any, before: float) -> float:
    """Wait until the map has drawn its sites again after the time ``before``; return when."""
    page.wait_for_function(
        "(before) => +document.documentElement.dataset.sitesDrawnAt > before", arg=before
    )
    page.wait_for_timeout(100)
    return float(page.evaluate("() => +document.documentElement.dataset.sitesDrawnAt"))


@contextmanager
def clustered_map_page(chromium: Any, db_url: str, tmp_path: Path) -> Iterator[tuple[Any, list]]:
    """A served app whose map is always clustered, its region map open in Chromium as staff
    once its first clusters are asked for; yields the page and the page's script errors."""
    from bench.serving import serve

    settings = {"MAPSERVICE_MAP_SERVER_CLUSTERS_ABOVE": "0"}
    with serve(db_url, tmp_path, ["--no-warm"], start_timeout_s=30, settings=settings) as server:
        page = signed_in_page(chromium, server.base, viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            page.goto(server.base + "/")
            page.wait_for_function(
                "() => document.documentElement.dataset.sitesClustered === 'server'"
            )
            yield page, errors
        finally:
            page.close()
