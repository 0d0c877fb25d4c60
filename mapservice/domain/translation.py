"""The core's user text in the reader's language, translated by whichever edge serves them.

The core writes its messages in French through :func:`gettext`, as the pages do with
Flask-Babel's, and never imports the web: the web app says, once per request, which translator
applies (:func:`use`); elsewhere (CLI, notebooks) the French source is the text.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

#: ``translate(message, **params)``, as Flask-Babel's ``gettext``: the catalogue's text with
#: the parameters %-formatted into it.
Translator = Callable[..., str]

_translator: ContextVar[Translator | None] = ContextVar("mapservice_translator", default=None)


def use(translate: Translator | None) -> None:
    """Translate the core's messages with ``translate`` in the current context (None: French)."""
    _translator.set(translate)


def gettext(message: str, **params: Any) -> str:
    """``message`` in the current language, with ``params`` %-formatted into it."""
    translate = _translator.get()
    if translate is not None:
        return translate(message, **params)
    return message % params if params else message
