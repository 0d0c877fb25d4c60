"""The registry's read use cases, over a real database: what the member and site pages show,
the member list, and the label of a record that may be gone."""

from __future__ import annotations

import pytest

from mapservice.errors import NotFound
from mapservice.registry import jobs as registry_jobs
from mapservice.registry import queries


@pytest.fixture
def registry(services):
    """One member with two sites; the first has an offer and a need, the second nothing."""
    muni = next(iter(services.gazetteer.municipalities))
    member = registry_jobs.save_member(services, {"name": "Scierie du Lac (essai)"}, actor="test")
    first = registry_jobs.save_site(
        services, {"name": "Usine", "municipality_id": muni}, member_id=member, actor="test"
    )
    second = registry_jobs.save_site(
        services, {"name": "Cour", "municipality_id": muni}, member_id=member, actor="test"
    )
    flows = [
        registry_jobs.save_flow(
            services,
            {"direction": d, "category_code": "bois.sciure", "description": f"Sciure ({d})"},
            site_id=first,
            actor="test",
        )[0]
        for d in ("output", "input")
    ]
    return member, first, second, flows


def test_a_member_page_counts_the_flows_of_each_site(services, registry):
    member, first, second, _flows = registry
    view = queries.member_view(services, member)
    assert view.member is not None and view.member.name == "Scierie du Lac (essai)"
    assert {s.id for s in view.sites} == {first, second}
    assert view.flow_counts == {first: 2}
    assert queries.member_view(services, None) == queries.MemberView(None)


def test_a_site_page_shows_its_flows_and_the_deleted_ones(services, registry):
    member, first, second, flows = registry
    registry_jobs.delete_flow(services, flows[0], actor="test")
    view = queries.site_view(services, site=queries.get_site(services, first))
    assert view.member.id == member
    assert [f.id for f in view.flows] == [flows[1]]
    assert [int(e.record_id) for e in view.deleted_flows] == [flows[0]]
    empty = queries.site_view(services, site=queries.get_site(services, second))
    assert (empty.flows, empty.deleted_flows) == ([], [])
    assert queries.site_view(services, member_id=member).member.id == member


def test_the_member_list_searches_and_counts(services, registry):
    member = registry[0]
    rows = queries.list_members(services, "SCIERIE du lac")
    assert [(m.id, n_sites, n_flows) for m, n_sites, n_flows in rows] == [(member, 2, 2)]
    assert queries.list_members(services, "introuvable") == []
    assert queries.count_members(services) == 1


def test_a_record_label_and_its_history_outlive_it(services, registry):
    _member, first, _second, flows = registry
    assert queries.record_label(services, "sites", first) == "Usine"
    assert queries.record_label(services, "flows", flows[0]) == "Sciure (output)"
    registry_jobs.delete_flow(services, flows[0], actor="test")
    assert queries.record_label(services, "flows", flows[0]) is None
    assert [e.action for e in queries.history(services, "flows", flows[0])] == ["create", "delete"]


@pytest.mark.parametrize("read", [queries.get_member, queries.get_site, queries.get_flow])
def test_an_unknown_record_is_not_found(services, read):
    with pytest.raises(NotFound):
        read(services, 999_999)
