"""PostGIS backups: ``pg_dump --format=custom`` of mapservice's schema, restored in one transaction.

The schema is the first one the URL's ``search_path`` names (``?options=-csearch_path%3Dnom``);
without one, the whole database is dumped. The password goes to the tools in ``PGPASSWORD``,
never in their arguments, and no message shows it.

A restore first has ``pg_restore --no-owner`` write the whole archive out as SQL, then runs, in
one transaction (``psql --single-transaction``): drop every table of that schema no extension
owns — including tables a newer revision added, which ``pg_restore --clean`` would leave behind
for the schema upgrade to trip over — then that SQL. Any error rolls all of it back.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from mapservice.errors import tr
from mapservice.ops.backup_files import (
    REQUIRED_TABLES,
    BackupError,
    InvalidBackup,
    flush_to_disk,
    known_revision,
    staging_file,
)

_TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (?P<kind>[A-Z][A-Z ]*?) (?P<schema>\S+) (?P<name>\S+)")
_SEARCH_PATH = re.compile(r"search_path\s*=\s*([^\s]+)")


def dump(url: str, out: Path) -> str:
    """Write the archive of ``url``'s schema (or database) into ``out``; return its revision."""
    conninfo, env = _connection(url)
    schema = url_schema(url)
    with staging_file(out, ".partiel") as part:
        args = [
            "pg_dump",
            "--format=custom",
            "--no-password",
            f"--file={part}",
            f"--dbname={conninfo}",
        ]
        if schema is not None:
            args.append(f"--schema={_ident(schema)}")
        done = _run(args, env)
        if done.returncode != 0:
            raise BackupError(
                tr("pg_dump a échoué : {stderr}", stderr=_first_line(done.stderr)),
                detail=done.stderr,
            )
        revision = check_archive(part, schema or _where(url)[0])
        flush_to_disk(part)
        os.replace(part, out)
    return revision


def check_archive(path: Path, schema: str) -> str:
    """Check that ``path`` is a pg_dump archive of mapservice's ``schema``; return its revision."""
    what = f"« {path.name} »"
    tables = _tables(path)
    ours = {name for where, name in tables if where == schema}
    if "alembic_version" not in ours:
        others = sorted({where for where, name in tables if name == "alembic_version"})
        if others:
            raise InvalidBackup(
                tr(
                    "{what} est une sauvegarde du schéma « {other} » ; la base "
                    "configurée utilise le schéma « {schema} ».",
                    what=what,
                    other=others[0],
                    schema=schema,
                )
            )
        raise InvalidBackup(tr("{what} n'est pas une sauvegarde de mapservice.", what=what))
    missing = REQUIRED_TABLES - ours
    if missing:
        raise InvalidBackup(
            tr(
                "{what} n'est pas une sauvegarde de mapservice : il y manque les tables {missing}.",
                what=what,
                missing=", ".join(sorted(missing)),
            )
        )
    done = _run(
        [
            "pg_restore",
            "--data-only",
            f"--schema={schema}",
            "--table=alembic_version",
            "--file=-",
            str(path),
        ]
    )
    copied = re.search(
        r"^COPY [^\n]*alembic_version[^\n]*\n(.*?)^\\\.$", done.stdout, re.MULTILINE | re.DOTALL
    )
    revisions = copied.group(1).split() if copied else []
    if len(revisions) != 1:
        raise InvalidBackup(
            tr(
                "{what} n'est pas une sauvegarde de mapservice : {revisions} "
                "révisions de schéma au lieu d'une.",
                what=what,
                revisions=len(revisions),
            )
        )
    return revisions[0]


def restore(url: str, source: Path, safety_folder: Path, stamp: str) -> tuple[str, Path | None]:
    """Replace the schema's content with ``source``; return its revision and the safety dump."""
    schema, filled = _where(url)
    revision = known_revision(check_archive(source, schema), f"« {source.name} »")
    safety = None
    if filled:
        safety_folder.mkdir(parents=True, exist_ok=True)
        safety = safety_folder / f"mapservice-avant-restauration-{stamp}.dump"
        n = 1
        while safety.exists():
            n += 1
            safety = safety_folder / f"mapservice-avant-restauration-{stamp}-{n}.dump"
        dump(url, safety)
    conninfo, env = _connection(url)
    safety_folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restauration-", dir=safety_folder) as folder:
        listing, script = Path(folder) / "contenu.list", Path(folder) / "restauration.sql"
        listing.write_text(_restorable(source), encoding="utf-8")
        # The whole script first: fed straight from pg_restore, a psql whose input stopped
        # short (pg_restore failing halfway) would commit what it had read.
        written = _run(
            ["pg_restore", "--no-owner", f"--use-list={listing}", f"--file={script}", str(source)]
        )
        if written.returncode != 0:
            raise BackupError(
                tr(
                    "La sauvegarde est illisible ; la base n'a pas changé : {stderr}",
                    stderr=_first_line(written.stderr),
                ),
                detail=written.stderr,
            )
        loaded = _run(
            [
                "psql",
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                f"--command={_clear(schema)}",
                f"--file={script}",
                f"--dbname={conninfo}",
            ],
            env,
        )
    if loaded.returncode != 0:
        raise BackupError(
            tr(
                "La restauration a échoué ; la base n'a pas changé : {stderr}",
                stderr=_first_line(loaded.stderr),
            ),
            detail=loaded.stderr,
        )
    return revision, safety


def url_schema(url: str) -> str | None:
    """The first schema the URL's ``search_path`` option names, or None."""
    from sqlalchemy.engine import make_url

    options = make_url(url).query.get("options")
    found = _SEARCH_PATH.search(options if isinstance(options, str) else "")
    if found is None:
        return None
    for name in found.group(1).split(","):
        name = name.strip().strip('"')
        if name and name != "$user":
            return name
    return None


def _connection(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    params: dict[str, Any] = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "dbname": parsed.database,
    }
    params.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    conninfo = " ".join(f"{k}={_quote(str(v))}" for k, v in params.items() if v is not None)
    env = {**os.environ, "PGCONNECT_TIMEOUT": os.environ.get("PGCONNECT_TIMEOUT", "10")}
    if parsed.password is not None:
        env["PGPASSWORD"] = parsed.password
    return conninfo, env


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _run(
    args: list[str], env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    if shutil.which(args[0]) is None:
        raise BackupError(
            tr(
                "{program} est introuvable : installez le client PostgreSQL "
                "(paquet postgresql-client).",
                program=args[0],
            )
        )
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False, **kwargs)


def _first_line(text: str) -> str:
    """The line of a tool's output that says what went wrong (the first error, else the first)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in lines:
        for mark in ("ERROR:", "FATAL:", "error:"):
            if mark in line:
                return line[line.index(mark) :]
    return lines[0] if lines else "erreur inconnue"


def _tables(path: Path) -> set[tuple[str, str]]:
    done = _run(["pg_restore", "--list", str(path)])
    if done.returncode != 0:
        raise InvalidBackup(
            tr(
                "« {name} » n'est pas une sauvegarde PostgreSQL (pg_dump --format=custom).",
                name=path.name,
            ),
            detail=done.stderr,
        )
    return {
        (m["schema"], m["name"])
        for line in done.stdout.splitlines()
        if (m := _TOC_ENTRY.match(line)) and m["kind"] == "TABLE"
    }


def _restorable(path: Path) -> str:
    """The archive's table of contents minus what the restore must not redo: the schema itself
    (created beforehand), comments on extensions (their owner's) and PostGIS's own table."""
    done = _run(["pg_restore", "--list", str(path)])
    kept = []
    for line in done.stdout.splitlines():
        entry = _TOC_ENTRY.match(line)
        skip = entry is not None and (
            entry["kind"] == "SCHEMA"
            or (entry["kind"] == "COMMENT" and entry["name"] == "EXTENSION")
            or entry["name"] == "spatial_ref_sys"
        )
        kept.append(";" + line if skip else line)
    return "\n".join(kept) + "\n"


def _clear(schema: str) -> str:
    """SQL that creates ``schema`` if need be and drops every table and function of it no
    extension owns (the restored dump makes them again)."""
    return f"""
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS {_ident(schema)};
DO $restauration$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = {_literal(schema)} AND c.relkind IN ('r', 'p')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                             AND d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %s CASCADE', r.rel);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = {_literal(schema)}
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                             AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.fn);
  END LOOP;
END
$restauration$;
"""


def _where(url: str) -> tuple[str, bool]:
    """The schema mapservice's tables are in, and whether they are there yet."""
    import sqlalchemy as sa

    from mapservice.storage import open_repository

    repo: Any = open_repository(url)
    try:
        with repo.engine.connect() as conn:
            schema = url_schema(url) or conn.execute(sa.text("SELECT current_schema()")).scalar()
            found = conn.execute(
                sa.text("SELECT to_regclass(:t)"), {"t": f"{_ident(schema)}.alembic_version"}
            ).scalar()
    except sa.exc.OperationalError as exc:
        raise BackupError(tr("La base de données est indisponible."), detail=str(exc.orig)) from exc
    finally:
        repo.close()
    return str(schema), found is not None
