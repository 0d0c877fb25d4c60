"""Use cases shared by the web app, the CLI and the notebooks.

A :class:`Services` object is built from the settings; it owns the repository and the caches
(:class:`~mapservice.caching.Caches`), and loads the reference data (gazetteer, taxonomy,
parks) on first use, once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapservice.accounts import password_rules
from mapservice.caching import Caches, ChangeStamp
from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.collation import collated
from mapservice.domain.model import Flow, ImportResult, Park, Site
from mapservice.domain.reference import load_reference
from mapservice.errors import InvalidInput, tr
from mapservice.exports.files import ExportFiles
from mapservice.geo import geojson
from mapservice.geo.spatial_index import SpatialIndex
from mapservice.geocoding import AddressBackend, CascadeGeocoder, Gazetteer, ParkLocator, ParkNames
from mapservice.geocoding.places import Places
from mapservice.geocoding.reverse import ReverseGeocoder
from mapservice.importing import build_plan
from mapservice.matching.matcher import Compatibility
from mapservice.materials.classify import Classifier
from mapservice.materials.impact import TransportModel
from mapservice.materials.search_terms import SearchVocabulary
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
        self.caches = Caches.from_settings(settings)
        self._backends: dict[str, DistanceBackend] = {}
        self._places: Places | None = None
        self._places_version = 0  # the newest park outline change it was built after

    def close(self) -> None:
        self.repo.close()

    def change_stamp(self) -> ChangeStamp:
        """The registry's change stamp now (one query); caches built before it are dropped."""
        return self.caches.observe(self.repo.change_stamp())

    # --- reference data, loaded once ----------------------------------------------------------

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer.from_directory(self.data_dir)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return Taxonomy.from_directory(self.data_dir)

    @cached_property
    def common_passwords(self) -> frozenset[str]:
        """The passwords too common to choose (``data/common_passwords.txt``), as compared."""
        return password_rules.load_common(self.data_dir / password_rules.COMMON_FILE)

    @property
    def places(self) -> Places:
        """The parks and what is built on them: read once, again after :meth:`init_database`
        or once any process has replaced a park's outline."""
        version = self.repo.park_outline_version()
        if self._places is None or version != self._places_version:
            self._places_version = version
            self._places = Places(
                collated(self.repo.parks(), key=lambda p: p.name),  # lists show them so
                gazetteer=self.gazetteer,
                aliases_csv=self.data_dir / "park_aliases.csv",
                tolerance_m=self.settings["PARK_TOLERANCE_M"],
                address_backend=self._address_backend,
            )
        return self._places

    @property
    def geocoder(self) -> CascadeGeocoder:
        """The configured cascade: offline, plus the online backend when one is set."""
        return self.places.geocoder

    def make_geocoder(self, backend: str) -> CascadeGeocoder:
        """A new cascade with ``backend`` (``offline``, ``nominatim``, ``photon``) for
        addresses."""
        return self.places.cascade(self._online(backend))

    @cached_property
    def _address_backend(self) -> AddressBackend | None:
        """The configured online geocoder, built once (it paces its requests)."""
        return self._online(self.settings["GEOCODER"])

    def _online(self, backend: str) -> AddressBackend | None:
        if backend == "offline":
            return None
        from mapservice.geocoding.online import OnlineBackend

        if not self.settings.get("GEOCODER_URL"):
            raise InvalidInput(
                tr("Le géocodeur {backend!r} demande MAPSERVICE_GEOCODER_URL.", backend=backend),
                field="backend",
            )
        return OnlineBackend(
            backend,
            self.settings["GEOCODER_URL"],
            user_agent=self.settings["GEOCODER_USER_AGENT"],
            timeout_s=self.settings["GEOCODER_TIMEOUT_S"],
            min_delay_s=self.settings["GEOCODER_MIN_DELAY_S"],
            retries=self.settings["GEOCODER_RETRIES"],
            cache=self.repo,
            pace_store=self.repo,  # one pace for every process on this database
        )

    @property
    def park_names(self) -> ParkNames:
        return self.places.names

    @property
    def park_locator(self) -> ParkLocator:
        return self.places.locator

    @property
    def reverse_geocoder(self) -> ReverseGeocoder:
        return self.places.reverse

    @cached_property
    def search_vocabulary(self) -> SearchVocabulary:
        """The taxonomy's names as every search box reads them: worked out once."""
        return SearchVocabulary(self.taxonomy)

    @cached_property
    def plain_classifier(self) -> Classifier:
        """The classifier's token index, without corrections: built once (about 50 ms)."""
        return Classifier(self.taxonomy)

    @property
    def classifier(self) -> Classifier:
        """Free text → category, with the corrections staff made (kept in the database).

        Kept until the next correction (by anyone); then rebuilt on the shared index,
        re-reading them all.
        """
        return self.caches.kept(
            "classifier",
            self.change_stamp(),
            None,
            lambda: self.plain_classifier.with_corrections(self.repo.category_corrections()),
        )

    @cached_property
    def export_files(self) -> ExportFiles:
        """Export files built once per state of the data, in ``exports/`` of the instance."""
        return ExportFiles(
            Path(self.settings["INSTANCE_PATH"]) / "exports",
            self.settings,
            keep=int(self.settings.get("EXPORT_FILES_KEPT", 32)),
        )

    # --- matching -----------------------------------------------------------------------------

    @cached_property
    def transport_model(self) -> TransportModel:
        return TransportModel.from_factors(
            load_factors(self.data_dir / "factors.csv"),
            backhaul=self.settings.get("BACKHAUL") or "in-factor",
        )

    @cached_property
    def compatibility(self) -> Compatibility:
        return Compatibility(self.taxonomy)

    @property
    def site_index(self) -> SpatialIndex:
        """The spatial index of the placed sites, for the registry as it is now."""
        return self.site_index_for(self.change_stamp())

    def site_index_for(self, stamp: ChangeStamp) -> SpatialIndex:
        """The spatial index of the placed sites, kept until the registry moves on from
        ``stamp``.

        On PostGIS the radius search runs in the database (ST_DWithin), so app servers that
        share the store see each other's sites.
        """

        def build() -> SpatialIndex:
            points = [
                (s.id, s.lon, s.lat)
                for s in self.repo.sites()
                if s.id is not None and s.lon is not None and s.lat is not None
            ]
            return self.repo.site_index(points)

        return self.caches.kept("site_index", stamp, None, build)

    def distance_backend(self, name: str | None = None) -> DistanceBackend:
        """The configured distance backend, or ``name`` (one instance per name, reused)."""
        from mapservice.config import ROUTING_KINDS
        from mapservice.routing import make_backend

        name = name or self.settings["ROUTING"]
        if name not in ROUTING_KINDS:
            raise InvalidInput(
                tr(
                    "Moteur de distance inconnu : {name!r} (attendu : {allowed}).",
                    name=name,
                    allowed=", ".join(ROUTING_KINDS),
                ),
                field="backend",
            )
        if name not in self._backends:
            if name in ("osrm", "valhalla", "ors") and not self.settings["ROUTING_URL"]:
                raise InvalidInput(
                    tr("Le moteur {name!r} demande MAPSERVICE_ROUTING_URL.", name=name),
                    field="backend",
                )
            if name == "osm" and not self.settings["OSM_FILE"]:
                raise InvalidInput(
                    tr("Le moteur 'osm' demande MAPSERVICE_OSM_FILE."), field="backend"
                )
            roads = self.settings["OSM_FILE"] if name == "osm" else self.data_dir / "roads.geojson"
            self._backends[name] = make_backend(
                name,
                roads_path=roads,
                url=self.settings["ROUTING_URL"] or None,
                api_key=self.settings["ROUTING_API_KEY"] or None,
                cache=self.repo,
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
        self._places = None  # reference data reloaded: the parks are read again on next use
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
        result.plan = plan
        result.to_classify = sum(
            f.to_classify for m in plan.members for s in m.sites for f in s.flows
        )
        return result

    # --- reading ------------------------------------------------------------------------------

    def park_ids(self) -> dict[str, Park]:
        """The industrial parks by id, in the order of their names (Québec French)."""
        return dict(self.places.by_id)

    def check_park(self, park_id: str | None) -> str | None:
        """Return ``park_id`` if it names a park, None if empty; else raise naming ``park``."""
        if not park_id:
            return None
        if park_id not in self.park_ids():
            raise InvalidInput(
                tr(
                    "Parc inconnu : {park_id!r}. Les identifiants sont ceux de /export/parks.",
                    park_id=park_id,
                ),
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
        return geojson.sites_collection(
            sites, flows, parks=parks, municipalities=munis, taxonomy=self.taxonomy
        )

    def position_map_parts(
        self,
        *,
        lon: float,
        lat: float,
        label: str,
        zoom: int,
        assets_url: str | None = None,
        offline: dict[str, Any] | None = None,
    ) -> tuple[dict[str, str], str, str]:
        """Return a one-marker map for placing a site, and the JS names of map and marker;
        ``offline``: the regional base when tiles fail (see ``folium_maps.position_map``)."""
        from mapservice.views import folium_maps as maps

        fmap, map_name, marker_name = maps.position_map(
            lon=lon,
            lat=lat,
            parks=self.repo.parks(),
            label=label,
            zoom=zoom,
            tiles=self.settings["TILES"],
            assets_url=assets_url,
            offline=offline,
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
        return {
            "status": "ok",
            **state,
            "counts": {k: counts[k] for k in ("parks", "members", "sites", "flows")},
        }
