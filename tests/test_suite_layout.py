"""The suite's own shape: helpers in ``tests/support``, fixtures in ``conftest.py``, and no test
module that needs another one (each can be moved, renamed or run alone, on any xdist worker)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: The suite, its helpers and the benchmarks (which share ``bench/serving.py`` with the tests).
MODULES = sorted(
    [*TESTS.glob("*.py"), *(TESTS / "support").glob("*.py"), *(ROOT / "bench").glob("*.py")]
)


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def test_no_module_imports_conftest_or_a_test_module():
    wrong = {
        path.relative_to(ROOT).as_posix(): names
        for path in MODULES
        if (names := sorted(n for n in _imported(path) if _is_test_module(n)))
    }
    assert not wrong, f"move what these need into tests/support/: {wrong}"


def test_no_code_run_by_a_child_process_imports_a_test_module():
    """A child process told to import a test module (``python -c``) escapes the check above."""
    words = ("tests." + "test_", "from " + "conftest")
    wrong = {
        path.relative_to(ROOT).as_posix(): found
        for path in MODULES
        if (found := [w for w in words if w in path.read_text(encoding="utf-8")])
    }
    assert not wrong, wrong


def test_conftest_holds_fixtures_only():
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    helpers = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        and not node.name.startswith("pytest_")  # pytest's hooks
        and not any("fixture" in ast.unparse(d) for d in node.decorator_list)
    ]
    assert helpers == [], "helpers belong in tests/support/"


def test_support_modules_are_not_collected_as_tests():
    assert not [p.name for p in (TESTS / "support").glob("test_*.py")]


def test_helpers_live_in_support_only():
    """Beside the tests, only conftest.py and the package's __init__.py: a helper imported by
    its bare name (``from geocoder_server import …``) would work only from some folders."""
    stray = [
        p.name
        for p in TESTS.glob("*.py")
        if p.name not in ("conftest.py", "__init__.py") and not p.name.startswith("test_")
    ]
    assert not stray, stray
