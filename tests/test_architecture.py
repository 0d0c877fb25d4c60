"""Dependencies point inward, the import graph has no cycle, and modules stay small.

The core is every module outside ``web/``, ``cli/``, ``storage/`` and ``ops/`` (and the wiring:
the app factory and ``services.py``). It never imports a web framework, a database driver, the
CLI or the edges; the web reaches the core through use cases only, never the repository.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mapservice"
EDGES = ("web", "cli", "storage", "ops")
#: Wiring, not core: the app factory builds the Flask app; the services open the storage.
WIRING = ("__init__.py", "services.py")
FORBIDDEN = (
    "flask",
    "werkzeug",
    "flask_babel",
    "flask_login",
    "flask_wtf",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg2",
    "click",
    "waitress",
    "gunicorn",
    "mapservice.web",
    "mapservice.cli",
    "mapservice.ops",
    "mapservice.storage",
)
MAX_LINES = 400


def _files() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _files()


def _imported(name: str, path: Path) -> set[str]:
    """What ``name`` imports, anywhere in it (functions and ``TYPE_CHECKING`` blocks too), as
    written: ``from a import b`` gives ``a.b`` when b is a module, else ``a``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.add(full if full in MODULES else base)
    return names


def _own(target: str) -> str | None:
    """The package module ``target`` names (the longest known prefix), or None."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        for target in _imported(name, path):
            own = _own(target)
            if own is not None and own != name:
                graph.add_edge(name, own)
    return graph


def _core() -> list[str]:
    return [
        p.relative_to(PACKAGE).as_posix()
        for p in MODULES.values()
        if p.relative_to(PACKAGE).parts[0] not in EDGES
        and p.relative_to(PACKAGE).as_posix() not in WIRING
    ]


def test_the_core_is_most_of_the_package():
    core = _core()
    assert {
        "domain/model.py",
        "registry/jobs.py",
        "accounts/jobs.py",
        "views/map_view.py",
        "caching.py",
        "config.py",
        "errors.py",
    } <= set(core)
    assert not any(m.startswith(EDGES) for m in core)


@pytest.mark.parametrize("module", _core())
def test_core_module_imports_nothing_outward(module):
    name = ".".join(Path(module).with_suffix("").parts).removesuffix(".__init__")
    found = _imported(f"mapservice.{name}", PACKAGE / module)
    bad = {n for n in found if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{module} imports {sorted(bad)}"


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert graph.number_of_edges() > 300  # the walk found the imports
    cycles = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, [sorted(c) for c in cycles]


def test_the_graph_sees_imports_in_functions_and_of_submodules():
    """The graph sees function-level imports and ``from package import module``."""
    graph = import_graph()
    assert graph.has_edge("mapservice", "mapservice.web.blueprints")  # inside create_app
    assert graph.has_edge("mapservice.web.blueprints", "mapservice.web.api")  # from web import api
    assert not graph.has_edge("mapservice.web.api", "mapservice.web.blueprints")


def test_no_web_or_cli_module_reaches_the_repository():
    """Handlers and commands call use cases: no ``….repo`` attribute in web/ or cli/."""
    found = {}
    for path in sorted([*(PACKAGE / "web").rglob("*.py"), *(PACKAGE / "cli").rglob("*.py")]):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = [
            n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "repo"
        ]
        if lines:
            found[rel] = lines
    assert not found, found


def test_no_cli_or_web_module_imports_the_storage():
    """The edges open the storage through the services and the use cases only."""
    bad = {}
    for name, path in MODULES.items():
        if name.startswith(("mapservice.web", "mapservice.cli")):
            hits = {
                n
                for n in _imported(name, path)
                if n.startswith(("mapservice.storage", "sqlalchemy"))
            }
            if hits:
                bad[name] = sorted(hits)
    assert not bad, bad


def test_only_maps_knows_folium():
    users = {
        p.relative_to(PACKAGE).as_posix()
        for name, p in MODULES.items()
        if any(n.split(".")[0] == "folium" for n in _imported(name, p))
    }
    assert users == {"views/folium_maps.py"}


def test_no_module_is_too_long():
    lines = {
        p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in MODULES.values()
    }
    long = {rel: n for rel, n in lines.items() if n > MAX_LINES}
    assert not long, long
