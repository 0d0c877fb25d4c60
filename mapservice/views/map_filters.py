"""What a map view shows: the filters of the region map, the exports and presenter views.

One :class:`MapFilter` is parsed from a query string (the URL is the state of the view, so a
view can be bookmarked), applied to sites and flows, and written back into links, so that the
"export this view" link downloads exactly what the map draws. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from mapservice.domain.model import Direction, Flow, Municipality, Site, places_holding
from mapservice.domain.sectors import BY_CODE, sector_group
from mapservice.domain.text import fold
from mapservice.errors import InvalidInput, tr
from mapservice.materials.search_terms import Haystack, SearchVocabulary, parse_query
from mapservice.materials.taxonomy import Taxonomy

MAX_QUERY_CHARS = 120
#: Accepted spellings of the direction filter (French first, as in the import files).
DIRECTIONS = {
    "offre": Direction.OUTPUT,
    "output": Direction.OUTPUT,
    "besoin": Direction.INPUT,
    "input": Direction.INPUT,
}


@dataclass(frozen=True)
class MapFilter:
    """Every field narrows the view; None means "all"."""

    park: str | None = None
    municipality: str | None = None
    mrc: str | None = None
    sector: str | None = None
    category: str | None = None
    direction: Direction | None = None
    q: str | None = None

    @property
    def narrows_flows(self) -> bool:
        return bool(self.category or self.direction)

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def query(self) -> dict[str, str]:
        """The filter as query parameters, in a stable order (inverse of :func:`parse_filter`)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                out[f.name] = (
                    "offre"
                    if value is Direction.OUTPUT
                    else "besoin"
                    if value is Direction.INPUT
                    else str(value)
                )
        return out


@dataclass(frozen=True)
class FilterChoices:
    """What each filter may be set to: the reference data of the region."""

    parks: frozenset[str]
    municipalities: Mapping[str, Municipality]
    taxonomy: Taxonomy
    #: The services' search vocabulary; one is built per search without it.
    vocabulary: SearchVocabulary | None = None

    @property
    def mrcs(self) -> frozenset[str]:
        return frozenset(m.mrc for m in self.municipalities.values() if m.mrc)


#: The filters' names in the APIs (``/ogcapi``, ``/export``): where the layers have a property
#: of the filter's old name (``park`` and ``municipality`` are names, ``category`` a code matched
#: exactly), the filter is named for the id it takes. The map's links keep the old names, which
#: every reader of a filter still accepts, except the OGC API where they are the properties.
API_NAMES = {"park": "park_id", "municipality": "municipality_id", "category": "category_id"}
#: The names of the filters in the APIs, in the order of :class:`MapFilter`.
API_PARAMETERS = tuple(API_NAMES.get(f.name, f.name) for f in fields(MapFilter))
#: Every name a filter is read from: the old names and the APIs' ones.
PARAMETERS = (*(f.name for f in fields(MapFilter)), *API_NAMES.values())


def parse_filter(
    args: Mapping[str, str], choices: FilterChoices, *, legacy: bool = True
) -> MapFilter:
    """Read a filter from query parameters; raise :class:`InvalidInput` naming the parameter.

    Each filter is read from its API name (:data:`API_NAMES`), else, when ``legacy``, from its
    old name (``park=…`` links and saved views keep working). Unknown parameters are left to
    the caller (a page also takes ``lang``, a view ``zoom``…). Empty values mean "all", as an
    HTML form sends them.
    """

    def value(field_name: str) -> str | None:
        name = API_NAMES.get(field_name, field_name)
        raw = args.get(name)
        if raw is None and legacy and name != field_name:
            name = field_name
            raw = args.get(name)
        if raw is None:
            return None
        raw = raw.strip()
        if len(raw) > MAX_QUERY_CHARS:
            raise InvalidInput(
                tr(
                    "Le paramètre {name!r} dépasse {max_chars} caractères ({length} reçus).",
                    name=name,
                    max_chars=MAX_QUERY_CHARS,
                    length=len(raw),
                ),
                field=name,
            )
        used[field_name] = name
        return raw or None

    used: dict[str, str] = {}
    park = value("park")
    if park is not None and park not in choices.parks:
        raise InvalidInput(tr("Parc inconnu : {park!r}.", park=park), field=used["park"])
    municipality = value("municipality")
    if municipality is not None and municipality not in choices.municipalities:
        raise InvalidInput(
            tr(
                "Municipalité inconnue : {municipality!r} (attendu : un "
                "identifiant du répertoire, p. ex. « alma »).",
                municipality=municipality,
            ),
            field=used["municipality"],
        )
    mrc = value("mrc")
    if mrc is not None and mrc not in choices.mrcs:
        raise InvalidInput(
            tr(
                "MRC inconnue : {mrc!r} (attendu : {mrcs}).",
                mrc=mrc,
                mrcs=", ".join(sorted(choices.mrcs)),
            ),
            field="mrc",
        )
    sector = value("sector")
    if sector is not None and sector not in BY_CODE:
        raise InvalidInput(
            tr(
                "Secteur inconnu : {sector!r} (attendu : {allowed}).",
                sector=sector,
                allowed=", ".join(BY_CODE),
            ),
            field="sector",
        )
    category = value("category")
    if category is not None and choices.taxonomy.get(category) is None:
        raise InvalidInput(
            tr("Catégorie de matière inconnue : {category!r}.", category=category),
            field=used["category"],
            suggestions=[c.code for c in choices.taxonomy.suggest(category)],
        )
    direction_text = value("direction")
    direction = None
    if direction_text is not None:
        direction = DIRECTIONS.get(direction_text.lower())
        if direction is None:
            raise InvalidInput(
                tr(
                    "Sens inconnu : {direction_text!r} (attendu : offre ou besoin).",
                    direction_text=direction_text,
                ),
                field="direction",
            )
    q = value("q")
    if q is not None and not fold(q):
        raise InvalidInput(tr("La recherche ne contient ni lettre ni chiffre."), field="q")
    return MapFilter(
        park=park,
        municipality=municipality,
        mrc=mrc,
        sector=sector,
        category=category,
        direction=direction,
        q=q,
    )


def _in_category(code: str, wanted: str, taxonomy: Taxonomy) -> bool:
    return code == wanted or any(a.code == wanted for a in taxonomy.ancestors(code))


def apply_filter(
    view: MapFilter, sites: Iterable[Site], flows: Iterable[Flow], choices: FilterChoices
) -> tuple[list[Site], list[Flow]]:
    """Return the sites and flows the view shows.

    Site filters (park, municipality with its boroughs and sectors, MRC, sector group) keep
    sites. Flow filters (category with its sub-categories, direction) keep flows, and a site
    only while one of its flows is kept. The search (:mod:`mapservice.materials.search_terms`)
    keeps a site whose company or site name answers it (with all its flows), or the flows that
    answer it with the site's names, their description and their category (its names and
    those of its parents' subtree).
    """
    munis = choices.municipalities

    def site_kept(site: Site) -> bool:
        if view.park and site.park_id != view.park:
            return False
        if view.sector and sector_group(site.naics_code).code != view.sector:
            return False
        if view.municipality or view.mrc:
            chain = places_holding(site.municipality_id, munis)
            if view.municipality and all(m.id != view.municipality for m in chain):
                return False
            if view.mrc and all(m.mrc != view.mrc for m in chain):
                return False
        return True

    search = parse_query(view.q, choices.vocabulary or choices.taxonomy)
    taxonomy = choices.taxonomy

    def flow_kept(flow: Flow) -> bool:
        if view.direction and flow.direction is not view.direction:
            return False
        return not (view.category and not _in_category(flow.category_code, view.category, taxonomy))

    folded: dict[str, Haystack] = {}

    def said(text: str) -> Haystack:  # many flows say the same thing: fold it once
        if text not in folded:
            folded[text] = Haystack.of(text)
        return folded[text]

    kept_sites = [s for s in sites if site_kept(s)]
    by_site: dict[int, list[Flow]] = {}
    for flow in flows:
        by_site.setdefault(flow.site_id, []).append(flow)
    out_sites: list[Site] = []
    out_flows: list[Flow] = []
    for site in kept_sites:
        own = [f for f in by_site.get(site.id or -1, []) if flow_kept(f)]
        if search:
            names = Haystack.of(site.member_name, site.name)

            if not search.answered_by(names):
                own = [
                    f
                    for f in own
                    if search.answered_by(names, said(f.description), codes=(f.category_code,))
                ]
                if not own:
                    continue
        if view.narrows_flows and not own:
            continue
        out_sites.append(site)
        out_flows.extend(own)
    return out_sites, out_flows


def search_understood(
    q: str | None, vocabulary: SearchVocabulary | Taxonomy, lang: str = "fr"
) -> list[str]:
    """What a search box's text was read as, for the page (« Sciure de bois (bran de scie) »
    per category it names; empty when it names none)."""
    if not q:
        return []
    taxonomy = vocabulary.taxonomy if isinstance(vocabulary, SearchVocabulary) else vocabulary
    return parse_query(q, vocabulary).understood(taxonomy, lang)
