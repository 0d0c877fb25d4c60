"""``mapservice serve`` as a real process on a free loopback port, for benchmarks and tests.

One place starts the server, waits for ``/healthz`` to say ``ok`` and stops it again, so the
load benchmark, the page benchmark and the tests that need a real process all start it the
same way.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base: str
    host: str
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path


class ServerDidNotStart(RuntimeError):
    """The process exited, or ``/healthz`` did not answer ``ok`` before the deadline."""


@contextmanager
def serve(
    database_url: str,
    folder: Path,
    args: Sequence[str] = (),
    *,
    start_timeout_s: float = 60.0,
    stop_timeout_s: float = 15.0,
    settings: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """``python -m mapservice.cli serve ARGS`` over ``database_url``; its log in ``folder``;
    ``settings`` are more environment variables (``MAPSERVICE_…``) for the server."""
    port = free_port()
    env = {
        **os.environ,
        **(settings or {}),
        "MAPSERVICE_DATABASE_URL": database_url,
        "MAPSERVICE_INSTANCE_PATH": str(folder / "instance"),
        "PORT": str(port),
    }
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mapservice.cli", "serve", *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc, log_path, start_timeout_s)
            yield Server(base, "127.0.0.1", port, proc, log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(
    base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                status = json.load(resp)["status"]
            if status != "ok":
                raise ServerDidNotStart(f"{base}/healthz says {status!r}, not 'ok'")
            return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise ServerDidNotStart(
                    "server did not start: " + log_path.read_text("utf-8", "replace")
                ) from None
            time.sleep(0.2)
