"""The core's user text: French unless the edge serving the request names a translator."""

from __future__ import annotations

import threading

from mapservice.domain import translation


def test_french_source_with_parameters_when_no_translator():
    assert translation.gettext("Au plus %(n)s caractères.", n=3) == "Au plus 3 caractères."
    assert translation.gettext("100 % local") == "100 % local"  # no parameters: as written


def test_a_translator_applies_to_its_own_context_only():
    seen: list[str] = []

    def other_thread() -> None:
        seen.append(translation.gettext("Bonjour"))

    translation.use(lambda message, **params: {"Bonjour": "Hello"}.get(message, message))
    try:
        assert translation.gettext("Bonjour") == "Hello"
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert seen == ["Bonjour"]
    finally:
        translation.use(None)
    assert translation.gettext("Bonjour") == "Bonjour"
