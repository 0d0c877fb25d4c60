"""click's own words in French: ``Erreur :``, ``Usage :``, ``Essayez … pour l'aide``, ``Valeur
invalide pour '--port'``, the help's headings. The command line speaks French like the rest
(its help and our messages are French); click writes its errors and headings in English.

click looks its strings up with :mod:`gettext` through names each of its modules imports
(``_``, ``ngettext``), in the process's global domain and locale. Installing our catalogue
(``translations/fr/LC_MESSAGES/click.po``, its strings extracted from click 8) there would
depend on the user's ``LANG``; :func:`speak_french` points those names at the catalogue
instead. Should a later click rename them, its words stay English; ``tests/test_cli.py`` says
so.
"""

from __future__ import annotations

import gettext
import importlib
from pathlib import Path

CATALOGUES = Path(__file__).resolve().parent.parent / "translations"
#: click's modules that translate what they write.
_MODULES = (
    "core",
    "decorators",
    "exceptions",
    "formatting",
    "parser",
    "shell_completion",
    "termui",
    "types",
    "utils",
)


def speak_french() -> bool:
    """Make click write its own messages in French; False when the catalogue is missing."""
    try:
        french = gettext.translation("click", CATALOGUES, languages=["fr"])
    except OSError:  # not compiled (a source checkout before `make translations`)
        return False
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = french.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = french.ngettext  # type: ignore[attr-defined]
    return True
