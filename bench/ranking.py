"""Rankings a facilitator agrees with: NDCG@5 on a labelled set of regional judgements.

``tests/data/ranking_judgements.json`` holds offers of the Saguenay–Lac-Saint-Jean kind (wood
residues, aluminium, agri-food, construction, heat, plastics, pallets, paper, ash…), each with
candidate partners graded 0–3 by the team (with the source that informed each grade). This
bench scores every offer's partners with the real scoring code
(:func:`~mapservice.matching.candidate.make_candidate` on the real
:class:`~mapservice.materials.compatibility.Compatibility`, quality words and quantities, the
geodesic distance between the places' real coordinates, the hazard rule and each material's
transport limit), ranks them and computes NDCG@5 per offer (gain 2^rel − 1, discount
log2(rank + 1)) and the mean. A partner the matcher would not propose ranks after every one it
proposes; ties are broken against the bench (the least relevant first).

Beside it, in the same run, the formula before issue 15 (:func:`baseline_score`: 0.45 × the
old category strength + 0.25 × quantity fit + 0.30 × distance fit, no quality words, rules at
full strength, wood and ash linked by the hierarchy) on the same data.

Run ``python -m bench.ranking`` (``--verbose`` lists every partner's scores); it exits 1
when the mean NDCG@5 is below :data:`TARGET`. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapservice.domain.model import Direction, Flow, Site, Unit
from mapservice.geo.projection import WGS84_GEOD
from mapservice.matching.arrays import is_hazardous, quantity_fit
from mapservice.matching.candidate import make_candidate
from mapservice.materials.compatibility import Compatibility
from mapservice.materials.impact import TransportModel
from mapservice.materials.taxonomy import Taxonomy, load_factors

ROOT = Path(__file__).resolve().parent.parent
JUDGEMENTS = ROOT / "tests" / "data" / "ranking_judgements.json"
#: The mean NDCG@5 the scoring must keep on the labelled set.
TARGET = 0.9
#: Ranks that count.
AT = 5
UNITS = {
    "t/an": Unit.T_PER_YEAR,
    "m3/an": Unit.M3_PER_YEAR,
    "unités/an": Unit.UNITS_PER_YEAR,
    "kW": Unit.KW,
}
_KM_PER_DEGREE = 111.2

#: A partner's score: None when the matcher would not propose it.
Scorer = Callable[[Flow, Flow, Site, Site], float | None]


@dataclass(frozen=True)
class Judged:
    """One graded partner of an offer."""

    flow: Flow
    site: Site
    relevance: int
    source: str
    why: str


@dataclass(frozen=True)
class Case:
    """An offer and its graded partners."""

    id: str
    flow: Flow
    site: Site
    partners: tuple[Judged, ...]


def load_cases(path: Path = JUDGEMENTS, data_dir: Path = ROOT / "data") -> list[Case]:
    """The labelled set as flows and sites placed at their municipality's coordinates."""
    with (data_dir / "municipalities.csv").open(encoding="utf-8", newline="") as fh:
        places = {row["id"]: (float(row["lon"]), float(row["lat"])) for row in csv.DictReader(fh)}
    doc = json.loads(path.read_text(encoding="utf-8"))
    ids = iter(range(1, 100_000))
    cases = []
    for entry in doc["offers"]:
        flow, site = _flow(entry["offer"], Direction.OUTPUT, places, next(ids))
        partners = []
        for p in entry["partners"]:
            other, where = _flow(p, Direction.INPUT, places, next(ids))
            partners.append(Judged(other, where, int(p["relevance"]), p["source"], p["why"]))
        cases.append(Case(entry["id"], flow, site, tuple(partners)))
    return cases


def _flow(
    spec: dict[str, Any], direction: Direction, places: dict[str, tuple[float, float]], n: int
) -> tuple[Flow, Site]:
    lon, lat = places[spec["place"]]
    lat += spec.get("km_north", 0.0) / _KM_PER_DEGREE
    lon += spec.get("km_east", 0.0) / (_KM_PER_DEGREE * math.cos(math.radians(lat)))
    site = Site(n, n, spec["place"], None, spec["place"], None, lon, lat)
    flow = Flow(
        id=n,
        site_id=n,
        direction=direction,
        category_code=spec["category"],
        description=spec["description"],
        quantity=float(spec["quantity"]),
        unit=UNITS[spec["unit"]],
        hazardous=bool(spec.get("hazardous", False)),
    )
    return flow, site


def geodesic_m(a: Site, b: Site) -> float:
    _, _, d = WGS84_GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    return float(d)


def _allowed(taxonomy: Taxonomy, offer: Flow, need: Flow) -> bool:
    """The hazard rule every matcher applies: a hazardous offer only to a need accepting it."""
    return need.hazardous or not is_hazardous(offer, taxonomy.get(offer.category_code))


def current_scorer(taxonomy: Taxonomy, compat: Compatibility, model: TransportModel) -> Scorer:
    """The score the matchers give today (None: not proposed)."""

    def score(offer: Flow, need: Flow, offer_site: Site, need_site: Site) -> float | None:
        fit = compat.fit(offer.category_code, need.category_code)
        if fit is None or not _allowed(taxonomy, offer, need):
            return None
        cand = make_candidate(
            offer,
            need,
            fit,
            geodesic_m(offer_site, need_site),
            None,
            "geodesique",
            taxonomy=taxonomy,
            model=model,
            sites={offer_site.id or 0: offer_site, need_site.id or 0: need_site},
        )
        return cand.score if cand is not None else None

    return score


def baseline_strength(taxonomy: Taxonomy, out_code: str, in_code: str) -> float | None:
    """The category strength before issue 15: same 1.0, offer more specific 0.8, more general
    0.5, a rule at its strength, a parent's rule at 90 %; no « never » rule."""
    best: float | None = None

    def offer(value: float) -> None:
        nonlocal best
        best = value if best is None else max(best, value)

    if out_code == in_code:
        offer(1.0)
    if in_code in {a.code for a in taxonomy.ancestors(out_code)}:
        offer(0.8)
    if out_code in {a.code for a in taxonomy.ancestors(in_code)}:
        offer(0.5)
    above = {a.code for a in taxonomy.ancestors(out_code)}
    for rule in taxonomy.rules:
        if rule.input_code != in_code or rule.strength <= 0:
            continue
        if rule.output_code == out_code:
            offer(rule.strength)
        elif rule.output_code in above and rule.kind == "substitution":
            offer(round(rule.strength * 0.9, 3))
    return best


def baseline_scorer(taxonomy: Taxonomy) -> Scorer:
    """The formula before issue 15: 0.45 × strength + 0.25 × quantity + 0.30 × distance."""

    def score(offer: Flow, need: Flow, offer_site: Site, need_site: Site) -> float | None:
        strength = baseline_strength(taxonomy, offer.category_code, need.category_code)
        if strength is None or not _allowed(taxonomy, offer, need):
            return None
        out_cat = taxonomy.get(offer.category_code)
        max_m = (out_cat.max_transport_km if out_cat else 50.0) * 1000.0
        dist = geodesic_m(offer_site, need_site)
        if dist > max_m:
            return None
        q_fit, _, _ = quantity_fit(offer, need, out_cat, taxonomy.get(need.category_code))
        return round(0.45 * strength + 0.25 * q_fit + 0.30 * max(0.0, 1.0 - dist / max_m), 4)

    return score


def ranked(case: Case, scorer: Scorer) -> list[tuple[Judged, float | None]]:
    """The case's partners best first; the unproposed last; ties against the bench."""
    scored = [(p, scorer(case.flow, p.flow, case.site, p.site)) for p in case.partners]
    return sorted(scored, key=lambda ps: (-(ps[1] if ps[1] is not None else -1.0), ps[0].relevance))


def ndcg(relevances: Sequence[int], at: int = AT) -> float:
    """NDCG@``at`` of graded relevances in ranked order (1.0 when nothing is relevant)."""

    def dcg(rels: Sequence[int]) -> float:
        return sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(rels[:at]))

    ideal = dcg(sorted(relevances, reverse=True))
    return dcg(relevances) / ideal if ideal > 0 else 1.0


def evaluate(cases: Sequence[Case], scorer: Scorer) -> dict[str, float]:
    """NDCG@5 per offer id."""
    return {c.id: ndcg([p.relevance for p, _ in ranked(c, scorer)]) for c in cases}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--verbose", action="store_true", help="every partner's scores")
    args = parser.parse_args(argv)
    taxonomy = Taxonomy.from_directory(args.data)
    compat = Compatibility(taxonomy)
    model = TransportModel.from_factors(load_factors(args.data / "factors.csv"))
    cases = load_cases(args.judgements, args.data)
    now, before = current_scorer(taxonomy, compat, model), baseline_scorer(taxonomy)
    new, old = evaluate(cases, now), evaluate(cases, before)
    judged = sum(len(c.partners) for c in cases)
    print(f"ranking: {len(cases)} offers, {judged} judged partners ({args.judgements.name})")
    print(f"{'offer':<28} {'NDCG@5':>8} {'baseline':>9}")
    for case in cases:
        print(f"{case.id:<28} {new[case.id]:>8.3f} {old[case.id]:>9.3f}")
        if args.verbose:
            for p, s in ranked(case, now):
                b = before(case.flow, p.flow, case.site, p.site)
                shown = "—" if s is None else f"{round(s * 100)}"
                was = "—" if b is None else f"{round(b * 100)}"
                print(f"    rel {p.relevance}  {shown:>3} (before {was:>3})  {p.flow.description}")
    mean_new = sum(new.values()) / len(new)
    mean_old = sum(old.values()) / len(old)
    verdict = "OK" if mean_new >= TARGET else "BELOW TARGET"
    print(f"{'mean NDCG@5':<28} {mean_new:>8.3f} {mean_old:>9.3f}   target {TARGET}: {verdict}")
    return 0 if mean_new >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
