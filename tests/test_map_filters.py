"""Map filters: parsing a query string strictly, and what each filter keeps of the demo registry.

Expected sets are computed here from the raw rows (sites, flows, gazetteer, taxonomy) with the
test's own walk of the reference data, never by calling ``apply_filter`` a second time.
"""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from mapservice.domain.model import Direction, Flow, Site
from mapservice.domain.sectors import BY_CODE, OTHER, SECTOR_GROUPS, sector_group
from mapservice.errors import InvalidInput
from mapservice.services import Services
from mapservice.views.map_filters import (
    MAX_QUERY_CHARS,
    PARAMETERS,
    MapFilter,
    apply_filter,
    parse_filter,
)
from mapservice.views.map_view import filter_choices
from tests.support.settings import make_settings

# --- parse_filter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"park": "henri-girard"}, MapFilter(park="henri-girard")),
        ({"municipality": "alma"}, MapFilter(municipality="alma")),
        ({"municipality": "saguenay-arvida"}, MapFilter(municipality="saguenay-arvida")),
        ({"mrc": "Maria-Chapdelaine"}, MapFilter(mrc="Maria-Chapdelaine")),
        ({"sector": "metaux"}, MapFilter(sector="metaux")),
        ({"sector": "autre"}, MapFilter(sector="autre")),
        ({"category": "bois"}, MapFilter(category="bois")),
        (
            {"category": "metaux.aluminium.retailles"},
            MapFilter(category="metaux.aluminium.retailles"),
        ),
        ({"direction": "offre"}, MapFilter(direction=Direction.OUTPUT)),
        ({"direction": "output"}, MapFilter(direction=Direction.OUTPUT)),
        ({"direction": "besoin"}, MapFilter(direction=Direction.INPUT)),
        ({"direction": "input"}, MapFilter(direction=Direction.INPUT)),
        ({"direction": "OFFRE"}, MapFilter(direction=Direction.OUTPUT)),
        ({"q": "Récupération"}, MapFilter(q="Récupération")),
        ({"q": "  sciure  "}, MapFilter(q="sciure")),
        ({"park": " arvida "}, MapFilter(park="arvida")),
        ({"q": "x" * MAX_QUERY_CHARS}, MapFilter(q="x" * MAX_QUERY_CHARS)),
        ({"lang": "en", "zoom": "12"}, MapFilter()),  # others' parameters are left alone
    ],
)
def test_parse_filter_accepts(choices, args, expected):
    assert parse_filter(args, choices) == expected


def test_parse_filter_empty_values_mean_all(choices):
    args = {name: "" for name in PARAMETERS}
    view = parse_filter(args, choices)
    assert view == MapFilter()
    assert view.is_empty()
    assert parse_filter({name: "   " for name in PARAMETERS}, choices) == MapFilter()
    assert parse_filter({}, choices).is_empty()


@pytest.mark.parametrize(
    ("args", "field", "in_message"),
    [
        ({"park": "parc-imaginaire"}, "park", "parc-imaginaire"),
        ({"municipality": "Alma"}, "municipality", "Alma"),  # ids, not names
        ({"municipality": "chibougamau"}, "municipality", "chibougamau"),
        ({"mrc": "Domaine-du-Roy"}, "mrc", "Le Domaine-du-Roy"),  # lists the real ones
        ({"sector": "aerospatial"}, "sector", "metaux"),
        ({"sector": "33"}, "sector", "33"),
        ({"category": "boiss"}, "category", "boiss"),
        ({"direction": "both"}, "direction", "both"),
        ({"direction": "1"}, "direction", "offre"),
        ({"q": "x" * (MAX_QUERY_CHARS + 1)}, "q", str(MAX_QUERY_CHARS)),
        ({"park": "p" * 500}, "park", "500"),
        ({"q": "?!…--//"}, "q", "lettre"),
        ({"q": "'"}, "q", "lettre"),
        # The first bad parameter is named even when a later one is fine.
        ({"park": "nulle-part", "category": "bois"}, "park", "nulle-part"),
    ],
)
def test_parse_filter_rejects(choices, args, field, in_message):
    with pytest.raises(InvalidInput) as caught:
        parse_filter(args, choices)
    assert caught.value.field == field
    assert caught.value.to_dict()["field"] == field
    assert in_message in caught.value.message


def test_unknown_category_suggests_near_codes(choices):
    with pytest.raises(InvalidInput) as caught:
        parse_filter({"category": "bois.sciures"}, choices)
    suggestions = caught.value.extra["suggestions"]
    assert "bois.sciure" in suggestions
    assert all(choices.taxonomy.get(code) is not None for code in suggestions)


def test_choices_list_the_five_mrcs(choices):
    assert choices.mrcs == {
        "Saguenay",
        "Lac-Saint-Jean-Est",
        "Le Domaine-du-Roy",
        "Maria-Chapdelaine",
        "Le Fjord-du-Saguenay",
    }


@pytest.mark.parametrize(
    "view",
    [
        MapFilter(),
        MapFilter(park="alma-nord"),
        MapFilter(direction=Direction.INPUT, q="palettes de bois"),
        MapFilter(
            park="arvida",
            municipality="saguenay",
            mrc="Saguenay",
            sector="metaux",
            category="metaux.aluminium",
            direction=Direction.OUTPUT,
            q="Récupération",
        ),
    ],
)
def test_query_round_trips(choices, view):
    query = view.query()
    assert all(isinstance(v, str) and v for v in query.values())
    assert list(query) == [p for p in PARAMETERS if p in query]  # stable order
    assert parse_filter(query, choices) == view


def test_query_writes_directions_in_french():
    assert MapFilter(direction=Direction.OUTPUT).query() == {"direction": "offre"}
    assert MapFilter(direction=Direction.INPUT).query() == {"direction": "besoin"}


@pytest.mark.parametrize(
    ("view", "narrows"),
    [
        (MapFilter(), False),
        (MapFilter(park="arvida", q="x"), False),
        (MapFilter(category="bois"), True),
        (MapFilter(direction=Direction.INPUT), True),
    ],
)
def test_narrows_flows(view, narrows):
    assert view.narrows_flows is narrows


# --- sector groups --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("naics", "group"),
    [
        ("321113", "bois-chimie"),
        ("331317", "metaux"),
        ("33", "autre"),  # the sector alone: metals (331–336, 339) or furniture (337)
        ("112120", "primaire"),
        ("212", "primaire"),
        ("312120", "alimentaire"),
        ("484", "transport"),
        ("4841", "transport"),
        ("541330", "services"),
        ("562", "environnement"),
        ("221", "construction"),
        ("238", "construction"),
        (None, "autre"),
        ("", "autre"),
        ("3", "autre"),
        ("99", "autre"),
        ("x1", "autre"),
    ],
)
def test_sector_group(naics, group):
    assert sector_group(naics).code == group


def test_sector_groups_do_not_overlap_and_have_distinct_colours():
    prefixes = [p for g in SECTOR_GROUPS for p in g.prefixes]
    assert len(prefixes) == len(set(prefixes))
    assert len({g.colour for g in (*SECTOR_GROUPS, OTHER)}) == len(SECTOR_GROUPS) + 1
    assert set(BY_CODE) == {g.code for g in SECTOR_GROUPS} | {"autre"}
    assert BY_CODE["metaux"].label("en") != BY_CODE["metaux"].label("fr")


# --- apply_filter on the demo registry ------------------------------------------------------


class Demo:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.sites: list[Site] = svc.repo.sites()
        self.flows: list[Flow] = svc.repo.flows()
        self.choices = filter_choices(svc)
        self.munis = svc.gazetteer.municipalities
        self.taxonomy = svc.taxonomy
        self.flows_of: dict[int, list[Flow]] = {}
        for flow in self.flows:
            self.flows_of.setdefault(flow.site_id, []).append(flow)

    def run(self, view: MapFilter) -> tuple[set[int], set[int]]:
        sites, flows = apply_filter(view, self.sites, self.flows, self.choices)
        site_ids = [s.id for s in sites]
        flow_ids = [f.id for f in flows]
        assert len(site_ids) == len(set(site_ids)) and len(flow_ids) == len(set(flow_ids))
        kept = set(site_ids)
        assert {f.site_id for f in flows} <= kept  # no flow without its site
        return kept, set(flow_ids)

    def descendants(self, code: str) -> set[str]:
        """The category and everything under it, walking children downwards."""
        out, todo = set(), [code]
        while todo:
            current = todo.pop()
            out.add(current)
            todo.extend(c.code for c in self.taxonomy.children(current))
        return out

    def places_under(self, muni_id: str) -> set[str]:
        """The municipality and every borough or sector below it, walking downwards."""
        out, todo = set(), [muni_id]
        while todo:
            current = todo.pop()
            out.add(current)
            todo.extend(m.id for m in self.munis.values() if m.parent_id == current)
        return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_sqlite: Path) -> Iterator[Demo]:
    """The demo registry, read once for the module from a private copy of the demo database
    (the filters only read it)."""
    folder = tmp_path_factory.mktemp("filters")
    shutil.copy(demo_sqlite, folder / "demo.sqlite")
    svc = Services(make_settings(folder, "sqlite:///" + str(folder / "demo.sqlite")))
    yield Demo(svc)
    svc.close()


def plain(text: str | None) -> str:
    """Lower case without accents: enough to compare one-word searches."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def sites_and_their_flows(demo: Demo, keep_site) -> tuple[set[int], set[int]]:
    sites = {s.id for s in demo.sites if keep_site(s)}
    return sites, {f.id for f in demo.flows if f.site_id in sites}


def sites_of_flows(demo: Demo, keep_flow) -> tuple[set[int], set[int]]:
    flows = [f for f in demo.flows if keep_flow(f)]
    return {f.site_id for f in flows}, {f.id for f in flows}


def test_empty_filter_keeps_everything(demo):
    assert demo.run(MapFilter()) == ({s.id for s in demo.sites}, {f.id for f in demo.flows})


@pytest.mark.parametrize("park", ["henri-girard", "arvida", "alma-nord"])
def test_park_keeps_only_its_sites(demo, park):
    expected = sites_and_their_flows(demo, lambda s: s.park_id == park)
    assert len(expected[0]) >= 5  # arvida: a town stand-in, its sites by address
    assert demo.run(MapFilter(park=park)) == expected


def test_municipality_saguenay_takes_its_boroughs_and_sectors(demo):
    under = demo.places_under("saguenay")
    kinds = {demo.munis[m].kind for m in under}
    assert kinds == {"municipality", "borough", "sector"}
    expected = sites_and_their_flows(demo, lambda s: s.municipality_id in under)
    where = {s.municipality_id for s in demo.sites if s.id in expected[0]}
    assert {"saguenay-chicoutimi", "saguenay-arvida", "saguenay-bagotville"} <= where
    assert all(demo.munis[m].kind != "municipality" for m in where)  # none placed on the town
    assert demo.run(MapFilter(municipality="saguenay")) == expected


@pytest.mark.parametrize("muni", ["saguenay-jonquiere", "saguenay-arvida", "alma"])
def test_municipality_borough_sector_or_town(demo, muni):
    under = demo.places_under(muni)
    expected = sites_and_their_flows(demo, lambda s: s.municipality_id in under)
    assert expected[0]
    assert demo.run(MapFilter(municipality=muni)) == expected


@pytest.mark.parametrize("mrc", ["Saguenay", "Lac-Saint-Jean-Est", "Maria-Chapdelaine"])
def test_mrc_keeps_the_sites_of_its_municipalities(demo, mrc):
    towns = [m.id for m in demo.munis.values() if m.mrc == mrc and m.parent_id is None]
    under = set().union(*(demo.places_under(t) for t in towns))
    expected = sites_and_their_flows(demo, lambda s: s.municipality_id in under)
    assert expected[0]
    assert demo.run(MapFilter(mrc=mrc)) == expected


@pytest.mark.parametrize(
    ("group", "prefixes"),
    [
        ("metaux", {"331", "332", "333", "334", "335", "336", "339"}),
        ("bois-chimie", {"32", "337"}),
        ("transport", {"41", "44", "45", "48", "49"}),
        ("primaire", {"11", "21"}),
        ("environnement", {"562"}),
    ],
)
def test_sector_group_keeps_its_naics_codes(demo, group, prefixes):
    def listed(code: str | None) -> bool:
        return any((code or "").startswith(p) for p in prefixes)

    expected = sites_and_their_flows(demo, lambda s: listed(s.naics_code))
    assert expected[0]
    assert demo.run(MapFilter(sector=group)) == expected


@pytest.mark.parametrize("category", ["metaux.aluminium", "metaux", "bois", "bois.sciure"])
def test_category_keeps_its_sub_categories_and_drops_sites_without_one(demo, category):
    codes = demo.descendants(category)
    expected = sites_of_flows(demo, lambda f: f.category_code in codes)
    kept_sites, kept_flows = demo.run(MapFilter(category=category))
    assert (kept_sites, kept_flows) == expected
    found = {f.category_code for f in demo.flows if f.id in kept_flows}
    if category == "metaux.aluminium":  # the parent itself and its children both show
        assert "metaux.aluminium" in found and "metaux.aluminium.retailles" in found
    if category == "metaux":  # grand-children too
        assert "metaux.aluminium.crasses" in found
    assert len(kept_sites) < len(demo.sites)


@pytest.mark.parametrize("direction", [Direction.OUTPUT, Direction.INPUT])
def test_direction(demo, direction):
    expected = sites_of_flows(demo, lambda f: f.direction is direction)
    assert demo.run(MapFilter(direction=direction)) == expected


@pytest.mark.parametrize("q", ["RECUPERATION", "récupération", "Recuperation"])
def test_search_by_company_name_keeps_all_its_flows(demo, q):
    needle = "recuperation"
    named = {s.id for s in demo.sites if needle in plain(s.member_name) or needle in plain(s.name)}
    companies = {s.member_name for s in demo.sites if s.id in named}
    assert "Récupération Grand-Duc (démo)" in companies
    matching = [
        f
        for f in demo.flows
        if f.site_id not in named
        and (
            needle in plain(f.description) or needle in plain(demo.taxonomy.label(f.category_code))
        )
    ]
    expected_sites = named | {f.site_id for f in matching}
    expected_flows = {f.id for f in demo.flows if f.site_id in named} | {f.id for f in matching}
    kept_sites, kept_flows = demo.run(MapFilter(q=q))
    assert (kept_sites, kept_flows) == (expected_sites, expected_flows)
    for site_id in named:  # every flow of the named companies, whatever it is
        assert {f.id for f in demo.flows_of.get(site_id, [])} <= kept_flows


def test_search_by_material_keeps_only_matching_flows(demo):
    needle = "sciure"
    assert not any(needle in plain(s.member_name) or needle in plain(s.name) for s in demo.sites)
    expected = sites_of_flows(
        demo,
        lambda f: (
            needle in plain(f.description) or needle in plain(demo.taxonomy.label(f.category_code))
        ),
    )
    kept_sites, kept_flows = demo.run(MapFilter(q="SCIURE"))
    assert (kept_sites, kept_flows) == expected
    # Some kept site has other flows that the search left out.
    assert any(
        len(demo.flows_of[s]) > len([f for f in demo.flows_of[s] if f.id in kept_flows])
        for s in kept_sites
    )


def test_search_matches_a_category_label(demo):
    # Flows of "Ferraille et acier" match a search for the label even when their description
    # never says it.
    label = demo.taxonomy.label("metaux.ferraille")
    silent = [
        f
        for f in demo.flows
        if f.category_code == "metaux.ferraille" and plain(label) not in plain(f.description)
    ]
    _, kept_flows = demo.run(MapFilter(q=label.upper()))
    assert silent and {f.id for f in silent} <= kept_flows


def test_search_finds_nothing(demo):
    assert demo.run(MapFilter(q="zzyzx introuvable")) == (set(), set())


@pytest.mark.parametrize(
    "view",
    [
        MapFilter(municipality="saguenay", direction=Direction.OUTPUT, category="metaux"),
        MapFilter(mrc="Lac-Saint-Jean-Est", sector="bois-chimie", direction=Direction.INPUT),
        MapFilter(park="henri-girard", category="emballages"),
        MapFilter(mrc="Saguenay", q="palettes"),
        MapFilter(municipality="alma", q="récupération", direction=Direction.OUTPUT),
    ],
)
def test_combined_filters_are_the_intersection(demo, view):
    under = demo.places_under(view.municipality) if view.municipality else None
    towns = [m.id for m in demo.munis.values() if m.mrc == view.mrc and m.parent_id is None]
    in_mrc = set().union(*(demo.places_under(t) for t in towns)) if view.mrc else None
    codes = demo.descendants(view.category) if view.category else None
    needle = plain(view.q) if view.q else None

    def site_ok(s: Site) -> bool:
        return (
            (view.park is None or s.park_id == view.park)
            and (under is None or s.municipality_id in under)
            and (in_mrc is None or s.municipality_id in in_mrc)
            and (view.sector is None or sector_group(s.naics_code).code == view.sector)
        )

    def flow_ok(f: Flow) -> bool:
        return (view.direction is None or f.direction is view.direction) and (
            codes is None or f.category_code in codes
        )

    expected_sites, expected_flows = set(), set()
    for site in demo.sites:
        if not site_ok(site):
            continue
        own = [f for f in demo.flows_of.get(site.id, []) if flow_ok(f)]
        if needle and needle not in plain(site.member_name) and needle not in plain(site.name):
            own = [
                f
                for f in own
                if needle in plain(f.description)
                or needle in plain(demo.taxonomy.label(f.category_code))
            ]
            if not own:
                continue
        if (view.direction or view.category) and not own:
            continue
        expected_sites.add(site.id)
        expected_flows.update(f.id for f in own)
    assert expected_sites, "the case should keep something"
    assert demo.run(view) == (expected_sites, expected_flows)
