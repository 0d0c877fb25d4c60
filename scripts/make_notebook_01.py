"""Write notebooks/01-demo-data.ipynb from the cells below (kept as code for review diffs)."""

from __future__ import annotations

from pathlib import Path

import nbformat

CELLS = [
    (
        "md",
        """# Les membres de démonstration

Ce carnet charge la base de démonstration **par le paquet lui-même** (même chemin d'importation
que `mapservice init --demo`), dans une base SQLite temporaire, puis regarde où sont les sites
et ce qu'ils offrent ou cherchent. Les entreprises sont fictives.""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd

from mapservice.config import finish_settings, load_settings
from mapservice.services import Services

workdir = Path(tempfile.mkdtemp())
settings = finish_settings({**load_settings(),
                            "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite'}",
                            "INSTANCE_PATH": str(workdir)})
svc = Services(settings)
report = svc.init_database(demo=True)
svc.repo.counts()""",
    ),
    ("md", "## Sites et parcs en GeoDataFrame (EPSG:4326, lon/lat)"),
    (
        "code",
        """features = svc.sites_geojson()["features"]
sites = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
parks = gpd.GeoDataFrame.from_features(
    [{"type": "Feature", "geometry": p.outline, "properties": {"id": p.id, "name": p.name}}
     for p in svc.repo.parks()], crs="EPSG:4326")
sites[["member", "municipality", "park", "precision"]].head()""",
    ),
    (
        "code",
        """munis = svc.gazetteer.municipalities
sites["mrc"] = sites["municipality_id"].map(lambda m: munis[m].mrc if m in munis else None)
summary = pd.DataFrame({
    "sites": sites.groupby("mrc").size(),
    "dans un parc": sites[sites["park_id"].notna()].groupby("mrc").size(),
}).fillna(0).astype(int)
summary""",
    ),
    ("code", """sites["precision"].value_counts()"""),
    ("md", "## Offres et besoins par famille de matières"),
    (
        "code",
        """rows = []
for _, site in sites.iterrows():
    for kind, flows in (("offre", site["offers"]), ("besoin", site["needs"])):
        for flow in flows:
            rows.append({"type": kind, "famille": flow["category"].split(".")[0]})
flows = pd.DataFrame(rows)
flows.pivot_table(index="famille", columns="type", aggfunc="size", fill_value=0)""",
    ),
    ("md", "## La carte"),
    (
        "code",
        """lambert = "EPSG:32198"  # Québec Lambert, pour des distances et des formes justes
fig, ax = plt.subplots(figsize=(9, 7))
parks.to_crs(lambert).plot(ax=ax, color="#0072B2", alpha=0.4)
sites.to_crs(lambert).plot(ax=ax, column="mrc", markersize=8, legend=True,
                           legend_kwds={"fontsize": 7, "loc": "lower left"})
ax.set_title("Sites des membres de démonstration et parcs industriels")
ax.set_axis_off()
assert len(sites) == svc.repo.counts()["sites"]""",
    ),
]


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for kind, source in CELLS:
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(make(source))
    return nb


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "notebooks" / "01-demo-data.ipynb"
    nbformat.write(build(), target)
    print(target)
