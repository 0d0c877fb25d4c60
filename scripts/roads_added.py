"""Roads added for issue 17: access roads to every town, outbound corridors, the Côte-Nord ferry.

Read by ``scripts/build_roads.py`` (same waypoint conventions: ``(label, lat, lon, source)``
with sources ``M`` municipality point, ``P`` GeoNames point of ``data/municipalities.csv`` or
``data/quebec_places.csv``, ``K`` general knowledge of the road's course, ``E`` estimate,
``W`` a published coordinate (web page named in the source)). Two more forms:

* ``("FROM", road_id)`` as a road's first point (or ``("TO", road_id)`` as its last): the road
  branches off ``road_id`` at that road's waypoint nearest to the next (previous) point, which
  becomes a junction;
* a road with ``"crossing_min"`` (the ferry) gets the speed that makes its length take that
  many minutes.

Outside the region the corridors are coarse (a waypoint every 5–15 km, estimated from the
towns they pass through): enough for distances within 10 % of the published figures, not for
drawing a street map.
"""

from __future__ import annotations

from typing import Any

#: Crossing Tadoussac – Baie-Sainte-Catherine: about 10 minutes on the water plus, on average,
#: 10 minutes of waiting (a departure every 20 minutes by day) — 20 minutes in all.
FERRY_CROSSING_MIN = 20.0

#: Winding roads: how much longer than their (densified) waypoint line they are, estimated and
#: set so that the published distances of road_calibration.csv are met. The drawn line keeps
#: the waypoints' shape: the stretches whose (1.5 km) segments have their midpoint in the box
#: (west, south, east, north) — the rural stretches, not the towns' streets — become features
#: of their own with ``length_factor`` = the gain, which the graph multiplies their length by.
_ANY = (-180.0, -90.0, 180.0, 90.0)
SINUOSITY: dict[str, tuple[float, tuple[float, float, float, float]]] = {
    "r175": (1.10, (-71.4, 47.8, -71.0, 48.30)),  # reserve to Laterrière
    "r175-sud": (1.22, (-71.6, 47.03, -71.0, 47.8)),  # Stoneham to the jct R-169
    "r169-sud": (1.16, (-71.65, 47.8, -71.2, 48.39)),  # the petit parc
    "r167": (1.12, _ANY),
    "r170-est": (1.55, (-70.45, 47.85, -69.9, 48.3)),  # Rivière-Éternité to Saint-Siméon
    "r170-ouest": (1.17, (-71.66, 48.40, -71.33, 48.50)),  # Saint-Bruno to Jonquière
    "r170-lac": (1.12, _ANY),
    "r169-lac": (1.07, _ANY),
    "r155": (1.10, _ANY),
    "a40": (1.04, _ANY),
    "r138-charlevoix": (1.10, (-71.1, 46.9, -69.5, 48.2)),
    "r138-cote-nord": (1.12, (-69.7, 48.17, -68.0, 49.5)),
    "r172": (1.05, (-70.6, 48.0, -69.7, 48.5)),
}

JUNCTIONS_ADDED: dict[str, tuple[str, float, float, str]] = {
    "sthonore": ("Saint-Honoré, boul. Martel", 48.5330, -71.0860, "M saint-honore"),
    "lasj_turnoff": ("R-170 / accès au village de L'Anse-Saint-Jean", 48.2250, -70.2150, "E"),
    "stsimeon": ("Saint-Siméon, R-170 / R-138", 47.8420, -69.8800, "P Saint-Simeon, K"),
    "tadoussac": ("Tadoussac, R-172 / R-138", 48.1560, -69.7150, "P Tadoussac, K"),
    "tadoussac_quai": ("Tadoussac, quai du traversier", 48.1385, -69.7195, "K"),
    "bsc_quai": ("Baie-Sainte-Catherine, quai du traversier", 48.1240, -69.7210, "K"),
    "bsp": ("Baie-Saint-Paul, R-381 / R-138", 47.4430, -70.5100, "P Baie-Saint-Paul"),
    "quebec": ("Québec, A-40 / A-73 / R-138 (échangeur)", 46.8300, -71.2620, "P Quebec, K"),
    "trois_rivieres": ("Trois-Rivières, A-40 / A-55", 46.3700, -72.5700, "P Trois-Rivieres, K"),
    "pontqc_n": ("pont de Québec, rive nord", 46.7530, -71.2875, "K"),
    "pontqc_s": ("pont de Québec, rive sud", 46.7440, -71.2880, "K"),
}

# Outbound lengthening of existing lines: appended to the road's points.
EXTEND: dict[str, list[Any]] = {
    "r172": [
        ("towards Sacré-Cœur", 48.2620, -70.1900, "E"),
        ("towards Sacré-Cœur", 48.2550, -70.1300, "E"),
        ("towards Sacré-Cœur", 48.2500, -70.0700, "E"),
        ("towards Sacré-Cœur", 48.2450, -70.0100, "E"),
        ("towards Sacré-Cœur", 48.2400, -69.9500, "E"),
        ("towards Sacré-Cœur", 48.2360, -69.8800, "E"),
        ("Sacré-Cœur", 48.2317, -69.8013, "P Sacre-Coeur-Saguenay"),
        ("towards Tadoussac", 48.2100, -69.7700, "E"),
        ("towards Tadoussac", 48.1850, -69.7450, "E"),
        "@tadoussac",
    ],
    "r381": [
        ("Charlevoix, R-381", 48.0200, -70.8400, "E"),
        ("Charlevoix, R-381", 47.9500, -70.8000, "E"),
        ("Charlevoix, R-381", 47.8800, -70.7600, "E"),
        ("Charlevoix, R-381", 47.8100, -70.7100, "E"),
        ("Charlevoix, R-381", 47.7400, -70.6500, "E"),
        ("Charlevoix, R-381", 47.6600, -70.6000, "E"),
        ("Saint-Urbain", 47.5571, -70.5388, "P Saint-Urbain-de-Charlevoix"),
        ("towards Baie-Saint-Paul", 47.5000, -70.5200, "E"),
        "@bsp",
    ],
    "r155": [
        ("Haute-Mauricie, R-155", 48.0400, -72.3100, "E"),
        ("Haute-Mauricie, R-155", 47.9700, -72.3900, "E"),
        ("Haute-Mauricie, R-155", 47.9000, -72.4600, "E"),
        ("Haute-Mauricie, R-155", 47.8300, -72.5200, "E"),
        ("Haute-Mauricie, R-155", 47.7600, -72.5800, "E"),
        ("Haute-Mauricie, R-155", 47.6900, -72.6300, "E"),
        ("Haute-Mauricie, R-155", 47.6200, -72.6800, "E"),
        ("north of La Tuque", 47.5400, -72.7300, "E"),
        ("La Tuque", 47.4360, -72.7811, "P La Tuque"),
        ("Saint-Maurice valley, R-155", 47.3500, -72.8300, "E"),
        ("Saint-Maurice valley, R-155", 47.2600, -72.8600, "E"),
        ("Saint-Maurice valley, R-155", 47.1700, -72.8400, "E"),
        ("Trois-Rives", 47.0817, -72.8150, "P Trois-Rives"),
        ("Saint-Maurice valley, R-155", 47.0000, -72.8000, "E"),
        ("Saint-Maurice valley, R-155", 46.9000, -72.7800, "E"),
        ("Saint-Maurice valley, R-155", 46.8100, -72.7500, "E"),
        ("Grandes-Piles", 46.6871, -72.7255, "P Grandes-Piles"),
        ("Grand-Mère", 46.6150, -72.6900, "K"),
        ("Shawinigan (A-55)", 46.5656, -72.7429, "P Shawinigan"),
        ("A-55 towards Trois-Rivières", 46.4600, -72.6500, "K"),
        "@trois_rivieres",
    ],
    "r167": [
        ("Ashuapmushuan reserve, R-167", 48.8000, -72.8000, "E"),
        ("Ashuapmushuan reserve, R-167", 48.8700, -72.8600, "E"),
        ("Ashuapmushuan reserve, R-167", 48.9300, -72.9600, "E"),
        ("Ashuapmushuan reserve, R-167", 49.0000, -73.0200, "E"),
        ("Ashuapmushuan reserve, R-167", 49.0600, -73.1200, "E"),
        ("Ashuapmushuan reserve, R-167", 49.1400, -73.1800, "E"),
        ("Ashuapmushuan reserve, R-167", 49.2000, -73.2900, "E"),
        ("Ashuapmushuan reserve, R-167", 49.2800, -73.3700, "E"),
        ("Ashuapmushuan reserve, R-167", 49.3400, -73.4900, "E"),
        ("towards Chibougamau, R-167", 49.4200, -73.5800, "E"),
        ("towards Chibougamau, R-167", 49.4800, -73.7200, "E"),
        ("towards Chibougamau, R-167", 49.5600, -73.8200, "E"),
        ("towards Chibougamau, R-167", 49.6200, -73.9600, "E"),
        ("towards Chibougamau, R-167", 49.7000, -74.0500, "E"),
        ("towards Chibougamau, R-167", 49.7600, -74.1700, "E"),
        ("towards Chibougamau, R-167", 49.8400, -74.2600, "E"),
        ("Chibougamau", 49.9146, -74.3689, "P Chibougamau"),
    ],
}

ROADS_ADDED: list[dict[str, Any]] = [
    # ------------------------------------------------------------ outbound corridors
    {
        "id": "r175-sud",
        "ref": "R-175",
        "name": "Route 175",
        "kind": "route",
        "source": "R (Saint-Lambert-de-Lauzon → Lévis → pont de Québec → Québec → Stoneham "
        "(end of A-73) → Réserve faunique des Laurentides → jct R-169 at km 166); P; K; E",
        "points": [
            ("Saint-Lambert-de-Lauzon (km 0)", 46.5870, -71.2100, "K"),
            ("Lévis, R-175", 46.6400, -71.2300, "K"),
            ("Lévis, R-175", 46.6900, -71.2550, "K"),
            ("Lévis, jct A-20", 46.7200, -71.2700, "K"),
            "@pontqc_s",
            ("BRIDGE", "Pont de Québec"),
            "@pontqc_n",
            ("Sainte-Foy, boul. Laurier", 46.7700, -71.2850, "K"),
            ("Québec, A-73 / R-175", 46.8000, -71.2700, "K"),
            "@quebec",
            ("Charlesbourg, A-73", 46.8800, -71.2800, "K"),
            ("Lac-Saint-Charles, A-73", 46.9400, -71.3200, "K (P Lac-Beauport)"),
            ("Stoneham (end of A-73)", 47.0220, -71.3628, "P Stoneham-et-Tewkesbury"),
            ("Tewkesbury", 47.0900, -71.3900, "E"),
            ("Réserve faunique des Laurentides (south gate)", 47.1600, -71.4100, "E"),
            ("Jacques-Cartier valley", 47.2300, -71.3800, "E"),
            ("Réserve faunique des Laurentides", 47.3000, -71.3400, "E"),
            ("Réserve faunique des Laurentides", 47.3700, -71.3000, "E"),
            ("Réserve faunique des Laurentides", 47.4400, -71.2600, "E"),
            ("L'Étape", 47.5500, -71.2300, "E"),
            ("Réserve faunique des Laurentides", 47.6300, -71.2100, "E"),
            ("Réserve faunique des Laurentides", 47.7100, -71.2200, "E"),
            ("Réserve faunique des Laurentides", 47.7900, -71.2400, "E"),
            "@r175_r169",
        ],
    },
    {
        "id": "a40",
        "ref": "A-40",
        "name": "Autoroute 40 (Félix-Leclerc)",
        "kind": "autoroute",
        "source": "K (Montréal → Repentigny → Berthierville → Louiseville → Trois-Rivières → "
        "Sainte-Anne-de-la-Pérade → Donnacona → Québec); P (quebec_places.csv)",
        "points": [
            ("Montréal", 45.5358, -73.5852, "P Montreal"),
            ("Montréal-Est", 45.6300, -73.5300, "K"),
            ("Repentigny", 45.7538, -73.4570, "P Repentigny"),
            ("Lanaudière, A-40", 45.8700, -73.4300, "K"),
            ("Lanaudière, A-40", 46.0000, -73.3900, "K"),
            ("Berthierville", 46.1229, -73.3457, "P Berthierville"),
            ("towards Louiseville", 46.1900, -73.1400, "K"),
            ("Louiseville", 46.2554, -72.9458, "P Louiseville"),
            ("towards Trois-Rivières", 46.3100, -72.7400, "K"),
            "@trois_rivieres",
            ("Cap-de-la-Madeleine, A-40", 46.4100, -72.4500, "K"),
            ("Batiscan, A-40", 46.5000, -72.3200, "K"),
            ("Sainte-Anne-de-la-Pérade", 46.5750, -72.2000, "K"),
            ("towards Deschambault", 46.6100, -72.0600, "K"),
            ("Deschambault", 46.6487, -71.9308, "P Deschambault"),
            ("Donnacona", 46.6768, -71.7297, "P Donnacona"),
            ("Saint-Augustin-de-Desmaures", 46.7400, -71.4474, "P Saint-Augustin-de-Desmaures"),
            ("Québec, A-40", 46.7900, -71.3400, "K"),
            "@quebec",
        ],
    },
    {
        "id": "r138-charlevoix",
        "ref": "R-138",
        "name": "Route 138",
        "kind": "route",
        "source": "K (Québec → Beaupré → Baie-Saint-Paul → La Malbaie → Saint-Siméon → "
        "Baie-Sainte-Catherine, ferry to Tadoussac); P (quebec_places.csv); E",
        "points": [
            "@quebec",
            ("Beauport, A-40 / R-138", 46.8700, -71.1800, "K"),
            ("Boischatel", 46.9000, -71.1400, "K"),
            ("Château-Richer", 46.9700, -71.0300, "K"),
            ("Sainte-Anne-de-Beaupré", 47.0151, -70.9562, "P Sainte-Anne-de-Beaupre"),
            ("Beaupré", 47.0500, -70.8900, "K"),
            ("Saint-Tite-des-Caps", 47.1300, -70.7700, "K"),
            ("Charlevoix, R-138", 47.2200, -70.6800, "E"),
            ("Charlevoix, R-138", 47.3000, -70.6100, "E"),
            ("Charlevoix, R-138", 47.3800, -70.5500, "E"),
            "@bsp",
            ("Saint-Hilarion", 47.5829, -70.3951, "P Saint-Hilarion"),
            ("towards Clermont", 47.6400, -70.3000, "E"),
            ("Clermont", 47.6938, -70.2262, "P Clermont"),
            ("La Malbaie", 47.6542, -70.1508, "P La Malbaie"),
            ("Cap-à-l'Aigle", 47.6800, -70.0800, "K"),
            ("towards Saint-Siméon", 47.7300, -70.0200, "E"),
            ("towards Saint-Siméon", 47.7800, -69.9600, "E"),
            ("towards Saint-Siméon", 47.8150, -69.9100, "E"),
            "@stsimeon",
            ("towards Baie-Sainte-Catherine", 47.9000, -69.8400, "E"),
            ("towards Baie-Sainte-Catherine", 47.9600, -69.8000, "E"),
            ("towards Baie-Sainte-Catherine", 48.0200, -69.7700, "E"),
            ("towards Baie-Sainte-Catherine", 48.0700, -69.7450, "E"),
            ("Baie-Sainte-Catherine", 48.1060, -69.7277, "P Baie-Sainte-Catherine"),
            "@bsc_quai",
        ],
    },
    {
        "id": "traverse-tadoussac",
        "ref": "R-138",
        "name": "Traverse Tadoussac – Baie-Sainte-Catherine",
        "kind": "ferry",
        "crossing_min": FERRY_CROSSING_MIN,
        "source": "K (free ferry across the mouth of the Saguenay, about 10 min crossing, "
        "departures every 20 min by day); crossing time = 10 min + 10 min average wait",
        "points": ["@bsc_quai", "@tadoussac_quai"],
    },
    {
        "id": "r138-cote-nord",
        "ref": "R-138",
        "name": "Route 138",
        "kind": "route",
        "source": "K (Tadoussac → Les Bergeronnes → Les Escoumins → Forestville → Pessamit → "
        "Baie-Comeau); P (quebec_places.csv); E",
        "points": [
            "@tadoussac_quai",
            "@tadoussac",
            ("towards Les Bergeronnes", 48.2000, -69.6300, "E"),
            ("Les Bergeronnes", 48.2451, -69.5429, "P Les Bergeronnes"),
            ("towards Les Escoumins", 48.3000, -69.4700, "E"),
            ("Les Escoumins", 48.3428, -69.4062, "P Les Escoumins"),
            ("towards Longue-Rive", 48.4400, -69.3300, "E"),
            ("Longue-Rive", 48.5444, -69.2526, "P Longue-Rive"),
            ("towards Forestville", 48.6000, -69.1300, "E"),
            ("Forestville", 48.7394, -69.0841, "P Forestville"),
            ("Colombier", 48.8400, -68.8800, "K"),
            ("towards Pessamit", 48.8900, -68.7600, "E"),
            ("Pessamit", 48.9404, -68.6432, "P Betsiamites"),
            ("towards Ragueneau", 49.0200, -68.5600, "E"),
            ("Ragueneau", 49.0823, -68.4909, "P Ragueneau"),
            ("Chute-aux-Outardes", 49.1244, -68.3947, "P Chute-aux-Outardes"),
            ("Baie-Comeau", 49.1981, -68.2535, "P Baie-Comeau"),
        ],
    },
    # ------------------------------------------------------------ access roads in the region
    {
        "id": "saint-honore-martel",
        "ref": "",
        "name": "Boulevard Martel et route Saint-David (Saint-Honoré, Falardeau)",
        "kind": "arterial",
        "source": "K (Chicoutimi-Nord → Saint-Honoré → Saint-David-de-Falardeau); M; E",
        "points": [
            ("FROM", "r172"),
            ("Chicoutimi-Nord, vers Saint-Honoré", 48.4650, -71.0950, "E"),
            ("vers Saint-Honoré", 48.4900, -71.0920, "E"),
            ("vers Saint-Honoré", 48.5120, -71.0880, "E"),
            "@sthonore",
            ("route Saint-David", 48.5600, -71.1000, "E"),
            ("route Saint-David", 48.5850, -71.1200, "E"),
            ("Saint-David-de-Falardeau", 48.6167, -71.1167, "M saint-david-de-falardeau"),
        ],
    },
    {
        "id": "shipshaw-saint-honore",
        "ref": "",
        "name": "Rang Saint-Paul (Shipshaw – Saint-Honoré)",
        "kind": "arterial",
        "source": "E (rang road from the R-172 east of the Shipshaw river to Saint-Honoré)",
        "points": [
            "@shipbr_e",
            ("rang vers Saint-Honoré", 48.4980, -71.1800, "E"),
            ("rang vers Saint-Honoré", 48.5100, -71.1450, "E"),
            ("rang vers Saint-Honoré", 48.5220, -71.1150, "E"),
            "@sthonore",
        ],
    },
    {
        "id": "dam2-coulombe",
        "ref": "",
        "name": "Route de la Dam-Deux (Shipshaw)",
        "kind": "arterial",
        "source": "E (north end of the pont de la Dam-Deux to the route Coulombe)",
        "points": [
            "@dam2_n",
            ("route de la Dam-Deux", 48.4760, -71.2400, "E"),
            ("TO", "shipshaw-coulombe"),
        ],
    },
    {
        "id": "begin-acces",
        "ref": "",
        "name": "Route de Bégin",
        "kind": "arterial",
        "source": "K (Saint-Ambroise → Bégin); M",
        "points": [
            ("FROM", "r172"),
            ("vers Bégin", 48.5850, -71.3350, "E"),
            ("vers Bégin", 48.6200, -71.3420, "E"),
            ("vers Bégin", 48.6550, -71.3520, "E"),
            ("Bégin", 48.6924, -71.3588, "M begin"),
        ],
    },
    {
        "id": "ascension-acces",
        "ref": "",
        "name": "Route de L'Ascension-de-Notre-Seigneur",
        "kind": "arterial",
        "source": "K (Delisle → L'Ascension); M",
        "points": [
            ("FROM", "r169-lac"),
            ("vers L'Ascension", 48.6400, -71.6680, "E"),
            ("vers L'Ascension", 48.6700, -71.6770, "E"),
            ("L'Ascension-de-Notre-Seigneur", 48.7000, -71.6833, "M"),
        ],
    },
    {
        "id": "labrecque-lamarche",
        "ref": "",
        "name": "Route de Labrecque et de Lamarche",
        "kind": "arterial",
        "source": "K (Saint-Nazaire → Labrecque → Lamarche); M",
        "points": [
            ("FROM", "r172"),
            ("vers Labrecque", 48.6100, -71.5320, "E"),
            ("vers Labrecque", 48.6400, -71.5330, "E"),
            ("Labrecque", 48.6667, -71.5333, "M labrecque"),
            ("vers Lamarche", 48.6950, -71.5150, "E"),
            ("vers Lamarche", 48.7250, -71.4950, "E"),
            ("vers Lamarche", 48.7550, -71.4700, "E"),
            ("Lamarche", 48.7808, -71.4554, "M lamarche"),
        ],
    },
    {
        "id": "milot-acces",
        "ref": "",
        "name": "Route de Saint-Ludger-de-Milot",
        "kind": "arterial",
        "source": "K (Sainte-Monique → Saint-Ludger-de-Milot); M",
        "points": [
            ("FROM", "r169-lac"),
            ("vers Milot", 48.7650, -71.8450, "E"),
            ("vers Milot", 48.8000, -71.8380, "E"),
            ("vers Milot", 48.8350, -71.8300, "E"),
            ("vers Milot", 48.8700, -71.8230, "E"),
            ("Saint-Ludger-de-Milot", 48.8963, -71.8178, "M saint-ludger-de-milot"),
        ],
    },
    {
        "id": "saint-augustin-acces",
        "ref": "",
        "name": "Route de Saint-Augustin",
        "kind": "arterial",
        "source": "K (R-169 east of Péribonka → Saint-Augustin); M",
        "points": [
            ("FROM", "r169-lac"),
            ("vers Saint-Augustin", 48.7820, -71.9580, "E"),
            ("Saint-Augustin", 48.8000, -71.9500, "M saint-augustin"),
        ],
    },
    {
        "id": "saint-stanislas-acces",
        "ref": "",
        "name": "Route de Saint-Stanislas",
        "kind": "arterial",
        "source": "K (Mistassini → Saint-Stanislas, along the Mistassibi); M",
        "points": [
            ("FROM", "r169-lac"),
            ("vers Saint-Stanislas", 48.9100, -72.1800, "E"),
            ("vers Saint-Stanislas", 48.9450, -72.1820, "E"),
            ("vers Saint-Stanislas", 48.9750, -72.1830, "E"),
            ("Saint-Stanislas", 49.0000, -72.1830, "M saint-stanislas"),
        ],
    },
    {
        "id": "saint-eugene-lorette",
        "ref": "",
        "name": "Route de Saint-Eugène-d'Argentenay et de Notre-Dame-de-Lorette",
        "kind": "arterial",
        "source": "K (Dolbeau → Saint-Eugène → Notre-Dame-de-Lorette); M",
        "points": [
            ("FROM", "r169-lac"),
            ("vers Saint-Eugène", 48.9100, -72.2450, "E"),
            ("vers Saint-Eugène", 48.9450, -72.2650, "E"),
            ("Saint-Eugène-d'Argentenay", 48.9833, -72.2833, "M saint-eugene-d-argentenay"),
            ("vers Notre-Dame-de-Lorette", 49.0150, -72.3050, "E"),
            ("vers Notre-Dame-de-Lorette", 49.0500, -72.3300, "E"),
            ("Notre-Dame-de-Lorette", 49.0833, -72.3500, "M notre-dame-de-lorette"),
        ],
    },
    {
        "id": "girardville-acces",
        "ref": "",
        "name": "Route de Saint-Edmond-les-Plaines et de Girardville",
        "kind": "arterial",
        "source": "K (Normandin → Saint-Edmond-les-Plaines → Girardville); M",
        "points": [
            ("FROM", "normandin-acces"),
            ("vers Saint-Edmond", 48.8600, -72.5430, "E"),
            ("Saint-Edmond-les-Plaines", 48.9039, -72.5525, "M saint-edmond-les-plaines"),
            ("vers Girardville", 48.9350, -72.5530, "E"),
            ("vers Girardville", 48.9700, -72.5515, "E"),
            ("Girardville", 49.0000, -72.5500, "M girardville"),
        ],
    },
    {
        "id": "saint-thomas-acces",
        "ref": "",
        "name": "Route de Saint-Thomas-Didyme",
        "kind": "arterial",
        "source": "K (Normandin → Saint-Thomas-Didyme); M",
        "points": [
            ("FROM", "normandin-acces"),
            ("vers Saint-Thomas-Didyme", 48.8480, -72.5650, "E"),
            ("vers Saint-Thomas-Didyme", 48.8680, -72.6050, "E"),
            ("vers Saint-Thomas-Didyme", 48.8850, -72.6400, "E"),
            ("Saint-Thomas-Didyme", 48.9000, -72.6667, "M saint-thomas-didyme"),
        ],
    },
    {
        "id": "sainte-hedwidge-acces",
        "ref": "",
        "name": "Route de Sainte-Hedwidge",
        "kind": "arterial",
        "source": "K (Roberval → Sainte-Hedwidge); M",
        "points": [
            "@roberval",
            ("vers Sainte-Hedwidge", 48.5120, -72.2700, "E"),
            ("vers Sainte-Hedwidge", 48.5000, -72.3100, "E"),
            ("vers Sainte-Hedwidge", 48.4900, -72.3450, "E"),
            ("Sainte-Hedwidge", 48.4826, -72.3734, "M sainte-hedwidge"),
        ],
    },
    {
        "id": "saint-andre-acces",
        "ref": "",
        "name": "Route de Saint-André-du-Lac-Saint-Jean",
        "kind": "arterial",
        "source": "K (Métabetchouan → Saint-André); M",
        "points": [
            ("FROM", "r169-lac"),
            ("vers Saint-André", 48.4000, -71.8800, "E"),
            ("vers Saint-André", 48.3650, -71.8950, "E"),
            ("vers Saint-André", 48.3300, -71.9150, "E"),
            ("vers Saint-André", 48.2900, -71.9400, "E"),
            ("Saint-André-du-Lac-Saint-Jean", 48.2539, -71.9600, "M"),
        ],
    },
    {
        "id": "sainte-rose-acces",
        "ref": "",
        "name": "Descente vers Sainte-Rose-du-Nord",
        "kind": "arterial",
        "source": "K (R-172 → village of Sainte-Rose-du-Nord on the fjord); M; E",
        "points": [
            ("FROM", "r172"),
            ("vers Sainte-Rose-du-Nord", 48.4200, -70.5900, "E"),
            ("Sainte-Rose-du-Nord", 48.3930, -70.5840, "E (M sainte-rose-du-nord)"),
        ],
    },
    {
        "id": "anse-saint-jean-acces",
        "ref": "",
        "name": "Rue Saint-Jean-Baptiste (L'Anse-Saint-Jean)",
        "kind": "arterial",
        "source": "K (R-170 → village of L'Anse-Saint-Jean, towards the wharf); M",
        "points": [
            "@lasj_turnoff",
            ("L'Anse-Saint-Jean", 48.2333, -70.2000, "M l-anse-saint-jean"),
            ("L'Anse-Saint-Jean, quai", 48.2450, -70.1950, "E"),
        ],
    },
]
