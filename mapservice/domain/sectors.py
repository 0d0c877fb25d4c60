"""Groups of SCIAN (NAICS Canada) sectors used to colour and filter the map. Pure data.

Eight groups, one per colour of the Okabe–Ito palette, which colour-blind viewers can tell
apart and which holds on a washed-out projector. A member's group comes from the longest
prefix of its SCIAN code that a group lists: most groups take whole two-digit sectors, and a
three-digit subsector of SCIAN Canada 2022 goes where its trade belongs when its sector is
split (337 furniture makers work wood, not metal; 561 administrative services are not 562
waste management). Labels follow Statistique Canada's SCIAN 2022 names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectorGroup:
    code: str
    label_fr: str
    label_en: str
    colour: str
    #: SCIAN prefixes in the group: two-digit sectors, or three-digit subsectors of a sector
    #: the groups split (the longest listed prefix of a code decides).
    prefixes: tuple[str, ...]

    def label(self, lang: str = "fr") -> str:
        return self.label_en if lang == "en" else self.label_fr


SECTOR_GROUPS: tuple[SectorGroup, ...] = (
    SectorGroup(
        "primaire",
        "Agriculture, forêt, mines",
        "Farming, forestry, mining",
        "#009E73",
        ("11", "21"),
    ),
    SectorGroup(
        "alimentaire",
        "Fabrication\u00a0: aliments, textiles",
        "Manufacturing: food, textiles",
        "#CC79A7",
        ("31",),
    ),
    SectorGroup(
        "bois-chimie",
        "Fabrication\u00a0: bois, meubles, papier, chimie",
        "Manufacturing: wood, furniture, paper, chemicals",
        "#D55E00",
        ("32", "337"),
    ),
    SectorGroup(
        "metaux",
        "Fabrication\u00a0: métaux, machines",
        "Manufacturing: metals, machinery",
        "#0072B2",
        # every subsector of 33 but furniture: the sector alone (a hidden site's two digits)
        # does not say which group, so it is « non précisé »
        ("331", "332", "333", "334", "335", "336", "339"),
    ),
    SectorGroup(
        "construction",
        "Construction et services publics",
        "Construction and utilities",
        "#E69F00",
        ("22", "23"),
    ),
    SectorGroup(
        "transport",
        "Commerce et transport",
        "Trade and transport",
        "#000000",
        ("41", "44", "45", "48", "49"),
    ),
    SectorGroup(
        "environnement",
        "Gestion des matières résiduelles",
        "Waste management and remediation",
        "#F0E442",
        ("562",),
    ),
    SectorGroup(
        "services",
        "Services professionnels et autres",
        "Professional and other services",
        "#56B4E9",
        ("51", "52", "53", "54", "55", "561", "61", "62", "71", "72", "81", "91"),
    ),
)
OTHER = SectorGroup("autre", "Secteur non précisé", "Sector not given", "#777777", ())

_BY_PREFIX = {prefix: group for group in SECTOR_GROUPS for prefix in group.prefixes}
BY_CODE = {group.code: group for group in (*SECTOR_GROUPS, OTHER)}
_LONGEST = max(len(prefix) for prefix in _BY_PREFIX)


def sector_prefix(naics_code: str | None) -> str | None:
    """The prefix of a SCIAN code that decides its group (``"337"`` for 337110, ``"32"`` for
    321113), or None when no group lists one."""
    code = naics_code or ""
    for length in range(min(len(code), _LONGEST), 1, -1):
        if code[:length] in _BY_PREFIX:
            return code[:length]
    return None


def shown_sector(naics_code: str | None) -> str | None:
    """What a hidden site keeps of its SCIAN code: its two-digit sector, never more. A sector
    split between groups (33, 56) then colours as « non précisé »: the third digit that would
    decide it is not the reader's to know."""
    code = (naics_code or "")[:2]
    return code if len(code) == 2 else None


def sector_group(naics_code: str | None) -> SectorGroup:
    """Return the group of a SCIAN code (any length ≥ 2), or :data:`OTHER`."""
    prefix = sector_prefix(naics_code)
    return _BY_PREFIX[prefix] if prefix else OTHER
