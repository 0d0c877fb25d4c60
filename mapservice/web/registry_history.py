"""The registry's history pages: who created, changed, deleted or restored a member, a site
or a flow, and a restore of any version an entry left.

Its routes belong to the registry's blueprint (:mod:`mapservice.web.registry_pages`), so their
addresses and access rule are the registry's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mapservice.domain.moments import parse_rfc3339
from mapservice.errors import InvalidInput, NotFound
from mapservice.geocoding.sources import source_label
from mapservice.registry import jobs as registry_jobs
from mapservice.registry import queries as registry_queries
from mapservice.web import services
from mapservice.web.i18n import frequency_label, language, num, say, unit_label, when
from mapservice.web.registry_pages import (
    Page,
    audit_actor,
    bp,
    flow_labels,
    member_labels,
    precision_labels,
    saved,
    site_labels,
)

#: The tables whose history has a page, by the name their address uses.
HISTORY_TABLES = {"membres": "members", "sites": "sites", "flux": "flows"}


#: Columns an entry keeps that say nothing to a person: the folded keys lookups index.
HIDDEN_COLUMNS = frozenset({"name_key", "site_key", "description_key"})


def column_labels(table: str) -> dict[str, str]:
    """The label of every column a member, site or flow entry may show."""
    updated = {"updated_at": _("Mis à jour le")}
    if table == "members":
        return {**member_labels(), **updated}
    if table == "sites":
        return {
            **updated,
            **site_labels(),
            "member_id": _("Membre (n°)"),
            "park_id": _("Parc"),
            "geocode_precision": _("Précision du placement"),
            "geocode_source": _("Source du placement"),
            "geocode_score": _("Score du placement"),
            "geocoded_at": _("Placé le"),
            "geocoded_by": _("Placé par"),
            "geocode_note": _("Remarque"),
        }
    return {
        **flow_labels(),
        **updated,
        "site_id": _("Site (n°)"),
        "to_classify": _("À classer"),
        "material_text": _("Matière telle que déclarée"),
        "suggestions": _("Catégories suggérées"),
    }


def action_labels() -> dict[str, str]:
    return {
        "create": _("création"),
        "update": _("modification"),
        "delete": _("suppression"),
        "restore": _("restauration"),
        "import": _("import"),
    }


def _shown(value: Any, said: Callable[[Any], str | None] | None = None) -> str:
    """A stored value as a reader reads it: a name for an id, a label for a code, a number
    with the page's separators, a time in Québec."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if said is not None:
        try:
            text = said(value)
        except (AttributeError, KeyError, TypeError, ValueError):
            text = None  # a code an older version knew: show it as it is
        if text:
            return text
    if isinstance(value, float):
        return num(value, 6)
    return str(value)


def _codes(value: Any) -> list[str]:
    """Category codes kept as a list or as JSON text of one."""
    if isinstance(value, str):
        value = json.loads(value) if value.startswith("[") else value.split(",")
    return [str(code) for code in value if code]


def value_labels() -> dict[str, Callable[[Any], str | None]]:
    """How the columns that hold an id, a code or a time are said, by column."""
    svc, lang = services(), language()
    munis, parks = svc.gazetteer.municipalities, svc.park_ids()
    precisions = precision_labels()
    directions = {"output": _("Offre"), "input": _("Besoin")}
    return {
        "municipality_id": lambda v: munis[v].name,
        "park_id": lambda v: parks[v].name,
        "geocode_precision": lambda v: precisions[v],
        "geocode_source": lambda v: say(source_label(v)),
        "geocoded_at": lambda v: when(parse_rfc3339(v)),
        "updated_at": lambda v: when(parse_rfc3339(v)),
        "suggestions": lambda v: ", ".join(svc.taxonomy.label(c, lang) for c in _codes(v)),
        "category_code": lambda v: (
            svc.taxonomy.label(v, lang) if svc.taxonomy.get(v) is not None else None
        ),
        "direction": lambda v: directions[v],
        "unit": unit_label,
        "frequency": frequency_label,
    }


def _history_table(slug: str) -> str:
    table = HISTORY_TABLES.get(slug)
    if table is None:
        raise NotFound(
            _("Pas d'historique pour « %(table)s » : membres, sites ou flux.", table=slug[:40])
        )
    return table


def _current_label(table: str, record_id: int) -> str | None:
    """The record's name (a flow's description), or None when it no longer exists."""
    return registry_queries.record_label(services(), table, record_id)


def _edit_url(table: str, record_id: int) -> str:
    if table == "members":
        return url_for(".member", member_id=record_id)
    if table == "sites":
        return url_for(".site", site_id=record_id)
    return url_for(".flow", flow_id=record_id)


def _history_page(slug: str, record_id: int, error: InvalidInput | None = None) -> Page:
    table = _history_table(slug)
    entries = registry_queries.history(services(), table, record_id)
    current = _current_label(table, record_id)
    if current is None and not entries:
        raise NotFound(_("Aucun enregistrement n° %(n)s ni historique.", n=record_id))
    version = (entries[-1].version or {}) if entries else {}
    labels, said = column_labels(table), value_labels()
    rows = [
        {
            "entry": e,
            "changes": [
                (labels.get(name, name), _shown(old, said.get(name)), _shown(new, said.get(name)))
                for name, old, new in e.changes()
                if name not in HIDDEN_COLUMNS
            ],
            "restorable": e.version is not None and e.action != "import",
        }
        for e in reversed(entries)
    ]
    page = render_template(
        "registry_history.html",
        slug=slug,
        table=table,
        record_id=record_id,
        rows=rows,
        label=current or str(version.get("name") or version.get("description") or record_id),
        edit_url=None if current is None else _edit_url(table, record_id),
        actions=action_labels(),
        error=error,
    )
    return (page, error.status) if error else page


@bp.get("/historique/<table>/<int:record_id>")
def history(table: str, record_id: int) -> Page:
    """Who created, changed, deleted or restored a member, site or flow, newest first."""
    return _history_page(table, record_id)


@bp.post("/historique/<table>/<int:record_id>/<int:audit_id>/restaurer")
def restore(table: str, record_id: int, audit_id: int) -> Page | Response:
    """Write back the version an entry left (a deleted record comes back with its id)."""
    try:
        changed = registry_jobs.restore(
            services(), _history_table(table), record_id, audit_id, actor=audit_actor()
        )
    except InvalidInput as exc:
        return _history_page(table, record_id, exc)
    message = (
        _("Version de l'entrée n° %(n)s restaurée.", n=audit_id)
        if changed
        else _("L'enregistrement est déjà dans cette version : rien n'a changé.")
    )
    return saved(message, ".history", table=table, record_id=record_id)
