"""``mapservice export``: a layer, or all of them, written to a file as the map filters them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mapservice.cli.common import fail as _fail
from mapservice.cli.common import number
from mapservice.cli.common import services as _services
from mapservice.errors import MapserviceError
from mapservice.private_files import (
    create_private,
    make_private,
    open_private_text,
    private_staging,
)


@click.command(help="Exporter une couche (ou toutes) en GeoJSON, CSV, XLSX ou GeoPackage.")
@click.argument(
    "layer", type=click.Choice(["parks", "sites", "flows", "synergies", "routes", "tout"])
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Fichier à écrire ; son extension donne le format (.geojson, .csv, .xlsx, "
    ".gpkg ; toutes les couches : .xlsx ou .gpkg).",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="NOM=VALEUR",
    help="Filtre de la carte, répétable : park=…, municipality=…, mrc=…, sector=…, "
    "category=…, direction=offre|besoin, q=…, status=…, bbox=…",
)
@click.option(
    "--public",
    is_flag=True,
    help="Comme la carte anonymisée : sans contacts, sans nom ni position exacte des "
    "membres qui n'ont pas consenti, sans quantité confidentielle.",
)
@click.pass_context
def export(
    ctx: click.Context, layer: str, out: Path, filters: tuple[str, ...], public: bool
) -> None:
    from mapservice.domain.access import PUBLIC, STAFF
    from mapservice.exports import formats as export_formats
    from mapservice.exports.fields import LAYERS
    from mapservice.exports.jobs import layer_features, parse_query

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in export_formats.FORMATS or (layer == "tout" and fmt not in ("xlsx", "gpkg")):
        raise click.BadParameter(
            f"{out.name} : extension .geojson, .csv, .xlsx ou .gpkg "
            "attendue (toutes les couches : .xlsx ou .gpkg).",
            param_hint="--out",
        )
    args = {}
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} : NOM=VALEUR attendu.", param_hint="--filter")
        args[name.strip()] = value.strip()
    svc = _services(ctx)
    scope = PUBLIC if public else STAFF
    try:
        query = parse_query(svc, args)
        names = list(LAYERS) if layer == "tout" else [layer]
        found = {n: layer_features(svc, n, query, scope, anonymise=public) for n in names}
        if fmt in ("geojson", "csv"):
            counted = [0]

            def count(features: Any) -> Any:
                for feature in features:
                    counted[0] += 1
                    yield feature

            features = count(found[layer])
            chunks = (
                export_formats.geojson_chunks(features)
                if fmt == "geojson"
                else export_formats.csv_chunks(layer, features, scope)
            )
            with open_private_text(out) as fh:
                for chunk in chunks:
                    fh.write(chunk)
            click.echo(f"{number(counted[0], 0)} entités écrites dans {out}")
            return
        out.unlink(missing_ok=True)
        if fmt == "xlsx":
            create_private(out)  # the workbook is written into it, which keeps its mode
            export_formats.write_xlsx(out, found, scope)
            make_private(out)
            click.echo(f"{', '.join(names)} écrites dans {out}")
        else:
            with private_staging(out) as staged:  # GDAL creates its files with the umask's mode
                counts = export_formats.write_gpkg(staged, found, scope)
            said_counts = ", ".join(f"{k} : {number(v, 0)}" for k, v in counts.items())
            click.echo(f"{said_counts} → {out}")
    except MapserviceError as exc:
        _fail(exc)
