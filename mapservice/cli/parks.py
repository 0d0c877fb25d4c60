"""``mapservice parks …``: the parks' outlines from the shell (list, replace, history, restore).

The shell is the administrator's: a command acts as staff, credited to ``cli:<system user>``
in the audit log, through the same use cases as the pages under ``/registre/parcs``.
"""

from __future__ import annotations

from pathlib import Path

import click

from mapservice.cli.common import fail, number, services
from mapservice.domain.access import Principal, Role
from mapservice.domain.audit import cli_actor
from mapservice.domain.outlines import REPLACEMENT_STATUSES, outline_label
from mapservice.errors import MapserviceError
from mapservice.registry import park_outlines


def _who() -> Principal:
    return Principal(username=cli_actor(), role=Role.STAFF)


@click.group("parks", help="Parcs industriels : statut des contours, remplacer un contour.")
def parks() -> None:
    pass


@parks.command("list", help="Chaque parc, le statut de son contour et sa remarque.")
@click.pass_context
def list_(ctx: click.Context) -> None:
    for park in park_outlines.editable_parks(services(ctx), _who()):
        note = park.properties.get("outline_note") or ""
        click.echo(
            f"{park.id}\t{park.outline_status}\t{outline_label(park.outline_status)}\t{note}"
        )


@parks.command("outline", help="Remplacer le contour d'un parc par celui d'un fichier GeoJSON.")
@click.argument("park_id")
@click.argument("geojson_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--status",
    type=click.Choice(REPLACEMENT_STATUSES),
    required=True,
    help="surveyed (levé) ou traced (tracé d'après les rues du parc).",
)
@click.option("--note", default="", help="D'où vient le contour (plan, relevé, rues suivies).")
@click.pass_context
def outline(ctx: click.Context, park_id: str, geojson_file: Path, status: str, note: str) -> None:
    try:
        done = park_outlines.replace_outline(
            services(ctx), _who(), park_id, geojson_file.read_bytes(), status, note=note
        )
    except MapserviceError as exc:
        fail(exc)
        return
    click.echo(
        f"Contour de {park_id} remplacé (changement n° {done.change_id}, "
        f"{number(done.area_ha)} ha, {status}) ; sites placés entrés dans le parc : "
        f"{done.sites_joined}, sortis : "
        f"{done.sites_left} ; le parc en compte {done.sites_in_park}."
    )
    if done.note:
        click.echo(f"Remarque : {done.note}")


@parks.command(
    "history", help="Les changements du contour d'un parc, du plus récent au plus ancien."
)
@click.argument("park_id")
@click.pass_context
def history(ctx: click.Context, park_id: str) -> None:
    try:
        changes = park_outlines.outline_history(services(ctx), _who(), park_id)
    except MapserviceError as exc:
        fail(exc)
        return
    for c in changes:
        when = c.at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{c.id}\t{when}\t{c.actor}\t{c.old_status} → {c.new_status}\t{c.note or ''}")


@parks.command("restore", help="Revenir au contour qu'avait le parc avant un changement.")
@click.argument("park_id")
@click.argument("change_id", type=int)
@click.pass_context
def restore(ctx: click.Context, park_id: str, change_id: int) -> None:
    try:
        new_id = park_outlines.restore_outline(services(ctx), _who(), park_id, change_id)
    except MapserviceError as exc:
        fail(exc)
        return
    click.echo(f"Contour d'avant le changement n° {change_id} restauré (changement n° {new_id}).")
