"""Serving the app: waitress in one process, or gunicorn's processes sharing one port.

One Python process runs on one core at a time (the GIL), however many threads it has. With
``workers`` at 1 (the embedded default) waitress serves the app in this process. Above 1,
gunicorn's arbiter binds the port and forks that many workers (``gthread``: ``threads`` threads
each); each builds its own app after the fork (its own database connections, its own caches),
and the kernel hands each new connection to one of them. The arbiter replaces a worker that
dies, stops the server when one cannot build its app (instead of starting it again and again),
and a worker whose arbiter died (``kill -9``) stops by itself within a second or so. SIGTERM
stops them all gracefully, SIGINT at once. gunicorn runs on Linux and other Unix systems only.

Every worker keeps its own in-memory state: the caches are keyed by the database's stamps, so
they stay right whichever process wrote. The sign-in limits (per address, per account) are
counted in the database, so they hold across processes. The limits of heavy requests
(:mod:`mapservice.web.heavy`) are counted by each process: what they protect is that process's
threads. Export files built once (:mod:`mapservice.exports.files`) are shared by every process
through the instance folder.

gunicorn is told to trust no proxy header itself: the app reads ``X-Forwarded-*`` from the
proxies of ``MAPSERVICE_TRUSTED_PROXIES`` only (:mod:`mapservice.web.proxies`), whichever server
runs it.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger("mapservice.ops.server")

#: waitress's ``Server`` header, and the processes' name under gunicorn.
IDENT = "mapservice"
#: Time a stopping worker has to finish the requests it holds, in seconds.
GRACEFUL_TIMEOUT_S = 10
#: How long an idle keep-alive connection stays open, in seconds: waitress's default (its
#: ``channel_timeout``), longer than the idle timeout of the usual proxies and load balancers
#: (60 s), so that the server is never the one closing a connection a client is about to reuse.
#: gunicorn's own default (2 s) drops requests of clients that pause between two (a
#: ``RemoteDisconnected`` in bench/load.py). An idle connection holds no thread under gthread.
KEEPALIVE_S = 120
#: A worker silent this long is killed and replaced, in seconds. Its main loop answers the
#: arbiter every second while its threads serve, so only a hung worker or a very slow start
#: (building the app over a large registry) gets there: gunicorn's 30 s left too little of it.
SILENT_TIMEOUT_S = 120


class ManyWorkersUnsupported(RuntimeError):
    """``workers`` above 1 where gunicorn cannot run (it needs ``fork``: not on Windows)."""


def settled(app: Any) -> Any:
    """``app``, with everything it built at start (reference data, indexes, caches) moved out
    of the garbage collector's sight (``gc.freeze``): these objects live as long as the
    process, and a full collection walked them all, every few large pages, adding about
    100 ms to the request that set it off (``python -m bench.board``)."""
    gc.collect()
    gc.freeze()
    return app


def serve(
    make_app: Callable[[], Any], *, host: str, port: int, threads: int, workers: int = 1
) -> None:
    """Serve ``make_app()`` on ``host:port`` until interrupted.

    Raises
    ------
    SystemExit
        With status 1 when gunicorn stopped because a worker could not start.
    ManyWorkersUnsupported
        When ``workers`` is above 1 and gunicorn cannot be imported on this system.
    """
    if workers <= 1:
        from waitress import serve as waitress_serve

        waitress_serve(settled(make_app()), host=host, port=port, threads=threads, ident=IDENT)
        return
    try:
        from gunicorn.app.base import BaseApplication
        from gunicorn.errors import HaltServer
    except ImportError as exc:  # Windows (no fcntl), or gunicorn left out
        raise ManyWorkersUnsupported(
            f"Plusieurs processus (--workers {workers}) demandent gunicorn, qui ne tourne que "
            f"sous Linux ou un autre Unix ({exc}) : servez avec --workers 1."
        ) from exc

    options = {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "proc_name": IDENT,
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        "keepalive": KEEPALIVE_S,
        "timeout": SILENT_TIMEOUT_S,
        # the app decides which proxies to believe, the same way under waitress
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        # one server per machine is not a given (tests, two app servers): no shared socket file
        "control_socket_disable": True,
    }

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return settled(make_app())  # in each worker, after the fork

    arbiter = os.getpid()
    try:
        Gunicorn().run()
    except SystemExit as exc:
        if os.getpid() != arbiter:  # a worker leaving: its status tells the arbiter why
            raise
        status, reason = exc.code, ""
    except HaltServer as exc:
        # When two workers fail to boot together, gunicorn's halt meets the second failure
        # while it reaps and lets HaltServer out instead of exiting: the same stop.
        status, reason = exc.exit_status, f" ({exc.reason})"
    else:
        return
    if status in (None, 0):
        return
    log.error("the server stopped: a worker could not start%s (status %s)", reason, status)
    raise SystemExit(1) from None
