"""Heavy requests: which ones, and how many may run at once; beyond, 429 with ``Retry-After``.

A request is **heavy** when it reads a whole layer or builds a file:

- every download of all layers (``/export/tout.xlsx``, ``/export/tout.gpkg``);
- every workbook or GeoPackage (``/export/<layer>.xlsx``, ``.gpkg``), even of one park;
- a GeoJSON or CSV download without ``park`` (the whole region's layer, even with ``bbox``
  or another filter: the layer is read whole, then filtered);
- an OGC API items page of more than :data:`HEAVY_OGC_ITEMS` features (``limit``).

Each process counts the heavy requests it is running: at most ``HEAVY_PER_CLIENT`` for one
account, and as many for one client address (the one :mod:`mapservice.web.proxies` gives: behind
a trusted proxy, the forwarded client's), and ``HEAVY_PER_PROCESS`` in all. One more answers 429
with ``Retry-After: HEAVY_RETRY_AFTER_S`` and says why, without reading anything. A request
holds its place until its answer is ready (a file built), or, for a download computed as it
streams (GeoJSON, CSV), until its last chunk or until the client leaves. The counts are one
object with one lock, so they hold across waitress's threads. Under gunicorn each worker counts
its own: a client may then run ``HEAVY_PER_CLIENT`` heavy requests in each worker, which is
acceptable, since the limit that matters, keeping threads free for everyone else, is a process's
own.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from flask import Flask, Response, current_app, g, make_response, request

from mapservice.errors import TooBusy, tr
from mapservice.exports.files import FILE_FORMATS
from mapservice.web.auth import current_principal

#: An OGC API items page of more features than this is heavy.
HEAVY_OGC_ITEMS = 1000
_KEY = "mapservice.heavy"


def is_heavy(endpoint: str | None, view_args: Mapping[str, str], args: Mapping[str, str]) -> bool:
    """Whether a request is heavy (see the module's docstring)."""
    if endpoint == "exports.layer":
        return (
            view_args.get("layer") == "tout"
            or view_args.get("fmt") in FILE_FORMATS
            or not args.get("park")
        )
    if endpoint == "ogcapi.items":
        try:
            return int(args.get("limit", "0")) > HEAVY_OGC_ITEMS
        except ValueError:
            return False  # the page refuses it
    return False


class Slots:
    """Heavy requests running in this process: by client key, and in all."""

    def __init__(self, *, per_client: int, per_process: int) -> None:
        self.per_client = per_client
        self.per_process = per_process
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()
        self._total = 0

    def take(self, keys: Sequence[str]) -> tuple[Callable[[], None] | None, bool]:
        """A place for a request of the clients ``keys``: ``(release, False)``, or
        ``(None, whole)`` when there is none, ``whole`` when the process is full (not one of
        these clients)."""
        with self._lock:
            if self._total >= self.per_process:
                return None, True
            if any(self._running[k] >= self.per_client for k in keys):
                return None, False
            self._total += 1
            self._running.update(keys)
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                self._total -= 1
                self._running.subtract(keys)
                for k in keys:
                    if self._running[k] <= 0:
                        del self._running[k]

        return release, False

    def running(self) -> int:
        """Heavy requests running now."""
        with self._lock:
            return self._total


def _client_keys() -> list[str]:
    keys = [f"address:{request.remote_addr or '?'}"]
    who = current_principal()
    if who.signed_in:
        keys.append(f"account:{who.user_id if who.user_id is not None else who.username}")
    return keys


def _enter() -> None:
    if not is_heavy(request.endpoint, request.view_args or {}, request.args):
        return
    slots: Slots = current_app.extensions[_KEY]
    release, whole = slots.take(_client_keys())
    if release is None:
        wait_s = int(current_app.config.get("HEAVY_RETRY_AFTER_S", 10))
        if whole:
            message = tr(
                "Le serveur prépare déjà plusieurs téléchargements lourds : "
                "réessayez dans {seconds} s.",
                seconds=wait_s,
            )
        else:
            message = tr(
                "Vous avez déjà {n} téléchargements lourds en cours (exportations de couches "
                "entières, pages de plus de {items} objets) : attendez leur fin, ou "
                "réessayez dans {seconds} s.",
                n=slots.per_client,
                items=HEAVY_OGC_ITEMS,
                seconds=wait_s,
            )
        raise TooBusy(message, retry_after_s=wait_s)
    g.heavy_release = release


def _hand_over(response: Response) -> Response:
    """A streamed answer that computes as it goes (GeoJSON, CSV) keeps the place until its
    last chunk is written, or the client leaves (the server closes the body); any other,
    a kept file too (sent as it is, ``direct_passthrough``), gives it back as the request
    ends."""
    if response.is_streamed and not response.direct_passthrough and "heavy_release" in g:
        response.response = _releasing(response.response, g.pop("heavy_release"))
    return response


def _releasing(body: Iterable[Any], release: Callable[[], None]) -> Iterator[Any]:
    try:
        yield from body
    finally:
        release()


def _leave(_exc: BaseException | None) -> None:
    release = g.pop("heavy_release", None)
    if release is not None:
        release()


def init_app(app: Flask) -> None:
    """Count heavy requests (after the guard: a refused request takes no place)."""
    app.extensions[_KEY] = Slots(
        per_client=int(app.config.get("HEAVY_PER_CLIENT", 2)),
        per_process=int(app.config.get("HEAVY_PER_PROCESS", 3)),
    )
    app.before_request(_enter)
    app.after_request(_hand_over)
    app.teardown_request(_leave)

    @app.errorhandler(TooBusy)
    def too_busy(exc: TooBusy) -> Response:
        from mapservice.web.error_pages import respond

        response = make_response(respond(exc.status, exc.to_dict()))
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
