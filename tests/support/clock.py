"""A clock for code that takes ``clock`` and ``sleep`` callables: time moves only by sleeping.

Tests hand ``clock`` (as the clock) and ``clock.sleep`` (as the sleep) to the code under test,
then read :attr:`FakeClock.sleeps`: what it waited is known exactly, and no test waits.
"""

from __future__ import annotations

import threading


class FakeClock:
    """A monotonic clock in seconds that moves only when :meth:`sleep` is called."""

    def __init__(self, start_s: float = 1000.0) -> None:
        self.now_s = start_s
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now_s

    def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock on by it, at once."""
        with self._lock:
            self.sleeps.append(seconds)
            self.now_s += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        """Time passing outside the code under test (not recorded as one of its sleeps)."""
        with self._lock:
            self.now_s += seconds
