"""Use cases of a park's outline: who may replace it, replace it, list and restore its history.

Staff may replace any park's outline, a park manager the outlines of their own parks
(:func:`mapservice.domain.access.may_edit_outline`). A replaced outline is ``surveyed`` or
``traced``, as the person says; the old one stays in the park's history and any earlier
outline can be restored. Writes to the parks table bump the registry's change counter, so
every process's maps, layers and exports are rebuilt, and the park locator is rebuilt on its
next use (:attr:`mapservice.services.Services.places`).

A new outline moves no site, but it decides again which placed sites are in the park: every
site placed by hand, by address or by postal code (the points :meth:`ParkLocator.assign`
trusts) that enters or leaves the park gets its new park, written as the person who replaced
the outline (audit log). A site whose park was named in its address keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mapservice.domain.access import Principal, may_edit_outline
from mapservice.domain.model import Location, Park
from mapservice.domain.outlines import REPLACEMENT_STATUSES, OutlineChange, outline_label
from mapservice.errors import Forbidden, InvalidInput, NotFound, tr
from mapservice.registry.outline_input import read_outline

if TYPE_CHECKING:
    from mapservice.services import Services

#: Longest note a person may add to an outline.
MAX_NOTE = 500


@dataclass(frozen=True)
class OutlineReplaced:
    """What replacing an outline did."""

    change_id: int
    park_id: str
    status: str
    area_ha: float
    note: str | None
    #: Placed sites that entered and left the park with the new outline, and its sites now.
    sites_joined: int
    sites_left: int
    sites_in_park: int


def editable_parks(services: Services, who: Principal) -> list[Park]:
    """The parks whose outline ``who`` may replace, ordered by name."""
    return [p for p in services.park_ids().values() if may_edit_outline(who, p.id)]


def park_to_edit(services: Services, who: Principal, park_id: str) -> Park:
    """The park ``park_id`` if ``who`` may replace its outline; else NotFound or Forbidden."""
    park = services.park_ids().get(park_id)
    if park is None:
        raise NotFound(tr("Parc inconnu : {park_id}.", park_id=park_id[:80]))
    if not may_edit_outline(who, park_id):
        raise Forbidden(
            tr(
                "Vous ne gérez pas le parc « {name} » : son contour ne peut être changé.",
                name=park.name,
            )
        )
    return park


def _note(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput(
            tr("Remarque trop longue : {n} caractères (au plus {max}).", n=len(text), max=MAX_NOTE),
            field="note",
        )
    return text or None


def replace_outline(
    services: Services,
    who: Principal,
    park_id: str,
    geojson: str | bytes,
    status: str,
    *,
    note: str | None = None,
) -> OutlineReplaced:
    """Give park ``park_id`` the outline ``geojson`` (checked by
    :func:`~mapservice.registry.outline_input.read_outline`) with ``status`` ``surveyed`` or
    ``traced``, as ``who``; the old outline goes to the park's history."""
    park_to_edit(services, who, park_id)
    if status not in REPLACEMENT_STATUSES:
        raise InvalidInput(
            tr(
                "Statut du contour : attendu {expected} ; reçu « {got} ».",
                expected=" ou ".join(f"« {s} » ({outline_label(s)})" for s in REPLACEMENT_STATUSES),
                got=status[:40],
            ),
            field="status",
        )
    said = _note(note)
    checked = read_outline(geojson, services.gazetteer.region)
    full_note = "; ".join(n for n in (said, checked.note) if n) or None
    change_id = services.repo.replace_park_outline(
        park_id, checked.geometry, status, actor=who.username or "?", note=full_note
    )
    if change_id is None:
        raise InvalidInput(
            tr("Le parc a déjà ce contour et ce statut : rien n'a changé."), field="outline"
        )
    joined, left, in_park = reassign_sites(services, who, park_id)
    return OutlineReplaced(
        change_id, park_id, status, checked.area_ha, full_note, joined, left, in_park
    )


def reassign_sites(services: Services, who: Principal, park_id: str) -> tuple[int, int, int]:
    """Give each placed site that the outline of ``park_id`` now takes in or lets go its park
    by geometry; return how many joined, how many left and how many the park has now."""
    locator = services.park_locator
    joined = left = in_park = 0
    for site in services.repo.sites():
        final = site.park_id
        by_name = (site.geocode_source or "").startswith("parcs-")
        lon, lat, precision = site.lon, site.lat, site.geocode_precision
        if (
            site.id is not None
            and lon is not None
            and lat is not None
            and precision
            and not by_name
        ):
            found = locator.assign(Location(lon, lat, precision, site.geocode_source or ""))
            new = found.park_id if found is not None else None
            if new != site.park_id and park_id in (new, site.park_id):
                services.repo.update_site(site.id, {"park_id": new}, actor=who.username or "?")
                joined += new == park_id
                left += site.park_id == park_id
                final = new
        in_park += final == park_id
    return joined, left, in_park


def outline_history(services: Services, who: Principal, park_id: str) -> list[OutlineChange]:
    """The park's outline changes, newest first."""
    park_to_edit(services, who, park_id)
    return list(reversed(services.repo.park_outline_history(park_id)))


def restore_outline(services: Services, who: Principal, park_id: str, change_id: int) -> int:
    """Bring back the outline the park had before change ``change_id``, as ``who``; return
    the new history entry's id."""
    park_to_edit(services, who, park_id)
    entry = next(
        (c for c in services.repo.park_outline_history(park_id) if c.id == change_id), None
    )
    if entry is None:
        raise NotFound(tr("Pas de changement n° {n} du contour de ce parc.", n=change_id))
    if entry.old_outline is None:
        raise InvalidInput(
            tr("Le parc n'avait pas de contour avant le changement n° {n}.", n=change_id),
            field="change",
        )
    new_id = services.repo.replace_park_outline(
        park_id,
        entry.old_outline,
        entry.old_status,
        actor=who.username or "?",
        note=str(tr("contour d'avant le changement n° {n} restauré", n=change_id)),
        restored_from=change_id,
    )
    if new_id is None:
        raise InvalidInput(
            tr("Le parc a déjà ce contour et ce statut : rien n'a changé."), field="change"
        )
    reassign_sites(services, who, park_id)
    return new_id


def outline_map_parts(
    services: Services,
    park: Park,
    *,
    assets_url: str | None = None,
    offline: dict[str, Any] | None = None,
) -> tuple[dict[str, str], str]:
    """The map of ``park``'s outline over the other parks (head, body and script parts), and
    the map's JavaScript name, for the page that draws a new outline."""
    from mapservice.views import folium_maps as maps

    fmap, map_name = maps.outline_map(
        park=park,
        parks=list(services.park_ids().values()),
        tiles=services.settings["TILES"],
        assets_url=assets_url,
        offline=offline,
    )
    return maps.page_parts(fmap), map_name
