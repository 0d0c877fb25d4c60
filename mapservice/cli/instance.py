"""``mapservice init``, ``serve``, ``stats`` and ``settings``: the instance, set up and run."""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

import click

from mapservice.cli.common import fail as _fail
from mapservice.cli.common import number, said
from mapservice.cli.common import services as _services
from mapservice.config import SETTINGS
from mapservice.domain.audit import cli_actor
from mapservice.errors import MapserviceError

#: The demo history's final statuses, as the summary of ``init --demo`` says them.
_MOVED_WORDS = {
    "contacted": "contactées",
    "in_progress": "en cours",
    "realised": "réalisées",
    "rejected": "rejetées",
}


@click.command(help="Créer ou mettre à niveau la base et charger les données de référence.")
@click.option("--demo", is_flag=True, help="Charger aussi les membres de démonstration.")
@click.option(
    "--if-missing",
    is_flag=True,
    help="Ne rien faire si la base est déjà initialisée (utilisé par `make run`).",
)
@click.pass_context
def init(ctx: click.Context, demo: bool, if_missing: bool) -> None:
    from mapservice.accounts import jobs as accounts
    from mapservice.ops import database, demo_pipeline

    svc = _services(ctx)
    try:
        if if_missing and svc.is_initialised():
            state = database.upgrade_schema(svc)
            click.echo(f"Base déjà initialisée ({state.backend}) : mise à niveau du schéma.")
            return
        report = svc.init_database(demo=demo)
        history = demo_pipeline.bring_to_life(svc) if demo else None
    except MapserviceError as exc:
        _fail(exc)
        return
    counts = database.table_counts(svc)
    click.echo(
        f"Base prête ({database.schema_state(svc).backend}, révision "
        f"{report['revision']}) en {number(report['seconds'], 2)} s."
    )
    if history is not None:
        click.echo(
            f"Démo : {history.candidates} synergies candidates, historique fictif de "
            f"{history.events} étapes sur deux ans ("
            + ", ".join(f"{history.moved.get(s, 0)} {w}" for s, w in _MOVED_WORDS.items())
            + ")."
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
        click.echo(f"  {table:<22} {number(counts[table], 0):>6}")


@click.command(
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
        raise click.ClickException(said(exc.message)) from exc
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


@click.command(help="Afficher le nombre de lignes de chaque table et les caches de ce processus.")
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
        click.echo(f"{table:<22} {number(n, 0):>6}")
    click.echo("\nCaches de cette commande (ceux d'un serveur : GET /healthz/caches)")
    click.echo(
        f"{'cache':<22} {'max':>6} {'taille':>7} {'succès':>7} {'échecs':>7} {'taux':>5}  contenu"
    )
    for c in caches:
        rate = "—" if c.hit_rate is None else f"{number(c.hit_rate * 100, 0)} %"
        click.echo(
            f"{c.name:<22} {number(c.max_size, 0):>6} {number(c.size, 0):>7} "
            f"{number(c.hits, 0):>7} {number(c.misses, 0):>7} "
            f"{rate:>5}  {c.holds}"
        )


@click.command(help="Lister les réglages, leur valeur par défaut et la variable d'environnement.")
def settings() -> None:
    for s in SETTINGS:
        click.echo(f"{s.env}\n    défaut : {s.default!r}\n    {s.help}")
