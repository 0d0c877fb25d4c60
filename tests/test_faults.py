"""Faults: the database going away, a full disk, the online services timing out, a process
killed in the middle of an import.

Each must give the person who asked a clear error and leave the data exactly as it was before
the operation that failed: every table is compared row by row. The faults are real ones: a
database file renamed away, a PostgreSQL connection terminated by the server, a tmpfs that
fills up, local HTTP servers that answer too late, a process killed with SIGKILL. What decides
*when* a fault strikes is a SQLAlchemy event listener on the app's own engine, so the fault
lands inside the write transaction rather than somewhere around it.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bench.pages import write_membership
from mapservice import create_app
from mapservice.cli.main import main
from mapservice.domain.typography import french
from mapservice.geocoding.jobs import run_batch
from mapservice.services import Services
from mapservice.storage import schema as t
from tests.support.accounts import PASSWORD, sign_in
from tests.support.geocoder_server import GeocoderServer
from tests.support.routing_server import RoutingServer
from tests.support.settings import make_settings

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
IMPORT_HEADER = (
    "entreprise;secteur_scian;site;adresse;municipalite;code_postal;type;matiere;"
    "description;quantite;unite"
)
IMPORT_ROWS = [
    f"Usine de panne {n} (essai);321113;;{n} rue Racine Est;Chicoutimi;G7H 5B1;offre;"
    f"bois.sciure;Sciure n° {n};{n},5;t/an"
    for n in range(1, 41)
]


def everything(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order: what "the data as it was" means here."""
    with engine.connect() as conn:
        return {
            tbl.name: [tuple(r) for r in conn.execute(sa.select(tbl).order_by(*tbl.primary_key))]
            for tbl in t.ALL_TABLES
        }


def _svc(app: Any) -> Services:
    return app.extensions["mapservice"]  # type: ignore[no-any-return]


def _preview(client: Any, content: str, name: str = "panne.csv") -> str:
    """Upload a file for import; return the token that confirms it."""
    import io

    page = client.post(
        "/registre/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content.encode("utf-8")), name)},
    )
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    found = re.search(r'action="/registre/import/([0-9a-f]{32})"', page.get_data(as_text=True))
    assert found, "the preview offers no confirmation"
    return found.group(1)


def _import_csv(rows: list[str] = IMPORT_ROWS) -> str:
    return IMPORT_HEADER + "\n" + "\n".join(rows) + "\n"


def _strike_on(engine: sa.Engine, table: str, fault: Callable[[Any], None]) -> None:
    """Call ``fault(dbapi_cursor)`` once, just before the first INSERT into ``table``."""
    struck: list[bool] = []

    def before(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if not struck and re.match(rf"\s*INSERT INTO {table}\b", statement, re.IGNORECASE):
            struck.append(True)
            fault(cursor)

    sa.event.listen(engine, "before_cursor_execute", before)


# --- the database goes away ---------------------------------------------------------------------


def test_a_vanished_database_file_answers_503_and_is_never_recreated_empty(app, client):
    path = Path(_svc(app).repo.engine.url.database or "")
    assert client.get("/").status_code == 200
    away = path.with_name("ailleurs.sqlite")
    path.rename(away)
    try:
        page = client.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 503
        text = html.unescape(page.get_data(as_text=True))
        assert "La base de données est indisponible" in text and "Traceback" not in text
        api = client.get("/api/v1/synergies")
        assert api.status_code == 503 and api.mimetype == "application/problem+json"
        assert api.get_json()["error"] == "storage_unavailable"
        # SQLite would happily have made a new, empty file under the old name
        assert not path.exists()
    finally:
        away.rename(path)
    assert client.get("/").status_code == 200  # back as soon as the file is


def test_a_database_file_gone_during_an_import_keeps_nothing_of_it(app, client):
    repo = _svc(app).repo
    path = Path(repo.engine.url.database or "")
    token = _preview(client, _import_csv())
    before = everything(repo.engine)
    away = path.with_name("ailleurs.sqlite")
    _strike_on(repo.engine, "flows", lambda _cursor: path.rename(away))
    try:
        answer = client.post(f"/registre/import/{token}", headers={"Accept": "text/html"})
    finally:
        away.rename(path)
    assert answer.status_code == 503
    assert "rien n'a été enregistré" in html.unescape(answer.get_data(as_text=True))
    assert everything(repo.engine) == before


@pytest.fixture
def postgis_app(tmp_path: Path, postgis_url: str) -> Iterator[Any]:
    from mapservice.accounts import jobs as accounts

    svc = Services(make_settings(tmp_path, postgis_url))
    svc.init_database(demo=True)
    # an account only: add_test_accounts would point the MANAGED tokens at this database
    accounts.add_user(svc, username="personnel", password=PASSWORD, role="staff")
    svc.close()
    app = create_app(
        {
            "DATABASE_URL": postgis_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
        }
    )
    yield app
    _svc(app).close()


@pytest.mark.postgis
def test_a_postgis_connection_cut_during_an_import_keeps_nothing_and_the_next_request_works(
    postgis_app, postgis_url
):
    import psycopg

    client = sign_in(postgis_app.test_client(), "personnel")
    repo = _svc(postgis_app).repo
    token = _preview(client, _import_csv())
    before = everything(repo.engine)
    plain = postgis_url.replace("postgresql+psycopg", "postgresql").split("?")[0]

    def cut(cursor: Any) -> None:  # the server ends the import's own connection
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (cursor.connection.info.backend_pid,))

    _strike_on(repo.engine, "flows", cut)
    answer = client.post(f"/registre/import/{token}", headers={"Accept": "text/html"})
    assert answer.status_code == 503
    said = french("La base de données est indisponible : rien n'a été enregistré")
    assert said in html.unescape(answer.get_data(as_text=True))
    assert everything(repo.engine) == before
    assert client.get("/registre/").status_code == 200  # a fresh connection, no restart needed


# --- a full disk --------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, mounted for the test (root only: skipped elsewhere, forced in CI)."""
    mount = tmp_path / "petit-disque"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = f"cannot mount a small tmpfs to fill up ({done.stderr.strip() or 'not root'})"
        if os.environ.get("MAPSERVICE_REQUIRE_MOUNT") == "1":
            pytest.fail(reason + " and MAPSERVICE_REQUIRE_MOUNT=1")
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_refuses_the_import_whole_and_it_goes_through_once_space_is_freed(
    small_disk, tmp_path, demo_sqlite
):
    db = small_disk / "demo.sqlite"
    shutil.copy(demo_sqlite, db)
    filler = small_disk / "remplissage"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - 96 * 1024))  # leave 96 KiB
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{db}",
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "TESTING": True,
        }
    )
    client = sign_in(app.test_client(), "personnel")
    rows = [row.replace("Sciure", "Sciure " + "fine " * 40) for row in IMPORT_ROWS * 10]
    content = _import_csv([row.replace("(essai)", f"(essai {i})") for i, row in enumerate(rows)])
    token = _preview(client, content)
    before = everything(_svc(app).repo.engine)
    answer = client.post(f"/registre/import/{token}", headers={"Accept": "text/html"})
    assert answer.status_code == 507
    page = html.unescape(answer.get_data(as_text=True))
    assert french("Le disque de la base de données est plein : rien n'a été enregistré") in page
    assert everything(_svc(app).repo.engine) == before
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    api = client.post("/api/v1/synergies", json={"output_flow_id": 1, "input_flow_id": 2})
    assert api.status_code in (422, 507)  # refused for its content, or for the disk: never 500

    filler.unlink()
    token = _preview(client, content)
    assert client.post(f"/registre/import/{token}").status_code == 303
    assert len(_svc(app).repo.members()) == len(before["members"]) + len(rows)
    _svc(app).close()


@pytest.fixture
def postgis_small_disk(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A PostGIS URL whose tables all go to a 16 MiB tmpfs (a tablespace made the default of
    a fresh schema's connections), and the tmpfs. Needs root and the PostgreSQL server on this
    machine: skipped elsewhere, forced in CI."""
    import pwd
    import tempfile
    import uuid
    from urllib.parse import urlsplit

    import psycopg

    from tests.support.postgis import postgis_or_skip

    base = postgis_or_skip()
    plain = base.replace("postgresql+psycopg", "postgresql")
    reason = None
    if urlsplit(plain).hostname not in ("127.0.0.1", "localhost", "::1"):
        reason = "the PostGIS server is not on this machine: its disk cannot be filled here"
    try:
        server = pwd.getpwnam("postgres")
    except KeyError:
        reason = reason or "no 'postgres' system user to own the tablespace"
    mount = Path(tempfile.mkdtemp(prefix="mapservice-pg-disque-"))
    mount.chmod(0o755)  # the server's user walks into it
    if reason is None:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            reason = f"cannot mount a small tmpfs ({done.stderr.strip() or 'not root'})"
    if reason is not None:
        mount.rmdir()
        if os.environ.get("MAPSERVICE_REQUIRE_MOUNT") == "1":
            pytest.fail(reason + " and MAPSERVICE_REQUIRE_MOUNT=1")
        pytest.skip(reason)
    location = mount / "tablespace"
    location.mkdir()
    os.chown(location, server.pw_uid, server.pw_gid)
    suffix = uuid.uuid4().hex[:12]
    space, schema = f"plein_{suffix}", f"t_{suffix}"
    try:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {space} LOCATION '{location}'")
            conn.execute(f"CREATE SCHEMA {schema}")
        sep = "&" if "?" in base else "?"
        yield (
            (
                f"{base}{sep}options=-csearch_path%3D{schema},public"
                f"%20-cdefault_tablespace%3D{space}"
            ),
            mount,
        )
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"DROP TABLESPACE IF EXISTS {space}")
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


@pytest.mark.postgis
def test_a_full_disk_under_postgis_refuses_the_import_whole_and_it_goes_through_later(
    postgis_small_disk, tmp_path
):
    """PostgreSQL says 53100 (disk full) when a table cannot grow: a 507, nothing kept."""
    from mapservice.accounts import jobs as accounts

    url, mount = postgis_small_disk
    svc = Services(make_settings(tmp_path, url))
    svc.init_database()
    accounts.add_user(svc, username="personnel", password=PASSWORD, role="staff")
    svc.close()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "TESTING": True,
        }
    )
    client = sign_in(app.test_client(), "personnel")
    rows = [row.replace("Sciure", "Sciure " + "fine " * 40) for row in IMPORT_ROWS * 30]
    content = _import_csv([row.replace("(essai)", f"(essai {i})") for i, row in enumerate(rows)])
    token = _preview(client, content)
    repo = _svc(app).repo
    with repo.engine.connect() as conn:  # the tables are on the small disk
        spaces = {
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT DISTINCT tablespace FROM pg_tables WHERE schemaname = current_schema()"
                )
            )
        }
    assert spaces == {url.rsplit("%3D", 1)[1]}
    before = everything(repo.engine)
    filler = mount / "remplissage"
    filler.write_bytes(b"\0" * max(0, shutil.disk_usage(mount).free - 256 * 1024))

    answer = client.post(f"/registre/import/{token}", headers={"Accept": "text/html"})
    assert answer.status_code == 507
    assert french(
        "Le disque de la base de données est plein : rien n'a été enregistré"
    ) in html.unescape(answer.get_data(as_text=True))
    assert everything(repo.engine) == before

    filler.unlink()
    token = _preview(client, content)
    assert client.post(f"/registre/import/{token}").status_code == 303
    assert len(repo.members()) == len(before["members"]) + len(rows)
    _svc(app).close()


# --- the online services time out --------------------------------------------------------------


@pytest.fixture
def geocoder() -> Iterator[GeocoderServer]:
    srv = GeocoderServer().start()
    yield srv
    srv.stop()


#: A street address the local geocoder knows (at the civic number), with no postal code, so
#: that the cascade asks the online geocoder rather than the postal code table.
ONLINE_ROW = [
    "Usine en ligne (essai)",
    "321113",
    "",
    "2485 rue Alexis-le-Trotteur",
    "Jonquière",
    "",
    "",
    "",
    "offre",
    "bois.sciure",
    "Sciure",
    "12",
    "t/an",
    "",
    "non",
    "non",
]


def _online_services(tmp_path: Path, database_url: str, geocoder: GeocoderServer) -> Services:
    from tests.support.import_files import HEADER, write_csv

    svc = Services(
        make_settings(
            tmp_path,
            database_url,
            GEOCODER="nominatim",
            GEOCODER_URL=geocoder.url,
            GEOCODER_MIN_DELAY_S=0.0,
            GEOCODER_TIMEOUT_S=0.2,
            GEOCODER_RETRIES=0,
        )
    )
    svc.init_database()
    svc.import_file(write_csv(tmp_path / "membres.csv", [ONLINE_ROW], header=HEADER))
    with svc.repo.engine.begin() as conn:  # the answer was kept: forget it, so the run asks
        conn.execute(t.geocode_cache.delete())
    return svc


def test_a_geocoder_timing_out_never_moves_a_placed_site_and_the_run_says_so(
    tmp_path, database_url, geocoder
):
    svc = _online_services(tmp_path, database_url, geocoder)
    try:
        (site,) = svc.repo.sites()
        assert site.geocode_precision is not None and site.geocode_precision.value == "address"
        before = everything(svc.repo.engine)
        geocoder.behaviour.delay_s = 0.6
        summary = run_batch(svc, mode="all", backend="nominatim")
        assert summary.statuses == {"failed": 1}
        ((_site_id, why),) = summary.failures
        assert "indisponible" in why and "position inchangée" in why
        after = everything(svc.repo.engine)
        assert after["sites"] == before["sites"] and after["flows"] == before["flows"]
    finally:
        svc.close()


def test_a_geocoder_timing_out_places_a_new_site_offline_and_a_later_run_asks_again(
    tmp_path, database_url, geocoder
):
    svc = _online_services(tmp_path, database_url, geocoder)
    try:
        with svc.repo.engine.begin() as conn:  # as if it had never been placed
            conn.execute(t.sites.update().values(lon=None, lat=None, geocode_precision=None))
        geocoder.behaviour.delay_s = 0.6
        run_batch(svc, mode="missing", backend="nominatim")
        (placed,) = svc.repo.sites()
        assert placed.lon is not None and "indisponible" in (placed.geocode_note or "")
        assert placed.geocode_precision is not None
        assert placed.geocode_precision.value in ("park", "municipality")
        assert placed.geocoded_by == "mapservice geocode (offline)"
        assert svc.repo.cache_size() == 0  # a timeout is never remembered as "no such place"
        geocoder.behaviour.delay_s = 0.0
        run_batch(svc, mode="missing", backend="nominatim")
        (again,) = svc.repo.sites()
        assert again.geocode_precision is not None and again.geocode_precision.value == "address"
    finally:
        svc.close()


@pytest.fixture
def routing() -> Iterator[RoutingServer]:
    srv = RoutingServer().start()
    yield srv
    srv.stop()


def _routed_app(tmp_path: Path, demo_db: str, routing: RoutingServer) -> Any:
    return create_app(
        {
            "DATABASE_URL": demo_db,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "ROUTING": "osrm",
            "ROUTING_URL": routing.url,
            "ROUTING_TIMEOUT_S": 0.2,
            "ROUTING_RETRIES": 0,
        }
    )


def test_a_routing_engine_timing_out_gives_a_clear_page_and_stores_nothing(
    tmp_path, demo_db, routing
):
    app = _routed_app(tmp_path, demo_db, routing)
    client = sign_in(app.test_client(), "personnel")
    repo = _svc(app).repo
    site = next(s for s in repo.sites() if s.lon is not None and repo.flows(site_ids=[s.id]))
    before = everything(repo.engine)
    routing.behaviour.delay_s = 0.6
    page = client.get(f"/sites/{site.id}", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "ne répond pas" in page.get_data(as_text=True)
    api = client.get(f"/api/v1/sites/{site.id}/synergies")
    assert api.status_code == 503 and api.get_json()["error"] == "routing_unavailable"
    assert everything(repo.engine) == before
    routing.behaviour.delay_s = 0.0
    assert client.get(f"/sites/{site.id}").status_code == 200  # and back when it answers


@pytest.mark.slow
def test_matching_with_a_routing_engine_timing_out_saves_no_synergy(tmp_path, demo_db, routing):
    env = {
        "MAPSERVICE_DATABASE_URL": demo_db,
        "MAPSERVICE_ROUTING": "osrm",
        "MAPSERVICE_ROUTING_URL": routing.url,
        "MAPSERVICE_ROUTING_TIMEOUT_S": "0.2",
        "MAPSERVICE_ROUTING_RETRIES": "0",
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    engine = sa.create_engine(demo_db)
    before = everything(engine)
    routing.behaviour.delay_s = 0.6
    result = CliRunner().invoke(main, ["match"], env=env)
    assert result.exit_code == 1
    assert "ne répond pas" in result.output and "Traceback" not in result.output
    assert everything(engine) == before
    engine.dispose()


# --- a process killed during an import ----------------------------------------------------------


def _holds_the_write_lock(db: Path) -> bool:
    """True while another connection is inside a write transaction on ``db``."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            return True
        raise
    finally:
        probe.close()


def _has_written(url: str, application: str) -> bool:
    """True while a connection of ``application`` is in a transaction that has written."""
    import psycopg

    plain = url.replace("postgresql+psycopg", "postgresql").split("?")[0]
    with psycopg.connect(plain, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND backend_xid IS NOT NULL",
            (application,),
        ).fetchone()
    return bool(row and row[0])


#: The name the killed import's PostgreSQL connections go by (libpq's PGAPPNAME).
APPLICATION = "mapservice-import-tue"


def _kill_mid_import(url: str, folder: Path, in_write: Callable[[], bool]) -> str:
    """Start ``mapservice import`` on 3,000 sites, SIGKILL it inside its write transaction."""
    big = folder / "grand.csv"
    write_membership(big, DATA_DIR, 3000, seed=11)
    env = {
        **os.environ,
        "MAPSERVICE_DATABASE_URL": url,
        "PGAPPNAME": APPLICATION,
        "MAPSERVICE_INSTANCE_PATH": str(folder / "instance"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "mapservice.cli", "import", str(big)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    try:
        while not in_write():
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"the import ended before it was caught writing: {out}")
            if time.monotonic() > deadline:
                pytest.fail("the import never started writing")
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return str(big)


@pytest.mark.slow
def test_an_import_killed_in_its_write_leaves_the_sqlite_database_as_it_was(tmp_path, demo_db):
    db = Path(demo_db.split("///", 1)[1])
    engine = sa.create_engine(demo_db)
    before = everything(engine)
    engine.dispose()
    big = _kill_mid_import(demo_db, tmp_path, lambda: _holds_the_write_lock(db))
    engine = sa.create_engine(demo_db)
    assert everything(engine) == before
    engine.dispose()
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # no lock or journal left behind: the same import now goes through
    env = {
        "MAPSERVICE_DATABASE_URL": demo_db,
        "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    result = CliRunner().invoke(main, ["import", big], env=env)
    assert result.exit_code == 0, result.output


@pytest.mark.postgis
def test_an_import_killed_in_its_write_leaves_the_postgis_database_as_it_was(tmp_path, postgis_url):
    svc = Services(make_settings(tmp_path, postgis_url))
    svc.init_database(demo=True)
    before = everything(svc.repo.engine)
    _kill_mid_import(postgis_url, tmp_path, lambda: _has_written(postgis_url, APPLICATION))
    deadline = time.monotonic() + 30  # the server notices the dead client and rolls back
    while _has_written(postgis_url, APPLICATION) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert everything(svc.repo.engine) == before
    assert svc.repo.counts()["sites"] == len(before["sites"])
    svc.close()
