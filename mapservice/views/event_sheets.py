"""A sheet for every company at a maillage event: one printed page each, as plain data.

:func:`event_sheets` takes plain values (the event's title, day and place, the participants,
the table plan's ``table_of`` when there is one, the reader's scope and language) and gives one
:class:`Sheet` per participant, in the order given; ``event_sheets.html`` prints each on its own
page. A sheet holds the company, its sites (or that their position is unknown), its offers and
needs, its best partners *among the participants* and where they sit, and a QR code to its page.

**Confidentiality.** Everything goes through :mod:`mapservice.domain.disclosure` first, as on
every page (``shown_registry``, then ``shown_synergy`` for each synergy): a confidential
quantity, and every figure that scales with it (tonnes, CO2e, savings, score), leaves only to
staff; a company the reader may not see is its sector, without name, address, description,
link or QR code. Two rules are the sheet's own, as it puts a company and its table together:

- a company named to the reader lists only its named sites (and their flows and synergies): a
  site hidden to the reader (a park manager sees names in their own parks only) listed under
  its company's name would give the hidden site's company away;
- a table number shows only next to a name: « Fabrication, table 3 » beside « Scierie X,
  table 3 » would say who the unnamed company is.

**Partners.** The stored synergies between the company and the other participants (rejected
ones left out: no reason to meet), by partner, best first by the value
:mod:`mapservice.matching.meetings` gives a pair (the sum of the scores, a withheld score
counting as neutral): the value the table plan maximises. Each shows its best synergies with
the score (0 to 100), the distance by road (or as the crow flies, as stored), the tonnes, the
net CO2e and savings, and the reasons (core messages, said in the page's language).

At most :data:`MAX_PARTNERS` partners of :data:`MAX_LINKS` synergies, :data:`MAX_FLOWS` offers
and as many needs, :data:`MAX_SITES` sites: a sheet fits one page, and says how many more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from mapservice.domain.access import Scope
from mapservice.domain.disclosure import is_exact, shown_place, shown_registry, shown_synergy
from mapservice.domain.model import Direction, Flow, Member, Site, Synergy, SynergyStatus
from mapservice.domain.reasons import score_100
from mapservice.domain.sectors import sector_group
from mapservice.errors import InvalidInput, tr
from mapservice.matching.meetings import PairSynergy, Participant, check_participants
from mapservice.views.qr_code import qr_svg
from mapservice.views.sheet_fit import fitting_partners
from mapservice.views.sheet_parts import Link, Partner, Sheet, SheetEvent, SheetFlow, SheetSite

if TYPE_CHECKING:
    from mapservice.services import Services

#: What one sheet lists at most (fewer partners when the page is full: :mod:`.sheet_fit`).
MAX_PARTNERS = 6
MAX_LINKS = 1
MAX_FLOWS = 6
MAX_SITES = 2
#: Where the flows' ids are read by id; past it, every synergy is read and filtered here.
MAX_FLOW_IDS = 500
#: Where the member id goes in a page address (``page_url``).
ID_SLOT = "{id}"


def event_sheets(
    svc: Services,
    *,
    title: str,
    day: date | None,
    place: str,
    member_ids: Sequence[int],
    table_of: Mapping[int, int] | None,
    scope: Scope,
    lang: str,
    page_url: str | None = None,
) -> list[Sheet]:
    """Return the sheet of every participant, in the order of ``member_ids``.

    Parameters
    ----------
    svc
        The services (the registry and its synergies are read once).
    title, day, place
        The event, as every sheet names it.
    member_ids
        The participants.
    table_of
        Member id → table number (1 first), from the table plan; None without a plan.
    scope
        What the reader may see (:func:`mapservice.domain.access.scope_for`).
    lang
        ``fr`` or ``en``: the categories' and sectors' labels.
    page_url
        The absolute address of a company's page with ``{id}`` where its member id goes; a
        named company's sheet carries it as a QR code. None: no QR code.

    Raises
    ------
    InvalidInput
        No participant, one listed twice, or one that is not (or no longer) a member.
    """
    members = _participants(svc, member_ids)
    present = set(members)
    raw_sites = [s for s in svc.repo.sites() if s.member_id in present]
    site_ids = [s.id for s in raw_sites if s.id is not None]
    raw_flows = svc.repo.flows(site_ids=site_ids) if site_ids else []
    exact_ids = {s.id for s in raw_sites if is_exact(s, scope)}
    parks, munis = svc.park_ids(), svc.gazetteer.municipalities
    sites, flows = shown_registry(raw_sites, raw_flows, parks, munis, scope)
    ctx = _Context(svc, sites, flows, exact_ids, dict(table_of or {}), scope, lang)
    links = ctx.links()
    event = SheetEvent(title=title.strip(), day=day, place=place.strip())
    return [ctx.sheet(members[i], event, links, page_url) for i in members]


def _participants(svc: Services, member_ids: Sequence[int]) -> dict[int, Member]:
    """The participants' members by id, in the order given (refused as :func:`event_sheets`)."""
    known = {m.id: m for m in svc.repo.members() if m.id is not None}
    missing = [i for i in member_ids if i not in known]
    if missing:
        raise InvalidInput(
            tr(
                "Participant inconnu : aucun membre n° {ids} (supprimé depuis ?). "
                "Retirez-le de la liste des participants.",
                ids=", ".join(str(i) for i in missing[:10]),
            ),
            field="participants",
        )
    check_participants([Participant(i, known[i].name) for i in member_ids])
    return {i: known[i] for i in member_ids}


@dataclass(frozen=True)
class _Shown:
    """A synergy as the reader may see it, its flows, and whether a figure was withheld."""

    synergy: Synergy
    offer: Flow
    need: Flow
    withheld: bool


class _Context:
    """The disclosed registry of the participants, read once for every sheet."""

    def __init__(
        self,
        svc: Services,
        sites: list[Site],
        flows: list[Flow],
        exact_ids: set[int | None],
        table_of: dict[int, int],
        scope: Scope,
        lang: str,
    ) -> None:
        self.svc = svc
        self.scope = scope
        self.sites = {s.id: s for s in sites}
        self.flows = {f.id: f for f in flows if f.id is not None}
        self.exact_ids = exact_ids
        self.table_of = table_of
        self.lang = lang
        self.parks = svc.park_ids()
        self.munis = svc.gazetteer.municipalities

    def links(self) -> list[_Shown]:
        """The synergies between participants' flows (rejected ones left out), disclosed."""
        ids = list(self.flows)
        stored = self.svc.repo.synergies(flow_ids=ids if len(ids) < MAX_FLOW_IDS else None)
        out = []
        for syn in stored:
            offer, need = self.flows.get(syn.output_flow_id), self.flows.get(syn.input_flow_id)
            if offer is None or need is None or syn.status is SynergyStatus.REJECTED:
                continue
            a, b = self.sites[offer.site_id], self.sites[need.site_id]
            if a.member_id == b.member_id:
                continue
            shown = shown_synergy(syn, offer, need, a, b, self.scope)
            out.append(_Shown(shown, offer, need, withheld=shown != syn))
        return out

    def sheet(
        self, member: Member, event: SheetEvent, links: list[_Shown], page_url: str | None
    ) -> Sheet:
        mid = member.id or 0
        own = [s for s in self.sites.values() if s.member_id == mid]
        named = [s for s in own if s.id in self.exact_ids]
        shown = sorted(named or own, key=lambda s: s.id or 0)
        name = _member_name(member, own, named, self.scope)
        here = {s.id for s in shown}
        flows = [f for f in self.flows.values() if f.site_id in here]
        offers = [self.flow(f) for f in flows if f.direction is Direction.OUTPUT]
        needs = [self.flow(f) for f in flows if f.direction is Direction.INPUT]
        partners = self.partners(here, links)
        url = page_url.replace(ID_SLOT, str(mid)) if page_url and name is not None else None
        naics = shown[0].naics_code if shown else (member.naics_code or "")[:2]
        sites = [self.site(s) for s in shown[:MAX_SITES]]
        more = (  # left out: sites, offers, needs
            max(0, len(shown) - MAX_SITES),
            max(0, len(offers) - MAX_FLOWS),
            max(0, len(needs) - MAX_FLOWS),
        )
        fit = fitting_partners(
            sites, offers[:MAX_FLOWS], needs[:MAX_FLOWS], partners, most=MAX_PARTNERS, more=more
        )
        return Sheet(
            member_id=mid,
            name=name,
            sector=sector_group(naics).label(self.lang),
            table=self.table_of.get(mid) if name is not None else None,
            event=event,
            sites=tuple(sites),
            more_sites=more[0],
            offers=tuple(offers[:MAX_FLOWS]),
            more_offers=more[1],
            needs=tuple(needs[:MAX_FLOWS]),
            more_needs=more[2],
            partners=tuple(partners[:fit]),
            more_partners=len(partners) - fit,
            page_url=url,
            qr_svg=qr_svg(url) if url else None,
        )

    def site(self, site: Site) -> SheetSite:
        park = self.parks.get(site.park_id or "")
        place = shown_place(site, self.munis)
        return SheetSite(
            name=site.name,
            address=site.address,
            place=place.name if place else None,
            park=park.name if park else None,
            lon=site.lon,
            lat=site.lat,
            exact=site.id in self.exact_ids,
        )

    def flow(self, flow: Flow) -> SheetFlow:  # disclosed: shown_flow took what is withheld
        return SheetFlow(
            label=self.svc.taxonomy.label(flow.category_code, self.lang),
            description=flow.description,
            quantity=flow.quantity,
            unit=flow.unit.value if flow.unit else None,
            frequency=flow.frequency.value if flow.frequency else None,
            withheld=flow.confidential and flow.quantity is None,
            hazardous=flow.hazardous,
        )

    def partners(self, here: set[int | None], links: list[_Shown]) -> list[Partner]:
        """The other participants sharing a synergy with the sites ``here``, best first."""
        found: dict[tuple[int, str | None], list[tuple[float, Link]]] = defaultdict(list)
        sectors: dict[tuple[int, str | None], str] = {}
        for shown in links:
            we_offer = shown.offer.site_id in here
            if not (we_offer or shown.need.site_id in here):
                continue
            other = self.sites[shown.need.site_id if we_offer else shown.offer.site_id]
            key = (other.member_id, other.member_name)  # a hidden site is apart from named ones
            found[key].append(self.link(shown, we_offer))
            sectors.setdefault(key, sector_group(other.naics_code).label(self.lang))
        partners = []
        for (member_id, name), scored in found.items():
            scored.sort(key=lambda x: (-x[0], x[1].synergy_id))
            partners.append(
                Partner(
                    member_id=member_id,
                    name=name,
                    sector=sectors[(member_id, name)],
                    table=self.table_of.get(member_id) if name is not None else None,
                    value=round(sum(v for v, _ in scored), 6),
                    links=tuple(link for _, link in scored[:MAX_LINKS]),
                    more_links=max(0, len(scored) - MAX_LINKS),
                )
            )
        partners.sort(key=lambda p: (-p.value, p.name is None, p.member_id))
        return partners

    def link(self, shown: _Shown, we_offer: bool) -> tuple[float, Link]:
        """A synergy as a sheet shows it, and its value (:class:`PairSynergy`'s: the one the
        table plan weighs pairs by)."""
        syn, offer, need = shown.synergy, shown.offer, shown.need
        own, other = (offer, need) if we_offer else (need, offer)
        value = PairSynergy(
            synergy_id=syn.id or 0,
            offer_member_id=self.sites[offer.site_id].member_id,
            need_member_id=self.sites[need.site_id].member_id,
            score=syn.score,
        ).value
        road = syn.road_m is not None
        return value, Link(
            synergy_id=syn.id or 0,
            kind=syn.kind.value,
            we_offer=we_offer,
            own_label=self.svc.taxonomy.label(own.category_code, self.lang),
            other_label=self.svc.taxonomy.label(other.category_code, self.lang),
            score=score_100(syn.score),
            distance_m=syn.road_m if road else syn.geodesic_m,
            by_road=road,
            tonnes_per_year=syn.tonnes_per_year,
            net_t_co2e=None if syn.net_kg_co2e is None else syn.net_kg_co2e / 1000,
            net_benefit_cad=syn.net_benefit_cad,
            reasons=tuple(syn.reasons),
            withheld=shown.withheld,
        )


def _member_name(member: Member, own: list[Site], named: list[Site], scope: Scope) -> str | None:
    """The company's name as the reader may see it: from a named site, or (without any site)
    as its consent and the reader's scope allow; None otherwise."""
    if named:
        return named[0].member_name or member.name
    if own:
        return None
    return member.name if scope.confidential or member.public_consent else None
