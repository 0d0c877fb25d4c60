"""What the board's filter form offers, in the page's language, and links that keep its state.

The choices come from :func:`mapservice.views.dashboard.board_choices`; the board's URL holds
the filter, the column paged and its page, so every link is built from the board's own
parameters (a refused move re-renders the board it came from, under another path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from mapservice.domain.collation import collated
from mapservice.views.board_filters import BoardChoices

#: One label per order of :data:`mapservice.domain.board_query.SORTS`.
SORT_LABELS = {
    "score": _l("Score, le plus haut d'abord"),
    "distance": _l("Distance, la plus courte d'abord"),
    "change": _l("Dernier changement, le plus récent d'abord"),
    "tonnes": _l("Tonnage, le plus grand d'abord"),
    "benefit": _l("Bénéfice net, le plus grand d'abord"),
    "co2": _l("CO2e évité net, le plus grand d'abord"),
}


def form_choices(
    choices: BoardChoices, park_names: Mapping[str, str], taxonomy_lang: str
) -> dict[str, Any]:
    """Options of the filter form: parks, places, categories as a tree, members, sorts."""
    munis = choices.municipalities
    categories: list[dict[str, Any]] = []
    taxonomy = choices.taxonomy

    def walk(code: str | None, depth: int) -> None:
        children = taxonomy.roots() if code is None else taxonomy.children(code)
        for cat in collated(children, key=lambda c: c.label(taxonomy_lang)):
            categories.append({"code": cat.code, "label": cat.label(taxonomy_lang), "depth": depth})
            walk(cat.code, depth + 1)

    walk(None, 0)
    return {
        "parks": collated(park_names.items(), key=lambda p: p[1]),
        "municipalities": collated(  # by name alone: the list shows no MRC to group them under
            (m for m in munis.values() if m.kind != "sector"), key=lambda m: m.name
        ),
        "mrcs": collated(choices.mrcs),
        "categories": categories,
        "members": collated(choices.members.items(), key=lambda m: m[1]),
        "sorts": list(SORT_LABELS.items()),
    }


def board_link(args: MultiDict[str, str], **changes: Any) -> str:
    """The board's URL with ``args`` and query parameters changed (None removes one)."""
    out = MultiDict(args)
    for key, value in changes.items():
        out.pop(key, None)
        if value is not None:
            out[key] = str(value)
    query = urlencode(list(out.items(multi=True)))
    return url_for("synergy_pages.board") + ("?" + query if query else "")
