"""Storage backends behind one repository protocol, chosen by the database URL's scheme.

``sqlite:///…`` gives the embedded default; ``postgresql://…`` (or ``postgis://…``) gives
PostgreSQL + PostGIS. The driver for PostGIS is imported only when asked for, and a missing
driver fails with one message that names the extra to install.
"""

from __future__ import annotations

from mapservice.errors import ConfigError
from mapservice.storage.base import Repository

__all__ = ["Repository", "open_repository", "backend_for_url"]

_BACKENDS = {
    "sqlite": "mapservice.storage.sqlite:SQLiteRepository",
    "postgresql": "mapservice.storage.postgis:PostGISRepository",
    "postgis": "mapservice.storage.postgis:PostGISRepository",
}


def backend_for_url(url: str) -> str:
    """Return the backend short name for a database URL, or raise :class:`ConfigError`."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in _BACKENDS:
        known = ", ".join(sorted(_BACKENDS))
        msg = f"database URL {url.split('@')[-1]!r} has scheme {scheme!r}; expected one of {known}"
        raise ConfigError(msg)
    return scheme


def open_repository(url: str) -> Repository:
    """Open the repository for ``url`` (the schema is not created: call ``migrate``)."""
    import importlib

    module_name, _, cls_name = _BACKENDS[backend_for_url(url)].partition(":")
    module = importlib.import_module(module_name)
    cls = getattr(module, cls_name)
    return cls(url)  # type: ignore[no-any-return]
