"""Candidate synergies: who nearby could use an offer, how far the truck drives, is it worth it.

Pure: sites, flows, the taxonomy, a live :class:`~mapservice.spatial_index.SiteIndex`, a
distance backend and the transport model in; ranked :class:`Candidate` pairs out, each with its
reasons. Nothing here reads a database or speaks HTTP.

Compatibility, strongest first:

* the same category on both sides (an offer of X, a need for X) — substitution, strength 1.0;
* the offer is a kind of what is needed (offer "sciure", need "bois") — 0.8; the other way
  (offer "bois", need "sciure") — 0.5: it may or may not be the right kind;
* a declared rule output → input of ``compatibility.csv`` with its strength and kind; a rule of
  the offer's parent applies to the child at 90 % of its strength;
* *mutualisation*: two nearby sites with the same need or the same offer (shared transport,
  group purchasing), or the same ``mutualisation.*`` category — within
  :data:`MUTUALISATION_MAX_KM`.

Hazardous offers (flagged on the flow or hazardous by category) go only to needs that accept
hazardous material (the need's flow is flagged hazardous). Candidates beyond the plausible
transport distance of the offered category (``max_transport_km``: a few km for heat, tens for
wet organics, hundreds for metals) are never proposed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mapservice.impact import (
    TransportModel,
    TripImpact,
    avoided_factor,
    tonnes_per_year,
    trip_impact,
)
from mapservice.materials import Category, Taxonomy
from mapservice.model import Direction, Flow, Site, SynergyKind, Unit
from mapservice.spatial_index import DatabaseSiteIndex, SiteIndex

#: Mutualisation makes sense between neighbours only.
MUTUALISATION_MAX_KM = 25.0
#: Mutualisation partners kept per flow: the nearest ones.
MUTUALISATION_PER_FLOW = 5
#: Weights of the score: category fit, quantity fit, distance.
W_CATEGORY, W_QUANTITY, W_DISTANCE = 0.45, 0.25, 0.30


class Distances(Protocol):
    """What matching needs of a routing backend (see ``mapservice.routing``)."""

    name: str

    def matrix(self, origins: Sequence[tuple[float, float]],
               destinations: Sequence[tuple[float, float]]) -> Sequence[Sequence[Any]]: ...


@dataclass(frozen=True)
class Fit:
    kind: SynergyKind
    strength: float
    how: str  # meme-categorie, plus-precis, plus-general, regle, regle-parent, mutualisation
    note_fr: str = ""


class Compatibility:
    """Which output categories may feed which input categories, precomputed from the taxonomy."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._fits: dict[str, dict[str, Fit]] = defaultdict(dict)
        self._reverse: dict[str, dict[str, Fit]] | None = None
        codes = [c.code for c in taxonomy]
        for code in codes:
            cat = taxonomy.get(code)
            assert cat is not None
            if cat.kind == "mutualisation":
                self._add(code, code, Fit(SynergyKind.MUTUALISATION, 1.0, "mutualisation",
                                          "l'un offre ce que l'autre cherche à partager"))
                continue
            self._add(code, code, Fit(SynergyKind.SUBSTITUTION, 1.0, "meme-categorie"))
            for parent in taxonomy.ancestors(code):
                self._add(code, parent.code, Fit(SynergyKind.SUBSTITUTION, 0.8, "plus-precis"))
                self._add(parent.code, code, Fit(SynergyKind.SUBSTITUTION, 0.5, "plus-general"))
        for rule in taxonomy.rules:
            if rule.kind != SynergyKind.SUBSTITUTION.value:
                self._add(rule.output_code, rule.input_code,
                          Fit(SynergyKind.MUTUALISATION, rule.strength, "regle", rule.note_fr))
                continue
            fit = Fit(SynergyKind.SUBSTITUTION, rule.strength, "regle", rule.note_fr)
            self._add(rule.output_code, rule.input_code, fit)
            for child in self._descendants(rule.output_code):
                self._add(child, rule.input_code, Fit(SynergyKind.SUBSTITUTION,
                                                      round(rule.strength * 0.9, 3),
                                                      "regle-parent", rule.note_fr))

    def _descendants(self, code: str) -> list[str]:
        out, todo = [], [code]
        while todo:
            for child in self.taxonomy.children(todo.pop()):
                out.append(child.code)
                todo.append(child.code)
        return out

    def _add(self, out_code: str, in_code: str, fit: Fit) -> None:
        current = self._fits[out_code].get(in_code)
        if current is None or fit.strength > current.strength:
            self._fits[out_code][in_code] = fit

    def outputs_for(self, in_code: str) -> dict[str, Fit]:
        """Output categories that can feed a need of ``in_code``, with how well."""
        if self._reverse is None:
            reverse: dict[str, dict[str, Fit]] = defaultdict(dict)
            for out_code, fits in self._fits.items():
                for code, fit in fits.items():
                    reverse[code][out_code] = fit
            self._reverse = dict(reverse)
        return self._reverse.get(in_code, {})

    def inputs_for(self, out_code: str) -> dict[str, Fit]:
        """Input categories an offer of ``out_code`` can feed, with how well."""
        return self._fits.get(out_code, {})

    def fit(self, out_code: str, in_code: str) -> Fit | None:
        return self._fits.get(out_code, {}).get(in_code)


@dataclass(frozen=True)
class Candidate:
    """One proposed synergy between two flows, with its figures and reasons."""

    kind: SynergyKind
    output_flow: Flow  # for mutualisation: the first of the two flows
    input_flow: Flow  # for mutualisation: the second
    output_site: Site
    input_site: Site
    fit: Fit
    score: float
    quantity_fit: float
    geodesic_m: float
    road_m: float | None
    duration_s: float | None
    distance_backend: str
    max_km: float
    impact: TripImpact
    reasons: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple[int, int]:
        return (self.output_flow.id or 0, self.input_flow.id or 0)


def _hazardous(flow: Flow, cat: Category | None) -> bool:
    return flow.hazardous or bool(cat and cat.hazardous)


def _comparable(flow: Flow, cat: Category | None) -> tuple[str, float] | None:
    """A flow's quantity in a unit both sides can share: ('t', t/yr), ('kw', kW) or ('u', …)."""
    if flow.quantity is None or flow.unit is None:
        return None
    if flow.unit is Unit.KW:
        return ("kw", flow.quantity)
    if flow.unit is Unit.UNITS_PER_YEAR:
        return ("u", flow.quantity)
    tonnes = tonnes_per_year(flow.quantity, flow.unit, cat.density_t_per_m3 if cat else None)
    return ("t", tonnes) if tonnes is not None else None


def _fr(value: float) -> str:
    """1 234,5 — the way numbers are written in Québec French."""
    text = f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _quantity_fit(out_f: Flow, in_f: Flow, out_cat: Category | None,
                  in_cat: Category | None) -> tuple[float, float | None, str]:
    """(fit 0..1, tonnes exchanged or None, reason) of two flows' quantities."""
    qa, qb = _comparable(out_f, out_cat), _comparable(in_f, in_cat)
    if qa and qb and qa[0] == qb[0] and max(qa[1], qb[1]) > 0:
        unit = {"t": "t/an", "kw": "kW", "u": "unités/an"}[qa[0]]
        return (min(qa[1], qb[1]) / max(qa[1], qb[1]),
                min(qa[1], qb[1]) if qa[0] == "t" else None,
                f"quantités comparables : offre {_fr(qa[1])} {unit}, besoin {_fr(qb[1])} {unit}")
    exchanged = qa[1] if qa and qa[0] == "t" else (qb[1] if qb and qb[0] == "t" else None)
    return 0.5, exchanged, "quantités non comparables (une unité ou une quantité manque)"


def _cell(matrix: Any, i: int, j: int) -> Any:
    """One cell of a distance matrix, read from its arrays when it has them."""
    road = getattr(matrix, "road_m", None)
    if road is not None and hasattr(road, "shape"):
        value, secs = float(road[i, j]), float(matrix.duration_s[i, j])
        return _Cell(None if value != value else value, None if secs != secs else secs,
                     getattr(matrix, "backend", None))
    return matrix[i][j]


@dataclass(frozen=True)
class _Cell:
    road_m: float | None
    duration_s: float | None
    backend: str | None


class Matcher:
    """Candidate synergies over one snapshot of the registry and a live site index."""

    def __init__(
        self,
        *,
        sites: Iterable[Site],
        flows: Iterable[Flow],
        taxonomy: Taxonomy,
        index: SiteIndex | DatabaseSiteIndex,
        model: TransportModel,
        compatibility: Compatibility | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.index = index
        self.model = model
        self.compat = compatibility or Compatibility(taxonomy)
        self.sites = {s.id: s for s in sites if s.id is not None}
        self.flows_by_site: dict[int, list[Flow]] = defaultdict(list)
        self.flows_by_code: dict[tuple[Direction, str], list[Flow]] = defaultdict(list)
        for flow in flows:
            self.flows_by_site[flow.site_id].append(flow)
            self.flows_by_code[(flow.direction, flow.category_code)].append(flow)

    # --- public -------------------------------------------------------------------------------

    def for_site(self, site_id: int, *, distances: Distances, max_km: float | None = None,
                 category: str | None = None, limit: int | None = None) -> list[Candidate]:
        """Every candidate synergy one of this site's flows takes part in, best first."""
        site = self.sites[site_id]
        pairs = self._pairs_for_site(site, max_km=max_km, category=category)
        return self._finish(pairs, distances, limit, site_id)

    def all_pairs(self, *, distances: Distances, max_km: float | None = None,
                  per_offer: int | None = None) -> list[Candidate]:
        """Every candidate in the registry (each pair once), best first."""
        seen: set[tuple[str, int, int]] = set()
        pairs: list[tuple[Flow, Flow, Fit, float]] = []
        for site in self.sites.values():
            for pair in self._pairs_for_site(site, max_km=max_km, category=None, outputs_only=True):
                key = (pair[2].kind.value, pair[0].id or 0, pair[1].id or 0)
                if key not in seen:
                    seen.add(key)
                    pairs.append(pair)
        found = self._finish(pairs, distances, None)
        if per_offer is None:
            return found
        kept: dict[int, int] = defaultdict(int)
        out = []
        for cand in found:
            if kept[cand.output_flow.id or 0] < per_offer:
                kept[cand.output_flow.id or 0] += 1
                out.append(cand)
        return out

    # --- pairs by category and geodesic distance ----------------------------------------------

    def _reach_km(self, flow: Flow, max_km: float | None) -> float:
        cat = self.taxonomy.get(flow.category_code)
        reach = cat.max_transport_km if cat else 50.0
        if cat and cat.kind == "mutualisation":
            reach = min(reach, MUTUALISATION_MAX_KM)
        return min(reach, max_km) if max_km is not None else reach

    def _pairs_for_site(
        self, site: Site, *, max_km: float | None, category: str | None,
        outputs_only: bool = False,
    ) -> list[tuple[Flow, Flow, Fit, float]]:
        """(output, input, fit, geodesic_m) pairs this site's flows take part in.

        Partners are looked for by category first (only flows a compatibility rule links to
        this site's flows), then by distance on the live index: at province scale a site has
        tens of thousands of neighbours within 100 km, but few of them need what it offers.
        """
        if site.id is None or site.id not in self.index:
            return []
        own = self.flows_by_site.get(site.id, [])
        if category:
            own = [f for f in own if f.category_code == category
                   or any(a.code == category for a in self._ancestors(f.category_code))]
        if not own:
            return []
        wanted: list[tuple[Flow, list[tuple[Flow, Fit | None]], float]] = []
        partner_sites: set[int] = set()
        for flow in own:
            partners: list[tuple[Flow, Fit | None]] = []
            if flow.direction is Direction.OUTPUT:
                for code, fit in self.compat.inputs_for(flow.category_code).items():
                    partners.extend((g, fit) for g in self.flows_by_code.get(
                        (Direction.INPUT, code), ()))
            elif not outputs_only:
                for code, fit in self.compat.outputs_for(flow.category_code).items():
                    partners.extend((g, fit) for g in self.flows_by_code.get(
                        (Direction.OUTPUT, code), ()))
            # Mutualisation: the same need (or offer) nearby.
            partners.extend((g, None) for g in self.flows_by_code.get(
                (flow.direction, flow.category_code), ()))
            partners = [(g, fit) for g, fit in partners if g.site_id != site.id]
            if not partners:
                continue
            reach_km = self._reach_km(flow, max_km)
            if flow.direction is Direction.INPUT:
                reach_km = max([reach_km] + [self._reach_km(g, max_km) for g, fit in partners
                                             if fit is not None])
            reach_km = max(reach_km, MUTUALISATION_MAX_KM if max_km is None
                           else min(MUTUALISATION_MAX_KM, max_km))
            wanted.append((flow, partners, reach_km))
            partner_sites.update(g.site_id for g, _ in partners)
        if not wanted:
            return []
        lon, lat = self.index.point(site.id)
        reach_m = max(r for _, _, r in wanted) * 1000.0
        near = dict(self.index.within(lon, lat, reach_m, among=partner_sites))
        out: list[tuple[Flow, Flow, Fit, float]] = []
        for flow, partners, _reach in wanted:
            mutual: list[tuple[Flow, Flow, Fit, float]] = []
            for other, fit in partners:
                dist_m = near.get(other.site_id)
                if dist_m is None:
                    continue
                if fit is None:
                    found = self._mutual(flow, other, dist_m, max_km)
                    if found is not None:
                        mutual.append(found)
                    continue
                found = self._pair(flow, other, dist_m,
                                   self._reach_km(flow, max_km) * 1000.0, max_km, outputs_only)
                if found is not None:
                    out.append(found)
            mutual.sort(key=lambda p: (p[3], p[1].id or 0, p[0].id or 0))
            out.extend(mutual[:MUTUALISATION_PER_FLOW])
        return out

    def _ancestors(self, code: str) -> list[Category]:
        return self.taxonomy.ancestors(code) if self.taxonomy.get(code) else []

    def _pair(self, flow: Flow, other: Flow, dist_m: float, reach_m: float,
              max_km: float | None, outputs_only: bool) -> tuple[Flow, Flow, Fit, float] | None:
        if flow.direction is Direction.OUTPUT and other.direction is Direction.INPUT:
            out_f, in_f = flow, other
        elif flow.direction is Direction.INPUT and other.direction is Direction.OUTPUT:
            if outputs_only:
                return None
            out_f, in_f = other, flow
            reach_m = self._reach_km(out_f, max_km) * 1000.0
        else:
            return self._mutual(flow, other, dist_m, max_km)
        if dist_m > reach_m:
            return None
        fit = self.compat.fit(out_f.category_code, in_f.category_code)
        if fit is None:
            return None
        out_cat = self.taxonomy.get(out_f.category_code)
        if _hazardous(out_f, out_cat) and not in_f.hazardous:
            return None
        return (out_f, in_f, fit, dist_m)

    def _mutual(self, a: Flow, b: Flow, dist_m: float,
                max_km: float | None) -> tuple[Flow, Flow, Fit, float] | None:
        if a.category_code != b.category_code:
            return None
        cat = self.taxonomy.get(a.category_code)
        if cat is not None and cat.kind == "mutualisation" and a.direction is Direction.OUTPUT:
            return None  # two sites offering the same service: nothing to pair
        limit_km = MUTUALISATION_MAX_KM if max_km is None else min(max_km, MUTUALISATION_MAX_KM)
        if dist_m > limit_km * 1000.0:
            return None
        first, second = sorted((a, b), key=lambda f: f.id or 0)
        what = ("besoin commun : achats ou livraisons groupés" if a.direction is Direction.INPUT
                else "offre commune : transport ou traitement partagé")
        return (first, second, Fit(SynergyKind.MUTUALISATION, 0.6, "mutualisation", what), dist_m)

    # --- road distances, impact, score --------------------------------------------------------

    def _finish(self, pairs: list[tuple[Flow, Flow, Fit, float]], distances: Distances,
                limit: int | None, site_id: int | None = None) -> list[Candidate]:
        if not pairs:
            return []
        if limit is not None and len(pairs) > 3 * limit + 20:
            # Road distance is never shorter than the straight line: rank on the straight line
            # first (an upper bound of each score), keep a margin, route only those.
            pairs = sorted(pairs, key=lambda p: -self._upper_score(p))[:3 * limit + 20]
        lookup = self._distances(pairs, distances, site_id)
        out = []
        for out_f, in_f, fit, geo_m in pairs:
            dist = lookup(out_f.site_id, in_f.site_id)
            cand = self._candidate(out_f, in_f, fit, geo_m, dist, distances.name)
            if cand is not None:
                out.append(cand)
        out.sort(key=lambda c: (-c.score, c.road_m if c.road_m is not None else c.geodesic_m,
                                c.key))
        return out[:limit] if limit is not None else out

    def _upper_score(self, pair: tuple[Flow, Flow, Fit, float]) -> float:
        out_f, in_f, fit, geo_m = pair
        out_cat = self.taxonomy.get(out_f.category_code)
        max_km = (MUTUALISATION_MAX_KM if fit.kind is SynergyKind.MUTUALISATION
                  else (out_cat.max_transport_km if out_cat else 50.0))
        q_fit, _, _ = _quantity_fit(out_f, in_f, out_cat, self.taxonomy.get(in_f.category_code))
        return (W_CATEGORY * fit.strength + W_QUANTITY * q_fit
                + W_DISTANCE * max(0.0, 1.0 - geo_m / (max_km * 1000.0)))

    def _distances(self, pairs: list[tuple[Flow, Flow, Fit, float]], distances: Distances,
                   site_id: int | None) -> Callable[[int, int], Any]:
        """Road distances for the pairs: around one site, two one-to-many matrices."""
        point = self.index.point
        if site_id is not None:
            dests = sorted({p[1].site_id for p in pairs if p[0].site_id == site_id})
            origs = sorted({p[0].site_id for p in pairs if p[1].site_id == site_id}
                           | {p[0].site_id for p in pairs if p[1].site_id != site_id
                              and p[0].site_id != site_id})
            found: dict[tuple[int, int], Any] = {}
            if dests:
                m = distances.matrix([point(site_id)], [point(s) for s in dests])
                found.update({(site_id, s): _cell(m, 0, j) for j, s in enumerate(dests)})
            if origs:
                m = distances.matrix([point(s) for s in origs], [point(site_id)])
                found.update({(s, site_id): _cell(m, i, 0) for i, s in enumerate(origs)})
            # Mutualisation partners of a need are stored (first flow, second flow) by id:
            # the distance is the same either way.
            return lambda a, b: found.get((a, b)) or found.get((b, a))
        origins = sorted({p[0].site_id for p in pairs})
        targets = sorted({p[1].site_id for p in pairs})
        m = distances.matrix([point(s) for s in origins], [point(s) for s in targets])
        row = {s: i for i, s in enumerate(origins)}
        col = {s: j for j, s in enumerate(targets)}
        return lambda a, b: _cell(m, row[a], col[b])

    def _candidate(self, out_f: Flow, in_f: Flow, fit: Fit, geo_m: float, dist: Any,
                   backend: str) -> Candidate | None:
        out_cat = self.taxonomy.get(out_f.category_code)
        in_cat = self.taxonomy.get(in_f.category_code)
        road_m = getattr(dist, "road_m", None)
        duration_s = getattr(dist, "duration_s", None)
        used_backend = getattr(dist, "backend", None) or backend
        max_km = (MUTUALISATION_MAX_KM if fit.kind is SynergyKind.MUTUALISATION
                  else (out_cat.max_transport_km if out_cat else 50.0))
        travel_m = road_m if road_m is not None else geo_m
        if travel_m > max_km * 1000.0:
            return None  # the road is longer than the material travels
        q_fit, exchanged, q_reason = _quantity_fit(out_f, in_f, out_cat, in_cat)
        if out_f.confidential or in_f.confidential:
            q_reason = "quantités confidentielles (comptées dans le score, non affichées)"
        distance_fit = max(0.0, 1.0 - travel_m / (max_km * 1000.0))
        score = round(W_CATEGORY * fit.strength + W_QUANTITY * q_fit
                      + W_DISTANCE * distance_fit, 4)
        road_km = road_m / 1000.0 if road_m is not None else None
        if fit.kind is SynergyKind.MUTUALISATION or (out_cat and out_cat.kind == "energy"):
            impact = trip_impact(self.model, tonnes=None, road_km=road_km, avoided=None)
        else:
            impact = trip_impact(self.model, tonnes=exchanged, road_km=road_km,
                                 avoided=avoided_factor(self.taxonomy, out_f.category_code))
        how = {
            "meme-categorie": "même catégorie de part et d'autre",
            "plus-precis": "l'offre est une sorte de ce qui est demandé",
            "plus-general": "l'offre est plus générale que le besoin : à vérifier",
            "regle": "règle de compatibilité déclarée",
            "regle-parent": "règle déclarée pour la catégorie parente",
            "mutualisation": "mutualisation",
        }[fit.how]
        reasons = [f"catégorie : {how} (force {fit.strength:.2f})"
                   + (f" — {fit.note_fr}" if fit.note_fr else ""), q_reason]
        if road_km is not None:
            reasons.append(f"distance routière {_fr(road_km)} km ({used_backend}), "
                           f"{_fr(geo_m / 1000)} km à vol d'oiseau, maximum {_fr(max_km)} km")
        else:
            reasons.append(f"{_fr(geo_m / 1000)} km à vol d'oiseau (pas de distance routière), "
                           f"maximum {_fr(max_km)} km")
        if impact.break_even_km is not None:
            reasons.append(f"rentable pour le climat jusqu'à {_fr(round(impact.break_even_km))} "
                           "km de route"
                           + (" (retour à vide compté)" if impact.empty_return else ""))
        return Candidate(
            kind=fit.kind, output_flow=out_f, input_flow=in_f,
            output_site=self.sites[out_f.site_id], input_site=self.sites[in_f.site_id],
            fit=fit, score=score, quantity_fit=round(q_fit, 3), geodesic_m=round(geo_m, 1),
            road_m=round(road_m, 1) if road_m is not None else None,
            duration_s=round(duration_s, 1) if duration_s is not None else None,
            distance_backend=used_backend, max_km=max_km, impact=impact,
            reasons=tuple(reasons),
        )
