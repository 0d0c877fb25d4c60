"""Synergy use cases: candidates of a site, matching the whole registry, the pipeline.

Called through :class:`~mapservice.services.Services` by the API, the pages and the CLI. The
impact report of the realised synergies is :mod:`mapservice.matching.impact_report`'s.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mapservice.caching import ChangeStamp
from mapservice.domain.model import Flow, Site, SynergyStatus
from mapservice.errors import InvalidInput, check_plain_text, message_data, tr
from mapservice.matching.matcher import Candidate, Matcher

if TYPE_CHECKING:
    from mapservice.services import Services


def matcher(services: Services, stamp: ChangeStamp | None = None) -> Matcher:
    """A matcher over the registry as it is now (as of ``stamp``), on its site index.

    Kept while the registry does not change: one cheap query (the database's change counters,
    whichever process wrote) tells when to build it again.
    """
    stamp = stamp or services.change_stamp()
    return services.caches.kept(
        "matcher",
        stamp,
        None,
        lambda: Matcher(
            sites=services.repo.sites(),
            flows=services.repo.flows(),
            taxonomy=services.taxonomy,
            index=services.site_index_for(stamp),
            model=services.transport_model,
            compatibility=services.compatibility,
        ),
    )


def check_max_km(value: float | None, services: Services) -> float:
    if value is None:
        return float(services.settings["MATCH_MAX_KM"])
    if not 0 < value <= 1000:
        raise InvalidInput(
            tr(
                "max_km invalide : {value} (attendu : un nombre de km entre 0 et 1000).",
                value=value,
            ),
            field="max_km",
        )
    return value


def site_candidates(
    services: Services,
    site_id: int,
    *,
    max_km: float | None = None,
    category: str | None = None,
    backend: str | None = None,
    limit: int | None = None,
) -> list[Candidate]:
    """The site's candidate synergies, best first; kept until the registry changes (treat the
    list as read-only)."""
    site = services.repo.get_site(site_id)  # 404 first
    if category and services.taxonomy.get(category) is None:
        suggestions = [c.code for c in services.taxonomy.suggest(category)]
        raise InvalidInput(
            tr("Catégorie inconnue : {category!r}.", category=category),
            field="category",
            suggestions=suggestions,
        )
    if site.lon is None or site.lat is None:
        raise InvalidInput(
            tr("Ce site n'est pas placé sur la carte : géocodez-le d'abord."), field="site"
        )
    stamp = services.change_stamp()
    km = check_max_km(max_km, services)
    key = (site_id, km, category, backend, limit)
    return services.caches.kept(
        "site_candidates",
        stamp,
        key,
        lambda: matcher(services, stamp).for_site(
            site_id,
            distances=services.distance_backend(backend),
            max_km=km,
            category=category,
            limit=limit,
        ),
    )


def match_all(
    services: Services,
    *,
    max_km: float | None = None,
    backend: str | None = None,
    save: bool = True,
    per_offer: int | None = None,
) -> list[Candidate]:
    """Every candidate of the registry; stored as ``candidate`` synergies when ``save``.

    With ``per_offer``, the vectorised whole-registry matcher picks each offer's best pairs
    (see :mod:`mapservice.matching.bulk`: the same best pairs by straight line as the
    exhaustive search, at any scale), then only those are routed and explained. Without it,
    every candidate of every site, exactly.
    """
    m = matcher(services)
    distances = services.distance_backend(backend)
    limit_km = check_max_km(max_km, services)
    if per_offer is None:
        found = m.all_pairs(distances=distances, max_km=limit_km)
    else:
        from mapservice.matching.bulk import bulk_pairs

        picked = bulk_pairs(
            sites=m.sites.values(),
            flows=[f for fs in m.flows_by_site.values() for f in fs],
            taxonomy=services.taxonomy,
            compatibility=services.compatibility,
            max_km=limit_km,
            per_offer=per_offer,
        )
        by_id = {f.id: f for fs in m.flows_by_site.values() for f in fs}
        pairs = []
        for out_id, in_id, geo in zip(
            picked.output_flow_id.tolist(),
            picked.input_flow_id.tolist(),
            picked.geodesic_m.tolist(),
            strict=True,
        ):
            out_f, in_f = by_id[out_id], by_id[in_id]
            fit = services.compatibility.fit(out_f.category_code, in_f.category_code)
            if fit is not None:
                pairs.append((out_f, in_f, fit, geo))
        found = m.rank(pairs, distances)
    if save:
        services.repo.save_candidates(candidate_row(c) for c in found)
    return found


def candidate_row(c: Candidate) -> dict[str, Any]:
    """A candidate as the figures stored on its synergy."""
    i = c.impact
    return {
        "output_flow_id": c.output_flow.id,
        "input_flow_id": c.input_flow.id,
        "kind": c.kind.value,
        "score": c.score,
        "geodesic_m": c.geodesic_m,
        "road_m": c.road_m,
        "duration_s": c.duration_s,
        "transport_kg_co2e": i.transport_kg_co2e,
        "transport_cost_cad": i.transport_cost_cad,
        "avoided_kg_co2e": i.avoided_kg_co2e,
        "tonnes_per_year": i.tonnes,
        "net_kg_co2e": i.net_kg_co2e,
        "net_benefit_cad": i.net_benefit_cad,
        "distance_backend": c.distance_backend,
        "reasons_json": json.dumps([message_data(r) for r in c.reasons], ensure_ascii=False),
    }


def candidate_json(
    services: Services, c: Candidate, stored: dict[tuple[int, int], Any] | None = None
) -> dict[str, Any]:
    """The API's view of a candidate: both ends, figures, reasons, factors, pipeline status."""
    tax = services.taxonomy

    def end(flow: Flow, site: Site) -> dict[str, Any]:
        cat = tax.get(flow.category_code)
        return {
            "flow_id": flow.id,
            "direction": flow.direction.value,
            "category": flow.category_code,
            "category_label": cat.label_fr if cat else None,
            "description": flow.description,
            "quantity": None if flow.confidential else flow.quantity,
            "unit": flow.unit.value if flow.unit and not flow.confidential else None,
            "site_id": site.id,
            "site": site.name,
            "member": site.member_name,
            "lat": site.lat,
            "lon": site.lon,
            "park": site.park_id,
        }

    synergy = (stored or {}).get(c.key)
    impact = c.impact.as_dict()
    confidential = c.output_flow.confidential or c.input_flow.confidential
    if confidential:
        # Every figure that scales with the quantity would give the quantity away.
        for key in (
            "tonnes",
            "tkm",
            "trips",
            "transport_kg_co2e",
            "transport_cost_cad",
            "avoided_kg_co2e",
            "net_kg_co2e",
            "landfill_saved_cad",
            "net_benefit_cad",
        ):
            impact[key] = None
    return {
        "kind": c.kind.value,
        "score": c.score,
        "output": end(c.output_flow, c.output_site),
        "input": end(c.input_flow, c.input_site),
        "fit": {"how": c.fit.how, "strength": c.fit.strength, "note": c.fit.note_fr},
        "quantity_fit": c.quantity_fit,
        "geodesic_km": round(c.geodesic_m / 1000, 2),
        "road_km": round(c.road_m / 1000, 2) if c.road_m is not None else None,
        "duration_min": round(c.duration_s / 60, 1) if c.duration_s is not None else None,
        "distance_backend": c.distance_backend,
        "max_km": c.max_km,
        "impact": impact,
        "confidential": confidential,
        "factors": services.transport_model.sources(),
        "reasons": list(c.reasons),
        "synergy_id": synergy.id if synergy else None,
        "status": synergy.status.value if synergy else None,
    }


def stored_by_pair(services: Services, flow_ids: list[int]) -> dict[tuple[int, int], Any]:
    return {
        (s.output_flow_id, s.input_flow_id): s for s in services.repo.synergies(flow_ids=flow_ids)
    }


def move(
    services: Services,
    *,
    synergy_id: int | None,
    output_flow_id: int | None,
    input_flow_id: int | None,
    status: str,
    author: str,
    note: str = "",
) -> Any:
    """Move a synergy along its pipeline (creating it from a candidate pair if need be)."""
    to_status, author, note = checked_step(status, author, note)
    if synergy_id is None:
        if output_flow_id is None or input_flow_id is None:
            raise InvalidInput(
                tr("Donnez synergy_id, ou output_flow_id et input_flow_id."), field="synergy_id"
            )
        synergy_id = _ensure_pair(services, output_flow_id, input_flow_id)
    return services.repo.move_synergy(synergy_id, to_status, author=author, note=note)


#: The moves staff may make on several cards at once, and how many cards at most.
BATCH_MOVES = (SynergyStatus.CONTACTED, SynergyStatus.REJECTED)
BATCH_MAX = 500


def move_many(
    services: Services, *, synergy_ids: list[int], status: str, author: str, note: str = ""
) -> int:
    """Mark contacted or reject several synergies with one note: all of them, or none.

    The same checks as :func:`move` (status, author, note, the pipeline's allowed steps), in
    one transaction: when one synergy is gone or may not make the move, nothing moves and the
    :class:`InvalidInput` lists each refused one (``refused``: ``{"id", "status"}``).
    """
    to_status, author, note = checked_step(status, author, note)
    if to_status not in BATCH_MOVES:
        raise InvalidInput(
            tr(
                "Statut invalide pour une sélection : {status!r} (attendu : {allowed}).",
                status=status,
                allowed=", ".join(s.value for s in BATCH_MOVES),
            ),
            field="status",
        )
    ids = sorted(set(synergy_ids))
    if not ids or len(ids) > BATCH_MAX:
        raise InvalidInput(
            tr(
                "Sélection invalide : {n} synergies (attendu : de 1 à {max}).",
                n=len(ids),
                max=BATCH_MAX,
            ),
            field="synergies",
        )
    return services.repo.move_synergies(ids, to_status, author=author, note=note)


def checked_step(status: str, author: str, note: str) -> tuple[SynergyStatus, str, str]:
    """The status asked for, the author and the note, checked as every move checks them."""
    try:
        to_status = SynergyStatus(status)
    except ValueError:
        raise InvalidInput(
            tr(
                "Statut inconnu : {status!r} (attendu : {allowed}).",
                status=status,
                allowed=", ".join(s.value for s in SynergyStatus),
            ),
            field="status",
        ) from None
    author = check_plain_text((author or "").strip(), "author")
    if not author or len(author) > 120:
        raise InvalidInput(
            tr("Indiquez qui fait ce changement (au plus 120 caractères)."), field="author"
        )
    if len(check_plain_text(note, "note")) > 2000:
        raise InvalidInput(tr("Note trop longue (au plus 2000 caractères)."), field="note")
    return to_status, author, note


def _ensure_pair(services: Services, output_flow_id: int, input_flow_id: int) -> int:
    existing = stored_by_pair(services, [output_flow_id, input_flow_id])
    if (output_flow_id, input_flow_id) in existing:
        return int(existing[(output_flow_id, input_flow_id)].id)
    m = matcher(services)
    flow = next((f for fs in m.flows_by_site.values() for f in fs if f.id == output_flow_id), None)
    if flow is None:
        raise InvalidInput(
            tr("Flux inconnu : {output_flow_id}.", output_flow_id=output_flow_id),
            field="output_flow_id",
        )
    found = [
        c
        for c in m.for_site(flow.site_id, distances=services.distance_backend(None))
        if c.key == (output_flow_id, input_flow_id)
    ]
    if not found:
        raise InvalidInput(
            tr(
                "Ces deux flux ne forment pas une synergie candidate (catégories "
                "incompatibles ou trop loin)."
            ),
            field="input_flow_id",
        )
    services.repo.save_candidates([candidate_row(found[0])])
    return int(stored_by_pair(services, [output_flow_id])[(output_flow_id, input_flow_id)].id)


def site_flow_ids(services: Services, site_id: int) -> list[int]:
    return [f.id for f in services.repo.flows(site_ids=[site_id]) if f.id is not None]
