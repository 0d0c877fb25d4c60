"""One-row writes of the registry behave the same on SQLite and PostGIS (each test runs on both)."""

from __future__ import annotations

import pytest

from mapservice.domain.model import (
    Direction,
    ImportPlan,
    Location,
    PlannedFlow,
    PlannedMember,
    PlannedSite,
    Precision,
    SynergyKind,
    Unit,
)
from mapservice.errors import InvalidInput, NotFound

MEMBER = {
    "name": "Scierie Lavoie (test)",
    "naics_code": "321113",
    "contact_name": "Julie",
    "contact_email": "julie@lavoie.example",
    "contact_phone": "418 555-0101",
    "public_consent": True,
}


def _site(member_id: int, name: str = "Usine principale", **extra) -> dict:
    return {
        "member_id": member_id,
        "name": name,
        "address": "100 rue des Pins",
        "municipality_id": "saguenay-chicoutimi",
        "postal_code": "G7H 5B1",
        "lon": -71.07,
        "lat": 48.42,
        "geocode_precision": "postcode",
        "geocode_source": "test",
        **extra,
    }


def _flow(site_id: int, description: str = "Sciure sèche", **extra) -> dict:
    return {
        "site_id": site_id,
        "direction": "output",
        "category_code": "bois.sciure",
        "description": description,
        "quantity": 120.0,
        "unit": "t_per_year",
        "frequency": "weekly",
        "hazardous": False,
        "confidential": False,
        **extra,
    }


def test_add_get_and_update_a_member(services):
    repo = services.repo
    member_id = repo.add_member(MEMBER)
    member = repo.get_member(member_id)
    assert (member.name, member.naics_code, member.contact_email, member.public_consent) == (
        "Scierie Lavoie (test)",
        "321113",
        "julie@lavoie.example",
        True,
    )
    repo.update_member(
        member_id,
        {**MEMBER, "name": "Scierie Lavoie inc.", "public_consent": False, "contact_phone": None},
    )
    member = repo.get_member(member_id)
    assert (member.name, member.public_consent, member.contact_phone) == (
        "Scierie Lavoie inc.",
        False,
        None,
    )
    assert repo.counts()["members"] == 1


@pytest.mark.parametrize("other", ["scierie lavoie (TEST)", "Scierie  Lavoié (test)"])
def test_a_member_name_is_unique_accents_and_case_aside(services, other):
    repo = services.repo
    first = repo.add_member(MEMBER)
    with pytest.raises(InvalidInput) as info:
        repo.add_member({**MEMBER, "name": other})
    assert info.value.field == "name" and info.value.status == 422
    second = repo.add_member({**MEMBER, "name": "Autre entreprise"})
    with pytest.raises(InvalidInput):
        repo.update_member(second, {"name": other})
    repo.update_member(first, {"name": other})  # renaming oneself is fine
    assert repo.counts()["members"] == 2
    assert repo.get_member(second).name == "Autre entreprise"


def test_unknown_ids_are_not_found(services):
    repo = services.repo
    for call in (
        lambda: repo.get_member(999),
        lambda: repo.update_member(999, {"name": "x"}),
        lambda: repo.add_site(_site(999)),
        lambda: repo.update_site(999, {"name": "x"}),
        lambda: repo.get_flow(999),
        lambda: repo.add_flow(_flow(999)),
        lambda: repo.update_flow(999, {"description": "x"}),
        lambda: repo.delete_flow(999),
    ):
        with pytest.raises(NotFound):
            call()
    assert repo.counts()["members"] == repo.counts()["sites"] == repo.counts()["flows"] == 0


def test_unknown_columns_are_a_programming_error(services):
    with pytest.raises(ValueError, match="name_key"):
        services.repo.add_member({**MEMBER, "name_key": "x"})


def test_sites_of_a_member_and_their_unique_names(services):
    repo = services.repo
    member_id = repo.add_member(MEMBER)
    other_id = repo.add_member({**MEMBER, "name": "Autre"})
    site_id = repo.add_site(_site(member_id))
    repo.add_site(_site(member_id, "Entrepôt"))
    repo.add_site(_site(other_id))  # another member may use the same site name
    with pytest.raises(InvalidInput) as info:
        repo.add_site(_site(member_id, "USINE principale"))
    assert info.value.field == "name"
    assert [s.name for s in repo.member_sites(member_id)] == ["Entrepôt", "Usine principale"]
    site = repo.get_site(site_id)
    assert (site.member_name, site.lon, site.lat, site.geocode_precision) == (
        "Scierie Lavoie (test)",
        -71.07,
        48.42,
        Precision.POSTCODE,
    )
    repo.update_site(site_id, {"name": "Usine nord", "address": None, "lon": None, "lat": None})
    site = repo.get_site(site_id)
    assert (site.name, site.address, site.lon, site.postal_code) == (
        "Usine nord",
        None,
        None,
        "G7H 5B1",
    )
    with pytest.raises(InvalidInput):
        repo.update_site(site_id, {"name": "entrepot"})
    assert repo.counts()["sites"] == 3


def test_flows_are_added_changed_and_deleted_with_their_synergies(services):
    repo = services.repo
    member_id = repo.add_member(MEMBER)
    site_id = repo.add_site(_site(member_id))
    other_site = repo.add_site(_site(member_id, "Chaufferie"))
    out_id = repo.add_flow(_flow(site_id))
    in_id = repo.add_flow(
        _flow(
            other_site,
            "Sciure pour la chaudière",
            direction="input",
            quantity=None,
            unit=None,
            frequency=None,
        )
    )
    flow = repo.get_flow(out_id)
    assert (flow.direction, flow.quantity, flow.unit, flow.description) == (
        Direction.OUTPUT,
        120.0,
        Unit.T_PER_YEAR,
        "Sciure sèche",
    )
    with pytest.raises(InvalidInput) as info:
        repo.add_flow(_flow(site_id, "SCIURE seche"))
    assert info.value.field == "description"
    repo.update_flow(out_id, {"quantity": 2.5, "confidential": True, "description": "Sciure"})
    flow = repo.get_flow(out_id)
    assert (flow.quantity, flow.confidential, flow.description) == (2.5, True, "Sciure")
    repo.save_candidates(
        [
            {
                "output_flow_id": out_id,
                "input_flow_id": in_id,
                "kind": SynergyKind.SUBSTITUTION.value,
                "score": 0.9,
                "reasons_json": "[]",
            }
        ]
    )
    assert len(repo.synergies()) == 1
    repo.delete_flow(out_id)
    with pytest.raises(NotFound):
        repo.get_flow(out_id)
    assert repo.synergies() == []
    assert [f.id for f in repo.flows()] == [in_id]


def test_every_write_moves_the_registry_stamp(services):
    repo = services.repo
    member_id = repo.add_member(MEMBER)
    stamps = [repo.change_stamp()]
    site_id = repo.add_site(_site(member_id))
    stamps.append(repo.change_stamp())
    repo.update_site(site_id, {"postal_code": "G7H 5B2"})
    stamps.append(repo.change_stamp())
    repo.update_member(member_id, {"public_consent": False})  # maps show name and consent
    stamps.append(repo.change_stamp())
    flow_id = repo.add_flow(_flow(site_id))
    stamps.append(repo.change_stamp())
    repo.update_flow(flow_id, {"quantity": 3.0})
    stamps.append(repo.change_stamp())
    repo.delete_flow(flow_id)
    stamps.append(repo.change_stamp())
    assert all(a != b for a, b in zip(stamps, stamps[1:], strict=False)), stamps


def test_a_refused_write_leaves_nothing_behind(services):
    repo = services.repo
    member_id = repo.add_member(MEMBER)
    repo.add_site(_site(member_id))
    other = repo.add_member({**MEMBER, "name": "B"})
    before = repo.counts()
    stamp = repo.change_stamp()
    with pytest.raises(InvalidInput):
        repo.add_site(_site(member_id, "usine PRINCIPALE"))
    with pytest.raises(InvalidInput):
        repo.update_member(other, {"name": MEMBER["name"]})
    after = repo.counts()
    assert after["sites"] == before["sites"] and after["members"] == before["members"]
    assert repo.get_member(other).name == "B"
    assert repo.change_stamp() == stamp


def test_member_counts(services):
    repo = services.repo
    a = repo.add_member(MEMBER)
    b = repo.add_member({**MEMBER, "name": "Sans site"})
    s1, s2 = repo.add_site(_site(a)), repo.add_site(_site(a, "Deux"))
    repo.add_flow(_flow(s1))
    repo.add_flow(_flow(s1, "Autre sciure"))
    repo.add_flow(_flow(s2))
    assert repo.member_counts() == {a: (2, 3), b: (0, 0)}


def test_rows_written_by_forms_are_the_ones_an_import_updates(services):
    """Forms and spreadsheets share the natural keys: a re-import never duplicates."""
    repo = services.repo
    member_id = repo.add_member(MEMBER)
    site_id = repo.add_site(_site(member_id))
    repo.add_flow(_flow(site_id))
    plan = ImportPlan(
        members=(
            PlannedMember(
                name="SCIERIE LAVOIE (TEST)",
                naics_code="321113",
                sites=(
                    PlannedSite(
                        name="usine principale",
                        address="100 rue des Pins",
                        municipality_id="saguenay-chicoutimi",
                        postal_code="G7H 5B1",
                        location=Location(-71.07, 48.42, Precision.POSTCODE, "test"),
                        park_id=None,
                        flows=(
                            PlannedFlow(
                                Direction.OUTPUT,
                                "bois.sciure",
                                "sciure seche",
                                130.0,
                                Unit.T_PER_YEAR,
                                None,
                                False,
                                False,
                            ),
                        ),
                    ),
                ),
            ),
        )
    )
    result = repo.apply_import(plan)
    assert result.inserted == {"members": 0, "sites": 0, "flows": 0}
    assert result.updated["flows"] == 1
    assert repo.counts()["flows"] == 1
