"""Outbound HTTP, in one place: the online geocoder and the HTTP routing engines ask through it.

One :class:`HttpClient` per outside service: a ``urllib3`` pool, a User-Agent, a timeout (for
connecting and for each read), and one retry loop driven by ``urllib3``'s :class:`Retry` —
timeouts, refused or cut connections, unreadable answers, 429 and 5xx are tried again after its
backoff, or after the server's ``Retry-After`` when it sends one (at most
:data:`RETRY_AFTER_MAX_S`). Other 4xx answers are refusals: never tried again.

Every attempt, retries included, first waits on the client's pace: at least ``min_delay_s``
between two requests to the service. :class:`SharedPace` holds that across processes and
servers through a row in the database (a :class:`PaceStore`); :class:`LocalPace` within one
process only. Failures come out as :class:`Unanswered` or :class:`Refused`, which the caller
turns into its own typed error (``GeocoderUnavailable``, ``RoutingUnavailable``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

#: Statuses tried again: too many requests, and every server error.
RETRY_STATUSES = frozenset([429, *range(500, 600)])
#: Base of the exponential backoff between attempts, in seconds (urllib3: the first retry is
#: immediate, then 2 × this, 4 × this…, at most :data:`BACKOFF_MAX_S`).
BACKOFF_S = 0.5
BACKOFF_MAX_S = 8.0
#: Longest ``Retry-After`` obeyed, in seconds: a server asking for more is waited on this long.
RETRY_AFTER_MAX_S = 30.0
#: Redirects followed within one attempt.
REDIRECTS = 3


class Unanswered(Exception):  # noqa: N818 - a condition, the caller's typed error is the error
    """No usable answer after every attempt; ``reason`` says the last failure, in French."""

    def __init__(self, reason: str, *, attempts: int, url: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.url = url


class Refused(Exception):  # noqa: N818
    """The service answered a 4xx that asking again will not change (bad query, wrong URL)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class Pace(Protocol):
    def wait(self) -> None:
        """Return when the next request may be sent."""


class PaceStore(Protocol):
    def claim_pace(self, key: str, min_delay_s: float) -> float:
        """Reserve the next slot of ``key``; return the seconds to wait until it."""


class NoPace:
    """No spacing at all."""

    def wait(self) -> None:
        return None


class LocalPace:
    """At least ``min_delay_s`` between the starts of two calls, whatever the thread (one
    process only)."""

    def __init__(
        self,
        min_delay_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_delay_s = min_delay_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last: float | None = None

    def wait(self) -> None:
        with self._lock:
            if self._last is not None:
                delay = self._last + self.min_delay_s - self._clock()
                if delay > 0:
                    self._sleep(delay)
            self._last = self._clock()


class SharedPace:
    """At least ``min_delay_s`` between two requests of every process sharing ``store``.

    Each request claims the next free slot of ``key`` in one database transaction (the slot is
    reckoned on the database's clock), then sleeps until it: two claimants never get slots
    closer than ``min_delay_s``, whichever process or server they run in.
    """

    def __init__(
        self,
        store: PaceStore,
        key: str,
        min_delay_s: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.key = key
        self.min_delay_s = min_delay_s
        self._sleep = sleep

    def wait(self) -> None:
        delay_s = self.store.claim_pace(self.key, self.min_delay_s)
        if delay_s > 0:
            self._sleep(delay_s)


def make_pace(
    min_delay_s: float,
    *,
    store: PaceStore | None = None,
    key: str = "",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Pace:
    """The pace for ``min_delay_s``: none at 0, shared through ``store`` when given."""
    if min_delay_s <= 0:
        return NoPace()
    if store is not None:
        return SharedPace(store, key, min_delay_s, sleep=sleep)
    return LocalPace(min_delay_s, clock=clock, sleep=sleep)


class HttpClient:
    """JSON over HTTP to one service, with timeout, User-Agent, pace and retries."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout_s: float,
        retries: int,
        pace: Pace | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user_agent = user_agent
        self.timeout_s = timeout_s
        self.retries = retries
        self.pace: Pace = pace or NoPace()
        self.requests_made = 0
        self._sleep = sleep
        self._pool = urllib3.PoolManager(maxsize=4)
        # Within one attempt: follow a few redirects, report any failure at once.
        self._one_attempt = Retry(
            total=None,
            connect=0,
            read=0,
            other=0,
            status=0,
            redirect=REDIRECTS,
            raise_on_redirect=True,
            raise_on_status=False,
        )

    def policy(self) -> Retry:
        """Across attempts: what is tried again, how many times, after how long."""
        return Retry(
            total=self.retries,
            redirect=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # POSTs here are queries, safe to send again
            backoff_factor=BACKOFF_S,
            backoff_max=BACKOFF_MAX_S,
            respect_retry_after_header=True,
            raise_on_status=False,
        )

    def get_json(
        self, url: str, fields: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        """GET ``url`` (``fields`` as its query string); return the decoded JSON."""
        if fields:
            url = f"{url}?{urlencode(fields, doseq=True)}"
        return self.request_json("GET", url, headers=headers)

    def request_json(
        self, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        """Send one request (``body`` as JSON when given), tried again as :meth:`policy` says.

        Raises :class:`Unanswered` when no attempt got a usable answer, :class:`Refused` on a
        4xx that is not worth asking again.
        """
        data = None if body is None else json.dumps(body).encode("utf-8")
        all_headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        retry = self.policy()
        attempts = 0
        while True:
            self.pace.wait()
            attempts += 1
            self.requests_made += 1
            response: urllib3.BaseHTTPResponse | None = None
            error: Exception | None = None
            try:
                response = self._pool.request(
                    method,
                    url,
                    body=data,
                    headers=all_headers,
                    timeout=self.timeout_s,
                    retries=self._one_attempt,
                )
            except urllib3.exceptions.HTTPError as exc:
                error = exc.reason if isinstance(exc, MaxRetryError) and exc.reason else exc
                last = self._failure(error)
            else:
                has_after = response.headers.get("Retry-After") is not None
                if retry.is_retry(method, response.status, has_retry_after=has_after):
                    last = f"HTTP {response.status}"
                elif response.status >= 400:
                    raise Refused(response.status, response.data[:500].decode("utf-8", "replace"))
                else:
                    try:
                        return json.loads(response.data.decode("utf-8"))
                    except ValueError as exc:  # bad JSON, or not UTF-8
                        error, response = exc, None
                        last = f"réponse illisible ({type(exc).__name__})"
            try:
                retry = retry.increment(method, url, response=response, error=error)
            except MaxRetryError:
                raise Unanswered(last, attempts=attempts, url=url) from error
            after_s = retry.get_retry_after(response) if response is not None else None
            delay_s = after_s if after_s is not None else retry.get_backoff_time()
            if delay_s > 0:
                self._sleep(min(delay_s, RETRY_AFTER_MAX_S))

    def _failure(self, error: Exception) -> str:
        if isinstance(error, NewConnectionError):  # before timeouts: urllib3 makes it one
            return f"connexion impossible ({error})"
        if isinstance(error, Urllib3Timeout | TimeoutError):
            return f"délai de {self.timeout_s:g} s dépassé"
        if isinstance(error, ProtocolError):  # connection reset, answer cut mid-way
            return f"réponse illisible ({type(error).__name__})"
        return f"connexion impossible ({type(error).__name__}: {error})"

    def close(self) -> None:
        self._pool.clear()
