"""Results kept in memory, the least recently used dropped first.

The map views, the OGC API's layer reads and a site's candidate synergies are costly to build
and asked for again and again. Each is kept in an ordered dict on the object that owns it (a
:class:`~mapservice.services.Services`, a matcher), under a key that changes when the data it
was built from changes. Several threads of one process share those dicts; at worst two build
the same value at once and one of them is kept, and trimming tolerates a key another thread
has already dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def cache_of(owner: object, name: str) -> OrderedDict[Any, Any]:
    """The ordered dict named ``name`` on ``owner``, made on first use."""
    cache: OrderedDict[Any, Any] = owner.__dict__.setdefault(name, OrderedDict())
    return cache


def kept(cache: OrderedDict[Any, Any], key: Any, build: Callable[[], T], size: int) -> T:
    """``cache[key]``, built by ``build()`` if missing; then at most ``size`` entries remain."""
    found: T | None = cache.get(key)
    if found is None:
        found = cache[key] = build()
    touch(cache, key, size)
    return found


def touch(cache: OrderedDict[Any, Any], key: Any, size: int) -> None:
    """Mark ``key`` recently used and trim ``cache`` to ``size``."""
    try:  # other threads trim the same cache: a key already gone is no error
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)
    except KeyError:
        pass
