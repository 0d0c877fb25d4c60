"""One pace for every request to an outside service, whatever the thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Throttle:
    """At least ``min_delay_s`` between the starts of two calls, whatever the thread."""

    def __init__(self, min_delay_s: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
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
