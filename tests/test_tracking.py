"""The synergies staff follow, read through their use cases over a real database."""

from __future__ import annotations

from mapservice.domain.model import SynergyStatus
from mapservice.matching import jobs as synergy_jobs
from mapservice.matching import tracking


def test_candidates_saved_are_paged_found_and_their_moves_kept(services):
    services.import_file(services.data_dir / "demo" / "membres.csv")
    found = synergy_jobs.match_all(services, backend="geodesic", save=False, per_offer=1)[:5]
    assert len(found) == 5
    tracking.save_candidates(services, found)
    page = tracking.synergy_page(services, status=None, limit=2, offset=1)
    assert page.total == 5 and len(page.synergies) == 2
    first = tracking.synergy_page(services, status=None, limit=1, offset=0).synergies[0]
    synergy_jobs.move(
        services,
        synergy_id=first.id,
        output_flow_id=None,
        input_flow_id=None,
        status="contacted",
        author="Julie",
        note="Appel",
    )
    assert tracking.get_synergy(services, first.id).status is SynergyStatus.CONTACTED
    assert [e.to_status for e in tracking.history(services, first.id)][
        -1
    ] is SynergyStatus.CONTACTED
    contacted = tracking.synergy_page(services, status=SynergyStatus.CONTACTED, limit=10, offset=0)
    assert [s.id for s in contacted.synergies] == [first.id] and contacted.total == 1
    assert tracking.find_synergy(services, 999_999) is None
