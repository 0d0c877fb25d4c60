"""Online geocoders for civic addresses: Nominatim or Photon, public or self-hosted.

Only used when ``MAPSERVICE_GEOCODER`` names one. Requests go through the service's one HTTP
client (:mod:`mapservice.routing._http`: User-Agent, timeout, retries on timeouts, 429 and 5xx
after a backoff or the server's ``Retry-After``) and keep the service's pace: at least
``min_delay_s`` between two requests, across threads, and across processes and servers when a
pace store (the database) is given. We build the query and read the JSON ourselves (Nominatim's
``/search`` list, Photon's GeoJSON): that is all geopy did for us, behind its own HTTP layer.
Answers (including "nothing found") are cached in the database, so the same address is never
asked twice; failures are never cached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol
from urllib.parse import urlsplit

from mapservice.domain.text import fold
from mapservice.errors import ConfigError, GeocoderUnavailable, ntr, tr
from mapservice.geocoding.base import AddressHit
from mapservice.routing._http import HttpClient, PaceStore, Refused, Unanswered, make_pace

#: The region as Nominatim's ``viewbox`` (preferred, not bounding: outside answers get flagged),
#: ``(lat, lon)`` of two corners.
VIEWBOX = ((47.6, -73.4), (49.6, -69.6))
#: Photon's ``location_bias`` ``(lat, lon)``: the middle of the region.
BIAS = (48.45, -71.6)
#: Hits asked for per address.
LIMIT = 5


class HitCache(Protocol):
    def cache_get(self, backend: str, key: str) -> list[dict[str, Any]] | None: ...

    def cache_put(self, backend: str, key: str, query: str, hits: list[dict[str, Any]]) -> None: ...


def cache_key(text: str) -> str:
    """Key of an address in the cache: folded, spaces squeezed (case and accents don't count)."""
    return " ".join(fold(text).replace(",", " , ").split())


def pace_key(kind: str, url: str) -> str:
    """Name of a geocoder's pace in the pace store: one per kind and host."""
    return f"geocoder:{kind}:{urlsplit(url).netloc}"


class OnlineBackend:
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
        pace_store: PaceStore | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"MAPSERVICE_GEOCODER_URL={url!r} is not an http(s) URL.")
        if kind not in ("nominatim", "photon"):
            raise ConfigError(f"Unknown online geocoder {kind!r} (nominatim or photon).")
        self.name = kind
        self.url = url.rstrip("/")
        self.cache = cache
        pace = make_pace(
            min_delay_s, store=pace_store, key=pace_key(kind, url), sleep=sleep, clock=clock
        )
        self.http = HttpClient(
            user_agent=user_agent, timeout_s=timeout_s, retries=retries, pace=pace, sleep=sleep
        )

    @property
    def requests_made(self) -> int:
        return self.http.requests_made

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
        url, fields = self._query(text)
        try:
            answer = self.http.get_json(url, fields)
        except Refused as exc:
            raise GeocoderUnavailable(
                tr(
                    "Le géocodeur {name} a refusé la requête (HTTP {status}).",
                    name=self.name,
                    status=exc.status,
                ),
                detail=exc.body,
            ) from exc
        except Unanswered as exc:
            raise GeocoderUnavailable(
                ntr(
                    "Le géocodeur {name} ne répond pas ({reason}) après {n} essai.",
                    "Le géocodeur {name} ne répond pas ({reason}) après {n} essais.",
                    exc.attempts,
                    name=self.name,
                    reason=exc.reason,
                ),
                detail=f"{exc.url}: {exc.reason}",
            ) from exc
        if self.name == "photon":
            raws = answer.get("features") if isinstance(answer, dict) else None
        else:
            raws = answer
        if not isinstance(raws, list):
            raise GeocoderUnavailable(
                tr("Réponse inattendue du géocodeur {name}.", name=self.name),
                detail=repr(answer)[:500],
            )
        return [
            hit for raw in raws if isinstance(raw, dict) and (hit := self._hit(raw)) is not None
        ]

    def _query(self, text: str) -> tuple[str, dict[str, Any]]:
        """The URL and query fields of a search (those geopy sent, in the same form)."""
        if self.name == "nominatim":
            (lat1, lon1), (lat2, lon2) = VIEWBOX
            return f"{self.url}/search", {
                "q": text,
                "format": "json",
                "limit": LIMIT,
                "viewbox": f"{min(lon1, lon2)},{min(lat1, lat2)},{max(lon1, lon2)},"
                f"{max(lat1, lat2)}",
                "countrycodes": "ca",
                "accept-language": "fr",
            }
        return f"{self.url}/api", {
            "q": text,
            "limit": LIMIT,
            "lang": "fr",
            "lat": BIAS[0],
            "lon": BIAS[1],
        }

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
            label = ", ".join(
                str(props[k]) for k in ("housenumber", "street", "name", "city") if props.get(k)
            )
            return AddressHit(
                lon=float(lon),
                lat=float(lat),
                label=label,
                kind=_photon_kind(props),
                importance=0.5,
            )
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
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
