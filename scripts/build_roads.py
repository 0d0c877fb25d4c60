"""Build ``data/roads.geojson`` (the region's main roads for truck routing) and calibrate it.

The roads are hand-traced: each road below is a table of named waypoints (lat, lon) with where
each one comes from. No road geometry was copied from OpenStreetMap or any other map; the
waypoints are anchored on

* ``M``  — the point of a municipality / borough / sector in ``data/municipalities.csv``;
* ``P``  — the GeoNames postal-code points of ``data/postal_codes.csv`` (village codes cluster
  along the main street, their median shows where the road runs through the settlement);
* ``PK`` — a park point of ``data/parks.csv`` the road serves;
* ``R``  — a fact of ``shared/reference/slsj.md`` §7–8 (junction order, section lengths);
* ``K``  — general knowledge of the road's course (lake shore, valley, side of a river);
* ``E``  — an estimate: position guessed from indirect clues, expect errors of 1–3 km.

Between two hand-placed waypoints the script adds straight-line vertices so that no segment is
longer than ``MAX_SEGMENT_KM`` (these add no length, they only make the lines easier to snap
to). A ``("BRIDGE", name)`` entry between two junction waypoints makes that span a separate
``kind: "bridge"`` feature. Junctions are named (``"@key"``) and defined once in
``JUNCTIONS`` so that every line meeting there carries the identical vertex — the graph builder
joins lines only at identical rounded vertices.

A winding road (``SINUOSITY`` of ``roads_added.py``) keeps its waypoints' shape: its stretch
inside the road's box becomes a feature of its own (ids ``…-1a``, ``…-1b``, sharing their end
vertex) with ``length_factor`` = the road's estimated gain and a ``length_note`` naming the
published distances whose shortest path runs on it; the routing graph multiplies the
stretch's length by it.

Then the script builds a networkx graph from the written GeoJSON (nodes = rounded vertices,
edges = WGS84 geodesic length × the line's ``length_factor``), computes the shortest road
distance between the town pairs of the reference's published distances (§8) and writes
``data/road_calibration.csv``.

Usage::

    python scripts/build_roads.py [--out data/roads.geojson] \\
        [--calibration data/road_calibration.csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

import networkx as nx
from pyproj import Geod

ROOT = Path(__file__).resolve().parent.parent
GEOD = Geod(ellps="WGS84")
MAX_SEGMENT_KM = 3.0
#: Winding roads are cut finer, so that the edge of their box (where their length factor starts)
#: falls within 1.5 km of where it is drawn.
WINDING_SEGMENT_KM = 1.5
#: The ``length_note`` of a stretch with a ``length_factor`` (``meets``: the calibration rows
#: whose shortest path runs on it).
LENGTH_NOTE = (
    "estimate: the road winds more than its waypoints show; its length counts × {factor:g}, "
    "set so that these published distances are met: {meets}"
)
SPEED = {"autoroute": 90, "route": 80, "arterial": 40}

# ---------------------------------------------------------------------------------------------
# Junctions: every point where two lines meet, defined once.  key: (label, lat, lon, source)
# ---------------------------------------------------------------------------------------------
JUNCTIONS: dict[str, tuple[str, float, float, str]] = {
    # Réserve faunique des Laurentides
    "r175_r169": ("R-175 km 166 / R-169 (petit parc)", 47.8600, -71.2600, "E (R: R-175 km 166)"),
    # Chicoutimi
    "r175_r170_sud": ("R-175 / R-170 vers La Baie", 48.3720, -71.0950, "E"),
    "a70_r175": ("A-70 / R-175 (boul. Talbot)", 48.3970, -71.0830, "E (PK henri-girard)"),
    "a70_stpaul": ("A-70 / boul. Saint-Paul", 48.3940, -71.0630, "E"),
    "royaume_talbot": ("boul. du Royaume / boul. Talbot", 48.4130, -71.0820, "E"),
    "dubuc_s": ("pont Dubuc, rive sud", 48.4325, -71.0865, "K"),
    "dubuc_n": ("pont Dubuc, rive nord (fin R-175 / R-172)", 48.4390, -71.0830, "K (R)"),
    "chic_centre": (
        "centre-ville de Chicoutimi (rue Racine / boul. Saint-Paul)",
        48.4275,
        -71.0640,
        "M saguenay-chicoutimi",
    ),
    # Jonquière / Arvida / Shipshaw
    "a70_w": ("A-70 ouest / R-170 (Jonquière)", 48.4100, -71.3180, "E (R: A-70 31.56 km)"),
    "jonq_centre": (
        "Jonquière, boul. du Royaume / boul. Harvey",
        48.4180,
        -71.2500,
        "M saguenay-jonquiere",
    ),
    "arvida_r170": (
        "Arvida, R-170 / accès pont d'aluminium",
        48.4165,
        -71.1850,
        "M saguenay-arvida",
    ),
    # Across the Saguenay (river line at 48.4483 there).
    "alu_s": ("pont d'aluminium, rive sud (Arvida)", 48.4445, -71.1935, "K"),
    "alu_n": ("pont d'aluminium, rive nord (Shipshaw)", 48.4515, -71.1960, "K"),
    # On the Saguenay (river line of data/basemap.geojson at 48.4706, -71.2570).
    "dam2_s": ("pont de la Dam-Deux, rive sud (Jonquière)", 48.4665, -71.2560, "K"),
    "dam2_n": ("pont de la Dam-Deux, rive nord (Shipshaw)", 48.4745, -71.2580, "K"),
    "coulombe_r172": ("R-172 / route Coulombe (Shipshaw)", 48.4950, -71.2280, "E"),
    "shipshaw_r172": ("R-172 / route de Shipshaw", 48.5320, -71.2850, "E"),
    "shipbr_w": ("pont de la rivière Shipshaw, rive ouest", 48.4885, -71.2135, "E (R)"),
    "shipbr_e": ("pont de la rivière Shipshaw, rive est", 48.4860, -71.2055, "E (R)"),
    # La Baie
    "a70_e": ("A-70 est / R-170 (La Baie)", 48.3400, -70.9120, "E"),
    "a70_grandeanse": ("A-70 / accès Grande-Anse (Bagotville)", 48.3520, -70.9450, "E"),
    "r381_r170": ("R-381 / R-170 (La Baie)", 48.3260, -70.8720, "E"),
    # Alma and the lake
    "stbruno": ("Saint-Bruno, R-169 / R-170", 48.4700, -71.6560, "M saint-bruno, P"),
    "meta_r170": (
        "R-169 / R-170 east of Métabetchouan (R-169 km 292.6)",
        48.4380,
        -71.8450,
        "E (R: R-169 km 292.6)",
    ),
    "hebertville": (
        "Hébertville, R-169 (petit parc / tour du lac)",
        48.3980,
        -71.6820,
        "M hebertville, P",
    ),
    "alma_auger": ("Alma, boul. Auger (R-169 sud / tour du lac)", 48.5320, -71.6580, "E (R)"),
    "petdech_s": ("pont de la Petite Décharge, sud", 48.5455, -71.6520, "K"),
    "petdech_n": ("pont de la Petite Décharge, nord", 48.5500, -71.6505, "K"),
    "grdech_s": (
        "pont de la Grande Décharge (Isle-Maligne), sud",
        48.5775,
        -71.6440,
        "K (M alma-isle-maligne)",
    ),
    "grdech_n": ("pont de la Grande Décharge (Isle-Maligne), nord", 48.5850, -71.6455, "K"),
    "r169_r172": ("R-169 / R-172 (Alma nord)", 48.5905, -71.6480, "E"),
    "perib_e": ("pont de Péribonka, rive est", 48.7665, -72.0350, "K (M peribonka)"),
    "perib_w": ("pont de Péribonka, rive ouest", 48.7675, -72.0460, "K (M peribonka)"),
    "mist_e": ("pont de la Mistassini, rive est (Mistassini)", 48.8880, -72.2050, "K"),
    "mist_w": ("pont de la Mistassini, rive ouest (Dolbeau)", 48.8860, -72.2175, "K"),
    "normandin_r169": ("R-169 / accès Normandin", 48.8350, -72.5050, "E"),
    "ashu_n": ("pont de l'Ashuapmushuan, rive nord", 48.6625, -72.4515, "K"),
    "ashu_s": ("pont de l'Ashuapmushuan, rive sud", 48.6575, -72.4490, "K"),
    "stfel_centre": ("Saint-Félicien, R-169 / R-167", 48.6520, -72.4450, "M saint-felicien, P"),
    "roberval": ("Roberval, R-169 / accès aéroport", 48.5200, -72.2280, "M roberval, P"),
    "chambord": ("Chambord, R-169 / R-155", 48.4320, -72.0700, "M chambord, P"),
}

# ---------------------------------------------------------------------------------------------
# Roads.  Each waypoint: "@junction", ("BRIDGE", name) between two junctions, or
# (label, lat, lon, source).
# ---------------------------------------------------------------------------------------------
W = tuple[str, float, float, str]

ROADS: list[dict[str, Any]] = [
    {
        "id": "a70",
        "ref": "A-70",
        "name": "Autoroute 70",
        "kind": "autoroute",
        "source": "R (A-70 31.56 km, R-170 jct at both ends, jct R-175); K; E",
        "points": [
            "@a70_w",
            ("south of Jonquière (west)", 48.4020, -71.2850, "K"),
            ("south of Jonquière", 48.3980, -71.2650, "K"),
            ("south of Jonquière", 48.3970, -71.2450, "K"),
            ("Jonquière industrial park", 48.3990, -71.2250, "PK jonquiere"),
            ("south of Arvida", 48.4020, -71.2050, "K"),
            ("south of Arvida", 48.4050, -71.1850, "K"),
            ("south of Arvida (east)", 48.4050, -71.1650, "K"),
            ("between Arvida and Chicoutimi", 48.4040, -71.1450, "K"),
            ("between Arvida and Chicoutimi", 48.4020, -71.1250, "K"),
            ("west of boul. Talbot", 48.4000, -71.1050, "K"),
            "@a70_r175",
            "@a70_stpaul",
            ("east of Chicoutimi", 48.3900, -71.0450, "K"),
            ("towards La Baie", 48.3850, -71.0250, "K"),
            ("towards La Baie", 48.3780, -71.0050, "K"),
            ("towards La Baie", 48.3680, -70.9850, "K"),
            ("towards La Baie", 48.3590, -70.9650, "K"),
            "@a70_grandeanse",
            ("west of La Baie", 48.3480, -70.9250, "K"),
            "@a70_e",
        ],
    },
    {
        "id": "r175",
        "ref": "R-175",
        "name": "Route 175",
        "kind": "route",
        "source": "R (R-169 jct km 166, Laterrière, ends at R-172 at pont Dubuc); M; K; E",
        "points": [
            "@r175_r169",
            ("Réserve faunique des Laurentides", 47.9000, -71.2550, "E"),
            ("Réserve faunique des Laurentides", 47.9500, -71.2500, "E"),
            ("Réserve faunique des Laurentides", 48.0000, -71.2400, "E"),
            ("Réserve faunique des Laurentides", 48.0500, -71.2250, "E"),
            ("Réserve faunique des Laurentides", 48.1000, -71.2100, "E"),
            ("Réserve faunique des Laurentides", 48.1500, -71.1900, "E"),
            ("south of Laterrière", 48.2000, -71.1700, "E"),
            ("south of Laterrière", 48.2400, -71.1550, "E (P saguenay-laterriere)"),
            ("south of Laterrière", 48.2800, -71.1400, "K (P saguenay-laterriere)"),
            ("Laterrière", 48.3160, -71.1270, "M saguenay-laterriere, P"),
            ("boul. Talbot, north of Laterrière", 48.3350, -71.1150, "K"),
            ("boul. Talbot", 48.3550, -71.1030, "K"),
            "@r175_r170_sud",
            ("boul. Talbot", 48.3850, -71.0880, "K"),
            "@a70_r175",
            ("boul. Talbot", 48.4050, -71.0810, "K"),
            "@royaume_talbot",
            ("boul. Talbot / boul. de l'Université", 48.4210, -71.0840, "K"),
            "@dubuc_s",
            ("BRIDGE", "Pont Dubuc"),
            "@dubuc_n",
        ],
    },
    {
        "id": "r170-ouest",
        "ref": "R-170",
        "name": "Route 170",
        "kind": "route",
        "source": "R (Saint-Bruno, Larouche, Jonquière; boul. du Royaume); M; P; K",
        "points": [
            "@stbruno",
            ("east of Saint-Bruno", 48.4680, -71.6300, "K"),
            ("towards Larouche", 48.4650, -71.6000, "K"),
            ("towards Larouche", 48.4600, -71.5700, "K"),
            ("towards Larouche", 48.4550, -71.5450, "K (P larouche)"),
            ("Larouche", 48.4500, -71.5170, "M larouche"),
            ("east of Larouche", 48.4420, -71.4900, "K"),
            ("towards Jonquière", 48.4350, -71.4600, "K"),
            ("towards Jonquière", 48.4320, -71.4300, "K"),
            ("towards Jonquière", 48.4200, -71.4050, "K"),
            ("Lac-Kénogami area", 48.4240, -71.3750, "K (M saguenay-lac-kenogami)"),
            ("west of Jonquière", 48.4140, -71.3450, "K"),
            "@a70_w",
            ("boul. du Royaume, Jonquière west", 48.4140, -71.2950, "K"),
            ("boul. du Royaume", 48.4170, -71.2700, "K"),
            "@jonq_centre",
            ("boul. du Royaume", 48.4180, -71.2250, "K"),
            ("boul. du Royaume", 48.4180, -71.2050, "K"),
            "@arvida_r170",
            ("boul. du Royaume", 48.4150, -71.1650, "K"),
            ("boul. du Royaume", 48.4140, -71.1450, "K"),
            ("boul. du Royaume", 48.4140, -71.1250, "K"),
            ("boul. du Royaume", 48.4140, -71.1050, "K"),
            "@royaume_talbot",
        ],
    },
    {
        "id": "r170-est",
        "ref": "R-170",
        "name": "Route 170",
        "kind": "route",
        "source": "R (Chicoutimi–La Baie section 14.6 km; La Baie, Saint-Félix-d'Otis, "
        "Rivière-Éternité, L'Anse-Saint-Jean, Petit-Saguenay); M; P; PK; K; E",
        "points": [
            "@r175_r170_sud",
            ("towards Bagotville", 48.3650, -71.0750, "K"),
            ("towards Bagotville", 48.3550, -71.0500, "K"),
            ("towards Bagotville", 48.3450, -71.0250, "K"),
            ("Bagotville airport", 48.3330, -71.0000, "PK aeroportuaire-saguenay-bagotville"),
            ("east of the airport", 48.3300, -70.9750, "K"),
            ("towards La Baie", 48.3310, -70.9500, "K"),
            ("La Baie west", 48.3360, -70.9280, "K"),
            "@a70_e",
            ("descent into La Baie", 48.3420, -70.8980, "K"),
            ("La Baie", 48.3330, -70.8850, "M saguenay-la-baie, P"),
            "@r381_r170",
            ("south end of the Baie des Ha! Ha!", 48.3180, -70.8400, "K"),
            ("towards Saint-Félix-d'Otis", 48.3120, -70.8000, "K"),
            ("towards Saint-Félix-d'Otis", 48.3050, -70.7600, "K"),
            ("towards Saint-Félix-d'Otis", 48.3000, -70.7200, "K"),
            ("towards Saint-Félix-d'Otis", 48.2920, -70.6800, "K"),
            ("Saint-Félix-d'Otis", 48.2820, -70.6400, "M saint-felix-d-otis, P"),
            ("towards Rivière-Éternité", 48.2750, -70.6000, "E"),
            ("towards Rivière-Éternité", 48.2680, -70.5550, "E"),
            ("towards Rivière-Éternité", 48.2620, -70.5100, "E"),
            ("towards Rivière-Éternité", 48.2580, -70.4650, "E"),
            ("Rivière-Éternité", 48.2530, -70.4170, "W franco.wiki 48°15′N 70°25′O"),
            ("towards L'Anse-Saint-Jean", 48.2450, -70.3750, "E"),
            ("towards L'Anse-Saint-Jean", 48.2380, -70.3350, "E"),
            ("towards L'Anse-Saint-Jean", 48.2320, -70.2900, "E"),
            ("towards L'Anse-Saint-Jean", 48.2280, -70.2500, "E"),
            "@lasj_turnoff",
            ("towards Petit-Saguenay", 48.2100, -70.1700, "E"),
            ("towards Petit-Saguenay", 48.1980, -70.1250, "E"),
            ("Petit-Saguenay", 48.2150, -70.0700, "W WP 48°13′N 70°04′O (M petit-saguenay)"),
            ("towards Sagard", 48.1500, -70.0800, "E"),
            ("towards Sagard", 48.1150, -70.0700, "E"),
            ("towards Sagard", 48.0800, -70.0650, "E"),
            ("Sagard", 48.0400, -70.0550, "E"),
            ("towards Saint-Siméon", 48.0000, -70.0200, "E"),
            ("towards Saint-Siméon", 47.9600, -69.9800, "E"),
            ("towards Saint-Siméon", 47.9200, -69.9450, "E"),
            ("towards Saint-Siméon", 47.8800, -69.9100, "E"),
            "@stsimeon",
        ],
    },
    {
        "id": "r381",
        "ref": "R-381",
        "name": "Route 381",
        "kind": "route",
        "source": "R (La Baie → Ferland-et-Boilleau → Charlevoix); M; P; E",
        "points": [
            "@r381_r170",
            ("south of La Baie", 48.3050, -70.8780, "K"),
            ("towards Ferland-et-Boilleau", 48.2800, -70.8850, "E"),
            ("towards Ferland-et-Boilleau", 48.2500, -70.8750, "E"),
            ("towards Ferland-et-Boilleau", 48.2200, -70.8620, "E"),
            ("Ferland-et-Boilleau", 48.1840, -70.8450, "M ferland-et-boilleau, P"),
            ("south of Ferland", 48.1500, -70.8580, "P ferland-et-boilleau"),
            ("towards Charlevoix", 48.1200, -70.8700, "E"),
            ("region edge towards Charlevoix", 48.0800, -70.8800, "E"),
        ],
    },
    {
        "id": "r172",
        "ref": "R-172",
        "name": "Route 172",
        "kind": "route",
        "source": "R (Alma, Saint-Nazaire, Saint-Ambroise, Shipshaw river bridge, pont Dubuc, "
        "Saint-Fulgence, Sainte-Rose-du-Nord); M; P; K; E",
        "points": [
            "@r169_r172",
            ("east of Isle-Maligne", 48.5920, -71.6200, "K"),
            ("towards Saint-Nazaire", 48.5900, -71.5900, "K"),
            ("towards Saint-Nazaire", 48.5860, -71.5600, "K"),
            ("Saint-Nazaire", 48.5820, -71.5300, "M saint-nazaire, P"),
            ("east of Saint-Nazaire", 48.5730, -71.5000, "K"),
            ("towards Saint-Charles-de-Bourget", 48.5620, -71.4750, "K"),
            ("towards Saint-Charles-de-Bourget", 48.5500, -71.4550, "K"),
            ("Saint-Charles-de-Bourget", 48.5380, -71.4280, "M saint-charles-de-bourget"),
            ("towards Saint-Ambroise", 48.5410, -71.4000, "K"),
            ("towards Saint-Ambroise", 48.5460, -71.3700, "K"),
            ("west of Saint-Ambroise", 48.5520, -71.3450, "K"),
            ("Saint-Ambroise", 48.5550, -71.3300, "M saint-ambroise, P"),
            ("east of Saint-Ambroise", 48.5450, -71.3050, "K"),
            "@shipshaw_r172",
            ("Shipshaw", 48.5180, -71.2650, "K (P saguenay-shipshaw)"),
            ("Shipshaw", 48.5050, -71.2450, "K (P saguenay-shipshaw)"),
            "@coulombe_r172",
            "@shipbr_w",
            ("BRIDGE", "Pont de la rivière Shipshaw"),
            "@shipbr_e",
            ("east of the Shipshaw river", 48.4780, -71.1850, "K"),
            ("towards Chicoutimi-Nord", 48.4700, -71.1600, "K"),
            ("towards Chicoutimi-Nord", 48.4620, -71.1350, "K"),
            ("Canton-Tremblay", 48.4560, -71.1150, "M saguenay-canton-tremblay"),
            ("Chicoutimi-Nord west", 48.4480, -71.0970, "K"),
            "@dubuc_n",
            ("boul. Sainte-Geneviève", 48.4405, -71.0720, "K"),
            ("Chicoutimi-Nord, R-172 (ancien accès au pont Sainte-Anne)", 48.4415, -71.0600, "K"),
            ("east of Chicoutimi-Nord", 48.4460, -71.0400, "K"),
            ("towards Saint-Fulgence (inland)", 48.4540, -71.0150, "K"),
            ("towards Saint-Fulgence", 48.4600, -70.9900, "K"),
            ("towards Saint-Fulgence", 48.4600, -70.9650, "K (P saint-fulgence)"),
            ("Saint-Fulgence west", 48.4560, -70.9400, "P saint-fulgence"),
            ("Saint-Fulgence", 48.4500, -70.9050, "M saint-fulgence"),
            ("east of Saint-Fulgence", 48.4550, -70.8700, "K"),
            ("towards Sainte-Rose-du-Nord", 48.4620, -70.8300, "E"),
            ("towards Sainte-Rose-du-Nord", 48.4680, -70.7900, "E"),
            ("towards Sainte-Rose-du-Nord", 48.4680, -70.7500, "E"),
            ("towards Sainte-Rose-du-Nord", 48.4620, -70.7000, "E"),
            ("towards Sainte-Rose-du-Nord", 48.4550, -70.6500, "E"),
            ("Sainte-Rose-du-Nord turn-off", 48.4450, -70.6000, "E (P sainte-rose-du-nord)"),
            ("towards Sacré-Cœur", 48.4200, -70.5500, "E"),
            ("towards Sacré-Cœur", 48.3900, -70.5000, "E"),
            ("towards Sacré-Cœur", 48.3600, -70.4400, "E"),
            ("towards Sacré-Cœur", 48.3300, -70.3800, "E"),
            ("towards Sacré-Cœur", 48.3000, -70.3200, "E"),
            ("region edge towards Sacré-Cœur", 48.2700, -70.2500, "E"),
        ],
    },
    {
        "id": "r169-sud",
        "ref": "R-169",
        "name": "Route 169",
        "kind": "route",
        "source": "R (starts at R-175 km 166, 'petit parc', Hébertville, Saint-Bruno, Alma "
        "boul. Auger; R-170 runs with it from Saint-Bruno to Alma); M; P; PK; E",
        "points": [
            "@r175_r169",
            ("petit parc", 47.9000, -71.2900, "E"),
            ("petit parc", 47.9500, -71.3200, "E"),
            ("petit parc", 48.0000, -71.3600, "E"),
            ("petit parc", 48.0500, -71.4000, "E"),
            ("petit parc", 48.1000, -71.4400, "E"),
            ("petit parc", 48.1500, -71.4900, "E"),
            ("petit parc", 48.2000, -71.5400, "E"),
            ("petit parc", 48.2500, -71.5800, "E"),
            ("south of Hébertville", 48.3000, -71.6200, "E (P hebertville)"),
            ("south of Hébertville", 48.3500, -71.6600, "K (P hebertville)"),
            "@hebertville",
            ("north of Hébertville", 48.4200, -71.6700, "K"),
            ("Hébertville-Station", 48.4490, -71.6570, "M hebertville-station, PK secteur-sud"),
            "@stbruno",
            ("north of Saint-Bruno", 48.4900, -71.6550, "K"),
            ("Alma airport", 48.5120, -71.6520, "PK alma-aeroportuaire"),
            "@alma_auger",
        ],
    },
    {
        "id": "r169-lac",
        "ref": "R-169",
        "name": "Route 169",
        "kind": "route",
        "source": "R (loop round Lac Saint-Jean: Alma, Péribonka, Mistassini, Albanel, "
        "Normandin area, Saint-Félicien, Roberval, Val-Jalbert, Chambord, "
        "Métabetchouan, Saint-Gédéon); M; P; PK; K",
        "points": [
            "@alma_auger",
            ("Alma, avenue du Pont sud", 48.5400, -71.6550, "K (PK alma-gabriel-fortin)"),
            "@petdech_s",
            ("BRIDGE", "Pont de la Petite Décharge (Alma)"),
            "@petdech_n",
            ("Alma centre", 48.5530, -71.6490, "M alma, P"),
            ("Alma north", 48.5630, -71.6460, "PK alma-nord"),
            "@grdech_s",
            ("BRIDGE", "Pont de la Grande Décharge (Isle-Maligne)"),
            "@grdech_n",
            "@r169_r172",
            ("Delisle", 48.6120, -71.6650, "M alma-delisle"),
            ("towards Saint-Cœur-de-Marie", 48.6220, -71.6900, "K"),
            ("Saint-Cœur-de-Marie", 48.6330, -71.7170, "M alma-saint-coeur-de-marie"),
            ("towards Saint-Henri-de-Taillon", 48.6420, -71.7500, "K"),
            ("towards Saint-Henri-de-Taillon", 48.6500, -71.7850, "K (P saint-henri-de-taillon)"),
            ("Saint-Henri-de-Taillon", 48.6600, -71.8150, "M saint-henri-de-taillon"),
            ("towards Sainte-Monique", 48.6800, -71.8380, "K"),
            ("towards Sainte-Monique", 48.7050, -71.8480, "K"),
            ("Sainte-Monique", 48.7330, -71.8500, "M sainte-monique, P"),
            ("towards Péribonka", 48.7450, -71.8850, "K"),
            ("towards Péribonka", 48.7550, -71.9250, "K"),
            ("towards Péribonka", 48.7620, -71.9650, "K"),
            ("towards Péribonka", 48.7650, -72.0050, "K"),
            "@perib_e",
            ("BRIDGE", "Pont de Péribonka"),
            "@perib_w",
            ("Péribonka", 48.7680, -72.0550, "M peribonka, P"),
            ("towards Sainte-Jeanne-d'Arc", 48.7850, -72.0750, "K"),
            ("towards Sainte-Jeanne-d'Arc", 48.8050, -72.0950, "K"),
            ("towards Sainte-Jeanne-d'Arc", 48.8260, -72.1000, "K (P sainte-jeanne-d-arc)"),
            ("Sainte-Jeanne-d'Arc", 48.8460, -72.0900, "M sainte-jeanne-d-arc, P"),
            ("towards Mistassini", 48.8650, -72.1400, "K"),
            ("Mistassini", 48.8800, -72.1800, "K (M dolbeau-mistassini-mistassini)"),
            "@mist_e",
            ("BRIDGE", "Pont de la rivière Mistassini (Dolbeau-Mistassini)"),
            "@mist_w",
            ("Dolbeau", 48.8800, -72.2320, "M dolbeau-mistassini-dolbeau, PK dolbeau"),
            ("west of Dolbeau", 48.8760, -72.2600, "K"),
            ("towards Albanel", 48.8740, -72.2900, "K"),
            ("towards Albanel", 48.8760, -72.3300, "K"),
            ("towards Albanel", 48.8800, -72.3700, "K"),
            ("towards Albanel", 48.8830, -72.4100, "K"),
            ("Albanel", 48.8840, -72.4450, "M albanel, P"),
            ("towards Normandin (1er rang d'Albanel)", 48.8720, -72.4750, "R, K"),
            ("towards Normandin", 48.8550, -72.4950, "K"),
            "@normandin_r169",
            ("south of Normandin", 48.8100, -72.5000, "K"),
            ("towards Saint-Félicien", 48.7850, -72.4900, "K"),
            ("towards Saint-Félicien", 48.7600, -72.4800, "K"),
            ("towards Saint-Félicien", 48.7350, -72.4700, "K"),
            ("towards Saint-Félicien", 48.7100, -72.4600, "K"),
            ("Saint-Félicien north", 48.6850, -72.4550, "K (PK saint-felicien-ecoparc)"),
            "@ashu_n",
            ("BRIDGE", "Pont de la rivière Ashuapmushuan (Saint-Félicien)"),
            "@ashu_s",
            "@stfel_centre",
            ("Saint-Félicien east", 48.6420, -72.4200, "PK saint-felicien-nouveau"),
            ("towards Saint-Prime", 48.6300, -72.3950, "K"),
            ("towards Saint-Prime", 48.6180, -72.3700, "K"),
            ("Saint-Prime", 48.5960, -72.3360, "M saint-prime, P"),
            ("towards Mashteuiatsh", 48.5880, -72.3100, "K"),
            ("towards Mashteuiatsh", 48.5800, -72.2850, "K"),
            ("Mashteuiatsh", 48.5680, -72.2500, "M mashteuiatsh, P"),
            ("towards Roberval", 48.5520, -72.2400, "K"),
            ("Roberval north", 48.5360, -72.2330, "K (P roberval)"),
            "@roberval",
            ("Roberval south", 48.5030, -72.2150, "K"),
            ("towards Val-Jalbert", 48.4860, -72.2000, "K"),
            ("towards Val-Jalbert", 48.4680, -72.1830, "K"),
            ("towards Val-Jalbert", 48.4600, -72.1750, "K"),
            ("Val-Jalbert", 48.4470, -72.1550, "K"),
            ("towards Chambord", 48.4430, -72.1350, "K"),
            ("towards Chambord", 48.4380, -72.1050, "K"),
            "@chambord",
            ("east of Chambord", 48.4220, -72.0450, "K"),
            ("towards Desbiens", 48.4130, -72.0150, "K"),
            ("towards Desbiens", 48.4090, -71.9850, "K"),
            ("Desbiens", 48.4150, -71.9520, "M desbiens, P"),
            ("towards Métabetchouan", 48.4230, -71.9300, "K"),
            ("towards Métabetchouan", 48.4220, -71.9000, "K"),
            ("Métabetchouan", 48.4310, -71.8670, "M metabetchouan-lac-a-la-croix, P"),
            "@meta_r170",
        ],
    },
    {
        "id": "r169-hebertville",
        "ref": "R-169",
        "name": "Route 169",
        "kind": "route",
        "source": "R (R-169 km 292.6 R-170 jct → end km 303.7, 11 km); M hebertville; E",
        "points": [
            "@meta_r170",
            ("towards Hébertville", 48.4300, -71.8150, "E"),
            ("towards Hébertville", 48.4200, -71.7800, "E"),
            ("towards Hébertville", 48.4100, -71.7450, "E"),
            ("towards Hébertville", 48.4020, -71.7120, "E"),
            "@hebertville",
        ],
    },
    {
        "id": "r170-lac",
        "ref": "R-170",
        "name": "Route 170",
        "kind": "route",
        "source": "R (R-170 ends at R-169 near Métabetchouan via Saint-Gédéon and Alma boul. "
        "Auger; numbering of this stretch not verified); M; P; K",
        "points": [
            "@meta_r170",
            ("towards Saint-Gédéon (inland)", 48.4470, -71.8200, "K"),
            ("towards Saint-Gédéon", 48.4580, -71.8020, "K"),
            ("towards Saint-Gédéon", 48.4720, -71.7930, "K"),
            ("Saint-Gédéon", 48.4900, -71.7780, "P saint-gedeon"),
            ("north-east of Saint-Gédéon", 48.5060, -71.7620, "K"),
            ("towards Alma (shore)", 48.5180, -71.7400, "K"),
            ("towards Alma", 48.5240, -71.7150, "K"),
            ("Alma west", 48.5280, -71.6880, "K (P alma)"),
            "@alma_auger",
        ],
    },
    {
        "id": "r155",
        "ref": "R-155",
        "name": "Route 155",
        "kind": "route",
        "source": "R (Chambord jct R-169 → Lac-Bouchette → La Tuque); M; P; E",
        "points": [
            "@chambord",
            ("south of Chambord", 48.4100, -72.0850, "K"),
            ("towards Lac-Bouchette", 48.3850, -72.1000, "E"),
            ("towards Lac-Bouchette", 48.3600, -72.1150, "E"),
            ("towards Lac-Bouchette", 48.3350, -72.1300, "E"),
            ("towards Lac-Bouchette", 48.3100, -72.1450, "E"),
            ("towards Lac-Bouchette", 48.2850, -72.1600, "E"),
            ("towards Lac-Bouchette", 48.2600, -72.1750, "E (M lac-bouchette)"),
            ("towards Lac-Bouchette", 48.2350, -72.1850, "E"),
            ("Lac-Bouchette", 48.2050, -72.2000, "E (M, P lac-bouchette)"),
            ("south of Lac-Bouchette", 48.1750, -72.2200, "P lac-bouchette"),
            ("towards La Tuque", 48.1450, -72.2350, "E"),
            ("region edge towards La Tuque", 48.1000, -72.2600, "E"),
        ],
    },
    {
        "id": "r167",
        "ref": "R-167",
        "name": "Route 167",
        "kind": "route",
        "source": "R (Saint-Félicien jct R-169 → La Doré → Chibougamau); M; P; E",
        "points": [
            "@stfel_centre",
            ("west of Saint-Félicien", 48.6600, -72.4800, "K"),
            ("towards La Doré", 48.6700, -72.5200, "E"),
            ("towards La Doré", 48.6850, -72.5600, "E"),
            ("towards La Doré", 48.6980, -72.6000, "E"),
            ("La Doré", 48.7120, -72.6450, "M la-dore, P"),
            ("towards Ashuapmushuan reserve", 48.7300, -72.6900, "E"),
            ("towards Chibougamau", 48.7500, -72.7400, "E"),
        ],
    },
    # ----------------------------- urban arterials and local links ---------------------------
    {
        "id": "chic-racine",
        "ref": "",
        "name": "Rue Racine et boulevard Saguenay (Chicoutimi)",
        "kind": "arterial",
        "source": "K; M saguenay-chicoutimi",
        "points": [
            "@dubuc_s",
            ("west of downtown", 48.4300, -71.0780, "K"),
            ("downtown", 48.4280, -71.0700, "K"),
            "@chic_centre",
            ("rive sud du pont Sainte-Anne (bout de l'artère)", 48.4300, -71.0620, "K"),
        ],
    },
    # The pont Sainte-Anne (Chicoutimi) is left out of the truck network: an old bridge, closed
    # to motor traffic for years and reserved to pedestrians and cyclists; heavy trucks cross
    # the Saguenay at Chicoutimi by the pont Dubuc. To verify before relying on it.
    {
        "id": "chic-saint-paul",
        "ref": "",
        "name": "Boulevard Saint-Paul (Chicoutimi)",
        "kind": "arterial",
        "source": "R (§1: boul. Saint-Paul, south end near A-70); K; E",
        "points": [
            "@chic_centre",
            ("boul. Saint-Paul", 48.4180, -71.0600, "K"),
            ("boul. Saint-Paul", 48.4080, -71.0620, "K"),
            ("boul. Saint-Paul", 48.4000, -71.0630, "K"),
            "@a70_stpaul",
        ],
    },
    {
        "id": "jonq-dam2",
        "ref": "",
        "name": "Boulevard Harvey et pont de la Dam-Deux (Jonquière)",
        "kind": "arterial",
        "source": "E (bridge named in jeantremblayfm.com 2013 'Pont Dubuc'; position guessed)",
        "points": [
            "@jonq_centre",
            ("boul. Harvey", 48.4280, -71.2520, "E"),
            ("boul. Harvey", 48.4400, -71.2540, "E"),
            ("boul. Harvey / rue de la Dam-Deux", 48.4530, -71.2550, "E"),
            "@dam2_s",
            ("BRIDGE", "Pont de la Dam-Deux (Jonquière)"),
            "@dam2_n",
        ],
    },
    {
        "id": "shipshaw-route",
        "ref": "",
        "name": "Route de Shipshaw (Shipshaw)",
        "kind": "arterial",
        "source": "E (P saguenay-shipshaw; M saguenay-shipshaw)",
        "points": [
            "@dam2_n",
            ("Shipshaw", 48.4750, -71.2720, "M saguenay-shipshaw, P"),
            ("Shipshaw north", 48.4920, -71.2800, "E"),
            ("Shipshaw north", 48.5100, -71.2880, "E"),
            "@shipshaw_r172",
        ],
    },
    {
        "id": "arvida-alu",
        "ref": "",
        "name": "Accès au pont d'aluminium (Arvida)",
        "kind": "arterial",
        "source": "ici.radio-canada.ca/nouvelle/1886330 (route Coulombe + pont d'aluminium "
        "detour); ckaj.org (pont d'aluminium de Shipshaw); E",
        "points": [
            "@arvida_r170",
            ("Arvida north", 48.4250, -71.1860, "E (PK arvida)"),
            ("Arvida north", 48.4330, -71.1890, "E"),
            "@alu_s",
            ("BRIDGE", "Pont d'aluminium (Arvida–Shipshaw)"),
            "@alu_n",
        ],
    },
    {
        "id": "shipshaw-coulombe",
        "ref": "",
        "name": "Route Coulombe (Shipshaw)",
        "kind": "arterial",
        "source": "ici.radio-canada.ca/nouvelle/1886330; E",
        "points": [
            "@alu_n",
            ("route Coulombe", 48.4580, -71.2050, "E"),
            ("route Coulombe", 48.4700, -71.2150, "E"),
            ("route Coulombe", 48.4820, -71.2220, "E"),
            "@coulombe_r172",
        ],
    },
    {
        "id": "labaie-port",
        "ref": "",
        "name": "Chemin du Quai-Marcel-Dionne (accès au terminal de Grande-Anse)",
        "kind": "arterial",
        "source": "R (§1: 6600 chemin du Quai-Marcel-Dionne; port ~15 km east of Chicoutimi); "
        "PK zip-grande-anse; E",
        "points": [
            "@a70_grandeanse",
            ("north of Bagotville", 48.3630, -70.9200, "E (M saguenay-bagotville)"),
            ("towards Grande-Anse", 48.3760, -70.8950, "E"),
            ("towards Grande-Anse", 48.3880, -70.8700, "E"),
            ("towards Grande-Anse", 48.3980, -70.8550, "E"),
            ("Terminal maritime de Grande-Anse", 48.4050, -70.8450, "PK zip-grande-anse"),
        ],
    },
    {
        "id": "alma-auger",
        "ref": "",
        "name": "Boulevard Auger Est (Alma)",
        "kind": "arterial",
        "source": "R (boul. Auger, Alma); PK alma-joseph-collard; E",
        "points": [
            "@alma_auger",
            ("boul. Auger", 48.5340, -71.6450, "E"),
            ("Parc industriel Joseph-Collard", 48.5380, -71.6300, "PK alma-joseph-collard"),
        ],
    },
    {
        "id": "roberval-aeroport",
        "ref": "",
        "name": "Accès à l'aéroport de Roberval",
        "kind": "arterial",
        "source": "PK roberval-aeroport; E",
        "points": [
            "@roberval",
            ("towards the airport", 48.5220, -72.2450, "E"),
            ("Roberval airport park", 48.5230, -72.2560, "PK roberval-aeroport"),
        ],
    },
    {
        "id": "normandin-acces",
        "ref": "",
        "name": "Accès au centre de Normandin",
        "kind": "arterial",
        "source": "M normandin; PK normandin-agroalimentaire; E",
        "points": [
            "@normandin_r169",
            ("Normandin", 48.8340, -72.5200, "E"),
            ("Normandin centre", 48.8333, -72.5333, "M normandin"),
        ],
    },
]

# Access roads, outbound corridors and the ferry (issue 17): see scripts/roads_added.py.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from roads_added import EXTEND, JUNCTIONS_ADDED, ROADS_ADDED, SINUOSITY  # noqa: E402

JUNCTIONS.update(JUNCTIONS_ADDED)
for _road in ROADS:
    _road["points"] = list(_road["points"]) + EXTEND.get(_road["id"], [])
ROADS.extend(ROADS_ADDED)


def _promote(road_id: str, near: tuple[str, float, float, str]) -> str:
    """Return the junction key of ``road_id``'s waypoint nearest to ``near``, making it one."""
    road = next(r for r in ROADS if r["id"] == road_id)
    best, best_km = -1, math.inf
    for i, wp in enumerate(road["points"]):
        if isinstance(wp, tuple) and wp[0] in ("BRIDGE", "FROM", "TO"):
            continue
        km = _km(_pt(_resolve(wp)), _pt(near))
        if km < best_km:
            best, best_km = i, km
    wp = road["points"][best]
    if isinstance(wp, str):
        return wp
    key = f"{road_id}#{best}"
    JUNCTIONS[key] = wp
    road["points"][best] = "@" + key
    return "@" + key


def resolve_branches() -> None:
    """Turn every ``("FROM", road)`` / ``("TO", road)`` end into a junction on that road."""
    for road in ROADS:
        pts = road["points"]
        if isinstance(pts[0], tuple) and pts[0][0] == "FROM":
            pts[0] = _promote(pts[0][1], _resolve(pts[1]))
        if isinstance(pts[-1], tuple) and pts[-1][0] == "TO":
            pts[-1] = _promote(pts[-1][1], _resolve(pts[-2]))


# ---------------------------------------------------------------------------------------------
# Calibration pairs: reference §8 (published road distances).
# (from label, from point id, to label, to point id, low km, high km, status, mode)
# point ids are municipalities.csv ids, or "park:<id>" for parks.csv.
# mode: "path" shortest path; "north" shortest path without R-170 / A-70 (north shore only);
# "min" graph_km must be >= low; "loop" Alma→Dolbeau-Mistassini→Roberval→Alma;
# "winter" (via Chicoutimi) − (via petit parc) from Hébertville to the junction.
# ---------------------------------------------------------------------------------------------
PAIRS: list[tuple[str, str, str, str, float, float | None, str, str]] = [
    (
        "Chicoutimi",
        "saguenay-chicoutimi",
        "Alma",
        "alma",
        55,
        60,
        "ESTIMATE (vague: 'environ 55 km' from a truncated page)",
        "path",
    ),
    ("Jonquière", "saguenay-jonquiere", "Alma", "alma", 45, 45, "ESTIMATE (~45)", "path"),
    (
        "Alma",
        "alma",
        "Chicoutimi (north shore R-172)",
        "saguenay-chicoutimi",
        60,
        60,
        "FOUND (itinerary 580→640 km)",
        "north",
    ),
    ("Alma", "alma", "Roberval", "roberval", 60, 65, "ESTIMATE", "path"),
    ("Roberval", "roberval", "Saint-Félicien", "saint-felicien", 25, 25, "ESTIMATE (~25)", "path"),
    (
        "Saint-Félicien",
        "saint-felicien",
        "Dolbeau-Mistassini",
        "dolbeau-mistassini",
        40,
        45,
        "ESTIMATE",
        "path",
    ),
    ("Saint-Félicien", "saint-felicien", "Alma", "alma", 85, 90, "ESTIMATE (25 + 62)", "path"),
    (
        "Roberval",
        "roberval",
        "Dolbeau-Mistassini",
        "dolbeau-mistassini",
        65,
        70,
        "ESTIMATE",
        "path",
    ),
    (
        "Roberval",
        "roberval",
        "Chicoutimi",
        "saguenay-chicoutimi",
        115,
        125,
        "DERIVED (vague: from a driving time '1 h 15 at 100 km/h')",
        "path",
    ),
    (
        "La Baie",
        "saguenay-la-baie",
        "Chicoutimi",
        "saguenay-chicoutimi",
        20,
        20,
        "ESTIMATE (~20)",
        "path",
    ),
    (
        "Chicoutimi",
        "saguenay-chicoutimi",
        "Saint-Fulgence",
        "saint-fulgence",
        18,
        18,
        "ESTIMATE (~18)",
        "path",
    ),
    (
        "Chicoutimi",
        "saguenay-chicoutimi",
        "Port de Saguenay (Grande-Anse)",
        "park:zip-grande-anse",
        20,
        20,
        "ESTIMATE (~20; port point itself ESTIMATE)",
        "path",
    ),
    (
        "Saint-Charles-de-Bourget",
        "saint-charles-de-bourget",
        "Jonquière",
        "saguenay-jonquiere",
        25,
        25,
        "FOUND",
        "path",
    ),
    (
        "La Baie",
        "saguenay-la-baie",
        "Saint-Fulgence",
        "saint-fulgence",
        35,
        None,
        "CHECK (no bridge below Chicoutimi: must be >= 35 km)",
        "min",
    ),
    (
        "Tour du lac (R-169 loop)",
        "alma",
        "Alma",
        "alma",
        200,
        200,
        "ESTIMATE (Wikivoyage 'about 200 km')",
        "loop",
    ),
    (
        "Hébertville (winter detour)",
        "hebertville",
        "R-175/R-169 jct",
        "",
        50,
        50,
        "FOUND ('près de 50 km' longer via Chicoutimi)",
        "winter",
    ),
]

# Issue 17: the short legs and the outbound corridors.  Place ids "qc:<name>" are points of
# data/quebec_places.csv (GeoNames), outside the region.
PAIRS += [
    (
        "Alma",
        "alma",
        "Dolbeau-Mistassini (north shore R-169)",
        "dolbeau-mistassini",
        65,
        75,
        "DERIVED (tour du lac 200 − Roberval–Dolbeau 65–70 − Alma–Roberval 60–65)",
        "path",
    ),
    (
        "Chicoutimi",
        "saguenay-chicoutimi",
        "Québec",
        "qc:Quebec",
        211,
        211,
        "GENERAL KNOWLEDGE (Chicoutimi–Québec ≈ 211 km by R-175, road signs and atlases)",
        "path",
    ),
    (
        "Saguenay (Chicoutimi)",
        "saguenay-chicoutimi",
        "Tadoussac",
        "qc:Tadoussac",
        126,
        126,
        "FOUND (R-172 Saguenay → Tadoussac 126 km)",
        "path",
    ),
    (
        "Saint-Félicien",
        "saint-felicien",
        "Chibougamau",
        "qc:Chibougamau",
        232,
        232,
        "FOUND (R-167 sign at Saint-Félicien 'Chibougamau 232 km')",
        "path",
    ),
    (
        "Saint-Siméon",
        "qc:Saint-Simeon",
        "L'Anse-Saint-Jean",
        "l-anse-saint-jean",
        86,
        86,
        "FOUND (R-170, 86 km by bike)",
        "path",
    ),
    (
        "Montréal",
        "qc:Montreal",
        "Mashteuiatsh",
        "mashteuiatsh",
        447,
        447,
        "FOUND (447 km via A-40 / R-155)",
        "path",
    ),
    (
        "Québec",
        "qc:Quebec",
        "Tadoussac",
        "qc:Tadoussac",
        220,
        220,
        "GENERAL KNOWLEDGE (≈ 220 km by R-138 and the ferry)",
        "path",
    ),
    (
        "Québec",
        "qc:Quebec",
        "Baie-Comeau",
        "qc:Baie-Comeau",
        420,
        420,
        "GENERAL KNOWLEDGE (≈ 420 km by R-138 and the Tadoussac ferry)",
        "path",
    ),
    (
        "Québec",
        "qc:Quebec",
        "Trois-Rivières",
        "qc:Trois-Rivieres",
        130,
        130,
        "GENERAL KNOWLEDGE (≈ 130 km by A-40)",
        "path",
    ),
    (
        "Montréal",
        "qc:Montreal",
        "Québec",
        "qc:Quebec",
        255,
        255,
        "GENERAL KNOWLEDGE (≈ 255 km by A-40)",
        "path",
    ),
]

# Section lengths of the reference (§7), checked on the named junctions.
SECTIONS: list[tuple[str, str, str, float, str]] = [
    ("A-70 (whole)", "a70_w", "a70_e", 31.56, "FOUND (31.56 km; 31.8 in text)"),
    (
        "R-170 Jonquière–Saint-Bruno",
        "a70_w",
        "stbruno",
        20.8,
        "FOUND (section length; its end points are not stated)",
    ),
    (
        "R-170 Chicoutimi (R-175)–La Baie",
        "r175_r170_sud",
        "a70_e",
        14.6,
        "FOUND (section length; its end points are not stated)",
    ),
]


SECTIONS += [
    (
        "R-175 Saint-Lambert-de-Lauzon–jct R-169",
        "46.5870,-71.2100",
        "r175_r169",
        166,
        "FOUND (jct R-169 at km 166)",
        ("R-175",),
    ),
    (
        "R-175 jct R-169–pont Dubuc",
        "r175_r169",
        "dubuc_n",
        77,
        "DERIVED (243 − 166: the route ends at the pont Dubuc)",
        ("R-175",),
    ),
    ("R-175 (whole)", "46.5870,-71.2100", "dubuc_n", 243, "FOUND (243 km)", ("R-175",)),
    (
        "R-169 jct R-175–Alma (boul. Auger)",
        "r175_r169",
        "alma_auger",
        86.0,
        "FOUND (collector section starts at km 86.0, R-170 jct at boul. Auger)",
        ("R-169",),
    ),
]


# ---------------------------------------------------------------------------------------------
def _pt(p: tuple[str, float, float, str]) -> tuple[float, float]:
    """(lon, lat) rounded to 6 decimals."""
    return (round(p[2], 6), round(p[1], 6))


def _resolve(wp: Any) -> tuple[str, float, float, str]:
    if isinstance(wp, str):
        if not wp.startswith("@") or wp[1:] not in JUNCTIONS:
            raise SystemExit(f"unknown junction {wp!r}")
        return JUNCTIONS[wp[1:]]
    return wp


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def _densify(
    coords: list[tuple[float, float]], step_km: float = MAX_SEGMENT_KM
) -> list[tuple[float, float]]:
    out = [coords[0]]
    for a, b in zip(coords, coords[1:], strict=False):
        n = math.ceil(_km(a, b) / step_km)
        for i in range(1, n):
            t = i / n
            out.append((round(a[0] + (b[0] - a[0]) * t, 6), round(a[1] + (b[1] - a[1]) * t, 6)))
        out.append(b)
    return out


def _runs(
    coords: list[tuple[float, float]], winding: tuple[float, tuple[float, ...]] | None
) -> list[tuple[float, list[tuple[float, float]]]]:
    """Cut a piece of road into runs of one length factor each: ``[(factor, vertices), ...]``.

    A road without an entry in ``SINUOSITY`` is one run, densified to ``MAX_SEGMENT_KM``, factor
    1. A winding road is densified to ``WINDING_SEGMENT_KM``; each of these segments whose
    midpoint lies in the road's box (west, south, east, north) counts ``gain`` times its
    length, the others 1; consecutive segments of the same factor make one run. Two runs share
    their end vertex, so the graph joins them there. The drawn line keeps the waypoints' shape.
    """
    if not winding:
        return [(1.0, _densify(coords))]
    gain, box = winding
    dense = _densify(coords, WINDING_SEGMENT_KM)
    runs: list[tuple[float, list[tuple[float, float]]]] = []
    for a, b in zip(dense, dense[1:], strict=False):
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        factor = gain if box[0] <= mx <= box[2] and box[1] <= my <= box[3] else 1.0
        if runs and runs[-1][0] == factor:
            runs[-1][1].append(b)
        else:
            runs.append((factor, [a, b]))
    return runs


def build_features() -> list[dict[str, Any]]:
    resolve_branches()
    features: list[dict[str, Any]] = []
    ids: set[str] = set()
    for road in ROADS:
        pieces: list[tuple[str | None, list[tuple[float, float]]]] = []
        current: list[tuple[float, float]] = []
        pending_bridge: str | None = None
        for wp in road["points"]:
            if isinstance(wp, tuple) and wp[0] == "BRIDGE":
                if len(current) > 1:
                    pieces.append((None, current))
                pending_bridge = wp[1]
                current = [current[-1]]
                continue
            pt = _pt(_resolve(wp))
            current.append(pt)
            if pending_bridge is not None:
                pieces.append((pending_bridge, current))
                pending_bridge = None
                current = [pt]
        if len(current) > 1:
            pieces.append((None, current))
        winding = SINUOSITY.get(road["id"])
        for n, (bridge, coords) in enumerate(pieces, start=1):
            runs = _runs(coords, None if bridge else winding)
            for letter, (factor, line) in zip("abcdefghijklmnopqrstuvwxyz", runs, strict=False):
                fid = f"{road['id']}-{n}" + (letter if len(runs) > 1 else "")
                assert fid not in ids, fid
                ids.add(fid)
                features.append(_feature(road, fid, bridge, factor, coords, line))
    return features


def _feature(
    road: dict[str, Any],
    fid: str,
    bridge: str | None,
    factor: float,
    coords: list[tuple[float, float]],
    line: list[tuple[float, float]],
) -> dict[str, Any]:
    """One GeoJSON feature of ``road``: ``line`` (its vertices), a bridge or a run of it."""
    kind = "bridge" if bridge else road["kind"]
    if "crossing_min" in road:  # a ferry: its length takes the crossing time
        line_km = sum(_km(p, q) for p, q in zip(coords, coords[1:], strict=False))
        speed = round(line_km / (road["crossing_min"] / 60.0), 2)
    else:
        speed = SPEED[road["kind"]]
    extra: dict[str, Any] = {}
    if "crossing_min" in road:
        extra["crossing_min"] = road["crossing_min"]
    if factor != 1.0:
        extra["length_factor"] = factor
        extra["length_note"] = LENGTH_NOTE.format(factor=factor, meets="…")  # see main()
    return {
        "type": "Feature",
        "id": fid,
        "properties": {
            "id": fid,
            "ref": road["ref"],
            "name": bridge or road["name"],
            "kind": kind,
            "speed_kmh": speed,
            "bridge": bool(bridge),
            "bridge_name": bridge,
            "status": "approximate",
            "source": road["source"]
            if not bridge
            else f"bridge of {road['name']}; ends: " + road["source"],
            **extra,
        },
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in line]},
    }


def _piece(fid: str) -> str:
    """The piece a feature id belongs to: ``r175-1b`` → ``r175-1``."""
    return re.sub(r"(-\d+)[a-z]$", r"\1", fid)


def _road_id(fid: str) -> str:
    """The road a feature id belongs to: ``r175-1b`` → ``r175``."""
    return re.sub(r"-\d+[a-z]?$", "", fid)


def check_junctions(features: list[dict[str, Any]]) -> None:
    """Refuse accidental shared vertices: any vertex in 2+ features must be a junction."""
    junction_pts = {_pt(j) for j in JUNCTIONS.values()}
    seen: dict[tuple[float, float], set[str]] = {}
    for f in features:
        for c in f["geometry"]["coordinates"]:
            seen.setdefault((c[0], c[1]), set()).add(f["id"])
    # Two runs of one piece (see _runs) share their end vertex: that is not an accident.
    bad = [
        p
        for p, fs in seen.items()
        if len(fs) > 1 and p not in junction_pts and len({_piece(f) for f in fs}) > 1
    ]
    if bad:
        raise SystemExit(f"vertices shared outside junctions: {bad}")
    unused = [k for k, j in JUNCTIONS.items() if len(seen.get(_pt(j), ())) < 2]
    if unused:
        raise SystemExit(f"junctions met by fewer than two lines: {unused}")


# ---------------------------------------------------------------------------------------------
def load_graph(path: Path) -> nx.Graph:
    g = nx.Graph()
    data = json.loads(path.read_text(encoding="utf-8"))
    for f in data["features"]:
        coords = [(round(x, 6), round(y, 6)) for x, y in f["geometry"]["coordinates"]]
        factor = float(f["properties"].get("length_factor", 1.0))
        for a, b in zip(coords, coords[1:], strict=False):
            g.add_edge(
                a,
                b,
                weight=_km(a, b) * factor,
                ref=f["properties"]["ref"],
                kind=f["properties"]["kind"],
                road=_road_id(f["properties"]["id"]),
                factor=factor,
            )
    return g


def _points() -> dict[str, tuple[float, float]]:
    pts: dict[str, tuple[float, float]] = {}
    with open(ROOT / "data" / "municipalities.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            pts[r["id"]] = (float(r["lon"]), float(r["lat"]))
    with open(ROOT / "data" / "quebec_places.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            pts["qc:" + r["name"]] = (float(r["lon"]), float(r["lat"]))
    with open(ROOT / "data" / "parks.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["lat"] and r["lon"]:
                pts["park:" + r["id"]] = (float(r["lon"]), float(r["lat"]))
    return pts


def _snap(g: nx.Graph, p: tuple[float, float]) -> tuple[tuple[float, float], float]:
    best = min(g.nodes, key=lambda n: (n[0] - p[0]) ** 2 * 0.44 + (n[1] - p[1]) ** 2)
    return best, _km(p, best)


def _ends(g: nx.Graph, key: str) -> tuple[float, float]:
    """A junction's vertex, or the vertex of ``g`` nearest to a ``"lat,lon"`` point."""
    if key in JUNCTIONS:
        return _pt(JUNCTIONS[key])
    lat, lon = (float(v) for v in key.split(","))
    return _snap(g, (lon, lat))[0]


def _dist(
    g: nx.Graph, a: tuple[float, float], b: tuple[float, float], used: set[str] | None = None
) -> float:
    """Shortest road km from ``a`` to ``b``; add to ``used`` the roads with a length factor
    that the path runs on."""
    path = nx.shortest_path(g, a, b, weight="weight")
    km = 0.0
    for u, v in zip(path, path[1:], strict=False):
        data = g.edges[u, v]
        km += data["weight"]
        if used is not None and data["factor"] != 1.0:
            used.add(data["road"])
    return km


def calibrate(
    geojson: Path, out: Path, meets: dict[str, list[str]] | None = None
) -> list[dict[str, Any]]:
    """Write the calibration table; fill ``meets`` (road id → the rows whose shortest path
    runs on its stretches with a length factor)."""
    g = load_graph(geojson)
    meets = {} if meets is None else meets
    pts = _points()
    north = g.copy()
    north.remove_edges_from(
        [(a, b) for a, b, d in g.edges(data=True) if d["ref"] in ("R-170", "A-70")]
    )
    rows: list[dict[str, Any]] = []

    for label_a, id_a, label_b, id_b, low, high, status, mode in PAIRS:
        pa = pts[id_a]
        na, sa = _snap(g, pa)
        used: set[str] = set()
        if mode == "winter":
            jct = _pt(JUNCTIONS["r175_r169"])
            chic, _ = _snap(g, pts["saguenay-chicoutimi"])
            direct = _dist(north, na, jct, used)  # via petit parc (no R-170)
            via_chic = _dist(g, na, chic, used) + _dist(g, chic, jct, used)
            graph_km = via_chic - direct
            straight = 0.0
            print(f"  winter: via petit parc {direct:.1f} km, via Chicoutimi {via_chic:.1f} km")
        elif mode == "loop":
            dol, _ = _snap(g, pts["dolbeau-mistassini"])
            rob, _ = _snap(g, pts["roberval"])
            graph_km = _dist(g, na, dol, used) + _dist(g, dol, rob, used)
            graph_km += _dist(g, rob, na, used)
            straight = 0.0
        else:
            pb = pts[id_b]
            nb, sb = _snap(g, pb)
            graph_km = _dist(north if mode == "north" else g, na, nb, used)
            straight = _km(pa, pb)
            if max(sa, sb) > 1.5:
                print(f"  note: {label_a}/{label_b} snapped {sa:.1f} / {sb:.1f} km to the graph")
        hi = high if high is not None else math.inf
        published = f"{low:g}" + ("" if high in (None, low) else f"–{high:g}")
        for road in used:
            meets.setdefault(road, []).append(f"{label_a} – {label_b} {published} km")
        ok = graph_km >= low if mode == "min" else 0.9 * low <= graph_km <= 1.1 * hi
        rows.append(
            {
                "from": label_a,
                "to": label_b,
                "from_id": id_a if mode in ("path", "north", "min") else "",
                "to_id": id_b if mode in ("path", "north", "min") else "",
                "mode": mode,
                "published_km_low": f"{low:g}",
                "published_km_high": "" if high is None else f"{high:g}",
                "published_status": status,
                "graph_km": f"{graph_km:.1f}",
                "straight_km": f"{straight:.1f}" if straight else "",
                "detour_factor": f"{graph_km / straight:.2f}" if straight else "",
                "within_10pct": "true" if ok else "false",
            }
        )

    for label, ja, jb, km, status, *refs in SECTIONS:
        keep = tuple(refs[0]) if refs else ("A-70", "R-170")
        sub = g.edge_subgraph([(u, v) for u, v, d in g.edges(data=True) if d["ref"] in keep])
        a, b = (_ends(sub, j) for j in (ja, jb))
        used = set()
        graph_km = _dist(sub, a, b, used)
        for road in used:
            meets.setdefault(road, []).append(f"{label} {km:g} km")
        rows.append(
            {
                "from": label,
                "to": "(section)",
                "from_id": "",
                "to_id": "",
                "mode": "section",
                "published_km_low": f"{km:g}",
                "published_km_high": f"{km:g}",
                "published_status": status,
                "graph_km": f"{graph_km:.1f}",
                "straight_km": f"{_km(a, b):.1f}",
                "detour_factor": f"{graph_km / _km(a, b):.2f}",
                "within_10pct": "true" if 0.9 * km <= graph_km <= 1.1 * km else "false",
            }
        )

    cols = [
        "from",
        "to",
        "from_id",
        "to_id",
        "mode",
        "published_km_low",
        "published_km_high",
        "published_status",
        "graph_km",
        "straight_km",
        "detour_factor",
        "within_10pct",
    ]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return rows


def _write(path: Path, features: list[dict[str, Any]]) -> None:
    fc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(fc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "roads.geojson")
    ap.add_argument("--calibration", type=Path, default=ROOT / "data" / "road_calibration.csv")
    args = ap.parse_args(argv)

    features = build_features()
    check_junctions(features)
    _write(args.out, features)

    totals: dict[str, float] = {}
    for f in features:
        c = f["geometry"]["coordinates"]
        km = sum(_km(tuple(a), tuple(b)) for a, b in zip(c, c[1:], strict=False))
        km *= f["properties"].get("length_factor", 1.0)  # as the graph counts it
        totals[f["properties"]["kind"]] = totals.get(f["properties"]["kind"], 0.0) + km
    print(f"wrote {args.out} ({len(features)} features)")
    for k, v in sorted(totals.items()):
        print(f"  {k:10s} {v:8.1f} km")

    meets: dict[str, list[str]] = {}
    rows = calibrate(args.out, args.calibration, meets)
    # Each stretch with a length factor names the published distances its factor meets.
    for f in features:
        props = f["properties"]
        if "length_factor" in props:
            found = meets.get(_road_id(props["id"]))
            props["length_note"] = LENGTH_NOTE.format(
                factor=props["length_factor"],
                meets="; ".join(found) if found else "none (kept for consistency with the rest)",
            )
    _write(args.out, features)
    print(f"wrote {args.calibration}")
    print(f"{'from':32s} {'to':32s} {'pub':>9s} {'graph':>6s} {'line':>6s} {'f':>5s}  ok")
    for r in rows:
        pub = r["published_km_low"] + (
            ""
            if r["published_km_high"] in ("", r["published_km_low"])
            else "–" + r["published_km_high"]
        )
        print(
            f"{r['from']:32s} {r['to']:32s} {pub:>9s} {r['graph_km']:>6s} "
            f"{r['straight_km']:>6s} {r['detour_factor']:>5s}  {r['within_10pct']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
