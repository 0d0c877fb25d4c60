"""Typed errors: each carries the HTTP status it maps to and a message safe to show a user.

Handlers in one place (``mapservice.web.error_pages``) turn them into JSON or HTML; the CLI prints
``message`` and exits non-zero. ``detail`` is for logs and may hold what a user must not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class MapserviceError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, detail: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        """Return the user-safe part of the error as JSON-ready data."""
        return {"error": self.code, "message": self.message, **self.extra}


class ConfigError(MapserviceError):
    """A setting has a value the service cannot use."""

    code = "config_error"


class NotFound(MapserviceError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class NotSignedIn(MapserviceError):
    """The request needs an account: sign in, or send a personal token."""

    status = 401
    code = "unauthorized"


class Forbidden(MapserviceError):
    """The asker is known but their role (or their parks) does not allow this."""

    status = 403
    code = "forbidden"


class InvalidInput(MapserviceError):
    """Input that does not have the expected form; names the offending field or parameter."""

    status = 422
    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message, field=field, **extra)
        self.field = field


#: Control characters other than tab and line breaks, and lone UTF-16 surrogates (which JSON
#: escapes can carry): no name or note holds one, PostgreSQL refuses NUL in text, and a lone
#: surrogate cannot be written as UTF-8 at all.
_NOT_PLAIN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def check_plain_text(value: str, field: str) -> str:
    """Return ``value``, or raise :class:`InvalidInput` naming ``field`` if it holds a control
    character or a lone surrogate."""
    found = _NOT_PLAIN.search(value)
    if found is not None:
        raise InvalidInput(f"{field} invalide : caractère {found.group()!r} en position "
                           f"{found.start() + 1} (attendu : du texte sans caractère de "
                           "contrôle).", field=field)
    return value


class FormErrors(InvalidInput):
    """Every problem of one submitted form at once: ``fields`` maps a field to its message."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        n = len(fields)
        message = message or f"Le formulaire contient {n} erreur{'s' if n > 1 else ''}."
        super().__init__(message, field=next(iter(fields), None), fields=dict(fields))
        self.fields = dict(fields)


class StorageError(MapserviceError):
    """The database is unreachable or refused an operation."""

    status = 503
    code = "storage_unavailable"


class StorageFull(StorageError):
    """The disk under the database is full: the write was rolled back, nothing was kept."""

    status = 507
    code = "storage_full"


class GeocodingError(InvalidInput):
    """A place could not be found, or was found outside the region."""

    code = "geocoding_failed"


class GeocoderUnavailable(MapserviceError):
    """The online geocoder did not answer (timeout, refused connection, 5xx) after retries."""

    status = 503
    code = "geocoder_unavailable"


class RoutingUnavailable(MapserviceError):
    """The routing engine did not answer (timeout, refused connection, 5xx) or refused a query."""

    status = 503
    code = "routing_unavailable"


class RoadNetworkError(ConfigError):
    """A road network file (GeoJSON or OSM extract) is malformed or unreadable (at build time);
    the message names the file, the feature and the property."""

    code = "road_network_error"


class TaxonomyError(ValueError):
    """A reference data file of the taxonomy or factors is malformed (raised at load time)."""


@dataclass(frozen=True)
class ImportIssue:
    """One problem in one cell (or row) of an imported file.

    ``row`` is the spreadsheet row number a person sees (header = row 1), ``column`` the header
    as written in the file (or the canonical name when the column is missing).
    """

    row: int | None
    column: str | None
    value: str | None
    expected: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        got = f" ; reçu {self.value!r}" if self.value is not None else ""
        prefix = ", ".join(where)
        return f"{prefix}: {self.message} (attendu : {self.expected}{got})".lstrip(": ")


@dataclass
class ImportRejected(MapserviceError):
    """The whole file is rejected; nothing was written. ``issues`` lists every problem found."""

    issues: list[ImportIssue] = field(default_factory=list)
    source: str = ""

    status = 422
    code = "import_rejected"

    def __post_init__(self) -> None:
        n = len(self.issues)
        plural = "s" if n > 1 else ""
        msg = f"Importation refusée : {n} erreur{plural} dans {self.source or 'le fichier'}"
        MapserviceError.__init__(self, msg)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": self.message,
            "issues": [i.to_dict() for i in self.issues],
        }

    def __str__(self) -> str:
        return self.message
