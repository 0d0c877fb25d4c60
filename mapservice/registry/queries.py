"""Registry use cases that read: the members, sites and flows the registry pages show, their
counts, and the audit history of each. The forms' writes are in :mod:`mapservice.registry.jobs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mapservice.domain.audit import AuditEntry
from mapservice.domain.collation import collated
from mapservice.domain.model import Flow, Member, Site
from mapservice.errors import NotFound
from mapservice.materials.search_terms import parse_query

if TYPE_CHECKING:
    from mapservice.services import Services

#: The tables whose records have a history.
HISTORY_TABLES = ("members", "sites", "flows")


@dataclass(frozen=True)
class MemberView:
    """A member's page: the member (None for a new one), its sites and each site's flow count."""

    member: Member | None
    sites: list[Site] = field(default_factory=list)
    flow_counts: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteView:
    """A site's page: its member, its flows and the flows deleted from it (to restore)."""

    member: Member
    flows: list[Flow]
    deleted_flows: list[AuditEntry]


def list_members(services: Services, q: str | None = None) -> list[tuple[Member, int, int]]:
    """Members whose name, SCIAN code or contact answers ``q`` (any case, accents, plurals,
    partial words in any order: :mod:`mapservice.materials.search_terms`), with their site and
    flow counts, by name."""
    counts = services.repo.member_counts()
    search = parse_query(q)
    rows = []
    for member in services.repo.members():
        if not search.matches_text(member.name, member.naics_code, member.contact_name):
            continue
        n_sites, n_flows = counts.get(member.id or 0, (0, 0))
        rows.append((member, n_sites, n_flows))
    return collated(rows, key=lambda row: row[0].name)


def count_members(services: Services) -> int:
    return len(services.repo.members())


def get_member(services: Services, member_id: int) -> Member:
    """The member ``member_id``; :class:`NotFound` when there is none."""
    return services.repo.get_member(member_id)


def get_site(services: Services, site_id: int) -> Site:
    """The site ``site_id``; :class:`NotFound` when there is none."""
    return services.repo.get_site(site_id)


def get_flow(services: Services, flow_id: int) -> Flow:
    """The flow ``flow_id``; :class:`NotFound` when there is none."""
    return services.repo.get_flow(flow_id)


def sites(services: Services, *, park_id: str | None = None) -> list[Site]:
    """Every site (of one park)."""
    return services.repo.sites(park_id=park_id)


def member_view(services: Services, member_id: int | None) -> MemberView:
    """What a member's page shows; an empty view for a new member."""
    if member_id is None:
        return MemberView(None)
    member = services.repo.get_member(member_id)
    member_sites = collated(services.repo.member_sites(member_id), key=lambda s: s.name)
    counts: dict[int, int] = {}
    if member_sites:
        ids = [s.id for s in member_sites if s.id is not None]
        for flow in services.repo.flows(site_ids=ids):
            counts[flow.site_id] = counts.get(flow.site_id, 0) + 1
    return MemberView(member, member_sites, counts)


def site_view(
    services: Services, *, site: Site | None = None, member_id: int | None = None
) -> SiteView:
    """What a site's page shows: ``site``'s, or a new site's of member ``member_id``."""
    member = services.repo.get_member(site.member_id if site else int(member_id or 0))
    if site is None or site.id is None:
        return SiteView(member, [], [])
    flows = services.repo.flows(site_ids=[site.id])
    deleted = [
        e
        for e in services.repo.deleted_records("flows")
        if (e.old_values or {}).get("site_id") == site.id
    ]
    return SiteView(member, flows, deleted)


def record_label(services: Services, table: str, record_id: int) -> str | None:
    """The record's name (a flow's description), or None when it no longer exists."""
    try:
        if table == "members":
            return services.repo.get_member(record_id).name
        if table == "sites":
            return services.repo.get_site(record_id).name
        return services.repo.get_flow(record_id).description
    except NotFound:
        return None


def history(services: Services, table: str, record_id: int) -> list[AuditEntry]:
    """The audit entries of a member, site or flow, oldest first."""
    return services.repo.history(table, record_id)
