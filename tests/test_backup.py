"""`mapservice backup` / `restore`: round trips that give back every row, refusals that change
nothing, on a copy of the demo database (SQLite) and on a fresh PostGIS schema."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from mapservice.cli.main import main
from mapservice.ops import backup as backups
from mapservice.ops.backup_postgis import _connection, url_schema
from mapservice.storage import open_repository
from mapservice.storage.sql import known_revisions

NOW = datetime(2026, 11, 28, 14, 30, 0)


def _file(url: str) -> Path:
    return Path(url.split("///", 1)[1])


#: What is read of each table: all of it, but the change counters' epoch (a restore draws a new
#: one: see test_change_stamp.py).
_READ = {"change_counters": "id, registry, synergies, corrections"}


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of an SQLite file, in a stable order."""
    with closing(sqlite3.connect(_file(url))) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: sorted(db.execute(f'SELECT {_READ.get(t, "*")} FROM "{t}"').fetchall(), key=repr)
            for t in tables
        }


def _vandalise(url: str) -> None:
    """Change, add and delete rows the way a bad day would."""
    repo = open_repository(url)
    member = repo.members()[0]
    repo.update_member(member.id, {"name": "Métal Saguenay ltée (renommé)"})
    repo.add_member({"name": "Nouveau membre après la sauvegarde"})
    for flow in repo.flows()[:50]:
        repo.delete_flow(flow.id)
    repo.close()


def test_round_trip_gives_back_every_row(demo_db, tmp_path):
    before = _rows(demo_db)
    report = backups.backup(demo_db, tmp_path / "copie.sqlite")
    assert report.revision == known_revisions()[-1] and report.size_bytes > 100_000
    _vandalise(demo_db)
    assert _rows(demo_db) != before

    restored = backups.restore(demo_db, report.path, safety_folder=tmp_path, now=NOW)

    assert _rows(demo_db) == before
    assert restored.safety_copy == _file(demo_db).with_name(
        "demo.sqlite.avant-restauration-20261128-143000"
    )
    kept = _rows("sqlite:///" + str(restored.safety_copy))
    assert ("Nouveau membre après la sauvegarde",) in [r[1:2] for r in kept["members"]]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_while_another_connection_holds_a_write_transaction(demo_db, tmp_path):
    """The writer commits only after the backup returns, in this same thread: a backup that
    needed the writer's lock could not finish at all (it would fail on its busy timeout), so
    finishing is the proof that it did not wait, with no clock involved."""
    writer = sqlite3.connect(_file(demo_db), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE members SET name = 'Pas encore validé' WHERE id = 1")
    report = backups.backup(demo_db, tmp_path / "pendant.sqlite")
    assert writer.in_transaction  # still held: the backup went past it
    writer.execute("COMMIT")
    writer.close()
    copy = _rows("sqlite:///" + str(report.path))
    assert "Pas encore validé" not in {r[1] for r in copy["members"]}
    assert "Pas encore validé" in {r[1] for r in _rows(demo_db)["members"]}


def test_backup_while_the_repository_writes(demo_db, tmp_path):
    repo = open_repository(demo_db)
    site = repo.sites()[0].id
    stop, writing, written = threading.Event(), threading.Event(), []

    def write() -> None:
        while not stop.is_set():
            written.append(
                repo.add_flow(
                    {
                        "site_id": site,
                        "direction": "input",
                        "category_code": "bois",
                        "description": f"Besoin n° {len(written)}",
                        "hazardous": False,
                        "confidential": False,
                    }
                )
            )
            if len(written) >= 3:
                writing.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert writing.wait(timeout=60), "the writer never wrote"
        report = backups.backup(demo_db, tmp_path / "en-marche.sqlite")
    finally:
        stop.set()
        thread.join()
    repo.close()
    assert written and backups.check_sqlite(report.path) == known_revisions()[-1]
    assert len(_rows(demo_db)["flows"]) == 1000 + len(written)


def _not_sqlite(path: Path, _backup: Path) -> None:
    path.write_text("nom;quantité\nMétal Saguenay ltée;12\n", encoding="utf-8")


def _truncated(path: Path, backup: Path) -> None:
    data = backup.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _foreign(path: Path, _backup: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (texte TEXT)")
        db.commit()


def _newer(path: Path, backup: Path) -> None:
    path.write_bytes(backup.read_bytes())
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
        db.commit()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_sqlite, "n'est pas une base SQLite"),
        (_truncated, "endommagé ou incomplet"),
        (_foreign, "n'est pas une base mapservice : il y manque les tables"),
        (_newer, "schéma plus récent que ce code (révision 9999"),
    ],
    ids=["texte", "tronquee", "autre-base", "plus-recente"],
)
def test_restore_refuses_a_bad_file_and_changes_nothing(demo_db, tmp_path, make, message):
    good = backups.backup(demo_db, tmp_path / "bonne.sqlite").path
    bad = tmp_path / "mauvaise.sqlite"
    make(bad, good)
    before = _rows(demo_db)
    folder = sorted(p.name for p in _file(demo_db).parent.iterdir())
    with pytest.raises(backups.InvalidBackup, match=re.escape(message)):
        backups.restore(demo_db, bad, safety_folder=tmp_path)
    assert _rows(demo_db) == before
    assert sorted(p.name for p in _file(demo_db).parent.iterdir()) == folder


def test_restoring_an_older_revision_upgrades_it(demo_db, tmp_path):
    older = "sqlite:///" + str(tmp_path / "ancienne.sqlite")
    repo = open_repository(older)
    repo.migrate(known_revisions()[-2])
    with repo.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO members (name, name_key, public_consent, created_at, updated_at) "
                "VALUES ('Métal Saguenay ltée', 'metal saguenay ltee', 0, :t, :t)"
            ),
            {"t": NOW},
        )
    repo.close()
    archive = backups.backup(older, tmp_path / "ancienne-copie.sqlite")
    assert archive.revision == known_revisions()[-2]

    report = backups.restore(demo_db, archive.path, safety_folder=tmp_path)

    assert (report.restored_revision, report.revision) == tuple(known_revisions()[-2:])
    repo = open_repository(demo_db)
    assert [m.name for m in repo.members()] == ["Métal Saguenay ltée"]
    assert repo.revision() == repo.head_revision()
    repo.close()


def test_restore_into_a_missing_or_unreadable_database_replaces_the_file(demo_db, tmp_path):
    archive = backups.backup(demo_db, tmp_path / "copie.sqlite").path
    before = _rows(demo_db)
    broken = tmp_path / "cassee" / "mapservice.sqlite"
    broken.parent.mkdir()
    broken.write_bytes(b"\0" * 4096)
    url = "sqlite:///" + str(broken)
    report = backups.restore(url, archive, safety_folder=tmp_path, now=NOW)
    assert _rows(url) == before
    assert report.safety_copy is not None and report.safety_copy.read_bytes() == b"\0" * 4096
    missing = "sqlite:///" + str(tmp_path / "neuve" / "mapservice.sqlite")
    assert backups.restore(missing, archive, safety_folder=tmp_path).safety_copy is None
    assert _rows(missing) == before


def test_backup_refuses_to_overwrite_a_file(demo_db, tmp_path):
    target = tmp_path / "existe.sqlite"
    target.write_text("à garder", encoding="utf-8")
    with pytest.raises(backups.BackupError, match="existe déjà"):
        backups.backup(demo_db, target)
    assert target.read_text(encoding="utf-8") == "à garder"


# --- the commands -------------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path, demo_db, monkeypatch):
    monkeypatch.setenv("MAPSERVICE_DATABASE_URL", demo_db)
    monkeypatch.setenv("MAPSERVICE_INSTANCE_PATH", str(tmp_path / "instance"))
    return {**os.environ}


def test_cli_backup_then_restore(env, demo_db, tmp_path):
    runner = CliRunner()
    before = _rows(demo_db)
    done = runner.invoke(main, ["backup", "--out", str(tmp_path / "cli.sqlite")])
    assert done.exit_code == 0, done.output
    assert "Sauvegarde vérifiée" in done.output and "révision" in done.output
    _vandalise(demo_db)

    for answer in ("\n", "n\n", "peut-être\n"):
        refused = runner.invoke(main, ["restore", str(tmp_path / "cli.sqlite")], input=answer)
        assert refused.exit_code == 1 and "annulée" in refused.output
    assert _rows(demo_db) != before

    done = runner.invoke(main, ["restore", str(tmp_path / "cli.sqlite")], input="oui\n")
    assert done.exit_code == 0, done.output
    assert "Base restaurée" in done.output and "avant-restauration" in done.output
    assert _rows(demo_db) == before


def test_cli_restore_of_a_bad_file_is_a_clear_error(env, demo_db, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("bonjour", encoding="utf-8")
    before = _rows(demo_db)
    done = CliRunner().invoke(main, ["restore", "--yes", str(bad)])
    assert done.exit_code == 1
    assert "« notes.txt » n'est pas une base SQLite." in done.output
    assert "Traceback" not in done.output
    assert _rows(demo_db) == before


def test_cli_backup_in_a_real_process_names_the_file_by_date(env, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mapservice.cli", "backup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (made,) = (tmp_path / "instance" / "sauvegardes").iterdir()
    assert re.fullmatch(r"mapservice-\d{8}-\d{6}\.sqlite", made.name)
    assert str(made) in done.stdout
    assert backups.check_sqlite(made) == known_revisions()[-1]


# --- PostGIS ------------------------------------------------------------------------------------


def _pg_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    repo: Any = open_repository(url)
    try:
        with repo.engine.connect() as conn:
            tables = (
                conn.execute(
                    sa.text(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                        "current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
                        "'spatial_ref_sys'"
                    )
                )
                .scalars()
                .all()
            )
            return {
                t: sorted(
                    (
                        dict(r._mapping)
                        for r in conn.execute(sa.text(f'SELECT {_READ.get(t, "*")} FROM "{t}"'))
                    ),
                    key=repr,
                )
                for t in tables
            }
    finally:
        repo.close()


def _fill(url: str) -> None:
    repo = open_repository(url)
    member = repo.add_member(
        {"name": "Métal Saguenay ltée", "contact_email": None, "public_consent": True}
    )
    site = repo.add_site({"member_id": member, "name": "Usine d'Alma", "lon": -71.65, "lat": 48.55})
    for i, direction in enumerate(("output", "input")):
        repo.add_flow(
            {
                "site_id": site,
                "direction": direction,
                "category_code": "metaux",
                "description": f"Retailles « {i} »",
                "quantity": 1e-9 if i else None,
                "hazardous": False,
                "confidential": bool(i),
            }
        )
    repo.close()


def _fill_older(url: str) -> None:
    """What :func:`_fill` writes, in plain SQL: the code's own writes need the head schema."""
    repo: Any = open_repository(url)
    with repo.engine.begin() as conn:
        stamp = {"t": NOW}
        member = conn.execute(
            sa.text(
                "INSERT INTO members (name, name_key, public_consent, created_at, updated_at) "
                "VALUES ('Métal Saguenay ltée', 'metal saguenay ltee', true, :t, :t) RETURNING id"
            ),
            stamp,
        ).scalar_one()
        site = conn.execute(
            sa.text(
                "INSERT INTO sites (member_id, name, site_key, lon, lat, created_at, updated_at) "
                "VALUES (:m, 'Usine d''Alma', 'usine d''alma', -71.65, 48.55, :t, :t) RETURNING id"
            ),
            {**stamp, "m": member},
        ).scalar_one()
        for i, direction in enumerate(("output", "input")):
            conn.execute(
                sa.text(
                    "INSERT INTO flows (site_id, direction, category_code, description, "
                    "description_key, quantity, hazardous, confidential, created_at, updated_at) "
                    "VALUES (:s, :d, 'metaux', :text, :key, :q, false, :c, :t, :t)"
                ),
                {
                    **stamp,
                    "s": site,
                    "d": direction,
                    "text": f"Retailles « {i} »",
                    "key": f"retailles {i}",
                    "q": 1e-9 if i else None,
                    "c": bool(i),
                },
            )
    repo.close()


@pytest.mark.postgis
def test_postgis_round_trip_from_an_older_revision(postgis_url, tmp_path):
    older, head = known_revisions()[-2:]
    repo = open_repository(postgis_url)
    repo.migrate(older)
    repo.close()
    _fill_older(postgis_url)
    before = _pg_rows(postgis_url)
    report = backups.backup(postgis_url, tmp_path / "pg.dump")
    assert report.revision == older
    # The code moves on: the schema is upgraded and written to, then the backup comes back.
    repo = open_repository(postgis_url)
    repo.migrate()
    repo.add_member({"name": "Arrivé après la mise à niveau"})
    repo.close()

    restored = backups.restore(postgis_url, report.path, safety_folder=tmp_path / "s", now=NOW)

    assert (restored.restored_revision, restored.revision) == (older, head)
    after = _pg_rows(postgis_url)
    for table, rows in before.items():
        if table != "alembic_version":
            # The upgrade may add columns: every row keeps every value it had.
            kept = sorted(({k: r[k] for k in rows[0]} for r in after[table]), key=repr)
            assert (kept if rows else after[table]) == rows, table
    assert restored.safety_copy == (
        tmp_path / "s" / "mapservice-avant-restauration-20261128-143000.dump"
    )


@pytest.mark.postgis
def test_postgis_restore_of_a_bad_file_changes_nothing(postgis_url, tmp_path):
    repo = open_repository(postgis_url)
    repo.migrate()
    repo.close()
    _fill(postgis_url)
    before = _pg_rows(postgis_url)
    text = tmp_path / "pas-une-archive.dump"
    text.write_text("pas une archive", encoding="utf-8")
    with pytest.raises(backups.InvalidBackup, match="n'est pas une sauvegarde PostgreSQL"):
        backups.restore(postgis_url, text, safety_folder=tmp_path / "s")
    assert not (tmp_path / "s").exists()
    # An archive that reads well but cannot be loaded here: its view needs a table of another
    # schema, gone since. The restore stops at the view; its transaction undoes everything.
    other = f"{url_schema(postgis_url)}_autre"
    engine = sa.create_engine(postgis_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                f"CREATE SCHEMA {other}; CREATE TABLE {other}.voisins (x int); "
                f"CREATE VIEW vue_voisins AS SELECT x FROM {other}.voisins"
            )
        )
    archive = backups.backup(postgis_url, tmp_path / "avec-vue.dump").path
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {other} CASCADE"))
    engine.dispose()
    repo = open_repository(postgis_url)
    repo.add_member({"name": "Membre ajouté avant la restauration ratée"})
    repo.close()
    before = _pg_rows(postgis_url)
    with pytest.raises(backups.BackupError, match="la base n'a pas changé") as failed:
        backups.restore(postgis_url, archive, safety_folder=tmp_path / "s")
    assert "voisins" in failed.value.message
    assert _pg_rows(postgis_url) == before


@pytest.fixture
def whole_database(postgis_url):
    """A fresh database of its own (no search_path in its URL), dropped afterwards."""
    import uuid

    import psycopg

    base = postgis_url.split("?", 1)[0]
    name = "mapservice_t_" + uuid.uuid4().hex[:10]
    with psycopg.connect(base.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        try:
            conn.execute(f"CREATE DATABASE {name}")
        except psycopg.errors.InsufficientPrivilege:
            pytest.skip("this PostgreSQL role may not create databases")
        yield base.rsplit("/", 1)[0] + "/" + name
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.mark.postgis
def test_postgis_round_trip_of_a_whole_database(whole_database, tmp_path):
    repo = open_repository(whole_database)
    repo.migrate()
    repo.close()
    _fill(whole_database)
    before = _pg_rows(whole_database)
    report = backups.backup(whole_database, tmp_path / "base.dump")
    repo = open_repository(whole_database)
    repo.delete_flow(repo.flows()[0].id)
    repo.add_member({"name": "Arrivé après la sauvegarde"})
    repo.close()
    backups.restore(whole_database, report.path, safety_folder=tmp_path)
    assert _pg_rows(whole_database) == before


def test_the_postgis_password_travels_in_the_environment_only():
    conninfo, env = _connection(
        "postgresql://carto:s3cr%C3%A9t@db.example:5433/carte"
        "?options=-csearch_path%3Dregion,public&sslmode=require"
    )
    assert "s3cr" not in conninfo and env["PGPASSWORD"] == "s3crét"
    assert "host='db.example'" in conninfo and "sslmode='require'" in conninfo
    assert url_schema("postgresql://u@h/d?options=-csearch_path%3Dregion,public") == "region"
    assert url_schema("postgresql://u@h/d") is None
