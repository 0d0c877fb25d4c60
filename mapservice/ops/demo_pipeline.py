"""The demo's synergies: the matched candidates and two years of fictional pipeline history.

``mapservice init --demo`` runs the whole-registry matching (as ``mapservice match`` does, on
the configured distance backend) and then plays a deterministic history over the last two
years: staff contact the best pairs, some go in progress, some are realised (they feed the
impact report), some are rejected. The moves go through the pipeline's own write path
(:meth:`~mapservice.storage.synergy_store.SynergyStore.move_synergy`), dated in the past;
authors and notes say they are fictional, « (démo) », like the demo companies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from mapservice.domain.model import Synergy, SynergyStatus

if TYPE_CHECKING:
    from mapservice.services import Services

SEED = 15
#: How far back the history goes.
SPAN_DAYS = 730
#: How many followed synergies end in each status (the programme realised about 60).
TARGETS = {
    SynergyStatus.REALISED: 60,
    SynergyStatus.IN_PROGRESS: 25,
    SynergyStatus.CONTACTED: 35,
    SynergyStatus.REJECTED: 40,
}
#: Fictional staff of the association.
AUTHORS = (
    "Julie Tremblay (démo)",
    "Marc-André Gagnon (démo)",
    "Sophie Bouchard (démo)",
    "Karine Simard (démo)",
)
NOTES = {
    SynergyStatus.CONTACTED: (
        "Premier appel au responsable environnement ; intéressé, attend les volumes exacts.",
        "Courriel envoyé aux deux entreprises après l'activité de maillage.",
        "Rencontre au parc industriel ; les deux parties veulent une visite de site.",
        "Échantillon demandé pour valider la qualité.",
    ),
    SynergyStatus.IN_PROGRESS: (
        "Essai sur un premier chargement prévu le mois prochain.",
        "Entente de principe ; reste à régler le transport.",
        "Analyse de laboratoire en cours sur la matière.",
        "Soumission du transporteur reçue ; négociation du prix.",
    ),
    SynergyStatus.REALISED: (
        "Contrat signé pour un an ; premières livraisons faites.",
        "Livraisons régulières depuis l'essai concluant.",
        "Entente renouvelable ; les deux entreprises sont satisfaites.",
    ),
    SynergyStatus.REJECTED: (
        "Volumes trop faibles pour justifier le transport.",
        "Qualité de la matière non conforme au procédé.",
        "L'entreprise a déjà un fournisseur sous contrat.",
        "Pas de suite après deux relances.",
    ),
}


@dataclass(frozen=True)
class DemoHistory:
    """What :func:`bring_to_life` wrote: candidates stored and synergies moved, by status."""

    candidates: int
    moved: dict[str, int]
    events: int


def bring_to_life(svc: Services, *, seed: int = SEED, today: datetime | None = None) -> DemoHistory:
    """Match the whole registry and play a seeded pipeline history over the last two years.

    Parameters
    ----------
    svc
        The services over a database that holds the demo membership.
    seed
        The seed of the history: the same seed and day give the same history.
    today
        The end of the history (default: now, UTC).

    A database that already has a history (``init --demo`` run again) keeps it.
    """
    from mapservice.matching import jobs as synergy_jobs

    now = (today or datetime.now(UTC)).replace(microsecond=0)
    found = synergy_jobs.match_all(svc)
    if svc.repo.synergy_events():
        # a database initialised again keeps the history it has instead of adding a second one
        return DemoHistory(candidates=len(found), moved={}, events=0)
    stored = svc.repo.synergies(status=SynergyStatus.CANDIDATE)
    plan = _plan(stored, random.Random(seed))
    rng = random.Random(seed + 1)
    moved: dict[str, int] = {}
    events = 0
    for synergy, final in plan:
        steps = _steps(final, rng)
        for to_status, at in zip(steps, _dates(len(steps), now, rng), strict=True):
            svc.repo.move_synergy(
                synergy.id or 0,
                to_status,
                author=rng.choice(AUTHORS),
                note=rng.choice(NOTES[to_status]) + " (démo)",
                at=at,
            )
            events += 1
        moved[final.value] = moved.get(final.value, 0) + 1
    return DemoHistory(candidates=len(found), moved=moved, events=events)


def _plan(stored: list[Synergy], rng: random.Random) -> list[tuple[Synergy, SynergyStatus]]:
    """Which candidates staff followed, and where each ended: the best pair of an offer,
    among the better-scored ones, at most one per offer and per need (then, if those run out
    before every target is met, the next ones by score)."""
    ranked = sorted(stored, key=lambda s: (-(s.score or 0.0), s.id or 0))
    cut = max(len(ranked) // 4, sum(TARGETS.values()))
    pool = ranked[:cut]
    rng.shuffle(pool)
    pool += ranked[cut:]
    finals = [status for status, n in TARGETS.items() for _ in range(n)]
    rng.shuffle(finals)
    used_out: set[int] = set()
    used_in: set[int] = set()
    plan: list[tuple[Synergy, SynergyStatus]] = []
    for synergy in pool:
        if len(plan) == len(finals):
            break
        if synergy.output_flow_id in used_out or synergy.input_flow_id in used_in:
            continue
        used_out.add(synergy.output_flow_id)
        used_in.add(synergy.input_flow_id)
        plan.append((synergy, finals[len(plan)]))
    return plan


def _steps(final: SynergyStatus, rng: random.Random) -> list[SynergyStatus]:
    """The moves from ``candidate`` to ``final`` (a rejection comes at any stage)."""
    path = [SynergyStatus.CONTACTED, SynergyStatus.IN_PROGRESS]
    if final is SynergyStatus.CONTACTED:
        return path[:1]
    if final is SynergyStatus.IN_PROGRESS:
        return path
    if final is SynergyStatus.REALISED:
        return [*path, SynergyStatus.REALISED]
    return [*path[: rng.randint(0, 2)], SynergyStatus.REJECTED]


def _dates(n: int, now: datetime, rng: random.Random) -> list[datetime]:
    """``n`` increasing moments in the last two years, a few weeks apart, business hours."""
    start = now - timedelta(days=SPAN_DAYS - 1)
    gaps_days = [rng.randint(10, 75) for _ in range(n - 1)]
    latest_start_days = max(SPAN_DAYS - 2 - sum(gaps_days), 0)
    day = start + timedelta(days=rng.randint(0, latest_start_days))
    out = []
    for i in range(n):
        if i:
            day += timedelta(days=gaps_days[i - 1])
        moment = day.replace(hour=rng.randint(8, 16), minute=rng.choice((0, 15, 30, 45)), second=0)
        out.append(min(moment, now - timedelta(hours=1)))
    return out
