"""The child process that writes one export file: ``python -m mapservice.exports.build``.

It reads ``(settings, job, path)`` pickled on its standard input (from the serving process,
:func:`mapservice.exports.files.build_in_child`: nothing else writes there), opens its own
services over the same database and writes the job's layers to ``path`` with the writers of
:mod:`mapservice.exports.formats`: the very rows a request built in the serving process would
have had. Everything it creates is 0600 (``umask`` 077); it runs at a lower CPU priority
(:data:`NICENESS`) than the server. Exit status 0 when written; 2 with a
:class:`~mapservice.errors.MapserviceError` of ours pickled on standard output (the parent
raises it again); anything else is a failure whose traceback is on standard error.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

from mapservice.errors import MapserviceError
from mapservice.exports.files import ExportJob, error_data


def write(settings: dict[str, Any], job: ExportJob, path: Path) -> None:
    """Write ``job``'s layers, read from the database of ``settings``, to ``path``."""
    from mapservice.exports import formats
    from mapservice.exports.jobs import layer_features, parse_query
    from mapservice.services import Services

    svc = Services(settings)
    try:
        query = parse_query(svc, dict(job.args))
        layers = {
            name: layer_features(svc, name, query, job.scope, anonymise=job.anonymise)
            for name in job.layers
        }
        if job.fmt == "xlsx":
            formats.write_xlsx(path, layers, job.scope)
        elif job.fmt in ("csv", "geojson"):
            # the streamed download, kept as a file for clients that read it by ranges
            [(name, features)] = layers.items()
            chunks = (
                formats.csv_chunks(name, features, job.scope)
                if job.fmt == "csv"
                else formats.geojson_chunks(features)
            )
            with open(path, "w", encoding="utf-8", newline="") as out:
                out.writelines(chunks)
        else:
            formats.write_gpkg(path, layers, job.scope)
    finally:
        svc.close()


#: How much lower than the serving process's the child's CPU priority is (``nice``): when
#: the cores are busy, the requests of the serving process go first.
NICENESS = 10


def main() -> int:
    os.umask(0o077)
    if hasattr(os, "nice"):  # POSIX
        os.nice(NICENESS)
    settings, job, path = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the parent only
    try:
        write(settings, job, Path(path))
    except MapserviceError as exc:
        sys.stdout.buffer.write(pickle.dumps(error_data(exc)))
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
