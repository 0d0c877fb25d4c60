"""``mapservice backup`` and ``mapservice restore``: thin over :mod:`mapservice.ops.backup`.

Neither needs the schema to be current: a backup is what one takes before an upgrade, and a
restore upgrades what it restored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mapservice.cli.common import fail as _fail
from mapservice.cli.common import number, said
from mapservice.errors import MapserviceError


def _settings() -> dict[str, Any]:
    from mapservice.config import finish_settings, load_settings

    try:
        return finish_settings(load_settings())
    except MapserviceError as exc:
        raise click.ClickException(said(exc.message)) from exc


def _agreed(question: str) -> bool:
    """Ask a yes/no question: only « o », « oui » (or « y », « yes ») say yes."""
    answer = click.prompt(f"{question} [o/N]", default="n", show_default=False)
    return str(answer).strip().lower() in ("o", "oui", "y", "yes")


def _size(n_bytes: int) -> str:
    return f"{number(n_bytes / 1e6)} Mo"


@click.command(
    help="Sauvegarder la base pendant que le service tourne (SQLite : copie en ligne "
    "vérifiée ; PostGIS : pg_dump)."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fichier à écrire (défaut : INSTANCE_PATH/sauvegardes/"
    "mapservice-AAAAMMJJ-HHMMSS.sqlite, ou .dump pour PostGIS).",
)
def backup(out: Path | None) -> None:
    from mapservice.ops import backup as backups

    settings = _settings()
    url = settings["DATABASE_URL"]
    try:
        target = out or backups.default_backup_path(Path(settings["INSTANCE_PATH"]), url)
        report = backups.backup(url, target)
    except MapserviceError as exc:
        _fail(exc)
        return
    click.echo(
        f"Sauvegarde vérifiée : {report.path} ({_size(report.size_bytes)}, révision "
        f"{report.revision}, en {number(report.seconds, 2)} s)."
    )


@click.command(
    help="Remplacer le contenu de la base par une sauvegarde, puis mettre le schéma "
    "à niveau ; une copie des données actuelles est gardée d'abord."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def restore(file: Path, yes: bool) -> None:
    from mapservice.ops import backup as backups

    settings = _settings()
    url = settings["DATABASE_URL"]
    if not yes and not _agreed(
        f"Remplacer toutes les données de {backups.shown_url(url)} par celles de {file} ?"
    ):
        click.echo("Restauration annulée : rien n'a changé.", err=True)
        raise SystemExit(1)
    try:
        report = backups.restore(
            url, file, safety_folder=Path(settings["INSTANCE_PATH"]) / backups.BACKUP_FOLDER
        )
    except MapserviceError as exc:
        _fail(exc)
        return
    upgraded = (
        ""
        if report.revision == report.restored_revision
        else f", schéma mis à niveau en {report.revision}"
    )
    click.echo(
        f"Base restaurée depuis {file} (révision {report.restored_revision}{upgraded}, "
        f"en {number(report.seconds, 2)} s)."
    )
    if report.safety_copy is not None:
        click.echo(f"Les données d'avant la restauration sont gardées dans {report.safety_copy}.")
