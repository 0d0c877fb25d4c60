"""One writer of the concurrency tests, run as a thread or as a process of its own.

It writes through the repository's own methods and reads in between, and reports every write
the database acknowledged, for ``tests/test_concurrency.py`` to check afterwards.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from mapservice.domain.model import SynergyStatus
from mapservice.errors import InvalidInput
from mapservice.storage import open_repository

ROUNDS = 10
#: The next step of each synergy a worker owns: a loop through the pipeline and back.
CYCLE = {"candidate": "contacted", "contacted": "rejected", "rejected": "candidate"}
#: The synergy every worker moves at once: back and forth.
TOGGLE = {"candidate": "rejected", "rejected": "candidate"}


def work(
    url: str, tag: str, site_id: int, own_synergy: int, shared_synergy: int, go: str
) -> dict[str, Any]:
    """Write and read for :data:`ROUNDS` rounds; return every write the database acknowledged."""
    repo = open_repository(url)
    done: dict[str, Any] = {"members": {}, "flows": {}, "own_moves": 0, "shared_moves": 0}
    Path(f"{go}.{tag}").touch()  # ready: imported and connected
    deadline = time.monotonic() + 60
    while not os.path.exists(go):  # start together, to collide as much as possible
        if time.monotonic() > deadline:
            raise TimeoutError("no start signal")
        time.sleep(0.005)
    try:
        for i in range(ROUNDS):
            name = f"Métal {tag}-{i} ltée"
            done["members"][repo.add_member({"name": name, "naics_code": "331313"})] = name
            description = f"Retailles d'aluminium {tag} n° {i} — « éàç »"
            flow_id = repo.add_flow(
                {
                    "site_id": site_id,
                    "direction": "output",
                    "category_code": "metaux.aluminium",
                    "description": description,
                    "quantity": float(i),
                    "unit": "t_per_year",
                    "hazardous": False,
                    "confidential": i % 2 == 0,
                }
            )
            if i % 3 == 0:
                repo.update_flow(flow_id, {"quantity": i + 0.5})
            done["flows"][flow_id] = [description, i + 0.5 if i % 3 == 0 else float(i)]
            mine = repo.get_synergy(own_synergy).status.value
            repo.move_synergy(own_synergy, SynergyStatus(CYCLE[mine]), author=tag)
            done["own_moves"] += 1
            shared = repo.get_synergy(shared_synergy).status.value
            try:
                repo.move_synergy(shared_synergy, SynergyStatus(TOGGLE[shared]), author=tag)
                done["shared_moves"] += 1
            except InvalidInput:
                pass  # someone moved it between our read and our move: a refusal, not a loss
            # Reads in between, each of which must see this worker's own writes.
            seen = {f.id for f in repo.flows(site_ids=[site_id])}
            if not set(done["flows"]) <= seen:
                raise AssertionError(f"{tag}: acknowledged flows missing from a later read")
            repo.member_counts()
            repo.change_stamp()
    finally:
        repo.close()
    return done
