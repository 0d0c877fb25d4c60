"""Typed errors: each carries the HTTP status it maps to, a stable code and a message safe to
show a user.

A message is a :class:`Message`: French text (what ``str()`` gives, so the CLI, the logs and the
tests read French) that keeps its template and parameters, so an edge can say it in another
language. Raise sites write ``tr("Flux inconnu : {flow_id}.", flow_id=flow_id)``: ``tr`` marks
the template for extraction into the translation catalogue (``pybabel extract -k tr``) and binds
its parameters; the core never imports the catalogue. Handlers in one place
(``mapservice.web.error_pages``) turn errors into JSON or HTML in the page's language; the CLI
prints ``message`` (French) and exits non-zero. ``detail`` is for logs and may hold what a user
must not see.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Formats a decimal number for a reader: the value and the placeholder's format spec
#: (``""`` or ``".5f"``).
NumberFormat = Callable[[float, str], str]
#: A catalogue's plural lookup: singular, plural, count → the form for that count.
PluralLookup = Callable[[str, str, int], str]


def french_plural(n: float) -> bool:
    """Whether French writes ``n`` things in the plural: from 2 on (« 0 erreur », « 2 erreurs »)."""
    return abs(n) >= 2


class Message(str):
    """A French user message that remembers its template and parameters.

    The string itself is the French text (the template filled with ``str.format``); ``render``
    fills the template that ``gettext`` returns instead, with decimal parameters written by
    ``number`` (the locale's separators). Parameters that are messages are rendered the same
    way. A translation whose placeholders do not match falls back to French.
    """

    template: str
    params: dict[str, Any]
    #: The plural template and the count that chooses between them (:func:`ntr`), else None.
    plural: str | None
    plural_n: int | None

    def __new__(
        cls,
        template: str,
        params: Mapping[str, Any] | None = None,
        plural: str | None = None,
        count: int | None = None,
    ) -> Message:
        params = dict(params or {})
        french = plural if plural is not None and french_plural(count or 0) else template
        # ``str.format`` says it in French exactly as ``_Filler(str, None)`` would (a message
        # parameter formats as its French text, a number as ``format`` writes it), several
        # times faster: a page of cards makes thousands of messages.
        self = super().__new__(cls, french.format(**params))
        self.template = template
        self.params = params
        self.plural = plural
        self.plural_n = count
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.template, self.params, self.plural, self.plural_n))

    def render(
        self,
        gettext: Callable[[str], str],
        number: NumberFormat | None = None,
        ngettext: PluralLookup | None = None,
    ) -> str:
        """Return the message in the language of ``gettext`` (a catalogue's lookup); a plural
        message asks ``ngettext`` for the form of its count (French's, without it)."""
        filler = _Filler(gettext, number, ngettext)
        many = self.plural is not None and french_plural(self.plural_n or 0)
        french = self.plural if many and self.plural else self.template
        try:
            if self.plural is not None and ngettext is not None:
                said = ngettext(self.template, self.plural, self.plural_n or 0)
            else:
                said = gettext(french)
            return filler.format(said, **self.params)
        except (KeyError, IndexError, ValueError):
            return filler.format(french, **self.params)


class _Filler(string.Formatter):
    def __init__(self, gettext: Callable[[str], str], number: Any, ngettext: Any = None) -> None:
        self.gettext = gettext
        self.number = number
        self.ngettext = ngettext

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message):
            value = value.render(self.gettext, self.number, self.ngettext)
        elif self.number is not None and isinstance(value, float):
            return self.number(value, format_spec)
        return super().format_field(value, format_spec)


def N_(template: str, /) -> str:
    """Mark a French message template kept in a constant, for ``make translations`` to find.

    The template is returned as it is; :func:`tr` binds its parameters where it is said.
    """
    return template


def tr(template: str, /, **params: Any) -> Message:
    """Mark a French message template for translation and bind its named parameters.

    Examples
    --------
    >>> tr("Flux inconnu : {flow_id}.", flow_id=12)
    'Flux inconnu : 12.'
    """
    return Message(template, params)


def ntr(singular: str, plural: str, n: int, /, **params: Any) -> Message:
    """Mark a French message with a plural form for translation; ``{n}`` in it is the count
    (French says the plural from 2 on; another language asks its catalogue's ``ngettext``).

    Examples
    --------
    >>> ntr("{n} erreur", "{n} erreurs", 1), ntr("{n} erreur", "{n} erreurs", 3)
    ('1 erreur', '3 erreurs')
    """
    return Message(singular, {"n": n, **params}, plural=plural, count=n)


def say(
    value: Any,
    gettext: Callable[[str], str],
    number: NumberFormat | None = None,
    ngettext: PluralLookup | None = None,
) -> Any:
    """Return ``value`` with every :class:`Message` in it (in dicts, lists, tuples) rendered
    through ``gettext`` (``ngettext`` for plurals); anything else is returned as it is."""
    if isinstance(value, Message):
        return value.render(gettext, number, ngettext)
    if isinstance(value, dict):
        return {k: say(v, gettext, number, ngettext) for k, v in value.items()}
    if isinstance(value, list) or type(value) is tuple:
        return type(value)(say(v, gettext, number, ngettext) for v in value)
    return value


def message_data(value: Any) -> Any:
    """``value`` as JSON data that keeps a :class:`Message`'s template and parameters
    (``{"t": template, "p": params}``), so a message stored today is said in English tomorrow;
    anything else is returned as it is. :func:`message_from_data` reads it back."""
    if isinstance(value, Message):
        data: dict[str, Any] = {
            "t": value.template,
            "p": {k: message_data(v) for k, v in value.params.items()},
        }
        if value.plural is not None:
            data |= {"pl": value.plural, "n": value.plural_n}
        return data
    return value


def message_from_data(data: Any) -> Any:
    """The :class:`Message` that :func:`message_data` wrote; plain text stays text."""
    if isinstance(data, dict) and isinstance(data.get("t"), str):
        params = data.get("p") or {}
        return Message(
            data["t"],
            {k: message_from_data(v) for k, v in params.items()},
            plural=data.get("pl"),
            count=data.get("n"),
        )
    return data


class MapserviceError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, detail: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        #: French text; a :class:`Message` (its template and parameters) where the raise site
        #: marked it with :func:`tr`, so the web says it in the page's language.
        self.message = message
        self.detail = detail
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        """Return the user-safe part of the error as JSON-ready data (messages not yet said
        in a language: see :func:`say`)."""
        return {"error": self.code, "code": self.code, "message": self.message, **self.extra}


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


class TooBusy(MapserviceError):
    """Too many heavy requests at once (of this client, or in all): come back in
    ``retry_after_s`` seconds (the web answers 429 with ``Retry-After``)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_s: int, **extra: Any) -> None:
        super().__init__(message, retry_after_s=retry_after_s, **extra)
        self.retry_after_s = retry_after_s


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
        raise InvalidInput(
            tr(
                "{field} invalide : caractère {char!r} en position {position} "
                "(attendu : du texte sans caractère de contrôle).",
                field=field,
                char=found.group(),
                position=found.start() + 1,
            ),
            field=field,
        )
    return value


class FormErrors(InvalidInput):
    """Every problem of one submitted form at once: ``fields`` maps a field to its message."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        n = len(fields)
        message = message or ntr(
            "Le formulaire contient {n} erreur.", "Le formulaire contient {n} erreurs.", n
        )
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
    as written in the file (or the canonical name when the column is missing). ``expected`` and
    ``message`` are :class:`Message` where the reader marked them with :func:`tr`, so a page
    shows them in its language; ``str()`` is French.
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
        source = self.source or tr("le fichier")
        msg = ntr(
            "Importation refusée : {n} erreur dans {source}",
            "Importation refusée : {n} erreurs dans {source}",
            n,
            source=source,
        )
        MapserviceError.__init__(self, msg)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "code": self.code,
            "message": self.message,
            "issues": [i.to_dict() for i in self.issues],
        }

    def __str__(self) -> str:
        return self.message
