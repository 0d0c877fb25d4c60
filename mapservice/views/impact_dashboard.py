"""The impact dashboard: realised synergies' totals by month, park and category, as plain data.

Called through the pages (``web/synergy_pages.py``) with a :class:`~mapservice.services.Services`.
Query-string values arrive here raw and are validated here; every refusal is an
:class:`~mapservice.errors.InvalidInput` naming the parameter.

The impact figures are those of :func:`mapservice.matching.impact_report.impact_report`
(the same filters, the same realisation dates, the same sums as ``/api/v1/impact``), grouped
again by month, by park of the offer and by top-level material category.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mapservice.domain.collation import collation_key
from mapservice.domain.moments import in_quebec
from mapservice.errors import InvalidInput, tr
from mapservice.matching.impact_report import impact_report
from mapservice.materials.impact import avoided_factor

if TYPE_CHECKING:
    from mapservice.materials.taxonomy import Taxonomy
    from mapservice.services import Services

#: What the impact charts can measure, by the key of impact_report's figures.
METRICS = ("t_diverted", "t_co2e_net", "cad_net")


@dataclass(frozen=True)
class Group:
    """Realised synergies sharing a month, a park or a category, and their summed figures."""

    key: str | None  # "2026-03", a park id (None: outside every park), a category code
    label: str | None
    count: int
    t_diverted: float
    t_co2e_net: float
    cad_net: float

    def value(self, metric: str) -> float:
        return float(getattr(self, metric))


@dataclass(frozen=True)
class Impact:
    report: dict[str, Any]  # impact_report's answer: filters, totals, rows, note
    metric: str
    by_month: tuple[Group, ...]
    by_park: tuple[Group, ...]  # park of the offer's site
    by_category: tuple[Group, ...]  # top-level category of the offered material
    transport_factors: tuple[dict[str, Any], ...]
    avoided_factors: tuple[dict[str, Any], ...]  # those behind the realised synergies shown
    empty_return: bool = False  # MAPSERVICE_BACKHAUL=empty: a return leg added to the factor

    @property
    def count(self) -> int:
        return int(self.report["count"])

    @property
    def totals(self) -> dict[str, float]:
        return dict(self.report["totals"])

    @property
    def start(self) -> date | None:
        return date.fromisoformat(self.report["from"]) if self.report["from"] else None

    @property
    def end(self) -> date | None:
        return date.fromisoformat(self.report["to"]) if self.report["to"] else None


def parse_metric(raw: str | None) -> str:
    if raw is None or raw.strip() == "":
        return METRICS[0]
    if raw.strip() not in METRICS:
        raise InvalidInput(
            tr(
                "Paramètre metric invalide : {raw!r} (attendu : {allowed}).",
                raw=raw[:40],
                allowed=", ".join(METRICS),
            ),
            field="metric",
        )
    return raw.strip()


def root_category(taxonomy: Taxonomy, code: str) -> str:
    """The top level of the taxonomy above ``code`` (``code`` itself when it is one)."""
    if taxonomy.get(code) is None:
        return code
    ancestors = taxonomy.ancestors(code)
    return ancestors[-1].code if ancestors else code


def months_between(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last``, both included."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _groups(rows: list[dict[str, Any]], key_of: Any) -> dict[str | None, Group]:
    sums: dict[str | None, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for row in rows:
        acc = sums[key_of(row)]
        acc[0] += 1
        acc[1] += row["t_diverted"]
        acc[2] += row["t_co2e_net"]
        acc[3] += row["cad_net"]
    return {
        k: Group(
            key=k,
            label=None,
            count=int(v[0]),
            t_diverted=round(v[1], 3),
            t_co2e_net=round(v[2], 3),
            cad_net=round(v[3], 3),
        )
        for k, v in sums.items()
    }


def _ranked(groups: Iterable[Group], metric: str) -> tuple[Group, ...]:
    return tuple(sorted(groups, key=lambda g: (-g.value(metric), collation_key(g.label or ""))))


def impact(
    services: Services,
    *,
    start: str | None = None,
    end: str | None = None,
    park: str | None = None,
    metric: str | None = None,
    lang: str = "fr",
) -> Impact:
    """Realised synergies (in [start, end], touching ``park``): totals and three groupings.

    Months run without gaps from the first realisation to the last; parks and categories are
    ranked by ``metric``, largest first. A synergy counts for the park of its offer's site
    (where the residue comes from); the ``park`` filter keeps those with either end there.
    """
    chosen = parse_metric(metric)
    report = impact_report(services, start=start, end=end, park=park)
    rows: list[dict[str, Any]] = report["synergies"]
    tax = services.taxonomy
    by_month = _groups(rows, _quebec_month)
    months = sorted(k for k in by_month if k)
    filled = tuple(
        by_month.get(m) or Group(m, None, 0, 0.0, 0.0, 0.0)
        for m in (months_between(months[0], months[-1]) if months else [])
    )
    parks = services.park_ids()
    by_park = [
        replace(g, label=parks[g.key].name if g.key in parks else None)
        for g in _groups(rows, lambda r: r["output_park"]).values()
    ]
    by_category = [
        replace(g, label=tax.label(g.key or "", lang))
        for g in _groups(rows, lambda r: root_category(tax, r["category"])).values()
    ]
    avoided: dict[str, dict[str, Any]] = {}
    for code in sorted({r["category"] for r in rows}):
        factor = avoided_factor(tax, code)
        if factor is not None and factor.category_code not in avoided:
            avoided[factor.category_code] = {
                "category": factor.category_code,
                "label": tax.label(factor.category_code, lang),
                "kg_co2e_avoided_per_t": factor.kg_co2e_avoided_per_t,
                "source": factor.source_fr if lang == "fr" and factor.source_fr else factor.source,
                "year": factor.year,
                "status": factor.status,
            }
    return Impact(
        report=report,
        metric=chosen,
        by_month=filled,
        by_park=_ranked(by_park, chosen),
        by_category=_ranked(by_category, chosen),
        transport_factors=tuple(said_factor(f, lang) for f in services.transport_model.sources()),
        avoided_factors=tuple(avoided.values()),
        empty_return=services.transport_model.empty_return,
    )


#: The units of ``data/factors.csv`` as each language writes them (the file keeps one form).
FACTOR_UNITS = {
    "CAD/t·km": {"fr": "$/t·km", "en": "CAD/t·km"},
    "CAD/t": {"fr": "$/t", "en": "CAD/t"},
    "kg CO2e/t·km": {"fr": "kg CO₂e/t·km", "en": "kg CO₂e/t·km"},
    "kg CO2e/L": {"fr": "kg CO₂e/L", "en": "kg CO₂e/L"},
}


def said_factor(factor: dict[str, Any], lang: str) -> dict[str, Any]:
    """A factor of :meth:`TransportModel.sources` in ``lang``: its label, unit and source."""
    french = lang != "en"
    return {
        **factor,
        "label": factor["label_fr"] if french else factor["label_en"],
        "unit": FACTOR_UNITS.get(factor["unit"], {}).get(lang, factor["unit"]),
        "source": factor.get("source_fr") or factor["source"] if french else factor["source"],
    }


def _quebec_month(row: dict[str, Any]) -> str:
    """``AAAA-MM`` of a row's realisation, on the region's calendar (the report's months)."""
    return in_quebec(datetime.fromisoformat(row["realised_at"])).strftime("%Y-%m")
