"""Free text to a category, and the staff corrections that teach the classifier a wording.

Use cases behind ``/api/classer`` and the classification queue: :func:`classify_text` says
what the classifier makes of a text, :func:`correct_category` keeps a correction so that the
wording is classified by itself from then on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mapservice.domain.model import Direction
from mapservice.errors import InvalidInput, tr
from mapservice.materials.classify import Classifier

if TYPE_CHECKING:
    from mapservice.services import Services


def classify_text(services: Services, text: str, direction: str | None = None) -> dict[str, Any]:
    """What the classifier makes of one text: its category, confidence and alternatives."""
    text = (text or "").strip()
    if not text or len(text) > 300:
        raise InvalidInput(
            tr("Texte à classer vide ou trop long (1 à 300 caractères)."), field="text"
        )
    way = None
    if direction:
        try:
            way = Direction(direction)
        except ValueError:
            raise InvalidInput(
                tr("direction invalide : {direction!r} (output ou input).", direction=direction),
                field="direction",
            ) from None
    found = services.classifier.classify(text, direction=way)
    return {
        "text": text,
        "category": found.code,
        "label_fr": services.taxonomy.label(found.code) if found.code else None,
        "label_en": services.taxonomy.label(found.code, "en") if found.code else None,
        "confidence": round(found.confidence, 3),
        "method": found.method,
        "flagged": found.flagged,
        "reason": found.reason_fr,
        "candidates": [
            {"category": c, "label_fr": services.taxonomy.label(c), "confidence": round(v, 3)}
            for c, v in found.candidates
        ],
    }


def correct_category(services: Services, text: str, code: str, author: str) -> dict[str, Any]:
    """Keep a staff correction: this wording means that category from now on."""
    text = (text or "").strip()
    if not text or len(text) > 300:
        raise InvalidInput(tr("Texte vide ou trop long (1 à 300 caractères)."), field="text")
    if services.taxonomy.get(code) is None:
        raise InvalidInput(
            tr("Catégorie inconnue : {code!r}.", code=code),
            field="category",
            suggestions=[c.code for c in services.taxonomy.suggest(code)],
        )
    author = (author or "").strip()
    if not author or len(author) > 120:
        raise InvalidInput(tr("Indiquez qui fait la correction."), field="author")
    key = Classifier.key(text)
    if not key:
        raise InvalidInput(tr("Ce texte ne contient aucun mot à retenir."), field="text")
    services.repo.save_category_correction(key, text, code, author)
    return classify_text(services, text)
