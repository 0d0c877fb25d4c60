"""Online geocoders for civic addresses, through geopy: Nominatim or Photon, public or self-hosted.

Only used when ``MAPSERVICE_GEOCODER`` names one. Every request goes through one throttle per
backend (at least ``min_delay_s`` between two, across threads), carries the configured
User-Agent, has a timeout and is retried on timeouts and 5xx. Answers (including "nothing
found") are cached in the database, so the same address is never asked twice; failures are
never cached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol
from urllib.parse import urlsplit

from geopy import exc as geopy_exc
from geopy.adapters import URLLibAdapter
from geopy.geocoders import Nominatim, Photon

from mapservice.domain.text import fold
from mapservice.errors import ConfigError, GeocoderUnavailable
from mapservice.geocoding.base import AddressHit
from mapservice.routing._throttle import Throttle

#: The region as Nominatim's ``viewbox`` (preferred, not bounding: outside answers get flagged).
VIEWBOX = ((47.6, -73.4), (49.6, -69.6))

_RETRYABLE = (
    geopy_exc.GeocoderTimedOut,
    geopy_exc.GeocoderUnavailable,
    geopy_exc.GeocoderServiceError,
)


class HitCache(Protocol):
    def cache_get(self, backend: str, key: str) -> list[dict[str, Any]] | None: ...

    def cache_put(self, backend: str, key: str, query: str,
                  hits: list[dict[str, Any]]) -> None: ...


def cache_key(text: str) -> str:
    """Key of an address in the cache: folded, spaces squeezed (case and accents don't count)."""
    return " ".join(fold(text).replace(",", " , ").split())


class GeopyBackend:
    """A Nominatim or Photon service behind the :class:`AddressBackend` protocol."""

    def __init__(
        self,
        kind: str,
        url: str,
        *,
        user_agent: str,
        timeout_s: float,
        min_delay_s: float,
        retries: int,
        cache: HitCache | None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"MAPSERVICE_GEOCODER_URL={url!r} is not an http(s) URL.")
        domain = parts.netloc + parts.path.rstrip("/")
        # urllib, not requests: requests' adapter retries on its own, behind the throttle's back.
        common = {"domain": domain, "scheme": parts.scheme, "timeout": timeout_s,
                  "user_agent": user_agent, "adapter_factory": URLLibAdapter}
        self.name = kind
        self.url = url
        self.retries = retries
        self.cache = cache
        self.throttle = Throttle(min_delay_s, clock=clock, sleep=sleep)
        self._sleep = sleep
        self.requests_made = 0
        if kind == "nominatim":
            self._geocoder: Nominatim | Photon = Nominatim(**common)
        elif kind == "photon":
            self._geocoder = Photon(**common)
        else:
            raise ConfigError(f"Unknown online geocoder {kind!r} (nominatim or photon).")

    def search(self, text: str) -> list[AddressHit]:
        key = cache_key(text)
        if self.cache is not None:
            cached = self.cache.cache_get(self.name, key)
            if cached is not None:
                return [AddressHit(**hit) for hit in cached]
        hits = self._ask(text)
        if self.cache is not None:
            self.cache.cache_put(self.name, key, text, [asdict(hit) for hit in hits])
        return hits

    def _ask(self, text: str) -> list[AddressHit]:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(min(2.0 ** (attempt - 1), 8.0) * max(self.throttle.min_delay_s, 0.05))
            self.throttle.wait()
            self.requests_made += 1
            try:
                found = self._call(text)
            except geopy_exc.GeocoderRateLimited as exc:
                last = exc
                if exc.retry_after:
                    self._sleep(min(float(exc.retry_after), 30.0))
                continue
            except _RETRYABLE as exc:
                last = exc
                continue
            except geopy_exc.GeopyError as exc:
                raise GeocoderUnavailable(
                    f"Le géocodeur {self.name} a refusé la requête.", detail=repr(exc)
                ) from exc
            return [hit for raw in found or [] if (hit := self._hit(raw.raw)) is not None]
        raise GeocoderUnavailable(
            f"Le géocodeur {self.name} ne répond pas ({type(last).__name__}) après "
            f"{self.retries + 1} essai(s).",
            detail=repr(last),
        )

    def _call(self, text: str) -> Any:
        if isinstance(self._geocoder, Nominatim):
            return self._geocoder.geocode(
                text, exactly_one=False, limit=5, addressdetails=False, language="fr",
                country_codes="ca", viewbox=VIEWBOX, bounded=False,
            )
        return self._geocoder.geocode(text, exactly_one=False, limit=5, language="fr",
                                      location_bias=(48.45, -71.6))

    def _hit(self, raw: dict[str, Any]) -> AddressHit | None:
        try:
            if self.name == "nominatim":
                return AddressHit(
                    lon=float(raw["lon"]),
                    lat=float(raw["lat"]),
                    label=str(raw.get("display_name", "")),
                    kind=_nominatim_kind(raw),
                    importance=float(raw.get("importance") or 0.5),
                )
            props = raw.get("properties", {})
            lon, lat = raw["geometry"]["coordinates"][:2]
            label = ", ".join(str(props[k]) for k in ("housenumber", "street", "name", "city")
                              if props.get(k))
            return AddressHit(lon=float(lon), lat=float(lat), label=label,
                              kind=_photon_kind(props), importance=0.5)
        except (KeyError, TypeError, ValueError, IndexError):
            return None  # a malformed hit is skipped, never guessed at


def _nominatim_kind(raw: dict[str, Any]) -> str:
    cls, typ = raw.get("class") or raw.get("category"), raw.get("type")
    addresstype = raw.get("addresstype")
    if typ in ("house", "building") or cls == "building" or addresstype in ("house", "building"):
        return "house"
    if cls == "highway" or addresstype == "road":
        return "street"
    if typ == "postcode" or addresstype == "postcode":
        return "postcode"
    if cls in ("place", "boundary"):
        return "place"
    return "other"


def _photon_kind(props: dict[str, Any]) -> str:
    typ = props.get("type")
    if typ == "house" or props.get("housenumber"):
        return "house"
    if typ == "street":
        return "street"
    if typ in ("city", "district", "locality", "county", "state"):
        return "place"
    return "other"
