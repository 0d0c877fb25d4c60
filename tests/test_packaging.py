"""What a user installs: every imported library declared, the ``osm`` extra named when it is
missing, and the wheel itself installed in a fresh venv outside the repository."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from importlib.metadata import packages_distributions

import pytest

from mapservice.config import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: The extras a module of the package may import from (lazily, naming the extra when missing).
RUNTIME_EXTRAS = ("postgis", "osm")


def _name(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert found, requirement
    return re.sub(r"[-_.]+", "-", found.group(0)).lower()


def _imported_top_level_modules() -> dict[str, set[str]]:
    """Every absolute import of mapservice/: top-level module → files importing it."""
    found: dict[str, set[str]] = {}
    for path in (PROJECT_ROOT / "mapservice").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def test_every_imported_library_is_declared():
    project = PYPROJECT["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in RUNTIME_EXTRAS:
        declared |= {_name(r) for r in project["optional-dependencies"][extra]}
    distributions = packages_distributions()
    missing = {}
    for module, files in _imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module == "mapservice":
            continue
        names = {_name(d) for d in distributions.get(module, [module])}
        if not names & declared:
            missing[module] = sorted(files)[:3]
    assert not missing, f"imported but not in pyproject.toml's dependencies: {missing}"


def test_a_pbf_extract_without_pyosmium_names_the_extra_once(tmp_path):
    extract = tmp_path / "region.osm.pbf"
    extract.write_bytes(b"")
    code = (
        "import sys\nsys.modules['osmium'] = None  # as if pyosmium were not installed\n"
        "from mapservice.cli import main\nmain()\n"
    )
    env = {
        **os.environ,
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
        "MAPSERVICE_ROUTING": "osm",
        "MAPSERVICE_OSM_FILE": str(extract),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, "stats"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.count("pip install 'mapservice[osm]'") == 1


def test_the_osm_reader_names_the_extra_too(tmp_path):
    extract = tmp_path / "region.osm.pbf"
    extract.write_bytes(b"")
    code = (
        "import sys\nsys.modules['osmium'] = None\n"
        "from mapservice.routing.osm import graph_from_osm\n"
        f"graph_from_osm({str(extract)!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "RoadNetworkError" in done.stderr and "pip install 'mapservice[osm]'" in done.stderr


# --- the wheel, installed as a user would ---------------------------------------------------------

#: What the wheel is built from; a copy, so that no build/ folder of the checkout (which
#: setuptools never cleans) can slip a deleted module into it.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "mapservice", "data")


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("MAPSERVICE_TEST_WHEEL") != "1",
    reason="builds and installs the wheel in a new venv (about 2 minutes): "
    "MAPSERVICE_TEST_WHEEL=1, a separate step of .ci/run",
)
def test_the_wheel_installs_outside_the_repository_and_serves_the_demo(tmp_path):
    from bench.serving import free_port

    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(
                PROJECT_ROOT / name,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copy(PROJECT_ROOT / name, source / name)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        timeout=600,
    )
    wheel = next((tmp_path / "dist").glob("mapservice-*.whl"))

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(PROJECT_ROOT / "constraints.txt"),
            str(wheel),
        ],
        timeout=900,
    )

    home, elsewhere = tmp_path / "home", tmp_path / "ailleurs"
    home.mkdir()
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAPSERVICE_", "XDG_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(HOME=str(home), PORT=str(free_port()))
    mapservice = str(venv / "bin" / "mapservice")
    done = _run([mapservice, "init", "--demo"], env=env, cwd=elsewhere, timeout=300)
    assert re.search(r"sites\s+295", done.stdout), done.stdout
    instance = home / ".local" / "share" / "mapservice"
    assert (instance / "mapservice.sqlite").is_file() and (instance / "secret_key").is_file()
    settings = _run([mapservice, "settings"], env=env, cwd=elsewhere, timeout=60).stdout
    data_dir = str(venv / "lib")  # …/site-packages/mapservice/data, not the checkout's
    assert re.search(
        rf"DATA_DIR\n\s+défaut : '{re.escape(data_dir)}[^']*/mapservice/data'", settings
    ), settings

    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [mapservice, "serve", "--no-warm"],
            env={**env, "MAPSERVICE_MONITORS": "127.0.0.1"},  # /healthz's counts for this check
            cwd=elsewhere,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{env['PORT']}/healthz", timeout=5
                ) as resp:
                    health = json.load(resp)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    tmp_path / "serve.log"
                ).read_text("utf-8", "replace")
                time.sleep(0.3)
        assert health["status"] == "ok" and health["counts"]["sites"] == 295
        with urllib.request.urlopen(
            f"http://127.0.0.1:{env['PORT']}/static/vendor/leaflet/leaflet.js", timeout=10
        ) as resp:
            assert resp.status == 200 and len(resp.read()) > 10_000
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not list(elsewhere.iterdir()), "nothing is written to the current folder"
