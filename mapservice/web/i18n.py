"""Language of the pages: French (Québec) by default, English on request; and formatting.

The language comes from ``?lang=fr|en`` (remembered in a cookie), else the cookie, else French.
Numbers, money and dates go through Babel with the ``fr_CA`` or ``en_CA`` locale, so a
quantity reads ``1 234,5 t/an`` in French and ``1,234.5 t/year`` in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import flask_babel
from flask import Flask, Response, current_app, g, request
from flask_babel import Babel, get_locale
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from mapservice import errors
from mapservice.domain.text import without_bidi
from mapservice.domain.typography import french
from mapservice.views import formatting
from mapservice.web import catalogue

LANGUAGES = formatting.LOCALES
DEFAULT_LANGUAGE = "fr"
COOKIE = "lang"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def language() -> str:
    """Return the current page's language code (``fr`` or ``en``).

    Worked out once per request (kept in its WSGI environ): every number and label a page
    formats asks, a hundred times and more on a site page.
    """
    environ = request.environ
    found = environ.get("mapservice.language")
    if found is None:
        asked = request.args.get("lang", "")
        remembered = request.cookies.get(COOKIE, "")
        found = (
            asked
            if asked in LANGUAGES
            else remembered
            if remembered in LANGUAGES
            else DEFAULT_LANGUAGE
        )
        environ["mapservice.language"] = found
    return str(found)


def _select_locale() -> str:
    return LANGUAGES[language()]


def _remember(response: Response) -> Response:
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


# --- formatting in the page's language, also template filters ------------------------------


def _in_page_language(func: Callable[..., str]) -> Callable[..., str]:
    @wraps(func)
    def formatted(*args: Any, **kwargs: Any) -> str:
        return func(*args, lang=language(), **kwargs)

    return formatted


FILTERS = {
    name: _in_page_language(getattr(formatting, name))
    for name in (
        "num",
        "qty",
        "km",
        "minutes",
        "money",
        "day",
        "when",
        "unit_label",
        "frequency_label",
        "tonnes_co2e",
    )
}
num = FILTERS["num"]
qty = FILTERS["qty"]
km = FILTERS["km"]
minutes = FILTERS["minutes"]
money = FILTERS["money"]
day = FILTERS["day"]
when = FILTERS["when"]
unit_label = FILTERS["unit_label"]
frequency_label = FILTERS["frequency_label"]
tonnes_co2e = FILTERS["tonnes_co2e"]


def url_with(**changes: Any) -> str:
    """Return the current URL with query parameters changed (None removes one)."""
    args = MultiDict(request.args)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = value
    query = "&".join(f"{_quote(k)}={_quote(str(v))}" for k, v in args.items(multi=True))
    return request.path + ("?" + query if query else "")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _translations() -> Any:
    """The page's catalogue, looked up once per request: Flask-Babel finds it again for every
    string (context, locale, cache key), which was a tenth of a page's time."""
    found = g.get("_translations")
    if found is None:
        found = g._translations = flask_babel.get_translations()
    return found


def _decimal(value: float, spec: str) -> str:
    """A decimal parameter of a core message, in the page's locale (``48,5`` in French)."""
    precision = re.fullmatch(r"\.(\d+)f", spec)
    return formatting.num(value, int(precision.group(1)) if precision else 6, lang=language())


def say(value: Any) -> Any:
    """Return ``value`` with every core message in it (:class:`mapservice.errors.Message`, in
    dicts and lists too) said in the page's language; decimals get the locale's separators."""
    found = _translations()
    return errors.say(value, found.ugettext, _decimal, found.ungettext)


def say_message(message: errors.Message) -> str:
    """One core message as a page shows it: said in the page's language and, on a French page,
    in Québec typography as a whole (its data parameters too, such as a rule's note)."""
    text = say(message)
    return french(text) if language() == "fr" and isinstance(text, str) else text


def typo(text: Any) -> Any:
    """The ``typo`` filter: text built from data (labels joined with « : », quoted names) in
    Québec typography on a French page (:func:`mapservice.domain.typography.french`), as it is
    on an English one. Markup keeps its escaping; anything but text is returned as it is."""
    if language() != "fr" or not isinstance(text, str):
        return text
    return Markup(french(text)) if isinstance(text, Markup) else french(text)


def quoted(text: Any) -> str:
    """The ``quoted`` filter: text between the page's quotation marks, « Québec » (no-break
    spaces inside) or “English”, with Québec typography inside on a French page."""
    if language() == "fr":
        return f"«\u00a0{typo(text)}\u00a0»"
    return f"“{text}”"


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` of a template: a core message is said in the page's language, and no
    text carries a bidirectional control (a name shown reversed; escaped markup stays so)."""
    if isinstance(value, errors.Message):
        value = say_message(value)
    if isinstance(value, Markup):
        return Markup(without_bidi(value))
    return without_bidi(value) if isinstance(value, str) else value


def init_app(app: Flask) -> None:
    # Before any template is compiled: Jinja builds the call into each template's code.
    app.jinja_env.finalize = _finalize
    babel = Babel(
        app, locale_selector=_select_locale, default_translation_directories=str(TRANSLATIONS)
    )
    # French answers in Québec typography (mapservice/web/catalogue.py).
    babel.domain_instance = catalogue.Domain(domain="messages")  # type: ignore[misc]
    # The templates' _() and ngettext(): the same catalogue as Flask-Babel's, Jinja's own
    # escaping and %-formatting ("newstyle"), as Flask-Babel installs them.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda text: _translations().ugettext(text),
        lambda one, many, n: _translations().ungettext(one, many, n),
        newstyle=True,
    )
    app.after_request(_remember)
    for name, func in FILTERS.items():
        app.add_template_filter(func, name)
    app.add_template_filter(typo, "typo")
    app.add_template_filter(quoted, "quoted")

    @app.context_processor
    def _language() -> dict[str, Any]:
        lang = language()
        return {
            "lang": lang,
            "html_lang": str(get_locale()).replace("_", "-"),
            "other_lang": "en" if lang == "fr" else "fr",
            # A colon written by a template between two values: « Nom\u00a0: » / "Name:".
            "colon": "\u00a0:" if lang == "fr" else ":",
            "url_with": url_with,
        }
