"""A candidate synergy as shown and stored: its figures, its impact and, in French, its reasons.

:class:`~mapservice.matching.matcher.Matcher` finds and routes the pairs; :func:`make_candidate`
turns one routed pair into a :class:`Candidate` (pure).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mapservice.domain.model import Flow, Site, SynergyKind
from mapservice.domain.reasons import QUANTITIES_HIDDEN, SaidNumber, route_source
from mapservice.errors import Message, tr
from mapservice.matching import scoring
from mapservice.matching.arrays import MatrixCell, fr_num, is_hazardous, pair_quality, quantity_fit
from mapservice.matching.scoring import MUTUALISATION_MAX_KM
from mapservice.materials.compatibility import Fit
from mapservice.materials.impact import TransportModel, TripImpact, avoided_factor, trip_impact
from mapservice.materials.taxonomy import Taxonomy
from mapservice.routing.graph import ACCESS_DETOUR, ACCESS_SPEED_KMH

#: Access legs (both ends together) from which a candidate says how they were counted: a
#: site about 2 km or more from the road graph, beyond its coverage.
FAR_ACCESS_M = 5_000.0


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


def make_candidate(
    out_f: Flow,
    in_f: Flow,
    fit: Fit,
    geo_m: float,
    dist: MatrixCell | None,
    backend: str,
    *,
    taxonomy: Taxonomy,
    model: TransportModel,
    sites: Mapping[int, Site],
) -> Candidate | None:
    """The candidate of one routed pair, with its score, impact and reasons; None when the
    road is longer than the offered material travels.

    ``dist`` is the pair's cell of the distance matrix (``road_m``, ``duration_s``,
    ``backend``), or None when the backend had nothing for it.
    """
    out_cat = taxonomy.get(out_f.category_code)
    in_cat = taxonomy.get(in_f.category_code)
    road_m = dist.road_m if dist is not None else None
    duration_s = dist.duration_s if dist is not None else None
    used_backend = dist.backend if dist is not None else backend
    max_km = (
        MUTUALISATION_MAX_KM
        if fit.kind is SynergyKind.MUTUALISATION
        else (out_cat.max_transport_km if out_cat else 50.0)
    )
    travel_m = road_m if road_m is not None else geo_m
    if travel_m > max_km * 1000.0:
        return None  # the road is longer than the material travels
    q_fit, exchanged, q_reason = quantity_fit(out_f, in_f, out_cat, in_cat)
    if out_f.confidential or in_f.confidential:
        q_reason = tr(QUANTITIES_HIDDEN)
    quality, asked, offered, contrary = pair_quality(out_f, in_f, taxonomy)
    score = scoring.rounded(scoring.score(fit.strength, q_fit, travel_m, max_km * 1000.0, quality))
    road_km = road_m / 1000.0 if road_m is not None else None
    if fit.kind is SynergyKind.MUTUALISATION or (out_cat and out_cat.kind == "energy"):
        impact = trip_impact(model, tonnes=None, road_km=road_km, avoided=None)
    else:
        impact = trip_impact(
            model,
            tonnes=exchanged,
            road_km=road_km,
            avoided=avoided_factor(taxonomy, out_f.category_code),
        )
    how = {
        "meme-categorie": tr("même catégorie de part et d'autre"),
        "plus-precis": tr("l'offre est une sorte de ce qui est demandé"),
        "plus-general": tr("l'offre est plus générale que le besoin : à vérifier"),
        "regle": tr("règle de compatibilité déclarée"),
        "regle-parent": tr("règle déclarée pour la catégorie parente"),
        "mutualisation": tr("mutualisation"),
    }[fit.how]
    strength = SaidNumber(fit.strength, 2)
    reasons: list[str] = [
        tr(
            "catégorie : {how} (force {strength}) — {note}",
            how=how,
            strength=strength,
            note=Message(fit.note_fr),  # data said in English through the catalogue
        )
        if fit.note_fr
        else tr("catégorie : {how} (force {strength})", how=how, strength=strength),
        q_reason,
    ]
    said = quality_reason(taxonomy, quality, asked, offered, contrary)
    if said is not None:
        reasons.append(said)
    if is_hazardous(out_f, out_cat):
        reasons.append(
            tr(
                "matière dangereuse (liste européenne des déchets {code}) : transporteur et "
                "receveur autorisés",
                code=out_cat.ewc_code,
            )
            if out_cat is not None and out_cat.ewc_code
            else tr("matière dangereuse : transporteur et receveur autorisés")
        )
    if road_km is not None:
        reasons.append(
            tr(
                "distance routière {road_km} km ({backend}), {geo_km} km à vol d'oiseau, "
                "maximum {max_km} km",
                road_km=fr_num(road_km),
                backend=route_source(used_backend),
                geo_km=fr_num(geo_m / 1000),
                max_km=fr_num(max_km),
            )
        )
        if dist is not None and dist.access_m >= FAR_ACCESS_M:
            reasons.append(
                tr(
                    "dont {access_km} km hors du réseau routier : ligne droite × {detour} "
                    "à {speed} km/h",
                    access_km=fr_num(dist.access_m / 1000),
                    detour=fr_num(ACCESS_DETOUR),
                    speed=fr_num(ACCESS_SPEED_KMH),
                )
            )
    elif dist is not None and dist.reason:
        reasons.append(
            tr(
                "{geo_km} km à vol d'oiseau, utilisés faute de distance routière ({why}), "
                "maximum {max_km} km",
                geo_km=fr_num(geo_m / 1000),
                why=dist.reason,
                max_km=fr_num(max_km),
            )
        )
    else:
        reasons.append(
            tr(
                "{geo_km} km à vol d'oiseau (pas de distance routière), maximum {max_km} km",
                geo_km=fr_num(geo_m / 1000),
                max_km=fr_num(max_km),
            )
        )
    if impact.break_even_km is not None:
        reasons.append(
            tr(
                "rentable pour le climat jusqu'à {km} km de route (retour à vide compté)",
                km=fr_num(round(impact.break_even_km)),
            )
            if impact.empty_return
            else tr(
                "rentable pour le climat jusqu'à {km} km de route",
                km=fr_num(round(impact.break_even_km)),
            )
        )
    return Candidate(
        kind=fit.kind,
        output_flow=out_f,
        input_flow=in_f,
        output_site=sites[out_f.site_id],
        input_site=sites[in_f.site_id],
        fit=fit,
        score=score,
        quantity_fit=round(q_fit, 3),
        geodesic_m=round(geo_m, 1),
        road_m=round(road_m, 1) if road_m is not None else None,
        duration_s=round(duration_s, 1) if duration_s is not None else None,
        distance_backend=used_backend,
        max_km=max_km,
        impact=impact,
        reasons=tuple(reasons),
    )


def quality_reason(
    taxonomy: Taxonomy, quality: float, asked: int, offered: int, contrary: int
) -> str | None:
    """The reason that says how the offer's stated qualities meet the need's (None: the need
    asks for none and the offer contradicts nothing)."""

    def listed(mask: int) -> Message:
        # Each label is a message of its own (its English is in the catalogue), so the list
        # is said in the reader's language; the joining template is language-free.
        labels = taxonomy.qualities.labels(mask)
        template = ", ".join(f"« {{q{n}}} »" for n in range(len(labels)))
        return Message(template, {f"q{n}": Message(label) for n, label in enumerate(labels)})

    if quality == scoring.QUALITY_CONTRARY:
        return tr(
            "qualité : le besoin demande {asked}, l'offre dit le contraire ({offered})",
            asked=listed(asked & contrary & ~offered),
            offered=listed(offered),
        )
    if quality == scoring.QUALITY_MET:
        return tr("qualité : l'offre indique ce que le besoin demande ({met})", met=listed(asked))
    if quality == scoring.QUALITY_PARTLY:
        return tr(
            "qualité : l'offre indique {met} ; elle ne précise pas {missing}",
            met=listed(asked & offered),
            missing=listed(asked & ~offered),
        )
    if quality == scoring.QUALITY_UNSAID:
        return tr(
            "qualité : le besoin demande {missing}, que l'offre ne précise pas",
            missing=listed(asked),
        )
    return None
