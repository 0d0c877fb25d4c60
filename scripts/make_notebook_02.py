"""Write notebooks/02-synergies.ipynb from the cells below (kept as code for review diffs).

The notebook is written without outputs and with fixed cell ids, so running this script twice
gives the same file; ``tests/test_notebooks.py`` executes it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

CELLS = [
    (
        "md",
        """# Synergies : où pourraient aller les résidus de bois de la région?

Ce carnet part de la base de démonstration (entreprises fictives) chargée **par le paquet
lui-même** dans une base SQLite temporaire, puis pose trois questions :

1. **Les résidus de bois** (sciure, copeaux, écorces, rabotures, bois CRD, cendres…) : quels
   preneurs le jumelage propose-t-il, à quelle distance par la route, et avec quel bilan
   carbone?
2. **À vol d'oiseau ou par la route?** Autour du lac Saint-Jean et de part et d'autre du
   fjord du Saguenay, la ligne droite traverse l'eau; le camion, lui, fait le tour.
3. **Jusqu'où le transport vaut-il la peine?** Le seuil de rentabilité climatique (et
   financière) selon la matière.

Les distances routières viennent du réseau routier régional embarqué (`road-graph`, hors
ligne). Tous les chiffres du texte des conclusions sont calculés dans les cellules de code.""",
    ),
    (
        "code",
        """import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from shapely.geometry import LineString, Point

from mapservice.matching import jobs as synergy_jobs
from mapservice.config import finish_settings, load_settings
from mapservice.materials.impact import Backhaul, avoided_factor, trip_impact
from mapservice.services import Services

workdir = Path(tempfile.mkdtemp())
settings = finish_settings({**load_settings(),
                            "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite'}",
                            "INSTANCE_PATH": str(workdir)})
svc = Services(settings)
report = svc.init_database(demo=True)
roads = svc.distance_backend("road-graph")
model = svc.transport_model
munis = svc.gazetteer.municipalities
lambert = "EPSG:32198"  # Québec Lambert : distances et formes justes pour les cartes


def fr(value, decimals=0):
    \"\"\"1 234,5 : les nombres à la québécoise (espace fine insécable, virgule décimale).\"\"\"
    return f"{value:,.{decimals}f}".replace(",", "\\u202f").replace(".", ",")


svc.repo.counts()""",
    ),
    (
        "md",
        """## 1. Les résidus de bois et leurs meilleurs preneurs

`synergy_jobs.match_all` propose toutes les paires offre → besoin compatibles du registre,
avec la distance routière, l'impact du transport et les émissions évitées. On garde les
offres de catégorie `bois.*` et, pour chacune, le candidat de **substitution** le mieux
classé (les pistes de mutualisation, sans tonnage échangé, sont écartées).

Les quantités des flux déclarés **confidentiels** ne sont pas affichées (comme dans l'API) :
leurs tonnages et bilans sont masqués et exclus des totaux.""",
    ),
    (
        "code",
        """candidates = synergy_jobs.match_all(svc, backend="road-graph", save=False)
flows = svc.repo.flows()
wood_offers = [f for f in flows
               if f.direction.value == "output" and f.category_code.startswith("bois.")]
wood = [c for c in candidates
        if c.kind.value == "substitution" and c.output_flow.category_code.startswith("bois.")]


def place(site):
    muni = munis.get(site.municipality_id)
    return muni.name if muni else "?"


def label(code):
    cat = svc.taxonomy.get(code)
    return cat.label_fr if cat else code


def row(c):
    hidden = c.output_flow.confidential or c.input_flow.confidential
    i = c.impact

    def tonnes_co2e(kg):
        return np.nan if hidden or kg is None else kg / 1000
    return {
        "offre": label(c.output_flow.category_code),
        "offreur": c.output_site.member_name,
        "lieu de l'offre": place(c.output_site),
        "preneur": c.input_site.member_name,
        "besoin": label(c.input_flow.category_code),
        "lieu du preneur": place(c.input_site),
        "lien": f"{c.fit.how} ({c.fit.strength:.2f})",
        "score": c.score,
        "km route": None if c.road_m is None else round(c.road_m / 1000, 1),
        "km vol d'oiseau": round(c.geodesic_m / 1000, 1),
        "t/an": np.nan if hidden or i.tonnes is None else i.tonnes,
        "transport t CO2e/an": tonnes_co2e(i.transport_kg_co2e),
        "évité t CO2e/an": tonnes_co2e(i.avoided_kg_co2e),
        "net t CO2e/an": tonnes_co2e(i.net_kg_co2e),
        "confidentiel": hidden,
        "offre_id": c.output_flow.id,
        "lon_o": c.output_site.lon, "lat_o": c.output_site.lat,
        "lon_p": c.input_site.lon, "lat_p": c.input_site.lat,
    }


all_wood = pd.DataFrame([row(c) for c in wood])
best = all_wood.drop_duplicates("offre_id").reset_index(drop=True)  # déjà triés, meilleur d'abord
print(f"{len(wood_offers)} offres de bois, {best['offre_id'].nunique()} avec au moins un "
      f"preneur; {len(all_wood)} paires candidates en tout.")
shown = ["offre", "offreur", "lieu de l'offre", "preneur", "besoin", "lieu du preneur", "lien",
         "km route", "km vol d'oiseau", "t/an", "transport t CO2e/an", "évité t CO2e/an",
         "net t CO2e/an"]
best.sort_values("net t CO2e/an", ascending=False)[shown].head(15).round(1)""",
    ),
    (
        "md",
        """Par type de résidu : combien d'offres, quel tonnage, quel bilan net si chaque offre
allait à son meilleur preneur. Attention : plusieurs offres peuvent viser le **même**
preneur, dont la capacité n'est pas répartie ici; le total est donc un potentiel, pas un plan.""",
    ),
    (
        "code",
        """by_type = best.groupby("offre").agg(
    offres=("offre_id", "size"),
    **{"t/an": ("t/an", "sum"),
       "net t CO2e/an": ("net t CO2e/an", "sum"),
       "km route (médiane)": ("km route", "median"),
       "preneurs distincts": ("preneur", "nunique")},
).sort_values("t/an", ascending=False)
by_type.round(1)""",
    ),
    ("code", """best["besoin"].value_counts().rename("meilleurs preneurs").to_frame()"""),
    (
        "md",
        """### La carte

Réseau routier régional en gris, offres de bois en brun, preneurs en vert; chaque trait relie une
offre à son meilleur preneur **à vol d'oiseau** (le camion suit la route), coloré selon le score
du jumelage.""",
    ),
    (
        "code",
        """road_lines = gpd.GeoDataFrame.from_features(roads.edges_geojson()["features"],
                                          crs="EPSG:4326").to_crs(lambert)
# The network runs on to Québec, Montréal and the Côte-Nord: the maps keep to the region.
region = gpd.GeoSeries([Point(m.lon, m.lat) for m in munis.values()], crs="EPSG:4326")
road_lines = road_lines.clip(region.to_crs(lambert).union_all().convex_hull.buffer(20_000))
links = gpd.GeoDataFrame(
    best[["score", "offre", "preneur"]],
    geometry=[LineString([(r.lon_o, r.lat_o), (r.lon_p, r.lat_p)]) for r in best.itertuples()],
    crs="EPSG:4326").to_crs(lambert)
offer_pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(best["lon_o"], best["lat_o"]),
                             crs="EPSG:4326").to_crs(lambert)
taker_pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(best["lon_p"], best["lat_p"]),
                             crs="EPSG:4326").to_crs(lambert)

fig, ax = plt.subplots(figsize=(10, 8))
road_lines.plot(ax=ax, color="#999999", linewidth=0.8)
links.plot(ax=ax, column="score", cmap="viridis", linewidth=1.6, legend=True,
           legend_kwds={"label": "score du jumelage", "shrink": 0.6})
offer_pts.plot(ax=ax, color="#8B5A2B", markersize=22, label="offre de bois", zorder=3)
taker_pts.plot(ax=ax, color="#009E73", marker="^", markersize=22, label="preneur", zorder=3)
ax.legend(loc="lower left")
ax.set_title("Résidus de bois : chaque offre et son meilleur preneur")
ax.set_axis_off()""",
    ),
    (
        "md",
        """### Et si l'on classait à vol d'oiseau?

Le même jumelage avec le calcul `geodesic` (ligne droite, sans route) : pour combien d'offres
le meilleur preneur change-t-il? Sans distance routière, le calcul ne donne pas non plus le
bilan du transport.""",
    ),
    (
        "code",
        """def best_by_offer(found):
    \"\"\"Le candidat de substitution le mieux classé de chaque offre de bois.\"\"\"
    out = {}
    for c in found:  # déjà triés, meilleur d'abord
        if c.kind.value == "substitution" and c.output_flow.category_code.startswith("bois."):
            out.setdefault(c.output_flow.id, c)
    return out


best_road = best_by_offer(wood)
best_straight = best_by_offer(synergy_jobs.match_all(svc, backend="geodesic", save=False))
changed = [(best_road[k], best_straight[k]) for k in best_road
           if k in best_straight and best_road[k].input_flow.id != best_straight[k].input_flow.id]
by_key = {c.key: c for c in wood}  # la distance routière du choix « à vol d'oiseau »
changes = pd.DataFrame([{
    "offre": label(r.output_flow.category_code), "lieu": place(r.output_site),
    "meilleur par la route": f"{r.input_site.member_name} ({place(r.input_site)})",
    "km route": round(r.road_m / 1000, 1),
    "meilleur à vol d'oiseau": f"{s.input_site.member_name} ({place(s.input_site)})",
    "ses km droits": round(s.geodesic_m / 1000, 1),
    "ses km route": round(by_key[s.key].road_m / 1000, 1) if s.key in by_key else None,
} for r, s in changed])
print(f"Le meilleur preneur change pour {len(changed)} des {len(best_road)} offres de bois.")
changes.sort_values("ses km route", ascending=False)""",
    ),
    (
        "md",
        """## 2. À vol d'oiseau ou par la route : autour du lac et du fjord

Quelques paires de municipalités qui se font face de part et d'autre du lac Saint-Jean
(aucun pont ne le traverse) et du Saguenay en aval de Chicoutimi (il faut remonter jusqu'aux
ponts de Chicoutimi).
Le rapport de détour est la distance routière divisée par la distance en ligne droite.""",
    ),
    (
        "code",
        """PAIRS = [
    ("roberval", "peribonka"),
    ("roberval", "dolbeau-mistassini"),
    ("saint-felicien", "alma"),
    ("chambord", "saint-henri-de-taillon"),
    ("roberval", "alma"),
    ("saguenay-la-baie", "saint-fulgence"),
]


def lonlat(muni_id):
    return (munis[muni_id].lon, munis[muni_id].lat)


pairs = []
for a, b in PAIRS:
    d = roads.distance(lonlat(a), lonlat(b))
    pairs.append({
        "de": munis[a].name, "à": munis[b].name,
        "km vol d'oiseau": round(d.geodesic_m / 1000, 1),
        "km route": None if d.road_m is None else round(d.road_m / 1000, 1),
        "détour": None if d.detour_ratio is None else round(d.detour_ratio, 2),
        "minutes": None if d.duration_s is None else round(d.duration_s / 60),
    })
pairs = pd.DataFrame(pairs)
pairs""",
    ),
    (
        "md",
        """En gris, toutes les paires candidates pour le bois (section 1); en couleur, les paires
de municipalités ci-dessus. La diagonale est la ligne droite (détour 1).""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(7, 6))
routed = all_wood.dropna(subset=["km route"])
ax.scatter(routed["km vol d'oiseau"], routed["km route"], s=8, color="#bbbbbb",
           label="paires candidates (bois)")
ax.scatter(pairs["km vol d'oiseau"], pairs["km route"], s=40, color="#D55E00",
           label="municipalités de part et d'autre", zorder=3)
for _, r in pairs.iterrows():
    ax.annotate(f"{r['de']} – {r['à']}", (r["km vol d'oiseau"], r["km route"]), fontsize=7,
                xytext=(4, 2), textcoords="offset points")
top = max(routed["km route"].max(), pairs["km route"].max()) * 1.05
ax.plot([0, top], [0, top], color="black", linewidth=0.8, label="1:1 (ligne droite)")
ax.plot([0, top / 2], [0, top], color="black", linewidth=0.6, linestyle=":",
        label="détour ×2")
ax.set_xlim(0, top)
ax.set_ylim(0, top)
ax.set_xlabel("distance à vol d'oiseau (km)")
ax.set_ylabel("distance par la route (km)")
ax.set_title("Route ou ligne droite")
ax.legend(fontsize=8, loc="lower right")
detour_all = (routed["km route"] / routed["km vol d'oiseau"])[routed["km vol d'oiseau"] >= 5]
print(f"Détour médian des paires candidates de plus de 5 km : {fr(detour_all.median(), 2)}; "
      f"90e centile : {fr(detour_all.quantile(0.9), 2)}.")""",
    ),
    (
        "md",
        """### Un trajet autour du lac

`route()` rend le chemin le plus court (en km) sur le réseau : ici de Roberval à Péribonka, qui
se font face sur le lac. Le tracé commence et finit par la courte jonction au réseau.""",
    ),
    (
        "code",
        """a, b = "roberval", "peribonka"
path = roads.route(lonlat(a), lonlat(b))
trip = roads.distance(lonlat(a), lonlat(b))
route_line = gpd.GeoSeries([LineString(path)], crs="EPSG:4326").to_crs(lambert)
crow_line = gpd.GeoSeries([LineString([lonlat(a), lonlat(b)])], crs="EPSG:4326").to_crs(lambert)
towns = gpd.GeoDataFrame(
    {"nom": [munis[m].name for p in PAIRS for m in p]},
    geometry=[Point(lonlat(m)) for p in PAIRS for m in p], crs="EPSG:4326",
).drop_duplicates("nom").to_crs(lambert)

fig, ax = plt.subplots(figsize=(10, 8))
road_lines.plot(ax=ax, color="#999999", linewidth=0.8)
route_line.plot(ax=ax, color="#D55E00", linewidth=3, label="par la route")
crow_line.plot(ax=ax, color="#0072B2", linewidth=1.5, linestyle="--", label="à vol d'oiseau")
towns.plot(ax=ax, color="black", markersize=15, zorder=3)
for t in towns.itertuples():
    ax.annotate(t.nom, (t.geometry.x, t.geometry.y), fontsize=8, xytext=(4, 4),
                textcoords="offset points")
ax.legend(loc="lower left")
ax.set_title(f"{munis[a].name} → {munis[b].name} : {fr(trip.road_m / 1000)} km par la route, "
             f"{fr(trip.geodesic_m / 1000)} km à vol d'oiseau")
ax.set_axis_off()
drawn_km = route_line.length.iloc[0] / 1000  # longueur du tracé en Lambert
print(f"Tracé dessiné : {fr(drawn_km, 1)} km; distance routière calculée : "
      f"{fr(trip.road_m / 1000, 1)} km (dont {fr(trip.access_m / 1000, 1)} km de jonction au "
      "réseau, comptés avec un facteur de détour).")""",
    ),
    (
        "md",
        """## 3. Le seuil de rentabilité selon la distance

Pour une tonne échangée, le bilan net est `évité − transport`, où le transport vaut
`facteur (kg CO2e par t·km chargé) × km de route`, **compté une fois** : le facteur SmartWay
est une moyenne de flotte (le carburant de tous les kilomètres, chargés et à vide, divisé par
les t·km transportées), le retour à vide y est donc déjà (réglage par défaut
`MAPSERVICE_BACKHAUL=in-factor`). Pour un trajet dédié dont le retour à vide n'est pas dans le
facteur, `backhaul=empty` ajoute le retour au taux chargé : le seuil est alors divisé par deux
(colonne « seuil si retour ajouté »). Le seuil est la distance où le bilan s'annule. Les
facteurs d'émissions évitées viennent de `data/materials/avoided_emissions.csv`; une catégorie
sans facteur prend celui de son plus proche parent (la sciure prend celui du `bois`).""",
    ),
    (
        "code",
        """MATERIALS = ["bois.sciure", "bois.palettes_rebut", "metaux.aluminium.retailles",
             "metaux.ferraille", "construction.enrobe_bitumineux",
             "construction.beton_concasse"]
factors = {code: avoided_factor(svc.taxonomy, code) for code in MATERIALS}
factors = {code: f for code, f in factors.items() if f is not None}
pd.DataFrame([{
    "matière": label(code), "code": code, "facteur de": f.category_code,
    "kg CO2e évités/t": f.kg_co2e_avoided_per_t,
    "seuil (km de route)": trip_impact(model, tonnes=1, road_km=0, avoided=f).break_even_km,
    "seuil si retour ajouté (km)": trip_impact(
        model, tonnes=1, road_km=0, avoided=f, backhaul=Backhaul.EMPTY).break_even_km,
    "statut": f.status, "source": f.source,
} for code, f in factors.items()]).round(0)""",
    ),
    (
        "code",
        """sources = pd.DataFrame(model.sources())
sources[["key", "value", "unit", "label_fr", "source", "year", "status"]]""",
    ),
    (
        "code",
        """km = np.arange(0, 601, 10)
fig, (ax, ax_cost) = plt.subplots(1, 2, figsize=(13, 5))
for code, f in factors.items():
    net = [trip_impact(model, tonnes=1, road_km=k, avoided=f).net_kg_co2e for k in km]
    seuil = trip_impact(model, tonnes=1, road_km=0, avoided=f).break_even_km
    line, = ax.plot(km, net, label=f"{label(code)} : {fr(f.kg_co2e_avoided_per_t)} kg/t évités, "
                                   f"seuil {fr(seuil)} km")
    if seuil is not None and seuil <= km[-1]:
        ax.plot([seuil], [0], "o", color=line.get_color())
        ax.annotate(f"{fr(seuil)} km", (seuil, 0), xytext=(5, 8), textcoords="offset points",
                    fontsize=8, color=line.get_color())
ax.axhline(0, color="black", linewidth=0.8)
ax.set_yscale("symlog", linthresh=150, linscale=2)
ax.set_xlabel("distance par la route (km, aller)")
ax.set_ylabel("bilan net (kg CO2e par tonne, échelle symlog)")
ax.set_title("Bilan climatique d'une tonne transportée"
             + (" (retour à vide ajouté)" if model.empty_return else " (trajet compté une fois)"))
ax.legend(fontsize=7, loc="lower left")

cost = [trip_impact(model, tonnes=1, road_km=k, avoided=None).net_benefit_cad for k in km]
cost_break_even = model.landfill_cad_per_t / model.cost_cad_per_tkm
dollar = r"\\$"  # un $ seul, pas une formule pour matplotlib
ax_cost.plot(km, cost, color="#CC79A7",
             label=f"{fr(model.landfill_cad_per_t)} {dollar}/t d'enfouissement évité − "
                   f"{fr(model.cost_cad_per_tkm, 2)} {dollar}/t·km; "
                   f"seuil {fr(cost_break_even)} km")
ax_cost.axhline(0, color="black", linewidth=0.8)
if cost_break_even <= km[-1]:
    ax_cost.axvline(cost_break_even, color="#CC79A7", linestyle=":")
ax_cost.legend(fontsize=8, loc="lower left")
ax_cost.set_xlabel("distance par la route (km, aller)")
ax_cost.set_ylabel("enfouissement évité − transport ($ par tonne)")
ax_cost.set_title("Bilan financier d'une tonne (toutes matières)")
fig.tight_layout()""",
    ),
    (
        "md",
        """Le graphique de gauche est en échelle *symlog* (linéaire entre −150 et 150 kg,
logarithmique au-delà) pour que le béton concassé (quelques kg évités par tonne) et l'aluminium
(des tonnes) tiennent sur la même figure. Un point marque le seuil lorsqu'il tombe sous 600 km;
les autres seuils sont dans la légende. Le coût de transport est un tarif par t·km chargé qui
inclut le retour, comme le facteur d'émission : ni l'un ni l'autre n'est doublé.""",
    ),
    ("md", "## 4. Ce qu'on en retient"),
    (
        "code",
        """rows = best.dropna(subset=["net t CO2e/an"])
wood_be = trip_impact(model, tonnes=1, road_km=0, avoided=factors["bois.sciure"]).break_even_km
reach = [svc.taxonomy.get(f.category_code).max_transport_km for f in wood_offers]
share = rows["transport t CO2e/an"].sum() / rows["évité t CO2e/an"].sum()
worst = pairs.loc[pairs["détour"].idxmax()]
worst_crow, worst_road = worst["km vol d'oiseau"], worst["km route"]
low = {label(c): trip_impact(model, tonnes=1, road_km=0, avoided=f).break_even_km
       for c, f in factors.items()}
low_name = min(low, key=low.get)
wood_codes = sorted({f.category_code for f in wood_offers})
inherited = [label(c).lower() for c in wood_codes
             if (f := avoided_factor(svc.taxonomy, c)) and f.category_code != c]
misleading = changes.loc[changes["ses km route"].idxmax()]
hidden = int(best["confidentiel"].sum())
trip_note = ("retour à vide ajouté au taux chargé" if model.empty_return
             else "trajet compté une fois, retour à vide inclus dans le facteur")
display(Markdown(f\"\"\"
* **{best['offre_id'].nunique()} des {len(wood_offers)} offres de bois** ont au moins un preneur
  compatible; leur meilleur preneur est à {fr(best['km route'].median(), 1)} km de route en
  médiane (au plus {fr(best['km route'].max(), 1)} km). Si les {len(rows)} offres dont le
  bilan est connu et public ({hidden} autres jumelages touchent un flux confidentiel) allaient
  à leur meilleur preneur,
  {fr(rows['t/an'].sum())} t/an changeraient de main pour un bilan net de
  **{fr(rows['net t CO2e/an'].sum())} t CO2e/an évitées**; le transport n'en reprend que
  {fr(100 * share, 1)} %. Ces offres visent {best['preneur'].nunique()} preneurs distincts :
  la capacité de chacun reste à vérifier.
* Le meilleur preneur n'est pas le même à vol d'oiseau et par la route pour {len(changed)}
  offres sur {len(best_road)}; le choix « à vol d'oiseau » le plus trompeur demanderait
  {fr(misleading['ses km route'], 1)} km de route pour {fr(misleading['ses km droits'], 1)} km
  en ligne droite ({misleading['offre']}, {misleading['lieu']}).
* Autour du lac, la route peut être bien plus longue que la ligne droite :
  {worst['de']} – {worst['à']}, {fr(worst_crow, 1)} km à vol d'oiseau, mais
  {fr(worst_road, 1)} km par la route (détour ×{fr(worst['détour'], 2)}). Le détour
  médian des paires candidates de plus de 5 km est de ×{fr(detour_all.median(), 2)}.
* Pour le bois, le seuil climatique est d'environ {fr(wood_be)} km ({trip_note}) : bien
  au-delà de la distance de transport plausible de ces résidus ({fr(min(reach))} à
  {fr(max(reach))} km selon la taxonomie). C'est le coût et la logistique, pas le climat, qui
  bornent ces échanges. Le seuil financier
  (enfouissement évité à {fr(model.landfill_cad_per_t)} {dollar}/t contre
  {fr(model.cost_cad_per_tkm, 2)} {dollar}/t·km) est d'environ {fr(cost_break_even)} km.
* Pour la matière au plus faible facteur ({low_name.lower()}), le seuil tombe à
  {fr(low[low_name])} km : seul un échange très local améliore le bilan climatique.
* Tous les facteurs d'émissions évitées utilisés ici sont des **estimations** (statut
  {', '.join(sorted({f.status for f in factors.values()}))}) : ils donnent des ordres de grandeur,
  pas un bilan certifié. Plusieurs résidus de bois n'ont pas de facteur propre et prennent
  celui du bois utilisé comme combustible : {', '.join(inherited) or 'aucun'}.
\"\"\"))""",
    ),
    (
        "code",
        """svc.close()
shutil.rmtree(workdir, ignore_errors=True)  # la base temporaire n'a plus d'usage""",
    ),
]


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for number, (kind, source) in enumerate(CELLS):
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, id=f"cell-{number:02d}"))  # fixed ids: same file each run
    return nb


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "notebooks" / "02-synergies.ipynb"
    nbformat.write(build(), target)
    print(target)
