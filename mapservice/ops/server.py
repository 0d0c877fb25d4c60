"""Serving the app: waitress, in one process or in several that share one listening socket.

One waitress process runs Python on one core at a time (the GIL), however many threads it has.
With ``workers`` above 1, the parent binds the socket, checks that the app can be built, then
forks that many children; each builds its own app (its own database connections, its own
caches) and serves the inherited socket with waitress; the kernel hands each new connection to
one of them. The parent only watches: a child that dies is replaced, and SIGTERM or SIGINT
stops them all. Linux and other Unix systems only (``os.fork``).

Every child keeps its own in-memory state: the caches are keyed by the database's stamps, so
they stay right whichever process wrote. The sign-in limits (per address, per account) are
counted in the database, so they hold across processes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from waitress import serve as waitress_serve

log = logging.getLogger("mapservice.ops.server")

#: A child that dies this soon after it started counts as a failed start; after
#: :data:`FAILED_STARTS` of them in a row the server stops instead of crash-looping.
QUICK_DEATH_S = 5.0
FAILED_STARTS = 3
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with(parent: int) -> None:
    """Have the kernel send this worker SIGTERM when its parent dies, however it dies.

    A parent killed with SIGKILL (``kill -9``, the out-of-memory killer) cannot stop its
    workers; without this they would go on serving the port, orphaned, with whatever code and
    settings they started with. Linux's ``prctl(PR_SET_PDEATHSIG)``; elsewhere nothing.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def serve(make_app: Callable[[], Any], *, host: str, port: int, threads: int,
          workers: int = 1) -> None:
    """Serve ``make_app()`` on ``host:port`` until interrupted."""
    if workers <= 1:
        waitress_serve(make_app(), host=host, port=port, threads=threads, ident="mapservice")
        return
    listener = socket.create_server((host, port), backlog=2048)
    listener.set_inheritable(True)
    children: dict[int, float] = {}
    stopping = False

    parent = os.getpid()

    def start_child() -> None:
        pid = os.fork()
        if pid == 0:  # the child: its own app, the shared socket
            code = 0
            try:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(sig, signal.SIG_DFL)
                _die_with(parent)
                waitress_serve(make_app(), sockets=[listener], threads=threads,
                               ident="mapservice")
            except BaseException:  # noqa: BLE001 - report, then leave without the parent's code
                log.exception("worker %s stopped", os.getpid())
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        start_child()
    failed_starts = 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        failed_starts = failed_starts + 1 if time.monotonic() - started < QUICK_DEATH_S else 0
        if failed_starts >= FAILED_STARTS:
            log.error("worker %s exited (status %s), the %s in a row right after starting: "
                      "stopping", pid, status, failed_starts)
            stop(signal.SIGTERM, None)
            continue
        log.warning("worker %s exited (status %s): starting another", pid, status)
        start_child()
    listener.close()
    if failed_starts >= FAILED_STARTS:
        raise SystemExit(1)
