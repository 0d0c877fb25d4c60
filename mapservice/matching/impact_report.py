"""The impact report: what the synergies realised in a period (and a park) diverted and saved."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from mapservice.domain.model import SynergyStatus
from mapservice.domain.moments import QUEBEC, in_quebec
from mapservice.errors import InvalidInput, tr

if TYPE_CHECKING:
    from mapservice.services import Services


def _parse_day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            tr(
                "Date invalide pour {field} : {value!r} (attendu : AAAA-MM-JJ).",
                field=field,
                value=value,
            ),
            field=field,
        ) from None


def impact_report(
    services: Services, *, start: str | None = None, end: str | None = None, park: str | None = None
) -> dict[str, Any]:
    """Sum the synergies realised in [start, end] (and touching ``park``): t, t CO2e, $."""
    day0, day1 = _parse_day(start, "from"), _parse_day(end, "to")
    if day0 and day1 and day1 < day0:
        raise InvalidInput(tr("La date de fin précède la date de début."), field="to")
    park = services.check_park(park)
    # The days are the region's: a synergy realised at 23 h 30 on March 31st is March's.
    t0 = datetime.combine(day0, time.min, tzinfo=QUEBEC) if day0 else None
    t1 = datetime.combine(day1, time.max, tzinfo=QUEBEC) if day1 else None
    realised_at = {
        e.synergy_id: e.at
        for e in services.repo.synergy_events()
        if e.to_status is SynergyStatus.REALISED
    }
    flows = {f.id: f for f in services.repo.flows()}
    sites = {s.id: s for s in services.repo.sites()}
    totals: dict[str, float] = defaultdict(float)
    by_month: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_category: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rows = []
    for syn in services.repo.synergies(status=SynergyStatus.REALISED):
        at = realised_at.get(syn.id or 0)
        if at is None:
            continue
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if (t0 and at < t0) or (t1 and at > t1):
            continue
        out_f, in_f = flows.get(syn.output_flow_id), flows.get(syn.input_flow_id)
        if out_f is None or in_f is None:
            continue
        out_park, in_park = sites[out_f.site_id].park_id, sites[in_f.site_id].park_id
        if park and park not in (out_park, in_park):
            continue
        figures = {
            "t_diverted": syn.tonnes_per_year or 0.0,
            "t_co2e_avoided": (syn.avoided_kg_co2e or 0.0) / 1000,
            "t_co2e_transport": (syn.transport_kg_co2e or 0.0) / 1000,
            "t_co2e_net": (syn.net_kg_co2e or 0.0) / 1000,
            "cad_net": syn.net_benefit_cad or 0.0,
        }
        for key, value in figures.items():
            totals[key] += value
            by_month[in_quebec(at).strftime("%Y-%m")][key] += value
            by_category[out_f.category_code][key] += value
        rows.append(
            {
                "synergy_id": syn.id,
                "realised_at": at.isoformat(),
                "output_flow_id": syn.output_flow_id,
                "input_flow_id": syn.input_flow_id,
                "category": out_f.category_code,
                "output_park": out_park,
                "input_park": in_park,
                **{k: round(v, 3) for k, v in figures.items()},
            }
        )
    return {
        "from": day0.isoformat() if day0 else None,
        "to": day1.isoformat() if day1 else None,
        "park": park,
        "count": len(rows),
        "totals": {
            k: round(totals[k], 3)
            for k in ("t_diverted", "t_co2e_avoided", "t_co2e_transport", "t_co2e_net", "cad_net")
        },
        "by_month": {
            m: {k: round(v, 3) for k, v in d.items()} for m, d in sorted(by_month.items())
        },
        "by_category": {
            c: {k: round(v, 3) for k, v in d.items()} for c, d in sorted(by_category.items())
        },
        "synergies": rows,
        "backhaul": services.transport_model.backhaul.value,
        "note": "Synergies réalisées seulement ; CO2e net = évité − transport "
        + (
            "(retour à vide ajouté au taux chargé). "
            if services.transport_model.empty_return
            else "(facteur par t·km chargé, retour à vide inclus : trajet compté une fois). "
        )
        + "Quantités annuelles de l'offre ou du besoin, la plus petite.",
    }
