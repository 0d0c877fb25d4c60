"""Workbooks and GeoPackages built once per state of the data, kept as files, served again.

Writing a workbook is slow pure Python (openpyxl's write-only mode: about 7 s for every layer of
the demo, ``tout.xlsx``), and a thread that runs Python holds the interpreter's lock: eight of
them in the serving process made ``/healthz`` wait 34 s. So a file is built at most once per
:class:`ExportJob` and state of the data, **in a child process** (``python -m
mapservice.exports.build``: its own interpreter and lock, its own core), while the thread that
asked waits without holding the lock; and every later request for the same job and data is
served from the file (the server sends it without running Python per byte).

A file's name is a digest of everything its content depends on: the change stamp (registry and
synergies counters, see :class:`~mapservice.caching.ChangeStamp`), the layers, the format, the
query, the **scope** (parks, confidential values, names) and whether sites are placed as on the
anonymised map, and the source of this package (a new version never serves a file an older one
wrote). A staff file and a public file of the same layers are two files; no request can name
another scope's file. Files are created 0600 in a 0700 folder (``exports/`` of the instance
folder); those of an older stamp, and the oldest beyond ``keep``, are deleted after each build.

Within one process, two requests for the same missing file wait for one build. Two processes
(``serve --workers N``) may each build it once; each writes its own part file and renames it
into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from mapservice.caching import ChangeStamp
from mapservice.domain.access import Scope
from mapservice.errors import MapserviceError, tr

#: The formats built as files (GeoJSON and CSV stream as they are read).
FILE_FORMATS = ("xlsx", "gpkg")
#: Longest a child process may take to build one file, in seconds.
BUILD_TIMEOUT_S = 600
PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ExportJob:
    """One file to build: which layers, in which format, for which query and which reader."""

    layers: tuple[str, ...]
    fmt: str
    #: The query parameters that select features, sorted (see :func:`query_args`).
    args: tuple[tuple[str, str], ...]
    scope: Scope
    anonymise: bool

    def name(self, stamp: ChangeStamp) -> str:
        """The file's name: the stamp's part first (to find stale files), then the digest."""
        scope = (
            None if self.scope.parks is None else sorted(self.scope.parks),
            self.scope.confidential,
            self.scope.names,
        )
        described = repr((source_digest(), self.layers, self.fmt, self.args, scope, self.anonymise))
        digest = hashlib.sha256(described.encode()).hexdigest()[:40]
        return f"{stamp_part(stamp)}-{digest}.{self.fmt}"


def query_args(args: Mapping[str, str], *, ignored: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The query parameters that decide a file's content, sorted; ``ignored`` ones dropped."""
    return tuple(sorted((k, v) for k, v in args.items() if k not in ignored))


def stamp_part(stamp: ChangeStamp) -> str:
    """The part of a file's name that says which data it was built from."""
    return hashlib.sha256(repr(stamp.key(("synergies",))).encode()).hexdigest()[:16]


@cache
def source_digest() -> str:
    """A digest of this package's Python source: what the files were built by."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ExportFiles:
    """The kept export files of one instance folder (see the module's docstring).

    Parameters
    ----------
    folder
        Where the files are kept; created 0700.
    settings
        The settings the child process builds its services from.
    keep
        Most files of the current stamp kept.
    """

    def __init__(self, folder: Path, settings: Mapping[str, Any], *, keep: int) -> None:
        self.folder = folder
        self.settings = dict(settings)
        self.keep = keep
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._newest: ChangeStamp | None = None

    def _note(self, stamp: ChangeStamp) -> ChangeStamp:
        """The newest stamp seen: a build that took long must not clean away the files of
        data that changed meanwhile."""
        with self._lock:
            seen = self._newest
            if (
                seen is None
                or seen.epoch != stamp.epoch
                or (stamp.registry, stamp.synergies) >= (seen.registry, seen.synergies)
            ):
                self._newest = stamp
            return self._newest  # type: ignore[return-value]

    def open(self, stamp: ChangeStamp, job: ExportJob) -> IO[bytes]:
        """The file of ``job`` for the data as of ``stamp``, open for reading; built first if
        missing. The caller closes it (an open file stays readable after its deletion)."""
        self._note(stamp)
        target = self.folder / job.name(stamp)
        found = _opened(target)
        if found is not None:
            return found
        with self._lock:
            building = self._building.setdefault(target.name, threading.Lock())
        try:
            with building:  # one build per file in this process; the others wait for it
                found = _opened(target)
                if found is None:
                    self._build(job, target)
                    found = open(target, "rb")  # noqa: SIM115 - the caller closes it
        finally:
            with self._lock:
                self._building.pop(target.name, None)
        self.clean(self._note(stamp))
        return found

    def _build(self, job: ExportJob, target: Path) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        part = target.with_name(
            f"{target.stem}.{os.getpid()}-{threading.get_ident()}.part.{job.fmt}"
        )
        try:
            build_in_child(self.settings, job, part)
            os.chmod(part, 0o600)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)

    def clean(self, stamp: ChangeStamp) -> list[Path]:
        """Delete the files of another stamp, and the oldest beyond :attr:`keep`; returns them."""
        current = stamp_part(stamp)
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        stale, kept = [], []
        for entry in entries:
            if not entry.is_file():
                continue
            if not entry.name.startswith(current + "-"):
                stale.append(Path(entry.path))
            elif ".part." not in entry.name:
                kept.append((entry.stat().st_mtime, Path(entry.path)))
        kept.sort(reverse=True)
        stale += [path for _, path in kept[self.keep :]]
        for path in stale:
            path.unlink(missing_ok=True)
        return stale


def _opened(path: Path) -> IO[bytes] | None:
    try:
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        return None


def error_data(exc: MapserviceError) -> tuple[Any, ...]:
    """What a parent needs to raise ``exc`` again: its class, message, detail and extra."""
    return (type(exc), exc.message, exc.detail, exc.extra)


def error_from_data(pickled: bytes) -> MapserviceError:
    """The error a child reported with :func:`error_data`, made again (same class, status,
    code, message and extra, e.g. the field an :class:`~mapservice.errors.InvalidInput`
    names)."""
    kind, message, detail, extra = pickle.loads(pickled)  # noqa: S301 - our own child wrote it
    error: MapserviceError = kind.__new__(kind)
    Exception.__init__(error, message)
    error.message, error.detail, error.extra = message, detail, extra
    if "field" in extra:
        error.field = extra["field"]  # type: ignore[attr-defined]
    return error


class ExportBuildFailed(MapserviceError):
    """The child process that builds an export file failed (its output goes to the log)."""

    code = "export_failed"


def build_in_child(settings: Mapping[str, Any], job: ExportJob, path: Path) -> None:
    """Write ``job`` to ``path`` in a child process (:mod:`mapservice.exports.build`).

    Raises
    ------
    MapserviceError
        The one the child raised (a storage fault, a bad query), or
        :class:`ExportBuildFailed` when it failed otherwise or took longer than
        :data:`BUILD_TIMEOUT_S`.
    """
    env = dict(os.environ)
    # the child imports this very package, wherever it was imported from here
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE.parent), env.get("PYTHONPATH", "")) if p
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mapservice.exports.build"],
            input=pickle.dumps((dict(settings), job, str(path))),
            capture_output=True,
            timeout=BUILD_TIMEOUT_S,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExportBuildFailed(
            tr("La préparation du fichier a pris trop de temps."), detail=str(exc)
        ) from None
    if done.returncode == 0:
        return
    if done.returncode == 2 and done.stdout:
        raise error_from_data(done.stdout)
    raise ExportBuildFailed(
        tr("La préparation du fichier a échoué."),
        detail=done.stderr.decode("utf-8", "replace")[-2000:],
    )
