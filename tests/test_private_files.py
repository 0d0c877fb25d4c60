"""What the service writes holds contacts and confidential quantities: only its own account may
read it (0600), whatever the umask: the database and its WAL and SHM, backups and the safety
copy of a restore, the CLI's exports, the matching's candidates, uploaded members' files and
the instance's secret key."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapservice.cli.main import main
from mapservice.config import finish_settings
from mapservice.matching.export import write_candidates
from mapservice.ops import backup as backups
from mapservice.private_files import create_private
from mapservice.services import Services
from mapservice.web import uploads
from tests.support.settings import make_settings


def _mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The common default: what is not asked for otherwise comes out world-readable (0644)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_database_and_its_wal_and_shm_are_private(tmp_path):
    path = tmp_path / "base.sqlite"
    svc = Services(make_settings(tmp_path, "sqlite:///" + str(path)))
    svc.init_database()
    with svc.repo.engine.connect() as conn:  # holds the WAL and SHM open
        conn.exec_driver_sql("SELECT count(*) FROM sites").fetchone()
        for name in ("base.sqlite", "base.sqlite-wal", "base.sqlite-shm"):
            assert (tmp_path / name).exists(), name
            assert _mode(tmp_path / name) == 0o600, name
    svc.close()


def test_backups_and_the_restore_safety_copy_are_private(tmp_path, demo_db):
    out = tmp_path / "sauvegardes" / "copie.sqlite"
    backups.backup(demo_db, out)
    assert _mode(out) == 0o600
    assert _mode(out.parent) == 0o700  # the folder it made
    live = tmp_path / "vivante.sqlite"
    svc = Services(make_settings(tmp_path, "sqlite:///" + str(live)))
    svc.init_database()
    svc.close()
    report = backups.restore("sqlite:///" + str(live), out, safety_folder=tmp_path / "s")
    assert report.safety_copy is not None and _mode(report.safety_copy) == 0o600
    assert _mode(live) == 0o600


@pytest.mark.parametrize("name", ["flows.csv", "sites.geojson", "tout.xlsx", "tout.gpkg"])
def test_the_cli_exports_are_private(tmp_path, demo_db, name):
    env = {"MAPSERVICE_DATABASE_URL": demo_db, "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "i")}
    out = tmp_path / name
    result = CliRunner().invoke(main, ["export", name.split(".")[0], "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and _mode(out) == 0o600


def test_an_export_over_a_readable_file_makes_it_private(tmp_path, demo_db):
    out = tmp_path / "flows.csv"
    out.write_text("ancien")
    os.chmod(out, 0o644)
    env = {"MAPSERVICE_DATABASE_URL": demo_db, "MAPSERVICE_INSTANCE_PATH": str(tmp_path / "i")}
    assert CliRunner().invoke(main, ["export", "flows", "--out", str(out)], env=env).exit_code == 0
    assert _mode(out) == 0o600


@pytest.mark.parametrize("name", ["candidates.csv", "candidates.geojson"])
def test_the_matching_candidates_file_is_private(tmp_path, services, name):
    write_candidates(services, [], tmp_path / name)
    assert _mode(tmp_path / name) == 0o600


def test_an_uploaded_file_is_private(tmp_path):
    upload = uploads.save(
        tmp_path, io.BytesIO(b"nom,courriel\nAcme,a@b.ca\n"), "membres.csv", max_bytes=10_000
    )
    assert _mode(upload.path) == 0o600


def test_the_secret_key_is_private(tmp_path):
    finish_settings({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert _mode(tmp_path / "instance" / "secret_key") == 0o600


def test_create_private_leaves_an_existing_file_alone(tmp_path):
    path = tmp_path / "x"
    assert create_private(path) and _mode(path) == 0o600
    path.write_text("gardé")
    assert not create_private(path) and path.read_text() == "gardé"


def test_a_file_written_with_the_umask_mode_is_staged_where_nobody_else_can_enter(tmp_path):
    from mapservice.private_files import private_staging

    out = tmp_path / "tout.gpkg"
    with private_staging(out) as staged:
        staged.write_bytes(b"gpkg")  # as GDAL does: the umask's mode
        os.chmod(staged, 0o644)
        assert _mode(staged.parent) == 0o700 and staged.parent.parent == tmp_path
    assert out.read_bytes() == b"gpkg" and _mode(out) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["tout.gpkg"]  # the folder is gone

    with pytest.raises(RuntimeError), private_staging(out) as staged:
        staged.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert out.read_bytes() == b"gpkg"  # the earlier file stays whole
    assert [p.name for p in tmp_path.iterdir()] == ["tout.gpkg"]
