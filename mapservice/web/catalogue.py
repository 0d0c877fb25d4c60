"""The catalogue the pages read: Flask-Babel's, with French typography on the French side.

French is the language of the sources, so its "catalogue" gives each string back as written;
here it also gives it back with Québec typography (:func:`mapservice.domain.typography.french`:
no-break spaces before « : » and inside « », narrow ones before « ; ? ! »). Every way the web
layer asks for words goes through it: the templates' ``_()`` and ``ngettext()``, Flask-Babel's
``gettext``/``lazy_gettext`` in handlers, and the core's messages said by
:func:`mapservice.web.i18n.say`. English strings are left as the English catalogue has them.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from flask_babel import get_locale

from mapservice.domain.typography import french
from mapservice.errors import french_plural


class FrenchTypography:
    """A catalogue whose every answer is :func:`french`; anything else is the wrapped one's."""

    def __init__(self, translations: Any) -> None:
        self._translations = translations

    def __getattr__(self, name: str) -> Any:
        return getattr(self._translations, name)

    def ugettext(self, message: str) -> str:
        return french(self._translations.ugettext(message))

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        # The sources are French: their plural from 2 on (« 0 erreur », « 1 erreur »), where
        # an empty catalogue would say « 0 erreurs » by the English rule.
        return french(plural if french_plural(n) else singular)

    def upgettext(self, context: str, message: str) -> str:
        return french(self._translations.upgettext(context, message))

    def unpgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return french(plural if french_plural(n) else singular)

    gettext = ugettext
    ngettext = ungettext
    pgettext = upgettext
    npgettext = unpgettext


class Domain(flask_babel.Domain):
    """Flask-Babel's message domain, French answers in Québec typography."""

    def get_translations(self) -> Any:
        found = super().get_translations()
        if get_locale() is None or get_locale().language != "fr":
            return found
        key = ("typography", str(get_locale()))
        wrapped = self.cache.get(key)
        if wrapped is None or wrapped._translations is not found:
            wrapped = self.cache[key] = FrenchTypography(found)
        return wrapped
