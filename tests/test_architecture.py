"""Dependencies point inward: the core never imports Flask, an HTTP client or a DB driver."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mapservice"
CORE = [
    "domain/text.py",
    "domain/model.py",
    "materials/taxonomy.py",
    "errors.py",
    "geo/geojson.py",
    "domain/reference.py",
    "geocoding/names.py",
    "geocoding/region.py",
    "geocoding/gazetteer.py",
    "geocoding/parks.py",
    "geocoding/pipeline.py",
    "importing/values.py",
    "importing/columns.py",
    "importing/reader.py",
    "importing/plan.py",
    "materials/classify.py",
    "materials/impact.py",
    "matching/matcher.py",
    "matching/bulk.py",
    "geo/spatial_index.py",
    "materials/compatibility.py",
    "matching/arrays.py",
    "views/charts.py",
    "views/map_filters.py",
    "domain/sectors.py",
    "exports/layers.py",
    "geocoding/freetext.py",
    "geocoding/reverse.py",
    "geocoding/base.py",
]
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy", "alembic", "psycopg", "requests", "urllib3",
             "httpx", "geopy", "waitress", "sqlite3", "mapservice.web", "mapservice.storage",
             "mapservice.services", "mapservice.cli")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_nothing_outward(module):
    bad = {n for n in _imports(PACKAGE / module)
           if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{module} imports {sorted(bad)}"


def test_only_maps_knows_folium():
    users = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
             if any(n.split(".")[0] == "folium" for n in _imports(p))}
    assert users == {"views/folium_maps.py"}


def test_no_module_is_too_long():
    long = {p.relative_to(PACKAGE).as_posix(): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 550}
    assert not long, long
