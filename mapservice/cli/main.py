"""``mapservice …`` commands: thin over :mod:`mapservice.services`."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from mapservice.cli.backup import backup, restore
from mapservice.cli.common import fail as _fail
from mapservice.cli.common import services as _services
from mapservice.cli.language import speak_french
from mapservice.cli.users import user
from mapservice.config import GEOCODER_KINDS, ROUTING_KINDS, SETTINGS, load_settings
from mapservice.domain.audit import cli_actor
from mapservice.errors import MapserviceError

speak_french()


@click.group(help="Carte de l'économie circulaire du Saguenay–Lac-Saint-Jean.")
@click.version_option(package_name="mapservice")
def main() -> None:
    pass


@main.command(help="Créer ou mettre à niveau la base et charger les données de référence.")
@click.option("--demo", is_flag=True, help="Charger aussi les membres de démonstration.")
@click.option(
    "--if-missing",
    is_flag=True,
    help="Ne rien faire si la base est déjà initialisée (utilisé par `make run`).",
)
@click.pass_context
def init(ctx: click.Context, demo: bool, if_missing: bool) -> None:
    from mapservice.accounts import jobs as accounts
    from mapservice.ops import database

    svc = _services(ctx)
    try:
        if if_missing and svc.is_initialised():
            state = database.upgrade_schema(svc)
            click.echo(f"Base déjà initialisée ({state.backend}) : mise à niveau du schéma.")
            return
        report = svc.init_database(demo=demo)
    except MapserviceError as exc:
        _fail(exc)
        return
    counts = database.table_counts(svc)
    click.echo(
        f"Base prête ({database.schema_state(svc).backend}, révision "
        f"{report['revision']}) en {report['seconds']} s."
    )
    if demo and not accounts.users(svc):
        password = secrets.token_urlsafe(12)
        accounts.add_user(
            svc,
            username="admin",
            password=password,
            role="admin",
            display_name="Administrateur (démo)",
            actor=cli_actor(),
        )
        click.echo(
            f"Compte de démonstration : admin, mot de passe {password} "
            "(affiché cette fois seulement ; `mapservice user reset-password admin` "
            "en donne un autre)."
        )
    for table in (
        "municipalities",
        "parks",
        "material_categories",
        "compatibility_rules",
        "factors",
        "members",
        "sites",
        "flows",
    ):
        click.echo(f"  {table:<22} {counts[table]:>6}")


@main.command("import", help="Importer un fichier CSV ou XLSX (une ligne par offre ou besoin).")
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
            f"  {table:<8} ajoutés {result.inserted[table]:>5}  "
            f"modifiés {result.updated[table]:>5}  inchangés {result.unchanged[table]:>5}"
        )


@main.command(help="Géocoder les sites du registre (reprend une exécution interrompue).")
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
            f"\nInterrompu après {done[0]} sites sur {done[1]} : chaque site traité est "
            "enregistré. Relancez la même commande pour reprendre.",
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
        f"{summary.done_now} sites traités maintenant, {summary.total} dans l'exécution."
    )
    for status, n in sorted(summary.statuses.items()):
        click.echo(f"  {'réussis' if status == 'done' else 'échoués':<10} {n:>6}")
    click.echo("Sites par précision :")
    for precision, n in summary.by_precision.items():
        click.echo(f"  {precision:<13} {n:>6}")
    for site_id, message in summary.failures:
        click.echo(f"  échec site {site_id} : {message}", err=True)
    if summary.review:
        click.echo(
            f"{len(summary.review)} sites à vérifier (précision moins bonne que le code "
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


@main.command(help="Trouver les synergies candidates (offre → besoin, mutualisation).")
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
        f"{len(found)} synergies candidates ({kinds['substitution']} substitutions, "
        f"{kinds['mutualisation']} mutualisations)" + ("" if no_save else ", enregistrées") + "."
    )
    for c in found[:top]:
        road = f"{c.road_m / 1000:.1f} km" if c.road_m is not None else "—"
        click.echo(
            f"  {c.score:.2f}  {c.output_site.member_name} → {c.input_site.member_name}"
            f"  [{c.output_flow.category_code} → {c.input_flow.category_code}]  "
            f"route {road}, vol d'oiseau {c.geodesic_m / 1000:.1f} km"
        )
    if out is not None:
        n = write_candidates(svc, found, out)
        click.echo(f"{n} candidates écrites dans {out}")


@main.command(help="Exporter une couche (ou toutes) en GeoJSON, CSV, XLSX ou GeoPackage.")
@click.argument("layer", type=click.Choice(["parks", "sites", "flows", "synergies", "tout"]))
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
            with out.open("w", encoding="utf-8", newline="") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            click.echo(f"{counted[0]} entités écrites dans {out}")
            return
        out.unlink(missing_ok=True)
        if fmt == "xlsx":
            export_formats.write_xlsx(out, found, scope)
            click.echo(f"{', '.join(names)} écrites dans {out}")
        else:
            counts = export_formats.write_gpkg(out, found, scope)
            click.echo(", ".join(f"{k} : {v}" for k, v in counts.items()) + f" → {out}")
    except MapserviceError as exc:
        _fail(exc)


@main.command(
    help="Servir l'application : waitress dans ce processus, ou gunicorn et N "
    "processus avec --workers N."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=lambda: int(os.environ.get("PORT", "5000")),
    show_default="5000 ou $PORT",
    help="Port d'écoute.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Fils de traitement (par processus).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processus qui se partagent le port (gunicorn au-delà de 1) : un par cœur "
    "pour servir beaucoup de monde.",
)
@click.option(
    "--warm/--no-warm",
    default=True,
    show_default=True,
    help="Calculer d'avance, en arrière-plan, la page de chaque site (et de "
    "nouveau quand le registre change).",
)
def serve(host: str, port: int, threads: int, workers: int, warm: bool) -> None:
    from mapservice import create_app
    from mapservice.ops.server import ManyWorkersUnsupported
    from mapservice.ops.server import serve as serve_app
    from mapservice.web import warming

    try:
        checked = create_app()  # a wrong setting or database is said here, once
    except MapserviceError as exc:
        raise click.ClickException(exc.message) from exc
    if workers > 1:
        checked.extensions["mapservice"].close()  # each worker opens its own connections

    def make_app() -> Any:
        app = create_app() if workers > 1 else checked  # a worker builds its own, after fork
        if warm:
            warming.start(app)
        return app

    click.echo(
        f"mapservice sur http://{host}:{port}/"
        + (f" ({workers} processus × {threads} fils)" if workers > 1 else "")
        + " (Ctrl+C pour arrêter)"
    )
    try:
        serve_app(make_app, host=host, port=port, threads=threads, workers=workers)
    except ManyWorkersUnsupported as exc:
        raise click.ClickException(str(exc)) from exc


@main.command(help="Afficher le nombre de lignes de chaque table et les caches de ce processus.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    from mapservice.ops import database

    svc = _services(ctx)
    try:
        counts = database.table_counts(svc)
    except MapserviceError as exc:
        _fail(exc)
        return
    # A command's own caches, nearly empty: a serving process's are at /healthz/caches.
    caches = svc.caches.figures()
    if as_json:
        click.echo(
            json.dumps({**counts, "caches": [c.as_json() for c in caches]}, ensure_ascii=False)
        )
        return
    for table, n in counts.items():
        click.echo(f"{table:<22} {n:>6}")
    click.echo("\nCaches de cette commande (ceux d'un serveur : GET /healthz/caches)")
    click.echo(
        f"{'cache':<22} {'max':>6} {'taille':>7} {'succès':>7} {'échecs':>7} {'taux':>5}  contenu"
    )
    for c in caches:
        rate = "—" if c.hit_rate is None else f"{c.hit_rate:.0%}"
        click.echo(
            f"{c.name:<22} {c.max_size:>6} {c.size:>7} {c.hits:>7} {c.misses:>7} "
            f"{rate:>5}  {c.holds}"
        )


@main.command(help="Lister les réglages, leur valeur par défaut et la variable d'environnement.")
def settings() -> None:
    for s in SETTINGS:
        click.echo(f"{s.env}\n    défaut : {s.default!r}\n    {s.help}")


@main.group(help="Données de démonstration.")
def demo() -> None:
    pass


@demo.command("generate", help="Régénérer data/demo/membres.csv (déterministe).")
@click.option("--seed", type=int, default=2021, show_default=True, help="Graine aléatoire.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fichier de sortie (défaut : DATA_DIR/demo/membres.csv).",
)
def demo_generate(seed: int, out: Path | None) -> None:
    from mapservice.ops.demo import write_demo

    settings = load_settings()
    data_dir = Path(settings["DATA_DIR"])
    target = out or data_dir / "demo" / "membres.csv"
    n_members, n_rows = write_demo(data_dir, target, seed=seed)
    click.echo(f"{n_members} membres, {n_rows} offres et besoins → {target}")


main.add_command(user)
main.add_command(backup)
main.add_command(restore)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
