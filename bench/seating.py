"""The table plan of a maillage event against random seatings of the same people.

An event of ``groups × size`` participants whose synergies are planted: two members of the same
planted group share a synergy with probability ``p_in``, two members of different groups with
probability ``p_out`` (seeded ``random.Random``); each synergy has a score drawn uniformly in
0.3–0.95, and 20 % have it withheld (worth the neutral 0.5). The plan
(:func:`mapservice.matching.seating.plan_tables`, seed 0, balanced) is compared with the mean
objective of ``--random`` random seatings of the same people (:func:`random_seating`, seeds
0…) and with the planted groups seated one a table. Cases: 30 participants at 5 tables of 6 and
120 at 15 tables of 8, each with dense groups (0.8 / 0.03) and with noisy ones (0.4 / 0.15), where
the planted seating is no longer the best.

With ``--demo`` (the default), the same on the demo membership: the demo database is built in a
temporary folder (``bench.pages.build_database``) and matched as ``mapservice match`` does
(``matching.jobs.match_all``, geodesic distances, about 15 s in all); 30 and 120 members drawn
at random (seeded) are the participants, and their synergies as stored (score, distance, tonnes,
reasons) make the pair values. There is no planted seating there.

Run ``python -m bench.seating`` (``--json PATH`` writes the figures). See ``bench/README.md``.
The times printed are wall time on this machine, for information: no target is timed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mapservice.matching.meetings import (
    PairKey,
    PairSynergy,
    PairValue,
    Participant,
    pair_values,
    propose_meetings,
)
from mapservice.matching.seating import objective, plan_tables, random_seating

#: (participants as groups × size, tables, seats, p_in, p_out)
CASES = (
    (5, 6, 5, 6, 0.8, 0.03),
    (5, 6, 5, 6, 0.4, 0.15),
    (15, 8, 15, 8, 0.8, 0.03),
    (15, 8, 15, 8, 0.4, 0.15),
)
#: Demo cases: (participants, tables, seats).
DEMO_CASES = ((30, 5, 6), (120, 15, 8))
#: Share of the synergies whose score is withheld.
WITHHELD = 0.2


@dataclass(frozen=True)
class PlantedEvent:
    """Participants, their synergies and the planted groups (member ids)."""

    participants: tuple[Participant, ...]
    synergies: tuple[PairSynergy, ...]
    groups: tuple[tuple[int, ...], ...]

    def values(self) -> dict[PairKey, PairValue]:
        return pair_values(self.participants, self.synergies)


def planted_event(
    groups: int, size: int, seed: int, p_in: float = 0.8, p_out: float = 0.03
) -> PlantedEvent:
    """Return an event of ``groups × size`` members (ids from 1) with planted groups."""
    rng = random.Random(seed)
    ids = list(range(1, groups * size + 1))
    found: list[PairSynergy] = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            same = (a - 1) // size == (b - 1) // size
            if rng.random() < (p_in if same else p_out):
                score = rng.uniform(0.3, 0.95)
                offer, need = (a, b) if rng.random() < 0.5 else (b, a)
                found.append(
                    PairSynergy(
                        synergy_id=len(found) + 1,
                        offer_member_id=offer,
                        need_member_id=need,
                        score=None if rng.random() < WITHHELD else score,
                        distance_m=rng.uniform(500, 80_000),
                        tonnes_per_year=rng.choice([None, rng.uniform(1, 500)]),
                    )
                )
    return PlantedEvent(
        participants=tuple(Participant(m, f"Entreprise {m}") for m in ids),
        synergies=tuple(found),
        groups=tuple(tuple(ids[g * size : (g + 1) * size]) for g in range(groups)),
    )


def run_case(
    groups: int,
    size: int,
    tables: int,
    seats: int,
    p_in: float,
    p_out: float,
    *,
    seed: int,
    randoms: int,
) -> dict[str, float | int | str]:
    """Plan one planted event and return its figures."""
    event = planted_event(groups, size, seed, p_in, p_out)
    return measure(
        f"{groups * size} people, {tables} × {seats}, p_in {p_in}, p_out {p_out}",
        event,
        tables,
        seats,
        randoms,
    )


def measure(
    name: str, event: PlantedEvent, tables: int, seats: int, randoms: int
) -> dict[str, float | int | str]:
    """Plan ``event`` and return its figures (with the planted seating's, when it has one)."""
    values = event.values()
    started = time.perf_counter()
    plan = plan_tables(event.participants, values, tables, seats, seed=0)
    plan_s = time.perf_counter() - started
    started = time.perf_counter()
    meetings = propose_meetings(event.participants, values)
    meetings_s = time.perf_counter() - started
    random_totals = [
        objective(random_seating(event.participants, tables, seats, seed=k), values)
        for k in range(randoms)
    ]
    random_mean = statistics.fmean(random_totals)
    planted = objective(event.groups, values) if event.groups else float("nan")
    return {
        "case": name,
        "people": len(event.participants),
        "tables": tables,
        "seats": seats,
        "synergies": sum(len(v.synergies) for v in values.values()),
        "pairs": len(values),
        "plan": plan.total,
        "random_mean": random_mean,
        "random_best": max(random_totals),
        "ratio": plan.total / random_mean if random_mean else float("inf"),
        "planted": planted,
        "planted_share": plan.total / planted if planted else float("nan"),
        "plan_s": plan_s,
        "meetings": len(meetings),
        "groups_proposed": sum(m.is_group for m in meetings),
        "meetings_s": meetings_s,
    }


def demo_events(seed: int) -> list[tuple[str, PlantedEvent, int, int]]:
    """The demo membership, matched, and its :data:`DEMO_CASES` (no planted groups)."""
    from bench.pages import build_database
    from mapservice.config import finish_settings, load_settings
    from mapservice.matching import jobs as synergy_jobs
    from mapservice.services import Services

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        built = build_database(Path(folder), root / "data", "demo", seed)
        settings = load_settings({})
        settings.update(
            DATABASE_URL=built["database_url"],
            INSTANCE_PATH=str(Path(folder) / "instance"),
            SECRET_KEY="bench",
            DATA_DIR=str(root / "data"),
        )
        svc = Services(finish_settings(settings))
        try:
            synergy_jobs.match_all(svc, backend="geodesic", save=True)
            members = {m.id: m.name for m in svc.repo.members() if m.id is not None}
            owner = {s.id: s.member_id for s in svc.repo.sites()}
            flow_owner = {f.id: owner[f.site_id] for f in svc.repo.flows()}
            synergies = tuple(
                PairSynergy(
                    synergy_id=s.id or 0,
                    offer_member_id=flow_owner[s.output_flow_id],
                    need_member_id=flow_owner[s.input_flow_id],
                    score=s.score,
                    distance_m=s.road_m if s.road_m is not None else s.geodesic_m,
                    tonnes_per_year=s.tonnes_per_year,
                    reasons=s.reasons,
                )
                for s in svc.repo.synergies()
            )
        finally:
            svc.close()
    rng = random.Random(seed)
    cases = []
    for people, tables, seats in DEMO_CASES:
        chosen = sorted(rng.sample(sorted(members), people))
        event = PlantedEvent(
            participants=tuple(Participant(m, members[m]) for m in chosen),
            synergies=synergies,
            groups=(),
        )
        cases.append((f"demo: {people} members, {tables} × {seats}", event, tables, seats))
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seating", description=__doc__)
    parser.add_argument("--seed", type=int, default=2026, help="seed of the synergies")
    parser.add_argument("--random", type=int, default=100, help="random seatings compared")
    parser.add_argument("--json", help="also write every figure as JSON to this file")
    parser.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also plan events of the demo membership (builds and matches it: about 15 s)",
    )
    args = parser.parse_args(argv)
    rows = [
        run_case(*case, seed=args.seed + k, randoms=args.random) for k, case in enumerate(CASES)
    ]
    if args.demo:
        print("building and matching the demo membership…", file=sys.stderr)
        rows += [measure(*case, randoms=args.random) for case in demo_events(args.seed)]
    print(
        f"{'case':<44} {'pairs':>5} {'plan':>7} {'random':>7} {'ratio':>6} "
        f"{'planted':>7} {'plan/planted':>12} {'plan s':>6}"
    )
    for r in rows:
        planted = (
            f"{r['planted']:>7.1f} {r['planted_share']:>11.1%}"
            if r["planted"] == r["planted"]  # NaN: no planted groups
            else f"{'—':>7} {'—':>12}"
        )
        print(
            f"{r['case']:<44} {r['pairs']:>5} {r['plan']:>7.1f} {r['random_mean']:>7.1f} "
            f"{r['ratio']:>5.2f}× {planted} {r['plan_s']:>6.2f}"
        )
    print(
        f"random = mean objective of {args.random} random seatings of the same people "
        "(balanced as the plan); ratio = plan ÷ random; planted = the planted groups one a table"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"seed": args.seed, "random": args.random, "cases": rows}, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
