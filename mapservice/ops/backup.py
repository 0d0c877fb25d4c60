"""Back up and restore the database: SQLite by its online backup API, PostGIS by pg_dump.

Both work while the service runs. A backup is written beside its final name and renamed only
once it has been checked; a restore is checked before anything changes, keeps a copy of the
current data first, changes the database in one transaction, then upgrades the schema.

SQLite restores go through the backup API into the live file rather than a rename over it: a
running service keeps its open file (a rename would leave its writes in a deleted file) and the
file's ``-wal`` journal, which would be replayed onto the new file and damage it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mapservice.errors import tr
from mapservice.ops.backup_files import (
    REQUIRED_TABLES,
    BackupError,
    InvalidBackup,
    flush_to_disk,
    known_revision,
    staging_file,
)
from mapservice.private_files import create_private

BACKUP_FOLDER = "sauvegardes"
STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    backend: str
    revision: str
    size_bytes: int
    seconds: float


@dataclass(frozen=True)
class RestoreReport:
    source: Path
    backend: str
    restored_revision: str  # the backup's schema revision
    revision: str  # after the upgrade to this code's head
    safety_copy: Path | None  # the data as it was before the restore
    seconds: float


def default_backup_path(instance_path: Path, url: str, now: datetime | None = None) -> Path:
    """``INSTANCE_PATH/sauvegardes/mapservice-AAAAMMJJ-HHMMSS.sqlite`` (``.dump`` for PostGIS)."""
    suffix = ".sqlite" if _backend(url) == "sqlite" else ".dump"
    stamp = (now or datetime.now()).strftime(STAMP)
    return instance_path / BACKUP_FOLDER / f"mapservice-{stamp}{suffix}"


def backup(url: str, out: Path) -> BackupReport:
    """Copy the database at ``url`` into ``out`` (which must not exist) and check the copy."""
    started = time.monotonic()
    if out.exists():
        raise BackupError(tr("{out} existe déjà : choisissez un autre fichier (--out).", out=out))
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if _backend(url) == "sqlite":
        revision = _backup_sqlite(_sqlite_path(url), out)
    else:
        from mapservice.ops import backup_postgis

        revision = backup_postgis.dump(url, out)
    return BackupReport(
        out, _backend(url), revision, out.stat().st_size, round(time.monotonic() - started, 2)
    )


def restore(
    url: str, source: Path, *, safety_folder: Path, now: datetime | None = None
) -> RestoreReport:
    """Replace the data at ``url`` with the backup ``source``, then upgrade its schema.

    The current data is first copied beside the SQLite file (``<name>.avant-restauration-…``)
    or, for PostGIS, dumped into ``safety_folder``.
    """
    from mapservice.storage import open_repository

    started = time.monotonic()
    if not source.is_file():
        raise InvalidBackup(tr("Le fichier {source} n'existe pas.", source=source))
    stamp = (now or datetime.now()).strftime(STAMP)
    if _backend(url) == "sqlite":
        restored, safety = _restore_sqlite(_sqlite_path(url), source, stamp)
    else:
        from mapservice.ops import backup_postgis

        restored, safety = backup_postgis.restore(url, source, safety_folder, stamp)
    repo = open_repository(url)
    try:
        repo.migrate()
        repo.renew_epoch()  # the caches of running servers never take it for what they knew
        revision = repo.revision() or "?"
    finally:
        repo.close()
    return RestoreReport(
        source, _backend(url), restored, revision, safety, round(time.monotonic() - started, 2)
    )


def shown_url(url: str) -> str:
    """The database as a person may see it: the file, or the server without the password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def _backend(url: str) -> str:
    from mapservice.storage import backend_for_url

    return "sqlite" if backend_for_url(url) == "sqlite" else "postgis"


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(tr("Une base SQLite en mémoire ne peut pas être sauvegardée."))
    return Path(database)


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    db = sqlite3.connect(target, uri=True, timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 10000")
    return db


def _backup_sqlite(path: Path, out: Path) -> str:
    if not path.is_file():
        raise BackupError(tr("La base {path} n'existe pas : rien à sauvegarder.", path=path))
    with staging_file(out, ".partiel") as part:
        try:
            # One step: a read snapshot of the whole file; writers go on meanwhile (WAL).
            with closing(_connect(path)) as src, closing(_connect(part)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        except sqlite3.Error as exc:
            raise BackupError(
                tr("La copie de {path} a échoué.", path=path), detail=str(exc)
            ) from exc
        revision = check_sqlite(part, what=f"Le fichier copié de {path.name}")
        flush_to_disk(part)
        os.replace(part, out)
    return revision


def check_sqlite(path: Path, *, what: str | None = None) -> str:
    """Check that ``path`` is a sound mapservice SQLite database; return its schema revision
    (which a restore then checks against the revisions this code knows)."""
    what = what or f"« {path.name} »"
    try:
        with closing(_connect(path, read_only=True)) as db:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check(5)")]
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            revisions = (
                [row[0] for row in db.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in tables
                else []
            )
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise InvalidBackup(
                tr("{what} n'est pas une base SQLite.", what=what), detail=str(exc)
            ) from exc
        raise InvalidBackup(
            tr("{what} est endommagé ou incomplet ({exc}).", what=what, exc=exc), detail=str(exc)
        ) from exc
    if problems != ["ok"]:
        raise InvalidBackup(
            tr("{what} est endommagé ou incomplet ({problem}).", what=what, problem=problems[0]),
            detail="; ".join(problems),
        )
    missing = REQUIRED_TABLES - tables
    if missing:
        raise InvalidBackup(
            tr(
                "{what} n'est pas une base mapservice : il y manque les tables {missing}.",
                what=what,
                missing=", ".join(sorted(missing)),
            )
        )
    if len(revisions) != 1:
        raise InvalidBackup(
            tr(
                "{what} n'est pas une base mapservice : {revisions} révisions "
                "de schéma au lieu d'une.",
                what=what,
                revisions=len(revisions),
            )
        )
    return str(revisions[0])


def _restore_sqlite(path: Path, source: Path, stamp: str) -> tuple[str, Path | None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with staging_file(path, ".restauration") as staged:
        try:
            with closing(_connect(source, read_only=True)) as src, closing(_connect(staged)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise InvalidBackup(
                    tr("« {source} » n'est pas une base SQLite.", source=source.name),
                    detail=str(exc),
                ) from exc
            raise InvalidBackup(
                tr("« {source} » est endommagé ou incomplet ({exc}).", source=source.name, exc=exc),
                detail=str(exc),
            ) from exc
        revision = known_revision(
            check_sqlite(staged, what=f"« {source.name} »"), f"« {source.name} »"
        )
        safety = None
        live = _readable(path)
        if path.exists():
            safety = _free(path.with_name(f"{path.name}.avant-restauration-{stamp}"))
            _keep_copy(path, safety, readable=live)
        if live:
            _install(staged, path)
        else:  # nothing there, or nothing readable: the file itself is replaced
            flush_to_disk(staged)
            os.replace(staged, path)
            for journal in ("-wal", "-shm", "-journal"):
                Path(f"{path}{journal}").unlink(missing_ok=True)
    return revision, safety


def _readable(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with closing(_connect(path)) as db:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return False
    return True


def _keep_copy(path: Path, safety: Path, *, readable: bool) -> None:
    """Copy the current database to ``safety``: online when it can be read, else as files."""
    create_private(safety)
    if readable:
        with closing(_connect(path)) as src, closing(_connect(safety)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        return
    shutil.copyfile(path, safety)  # into the 0600 file: copy2 would copy the mode too
    for journal in ("-wal", "-journal"):
        if Path(f"{path}{journal}").exists():
            create_private(Path(f"{safety}{journal}"))
            shutil.copyfile(f"{path}{journal}", f"{safety}{journal}")


def _install(staged: Path, path: Path) -> None:
    """Write the checked copy into the live file, in one transaction of the live database."""
    with closing(_connect(path)) as live:
        page_size = live.execute("PRAGMA page_size").fetchone()[0]
        with closing(_connect(staged)) as src:
            if src.execute("PRAGMA page_size").fetchone()[0] != page_size:
                # A database in WAL mode only takes pages of its own size.
                src.execute(f"PRAGMA page_size = {int(page_size)}")
                src.execute("VACUUM")
            try:
                src.backup(live)
            except sqlite3.Error as exc:
                raise BackupError(
                    tr("La restauration dans {path} a échoué ; la base n'a pas changé.", path=path),
                    detail=str(exc),
                ) from exc


def _free(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``… if it is taken."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate
