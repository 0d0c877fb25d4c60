"""Groups of SCIAN (NAICS Canada) sectors used to colour and filter the map. Pure data.

Eight groups, one per colour of the Okabe–Ito palette, which colour-blind viewers can tell
apart and which holds on a washed-out projector. A member's group comes from the first two
digits of its SCIAN code; labels follow Statistique Canada's SCIAN 2022 sector names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectorGroup:
    code: str
    label_fr: str
    label_en: str
    colour: str
    #: Two-digit SCIAN sectors in the group.
    sectors: tuple[str, ...]

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
        "Fabrication\u00a0: bois, papier, chimie",
        "Manufacturing: wood, paper, chemicals",
        "#D55E00",
        ("32",),
    ),
    SectorGroup(
        "metaux",
        "Fabrication\u00a0: métaux, machines",
        "Manufacturing: metals, machinery",
        "#0072B2",
        ("33",),
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
        ("56",),
    ),
    SectorGroup(
        "services",
        "Services professionnels et autres",
        "Professional and other services",
        "#56B4E9",
        ("51", "52", "53", "54", "55", "61", "62", "71", "72", "81", "91"),
    ),
)
OTHER = SectorGroup("autre", "Secteur non précisé", "Sector not given", "#777777", ())

_BY_SECTOR = {sector: group for group in SECTOR_GROUPS for sector in group.sectors}
BY_CODE = {group.code: group for group in (*SECTOR_GROUPS, OTHER)}


def sector_group(naics_code: str | None) -> SectorGroup:
    """Return the group of a SCIAN code (any length ≥ 2), or :data:`OTHER`."""
    return _BY_SECTOR.get((naics_code or "")[:2], OTHER)
