"""One table of settings: name, default, help. Each is read from ``MAPSERVICE_<NAME>``.

The README's settings table is checked against :data:`SETTINGS` by a test, so a setting cannot
be added without being documented.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from mapservice.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "MAPSERVICE_"
_N = TypeVar("_N", int, float)
_CLUSTERS_HELP = "Sites above which the region map clusters them on the server (0: always)."


def _in_checkout() -> bool:
    """Whether this is the repository (an editable install too), not an installed wheel."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data").is_dir()


def _default_data_dir() -> Path:
    """The repository's ``data/`` in a checkout; the copy the wheel ships (``mapservice/data``)
    when installed."""
    return PROJECT_ROOT / "data" if _in_checkout() else Path(__file__).resolve().parent / "data"


def _default_instance_path() -> Path:
    """The repository's ``instance/`` in a checkout; when installed, the user's data folder
    (``~/.local/share/mapservice`` on Linux): never inside site-packages."""
    if _in_checkout():
        return PROJECT_ROOT / "instance"
    from platformdirs import user_data_dir

    return Path(user_data_dir("mapservice", appauthor=False))


def _at_least_zero(cast: Callable[[str], _N], *, strict: bool) -> Callable[[str], _N]:
    """A parser of a number > 0 (``strict``) or >= 0; NaN is refused."""

    def parse(raw: str) -> _N:
        value = cast(raw)
        if not (value > 0 if strict else value >= 0):
            raise ValueError("must be > 0" if strict else "must be >= 0")
        return value

    return parse


_positive_float = _at_least_zero(float, strict=True)
_non_negative_float = _at_least_zero(float, strict=False)
_positive_int = _at_least_zero(int, strict=True)
_non_negative_int = _at_least_zero(int, strict=False)


def _one_of(kinds: tuple[str, ...]) -> Callable[[str], str]:
    """A parser accepting one of ``kinds`` (case and spaces around it do not matter)."""

    def parse(raw: str) -> str:
        if raw.strip().lower() not in kinds:
            raise ValueError(f"expected one of {', '.join(kinds)}")
        return raw.strip().lower()

    return parse


#: Distance backends: the regional road graph is the default.
ROUTING_KINDS = ("road-graph", "geodesic", "osm", "osrm", "valhalla", "ors")

#: Online geocoders the service can ask; ``offline`` asks none.
GEOCODER_KINDS = ("offline", "nominatim", "photon")

#: Whether the truck's empty return is in the emission factor (``materials.impact.Backhaul``).
BACKHAUL_KINDS = ("in-factor", "empty")


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on", "oui"):
        return True
    if value in ("0", "false", "no", "off", "non"):
        return False
    raise ValueError("expected 1 or 0 (true/false, yes/no, on/off, oui/non)")


def _networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``10.0.0.5, 192.168.1.0/24, ::1``: addresses or networks, comma-separated."""
    return tuple(ipaddress.ip_network(part.strip()) for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Setting:
    """A setting: its name (also the Flask config key), default, help and parser."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "Database URL. `sqlite:///PATH` (embedded default: `sqlite:///` + "
        "`instance/mapservice.sqlite`) or `postgresql://user:pass@host/db` (PostGIS).",
    ),
    Setting(
        "INSTANCE_PATH",
        str(_default_instance_path()),
        "Folder for the embedded database and the generated secret key. Default: `instance/` "
        "of the repository; installed from a wheel, the user's data folder "
        "(`~/.local/share/mapservice` on Linux).",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Key that signs sessions. Default: a random key created once in the instance folder.",
    ),
    Setting(
        "DATA_DIR",
        str(_default_data_dir()),
        "Folder of the reference data (parks, gazetteer, postal codes, taxonomy, factors, demo). "
        "Default: `data/` of the repository, or the copy the installed package ships.",
    ),
    Setting(
        "PARK_TOLERANCE_M",
        1500.0,
        "A site outside every park outline still belongs to the nearest park within this many "
        "metres.",
        _positive_float,
    ),
    Setting(
        "IMPORT_MAX_ROWS",
        50_000,
        "Largest import accepted, in data rows; a longer file is rejected while being read.",
        _positive_int,
    ),
    Setting(
        "IMPORT_MAX_BYTES",
        50 * 1024 * 1024,
        "Largest import file accepted, in bytes.",
        _positive_int,
    ),
    Setting(
        "GEOCODER",
        "offline",
        "Online geocoder for civic addresses: `offline` (none, the default), `nominatim` or "
        "`photon`. Only asked when an address is not placed by its postal code.",
        _one_of(GEOCODER_KINDS),
    ),
    Setting(
        "GEOCODER_URL",
        "",
        "Base URL of the online geocoder, e.g. `https://nominatim.openstreetmap.org` or a "
        "self-hosted instance. Required when `MAPSERVICE_GEOCODER` is not `offline`.",
    ),
    Setting(
        "GEOCODER_USER_AGENT",
        "mapservice/0.1 (economie circulaire Saguenay-Lac-Saint-Jean)",
        "User-Agent sent to the online geocoder; public Nominatim wants one naming you "
        "(add a contact address).",
    ),
    Setting(
        "GEOCODER_MIN_DELAY_S",
        1.0,
        "Least time between two requests to the online geocoder, in seconds (public Nominatim: 1).",
        _non_negative_float,
    ),
    Setting(
        "GEOCODER_TIMEOUT_S",
        10.0,
        "Time allowed for one online geocoder request, in seconds.",
        _positive_float,
    ),
    Setting(
        "GEOCODER_RETRIES",
        2,
        "Further attempts after an online geocoder request times out or fails with a 5xx.",
        _non_negative_int,
    ),
    Setting(
        "ROUTING",
        "road-graph",
        "Transport distances: `road-graph` (the regional road network of `data/roads.geojson`, "
        "the default), `geodesic`, `osm` (a graph built from `MAPSERVICE_OSM_FILE`), or an HTTP "
        "engine at `MAPSERVICE_ROUTING_URL`: `osrm`, `valhalla`, `ors` (openrouteservice, "
        "heavy-goods profile).",
        _one_of(ROUTING_KINDS),
    ),
    Setting(
        "ROUTING_URL",
        "",
        "Base URL of the HTTP routing engine (OSRM, Valhalla or openrouteservice).",
    ),
    Setting("ROUTING_API_KEY", "", "API key sent to openrouteservice, if it needs one."),
    Setting(
        "ROUTING_TIMEOUT_S",
        10.0,
        "Time allowed for one request to the HTTP routing engine, in seconds.",
        _positive_float,
    ),
    Setting(
        "ROUTING_RETRIES",
        2,
        "Further attempts after a routing engine request times out or fails with a 5xx.",
        _non_negative_int,
    ),
    Setting(
        "OSM_FILE",
        "",
        "An OpenStreetMap extract (`.osm.pbf` or `.osm`) for `MAPSERVICE_ROUTING=osm`.",
    ),
    Setting(
        "MATCH_MAX_KM",
        100.0,
        "Farthest road distance at which matching proposes a synergy, in km (each material's "
        "own plausible distance applies too).",
        _positive_float,
    ),
    Setting(
        "BACKHAUL",
        "in-factor",
        "Transport CO2e: `in-factor` counts each trip once (the factor per loaded t·km includes "
        "empty running); `empty` adds the return leg at the loaded rate (dedicated trips).",
        _one_of(BACKHAUL_KINDS),
    ),
    Setting(
        "CACHE_MAP_VIEWS",
        24,
        "Region map views kept in memory per process (with their synergy lines as many again) "
        "until the registry changes.",
        _non_negative_int,
    ),
    Setting("MAP_SERVER_CLUSTERS_ABOVE", 2000, _CLUSTERS_HELP, _non_negative_int),
    Setting(
        "CACHE_LAYER_READS",
        8,
        "Reads of a layer the OGC API pages through, kept per process until the registry "
        "changes; 0 keeps none.",
        _non_negative_int,
    ),
    Setting(
        "CACHE_SITE_PAGES",
        512,
        "Site pages (candidates, table, map) kept per process until the registry changes; "
        "serve's warming computes every located site's page ahead only when they all fit.",
        _non_negative_int,
    ),
    Setting(
        "HEAVY_PER_CLIENT",
        2,
        "Heavy requests (see README, « Requêtes lourdes ») one account, and one client address, "
        "may have running at once in one serving process; one more answers 429 with "
        "Retry-After.",
        _positive_int,
    ),
    Setting(
        "HEAVY_PER_PROCESS",
        3,
        "Heavy requests one serving process runs at once, all clients together (keep it below "
        "`serve --threads`, so that threads stay free for pages and probes); one more answers "
        "429 with Retry-After.",
        _positive_int,
    ),
    Setting(
        "HEAVY_RETRY_AFTER_S",
        10,
        "Seconds a client refused for too many heavy requests is told to wait (Retry-After).",
        _positive_int,
    ),
    Setting(
        "EXPORT_FILES_KEPT",
        32,
        "Workbooks and GeoPackages of the current data kept in `exports/` of the instance "
        "folder, to be served again until the data change; older ones are deleted.",
        _positive_int,
    ),
    Setting("TILES", "OpenStreetMap", "Base map: a Folium tile name or an XYZ URL template."),
    Setting(
        "SECURE_COOKIES",
        False,
        "Set to 1 when the service is reached over HTTPS (directly or behind a proxy): the "
        "session and language cookies get the Secure flag and every response carries "
        "Strict-Transport-Security. Off by default for the local http quick start.",
        _flag,
    ),
    Setting(
        "SESSION_LIFETIME_H",
        12.0,
        "Hours a signed-in session lasts after its last request; each request renews it.",
        _positive_float,
    ),
    Setting(
        "TRUSTED_PROXIES",
        (),
        "Addresses or networks of the reverse proxies in front of the service, comma-separated "
        "(e.g. `127.0.0.1` or `10.0.0.0/24, ::1`). Only a request coming from one of them has "
        "its X-Forwarded-For, -Proto, -Host and -Port read (client address, https, public "
        "host); from anyone else they are ignored. Empty by default: nobody is trusted.",
        _networks,
    ),
    Setting(
        "MONITORS",
        (),
        "Addresses or networks of the monitors that read `/healthz` in full (backend, schema "
        "revisions, row counts), comma-separated (e.g. `127.0.0.1, 10.0.0.0/24`); behind a "
        "proxy, set MAPSERVICE_TRUSTED_PROXIES too. Anyone else but staff gets the status "
        "only. Empty by default.",
        _networks,
    ),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting's value: ``MAPSERVICE_<NAME>`` from ``environ`` or the default.

    Raises
    ------
    ConfigError
        When a variable is set to a value its parser refuses; the message names the variable,
        the value and what was expected.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            msg = f"{setting.env}={raw!r} is not valid: {exc} ({setting.help})"
            raise ConfigError(msg) from exc
    return values


def finish_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Fill in the defaults that depend on other settings (database URL, secret key)."""
    instance = Path(values["INSTANCE_PATH"])
    if not values.get("DATABASE_URL"):
        values["DATABASE_URL"] = "sqlite:///" + str(instance / "mapservice.sqlite")
    if not values.get("SECRET_KEY"):
        values["SECRET_KEY"] = _instance_secret(instance)
    if values.get("ROUTING") in ("osrm", "valhalla", "ors") and not values.get("ROUTING_URL"):
        raise ConfigError(
            f"MAPSERVICE_ROUTING={values['ROUTING']!r} needs MAPSERVICE_ROUTING_URL (the "
            "routing engine's base URL)."
        )
    if values.get("ROUTING") == "osm" and not values.get("OSM_FILE"):
        raise ConfigError(
            "MAPSERVICE_ROUTING='osm' needs MAPSERVICE_OSM_FILE (an .osm.pbf or .osm extract)."
        )
    if (
        values.get("ROUTING") == "osm"
        and str(values.get("OSM_FILE")).endswith(".pbf")
        and importlib.util.find_spec("osmium") is None
    ):
        raise ConfigError(
            "MAPSERVICE_OSM_FILE is an .osm.pbf extract: reading it needs the "
            "'osm' extra (pyosmium): pip install 'mapservice[osm]', or give the "
            "extract as .osm (XML)."
        )
    if values.get("GEOCODER", "offline") != "offline" and not values.get("GEOCODER_URL"):
        raise ConfigError(
            f"MAPSERVICE_GEOCODER={values['GEOCODER']!r} needs MAPSERVICE_GEOCODER_URL "
            "(the geocoder's base URL, e.g. https://nominatim.openstreetmap.org)."
        )
    return values


def _instance_secret(instance: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first use."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
