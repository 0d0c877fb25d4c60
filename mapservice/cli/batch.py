"""``mapservice import``, ``geocode`` and ``match``: the batch work that fills the registry."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mapservice.cli.common import fail as _fail
from mapservice.cli.common import number
from mapservice.cli.common import services as _services
from mapservice.config import GEOCODER_KINDS, ROUTING_KINDS
from mapservice.domain.audit import cli_actor
from mapservice.errors import MapserviceError


@click.command("import", help="Importer un fichier CSV ou XLSX (une ligne par offre ou besoin).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Tout vérifier sans rien écrire.")
@click.pass_context
def import_(ctx: click.Context, file: Path, dry_run: bool) -> None:
    svc = _services(ctx)
    try:
        result = svc.import_file(file, dry_run=dry_run, actor=cli_actor())
    except MapserviceError as exc:
        _fail(exc)
        return
    verb = "Vérification réussie (rien n'a été écrit)" if dry_run else "Importation réussie"
    click.echo(f"{verb} : {file.name}")
    for table in ("members", "sites", "flows"):
        click.echo(
            f"  {table:<8} ajoutés {number(result.inserted[table], 0):>5}  "
            f"modifiés {number(result.updated[table], 0):>5}  "
            f"inchangés {number(result.unchanged[table], 0):>5}"
        )
    if result.to_classify:
        click.echo(
            f"  à classer {number(result.to_classify, 0):>5} "
            "(matière non reconnue : voir /classement)"
        )


@click.command(help="Géocoder les sites du registre (reprend une exécution interrompue).")
@click.option(
    "--missing",
    "mode",
    flag_value="missing",
    default=True,
    help="Seulement les sites sans position (et, avec un géocodeur en ligne, ceux "
    "placés moins précisément que par code postal qu'il n'a pas encore vus). "
    "Par défaut.",
)
@click.option("--all", "mode", flag_value="all", help="Tous les sites, sauf ceux placés à la main.")
@click.option(
    "--backend",
    type=click.Choice(GEOCODER_KINDS),
    default=None,
    help="Géocodeur des adresses civiques (défaut : MAPSERVICE_GEOCODER).",
)
@click.option(
    "--review-limit",
    type=click.IntRange(0, 100_000),
    default=50,
    show_default=True,
    help="Nombre de sites à vérifier affichés à la fin.",
)
@click.pass_context
def geocode(ctx: click.Context, mode: str, backend: str | None, review_limit: int) -> None:
    from mapservice.geocoding import jobs as geocoding_jobs

    svc = _services(ctx)
    backend = backend or svc.settings["GEOCODER"]
    bar: Any = None
    done = [0, 0]

    def progress(n: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Géocodage", file=sys.stderr, show_pos=True)
            bar.__enter__()
            bar.update(n - 1)
        bar.update(1)
        done[:] = [n, total]

    try:
        summary = geocoding_jobs.run_batch(svc, mode=mode, backend=backend, on_progress=progress)
    except KeyboardInterrupt:
        if bar is not None:
            bar.__exit__(None, None, None)
        click.echo(
            f"\nInterrompu après {number(done[0], 0)} sites sur {number(done[1], 0)} : "
            "chaque site traité est enregistré. Relancez la même commande pour reprendre.",
            err=True,
        )
        raise SystemExit(130) from None
    except MapserviceError as exc:
        _fail(exc)
        return
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    what = "Reprise" if summary.resumed else "Exécution"
    click.echo(
        f"{what} n° {summary.run_id} ({summary.mode}, géocodeur {summary.backend}) : "
        f"{number(summary.done_now, 0)} sites traités maintenant, "
        f"{number(summary.total, 0)} dans l'exécution."
    )
    for status, n in sorted(summary.statuses.items()):
        click.echo(f"  {'réussis' if status == 'done' else 'échoués':<10} {number(n, 0):>6}")
    click.echo("Sites par précision :")
    for precision, n in summary.by_precision.items():
        click.echo(f"  {precision:<13} {number(n, 0):>6}")
    for site_id, message in summary.failures:
        click.echo(f"  échec site {site_id} : {message}", err=True)
    if summary.review:
        click.echo(
            f"{number(len(summary.review), 0)} sites à vérifier (précision moins bonne que le code "
            "postal) ; corrigez-les sur la page /geocodage :"
        )
        munis = svc.gazetteer.municipalities
        for site in summary.review[:review_limit]:
            muni = munis.get(site.municipality_id or "")
            precision = site.geocode_precision.value if site.geocode_precision else "aucune"
            click.echo(
                f"  [{site.id}] {site.member_name} — {site.address or '?'}, "
                f"{muni.name if muni else '?'} ({precision})"
            )
        if len(summary.review) > review_limit:
            click.echo(f"  … et {len(summary.review) - review_limit} autres.")


@click.command(help="Trouver les synergies candidates (offre → besoin, mutualisation).")
@click.option(
    "--site",
    "site_id",
    type=int,
    default=None,
    help="Seulement les synergies de ce site (identifiant).",
)
@click.option(
    "--max-km",
    type=click.FloatRange(0, 1000, min_open=True),
    default=None,
    help="Distance routière maximale (défaut : MAPSERVICE_MATCH_MAX_KM).",
)
@click.option(
    "--backend",
    type=click.Choice(ROUTING_KINDS),
    default=None,
    help="Moteur de distance (défaut : MAPSERVICE_ROUTING).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Écrire les candidates dans un fichier .csv ou .geojson.",
)
@click.option(
    "--per-offer",
    type=click.IntRange(1, 1000),
    default=None,
    help="Garder au plus N candidates par offre (toutes par défaut).",
)
@click.option(
    "--no-save",
    is_flag=True,
    help="Ne pas enregistrer les candidates dans le registre des synergies.",
)
@click.option(
    "--top",
    type=click.IntRange(0, 10_000),
    default=20,
    show_default=True,
    help="Nombre de candidates affichées.",
)
@click.pass_context
def match(
    ctx: click.Context,
    site_id: int | None,
    max_km: float | None,
    backend: str | None,
    out: Path | None,
    per_offer: int | None,
    no_save: bool,
    top: int,
) -> None:
    from mapservice.matching import jobs as synergy_jobs
    from mapservice.matching import tracking
    from mapservice.matching.export import write_candidates

    svc = _services(ctx)
    if out is not None and out.suffix.lower() not in (".csv", ".geojson", ".json"):
        raise click.BadParameter(
            f"{out.name} : extension .csv ou .geojson attendue.", param_hint="--out"
        )
    try:
        if site_id is not None:
            found = synergy_jobs.site_candidates(svc, site_id, max_km=max_km, backend=backend)
            if not no_save:
                tracking.save_candidates(svc, found)
        else:
            found = synergy_jobs.match_all(
                svc, max_km=max_km, backend=backend, save=not no_save, per_offer=per_offer
            )
    except MapserviceError as exc:
        _fail(exc)
        return
    kinds = {
        k: sum(1 for c in found if c.kind.value == k) for k in ("substitution", "mutualisation")
    }
    click.echo(
        f"{number(len(found), 0)} synergies candidates "
        f"({number(kinds['substitution'], 0)} substitutions, "
        f"{number(kinds['mutualisation'], 0)} mutualisations)"
        + ("" if no_save else ", enregistrées")
        + "."
    )
    for c in found[:top]:
        road = f"{number(c.road_m / 1000)} km" if c.road_m is not None else "—"
        click.echo(
            f"  {number(c.score, 2)}  {c.output_site.member_name} → {c.input_site.member_name}"
            f"  [{c.output_flow.category_code} → {c.input_flow.category_code}]  "
            f"route {road}, vol d'oiseau {number(c.geodesic_m / 1000)} km"
        )
    if out is not None:
        n = write_candidates(svc, found, out)
        click.echo(f"{number(n, 0)} candidates écrites dans {out}")
