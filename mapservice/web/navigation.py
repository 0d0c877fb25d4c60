"""The pages in the main menu, in order, with their labels in the current language."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l

#: (endpoint, label). An endpoint whose blueprint is not registered is left out.
MENU = (
    ("pages.region_map", _l("Carte")),
    ("pages.materials", _l("Matières")),
    ("synergy_pages.board", _l("Synergies")),
    ("synergy_pages.impact", _l("Impact")),
    ("mobilisation_pages.page", _l("Mobilisation")),
    ("event_pages.events", _l("Événements")),
    ("registry_pages.members", _l("Registre")),
    ("registry_pages.import_page", _l("Importer")),
    ("registry_pages.park_outlines_list", _l("Contours des parcs")),
    ("geocoding_pages.review", _l("Géocodage")),
    ("classification_pages.queue", _l("À classer")),
    ("presenter.views", _l("Présentation")),
    ("presenter.present", _l("Présenter")),
    ("auth.admin", _l("Administration")),
)


def navigation() -> list[dict[str, Any]]:
    from mapservice.web.guard import may_open

    items = []
    for endpoint, label in MENU:
        if endpoint not in current_app.view_functions or not may_open(endpoint):
            continue
        items.append(
            {"url": url_for(endpoint), "label": str(label), "current": request.endpoint == endpoint}
        )
    return items


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"navigation": navigation})
