"""Use cases shared by the web app, the CLI and the notebooks.

A :class:`Services` object is built from the settings; it owns the repository and loads the
reference data (gazetteer, taxonomy, parks) on first use, once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import Direction, Flow, ImportResult, Park, Site
from mapservice.domain.reference import load_reference
from mapservice.errors import InvalidInput, NotFound
from mapservice.geo import geojson
from mapservice.geo.spatial_index import DatabaseSiteIndex, SiteIndex
from mapservice.geocoding import CascadeGeocoder, Gazetteer, ParkLocator, ParkNames
from mapservice.geocoding.reverse import ReverseGeocoder
from mapservice.importing import build_plan
from mapservice.matching.matcher import Compatibility
from mapservice.materials.classify import Classifier
from mapservice.materials.impact import TransportModel
from mapservice.materials.taxonomy import Taxonomy, load_factors
from mapservice.storage import Repository, open_repository

if TYPE_CHECKING:
    from mapservice.routing import DistanceBackend

DEMO_FILE = Path("demo") / "membres.csv"


class Services:
    """The service layer over one repository and one folder of reference data."""

    def __init__(self, settings: dict[str, Any], repo: Repository | None = None) -> None:
        self.settings = settings
        self.data_dir = Path(settings["DATA_DIR"])
        self.repo: Repository = repo or open_repository(settings["DATABASE_URL"])
        self._backends: dict[str, DistanceBackend] = {}

    def close(self) -> None:
        self.repo.close()

    # --- reference data, loaded once ----------------------------------------------------------

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer.from_directory(self.data_dir)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return Taxonomy.from_directory(self.data_dir)

    @cached_property
    def geocoder(self) -> CascadeGeocoder:
        """The configured cascade: offline, plus the online backend when one is set."""
        return self.make_geocoder(self.settings["GEOCODER"])

    def make_geocoder(self, backend: str) -> CascadeGeocoder:
        """A cascade with ``backend`` (``offline``, ``nominatim``, ``photon``) for addresses."""
        online = None
        if backend != "offline":
            from mapservice.geocoding.online import GeopyBackend

            if not self.settings.get("GEOCODER_URL"):
                raise InvalidInput(
                    f"Le géocodeur {backend!r} demande MAPSERVICE_GEOCODER_URL.", field="backend"
                )
            online = GeopyBackend(
                backend,
                self.settings["GEOCODER_URL"],
                user_agent=self.settings["GEOCODER_USER_AGENT"],
                timeout_s=self.settings["GEOCODER_TIMEOUT_S"],
                min_delay_s=self.settings["GEOCODER_MIN_DELAY_S"],
                retries=self.settings["GEOCODER_RETRIES"],
                cache=self.repo,
            )
        return CascadeGeocoder(self.gazetteer, park_names=self.park_names, address_backend=online)

    @cached_property
    def park_names(self) -> ParkNames:
        return ParkNames.from_files(self.repo.parks(), self.data_dir / "park_aliases.csv")

    @cached_property
    def park_locator(self) -> ParkLocator:
        return ParkLocator(self.repo.parks(), self.settings["PARK_TOLERANCE_M"])

    @cached_property
    def reverse_geocoder(self) -> ReverseGeocoder:
        return ReverseGeocoder(self.gazetteer, self.park_locator)

    @cached_property
    def plain_classifier(self) -> Classifier:
        """The classifier's token index, without corrections: built once (about 50 ms)."""
        return Classifier(self.taxonomy)

    @cached_property
    def classifier(self) -> Classifier:
        """Free text → category, with the corrections staff made (kept in the database).

        Dropped after each correction; rebuilt on the shared index, re-reading them all.
        """
        return self.plain_classifier.with_corrections(self.repo.category_corrections())

    def classify(self, text: str, direction: str | None = None) -> dict[str, Any]:
        text = (text or "").strip()
        if not text or len(text) > 300:
            raise InvalidInput("Texte à classer vide ou trop long (1 à 300 caractères).",
                               field="text")
        way = None
        if direction:
            try:
                way = Direction(direction)
            except ValueError:
                raise InvalidInput(f"direction invalide : {direction!r} (output ou input).",
                                   field="direction") from None
        found = self.classifier.classify(text, direction=way)
        return {
            "text": text, "category": found.code,
            "label_fr": self.taxonomy.label(found.code) if found.code else None,
            "label_en": self.taxonomy.label(found.code, "en") if found.code else None,
            "confidence": round(found.confidence, 3), "method": found.method,
            "flagged": found.flagged, "reason": found.reason_fr,
            "candidates": [{"category": c, "label_fr": self.taxonomy.label(c),
                            "confidence": round(v, 3)} for c, v in found.candidates],
        }

    def correct_category(self, text: str, code: str, author: str) -> dict[str, Any]:
        """Keep a staff correction: this wording means that category from now on."""
        text = (text or "").strip()
        if not text or len(text) > 300:
            raise InvalidInput("Texte vide ou trop long (1 à 300 caractères).", field="text")
        if self.taxonomy.get(code) is None:
            raise InvalidInput(f"Catégorie inconnue : {code!r}.", field="category",
                               suggestions=[c.code for c in self.taxonomy.suggest(code)])
        author = (author or "").strip()
        if not author or len(author) > 120:
            raise InvalidInput("Indiquez qui fait la correction.", field="author")
        key = Classifier.key(text)
        if not key:
            raise InvalidInput("Ce texte ne contient aucun mot à retenir.", field="text")
        self.repo.save_category_correction(key, text, code, author)
        self.__dict__.pop("classifier", None)
        return self.classify(text)

    # --- matching -----------------------------------------------------------------------------

    @cached_property
    def transport_model(self) -> TransportModel:
        return TransportModel.from_factors(load_factors(self.data_dir / "factors.csv"))

    @cached_property
    def compatibility(self) -> Compatibility:
        return Compatibility(self.taxonomy)

    @cached_property
    def site_index(self) -> SiteIndex | DatabaseSiteIndex:
        """The live index of placed sites, built once, then kept current site by site.

        On PostGIS the radius search runs in the database (ST_DWithin), so app servers that
        share the store see each other's sites.
        """
        points = [(s.id, s.lon, s.lat) for s in self.repo.sites()
                  if s.id is not None and s.lon is not None and s.lat is not None]
        within = getattr(self.repo, "sites_within", None)
        if within is not None:
            return DatabaseSiteIndex(within, points)
        return SiteIndex(points)

    def site_moved(self, site_id: int) -> None:
        """Keep the live index current after a site was added, moved or removed."""
        if "site_index" not in self.__dict__:
            return
        try:
            site = self.repo.get_site(site_id)
        except NotFound:
            self.site_index.remove(site_id)
            return
        if site.lon is None or site.lat is None:
            self.site_index.remove(site_id)
        else:
            self.site_index.upsert(site_id, site.lon, site.lat)

    def distance_backend(self, name: str | None = None) -> DistanceBackend:
        """The configured distance backend, or ``name`` (one instance per name, reused)."""
        from mapservice.config import ROUTING_KINDS
        from mapservice.routing import make_backend

        name = name or self.settings["ROUTING"]
        if name not in ROUTING_KINDS:
            raise InvalidInput(f"Moteur de distance inconnu : {name!r} (attendu : "
                               f"{', '.join(ROUTING_KINDS)}).", field="backend")
        if name not in self._backends:
            if name in ("osrm", "valhalla", "ors") and not self.settings["ROUTING_URL"]:
                raise InvalidInput(f"Le moteur {name!r} demande MAPSERVICE_ROUTING_URL.",
                                   field="backend")
            if name == "osm" and not self.settings["OSM_FILE"]:
                raise InvalidInput("Le moteur 'osm' demande MAPSERVICE_OSM_FILE.",
                                   field="backend")
            roads = self.settings["OSM_FILE"] if name == "osm" else self.data_dir / "roads.geojson"
            self._backends[name] = make_backend(
                name, roads_path=roads, url=self.settings["ROUTING_URL"] or None,
                api_key=self.settings["ROUTING_API_KEY"] or None, cache=self.repo,
                timeout_s=self.settings["ROUTING_TIMEOUT_S"],
                retries=self.settings["ROUTING_RETRIES"],
            )
        return self._backends[name]

    # --- database -----------------------------------------------------------------------------

    def init_database(self, *, demo: bool = False) -> dict[str, Any]:
        """Create or upgrade the schema, (re)load the reference data, optionally the demo."""
        started = time.perf_counter()
        self.repo.migrate()
        reference = load_reference(self.data_dir)
        loaded = self.repo.load_reference(reference)
        for cached in ("_parks", "park_locator", "park_names", "geocoder", "reverse_geocoder",
                       "site_index"):
            self.__dict__.pop(cached, None)
        result = None
        if demo:
            result = self.import_file(self.data_dir / DEMO_FILE)
        return {
            "revision": self.repo.revision(),
            "reference": loaded,
            "demo": result,
            "seconds": round(time.perf_counter() - started, 2),
        }

    def is_initialised(self) -> bool:
        return self.repo.revision() is not None and self.repo.counts()["parks"] > 0

    def import_file(
        self,
        path: Path,
        *,
        dry_run: bool = False,
        source: str | None = None,
        on_progress: Callable[[int], None] | None = None,
        actor: str = SYSTEM_ACTOR,
    ) -> ImportResult:
        """Validate and import one CSV/XLSX file, all or nothing (nothing at all on dry run);
        the audit log credits ``actor`` with what it writes."""
        plan = build_plan(
            path,
            taxonomy=self.taxonomy,
            geocoder=self.geocoder,
            parks=self.park_locator,
            max_rows=self.settings["IMPORT_MAX_ROWS"],
            max_bytes=self.settings["IMPORT_MAX_BYTES"],
            source=source,
            on_progress=on_progress,
            classifier=self.classifier,
        )
        result = self.repo.apply_import(plan, dry_run=dry_run, actor=actor)
        if not dry_run:
            self.__dict__.pop("site_index", None)  # rebuilt on next use, with the new sites
        return result

    # --- reading ------------------------------------------------------------------------------

    @cached_property
    def _parks(self) -> dict[str, Park]:
        # Reference data, like the locator and names above: read once, reloaded by
        # init_database. A page asks for it several times; each read parses every outline.
        return {p.id: p for p in self.repo.parks()}

    def park_ids(self) -> dict[str, Park]:
        """The industrial parks by id, ordered by name."""
        return dict(self._parks)

    def check_park(self, park_id: str | None) -> str | None:
        """Return ``park_id`` if it names a park, None if empty; else raise naming ``park``."""
        if not park_id:
            return None
        if park_id not in self.park_ids():
            raise InvalidInput(
                f"Parc inconnu : {park_id!r}. Les identifiants sont ceux de /export/parks.",
                field="park",
            )
        return park_id

    def sites_with_flows(self, *, park_id: str | None = None) -> tuple[list[Site], list[Flow]]:
        sites = self.repo.sites(park_id=park_id)
        flows = self.repo.flows(site_ids=[s.id for s in sites if s.id is not None])
        return sites, flows

    def sites_geojson(self, *, park_id: str | None = None) -> dict[str, Any]:
        """Return the sites (of one park) as an RFC 7946 FeatureCollection."""
        park_id = self.check_park(park_id)
        sites, flows = self.sites_with_flows(park_id=park_id)
        parks = self.park_ids()
        munis = self.gazetteer.municipalities
        return geojson.sites_collection(sites, flows, parks=parks, municipalities=munis,
                                        taxonomy=self.taxonomy)

    def position_map_parts(
        self, *, lon: float, lat: float, label: str, zoom: int, assets_url: str | None = None
    ) -> tuple[dict[str, str], str, str]:
        """Return a one-marker map for placing a site, and the JS names of map and marker."""
        from mapservice.views import folium_maps as maps

        fmap, map_name, marker_name = maps.position_map(
            lon=lon, lat=lat, parks=self.repo.parks(), label=label, zoom=zoom,
            tiles=self.settings["TILES"], assets_url=assets_url,
        )
        return maps.page_parts(fmap), map_name, marker_name

    def health(self) -> dict[str, Any]:
        """The state ``/healthz`` reports: ``ok`` and the counts when the database's schema
        revision is this code's head; otherwise both revisions and ``schema_behind`` (an older
        or empty database: ``mapservice init`` upgrades it) or ``schema_ahead`` (a database
        upgraded by newer code than this process runs)."""
        from mapservice.storage.sql import known_revisions

        revision, head = self.repo.revision(), self.repo.head_revision()
        state = {"backend": self.repo.backend, "revision": revision, "head_revision": head}
        if revision != head:
            behind = revision is None or revision in known_revisions()
            return {"status": "schema_behind" if behind else "schema_ahead", **state}
        counts = self.repo.counts()
        return {"status": "ok", **state,
                "counts": {k: counts[k] for k in ("parks", "members", "sites", "flows")}}
