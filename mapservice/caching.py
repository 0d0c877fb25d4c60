"""What a process keeps in memory: named caches, sized by settings, keyed by the change stamp.

Map views, layer reads, the matcher and each site page's table and map are costly to build
and asked for again and again. Each kind is kept in one named cache of :data:`CACHES` (a
``cachetools`` LRU cache with its own lock), under a key that starts with the registry's
:class:`ChangeStamp`: the change counters the database bumps in every write transaction
(see :mod:`mapservice.storage.schema`), so a value built for the registry as it was is never
served for the registry as it is, whichever process or server wrote, whatever its clock says.
When the registry moves on, :meth:`Caches.registry_changed` drops everything, the only place
anything is cleared. :meth:`Caches.figures` lists each cache: what it holds, its size and hit
rate (``mapservice stats``, ``/healthz/caches``).

Values are built outside the locks: at worst two threads build the same value at once and the
last one is kept. Treat what a cache returns as read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cachetools import LRUCache

from mapservice.config import SETTINGS_BY_NAME

T = TypeVar("T")

#: Counters of a stamp that a cache's keys may hold besides the registry's.
EXTRA_COUNTERS = ("synergies", "corrections")


@dataclass(frozen=True)
class ChangeStamp:
    """Where the database's change counters stood at one read.

    ``registry`` moves with every write to members, sites and flows, ``synergies`` with every
    write to synergies, ``corrections`` with every category correction; ``epoch`` is drawn
    anew when a database is made or restored, so counters of two copies never compare equal.
    Within one epoch each counter only grows.
    """

    epoch: str
    registry: int
    synergies: int = 0
    corrections: int = 0

    def key(self, extra: tuple[str, ...] = ()) -> tuple[Any, ...]:
        """The registry's part of a cache key, then the ``extra`` counters named."""
        return (self.epoch, self.registry, *(getattr(self, name) for name in extra))


@dataclass(frozen=True)
class CacheSpec:
    """One named cache: what it holds, the setting that sizes it, what its keys depend on."""

    name: str
    holds: str
    #: The setting (see :mod:`mapservice.config`) giving its largest number of entries; None
    #: for a cache of one entry, the value for the registry as it is.
    size_setting: str | None = None
    #: Counters besides the registry's that its keys hold (of :data:`EXTRA_COUNTERS`).
    extra: tuple[str, ...] = ()


#: Every cache of a process.
CACHES: tuple[CacheSpec, ...] = (
    CacheSpec(
        "region_views",
        "vues de la carte régionale (sites et parcs) par filtre, langue et anonymisation",
        "CACHE_MAP_VIEWS",
    ),
    CacheSpec(
        "region_lines",
        "les mêmes vues avec leurs lignes de synergies",
        "CACHE_MAP_VIEWS",
        extra=("synergies",),
    ),
    CacheSpec(
        "site_clusters",
        "sites de la carte régionale groupés à chaque zoom, par filtre, langue et portée du "
        "lecteur",
        "CACHE_MAP_VIEWS",
    ),
    CacheSpec(
        "layer_reads",
        "lectures d'une couche de l'OGC API par filtre et portée",
        "CACHE_LAYER_READS",
    ),
    CacheSpec("matcher", "l'apparieur du registre (sites et flux par catégorie)"),
    CacheSpec("site_index", "l'index spatial des sites placés"),
    CacheSpec(
        "site_candidates",
        "synergies candidates d'un site, par rayon, matière et moteur",
        "CACHE_SITE_PAGES",
    ),
    CacheSpec(
        "candidate_tables",
        "tableau des candidates d'une fiche de site, par distance et langue",
        "CACHE_SITE_PAGES",
    ),
    CacheSpec(
        "site_maps",
        "carte d'une fiche de site, par distance, langue et candidates montrées",
        "CACHE_SITE_PAGES",
    ),
    CacheSpec(
        "classifier",
        "le classement du texte libre, avec les corrections du personnel",
        extra=("corrections",),
    ),
)


@dataclass(frozen=True)
class CacheFigures:
    """One cache as :meth:`Caches.figures` lists it; hits and misses since the process began."""

    name: str
    holds: str
    max_size: int
    size: int
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float | None:
        """Hits over lookups; None before the first lookup."""
        asked = self.hits + self.misses
        return round(self.hits / asked, 3) if asked else None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "holds": self.holds,
            "max_size": self.max_size,
            "size": self.size,
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hit_rate,
        }


@dataclass
class _Cache:
    spec: CacheSpec
    max_size: int
    entries: LRUCache[tuple[Any, ...], Any] = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: int = 0
    misses: int = 0

    def __post_init__(self) -> None:
        self.entries = LRUCache(maxsize=max(self.max_size, 1))


_MISSING = object()


class Caches:
    """The named caches of one process (see the module's docstring).

    Parameters
    ----------
    sizes
        Largest number of entries by size setting name (``CACHE_MAP_VIEWS``, …); a missing
        name takes the setting's default, 0 keeps nothing.
    """

    def __init__(self, sizes: Mapping[str, int] | None = None) -> None:
        sizes = sizes or {}

        def size_of(spec: CacheSpec) -> int:
            if spec.size_setting is None:
                return 1
            return int(sizes.get(spec.size_setting, SETTINGS_BY_NAME[spec.size_setting].default))

        self._caches = {spec.name: _Cache(spec, size_of(spec)) for spec in CACHES}
        self._seen: ChangeStamp | None = None
        self._seen_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Caches:
        names = {spec.size_setting for spec in CACHES if spec.size_setting}
        return cls({name: settings[name] for name in names if name in settings})

    def max_size(self, name: str) -> int:
        """The largest number of entries the cache ``name`` keeps."""
        return self._caches[name].max_size

    def observe(self, stamp: ChangeStamp) -> ChangeStamp:
        """Note a stamp just read; if the registry moved on since the last one, drop everything.

        A stamp read before the last one noted (an older counter of the same epoch, from a
        slower thread) changes nothing. Returns ``stamp``.
        """
        with self._seen_lock:
            seen = self._seen
            if seen is not None and seen.epoch == stamp.epoch:
                moved = stamp.registry > seen.registry
                newest = ChangeStamp(
                    stamp.epoch,
                    max(seen.registry, stamp.registry),
                    max(seen.synergies, stamp.synergies),
                    max(seen.corrections, stamp.corrections),
                )
            else:
                moved, newest = seen is not None, stamp
            self._seen = newest
        if moved:
            self.registry_changed()
        return stamp

    def registry_changed(self) -> None:
        """Drop every value of every cache: the registry they were built from has changed.

        The only place anything kept is cleared; :meth:`observe` calls it when a newer stamp
        shows the registry moved on (a write by this process or by any other).
        """
        for cache in self._caches.values():
            with cache.lock:
                cache.entries.clear()

    def kept(self, name: str, stamp: ChangeStamp, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept in cache ``name`` for ``key`` and the registry as of ``stamp``;
        built by ``build()`` and kept if missing (unless the registry has moved on since)."""
        cache = self._caches[name]
        self.observe(stamp)
        full = (*stamp.key(cache.spec.extra), key)
        with cache.lock:
            found = cache.entries.get(full, _MISSING)
            if found is not _MISSING:
                cache.hits += 1
                return found  # type: ignore[no-any-return]
            cache.misses += 1
        value = build()
        if cache.max_size > 0 and self._current(stamp):
            with cache.lock:
                cache.entries[full] = value
        return value

    def _current(self, stamp: ChangeStamp) -> bool:
        seen = self._seen
        return seen is None or (seen.epoch, seen.registry) == (stamp.epoch, stamp.registry)

    def keys(self, name: str) -> list[tuple[Any, ...]]:
        """The keys cache ``name`` holds now: each the stamp's part, then the caller's key."""
        cache = self._caches[name]
        with cache.lock:
            return list(cache.entries.keys())

    def figures(self) -> list[CacheFigures]:
        """Every cache: its name, what it holds, its largest and current size, hits, misses."""
        out = []
        for cache in self._caches.values():
            with cache.lock:
                out.append(
                    CacheFigures(
                        cache.spec.name,
                        cache.spec.holds,
                        cache.max_size,
                        len(cache.entries),
                        cache.hits,
                        cache.misses,
                    )
                )
        return out
