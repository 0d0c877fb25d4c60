"""``mapservice data …``: what the reference data holds and how far to trust it."""

from __future__ import annotations

import json

import click

from mapservice.cli.common import number, said
from mapservice.config import finish_settings, load_settings
from mapservice.errors import MapserviceError

#: Lines shown per list unless ``--tout``.
SHOWN = 15

OUTLINE_WORDS = {
    "town": "point de la ville (ne rattache aucun site par sa géométrie)",
    "approximate": "approximatif",
    "estimated": "estimé",
    "traced": "tracé d'après les rues",
    "surveyed": "relevé",
}


@click.group(help="Données de référence : ce qu'elles contiennent et ce qu'il faut vérifier.")
def data() -> None:
    pass


def _km(metres: float) -> str:
    return number(metres / 1000)


def _sites(n: int, attached: bool = False) -> str:
    if attached:
        return f"{n} site rattaché" if n == 1 else f"{n} sites rattachés"
    return f"{n} site" if n == 1 else f"{n} sites"


def _shown(items: list, everything: bool) -> tuple[list, int]:
    return (items, 0) if everything or len(items) <= SHOWN else (items[:SHOWN], len(items) - SHOWN)


@data.command(
    help="Lister ce qu'un animateur devrait vérifier avant de citer la carte : parcs selon "
    "l'origine de leur contour, codes postaux déplacés, lieux loin du réseau routier, "
    "facteurs estimés. Le plus urgent d'abord."
)
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.option("--tout", "everything", is_flag=True, help=f"Lister tout (sinon {SHOWN} par liste).")
def audit(as_json: bool, everything: bool) -> None:
    from mapservice.ops.data_audit import audit_instance
    from mapservice.services import Services

    try:
        svc = Services(finish_settings(load_settings()))
    except MapserviceError as exc:
        raise click.ClickException(said(exc.message)) from exc
    try:
        report = audit_instance(svc)
    except MapserviceError as exc:
        raise click.ClickException(said(exc.message)) from exc
    finally:
        svc.close()
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    _print(report, everything)


def _print(report, everything: bool) -> None:  # type: ignore[no-untyped-def]
    where = "la base de l'instance" if report.parks_from == "base" else "data/ (pas de base à jour)"
    click.echo(f"Audit des données de référence — parcs lus dans {where}\n")

    click.echo(f"1. Parcs selon l'origine du contour ({len(report.parks)})")
    for status, n in report.parks_by_status().items():
        click.echo(f"   {n:>3}  {OUTLINE_WORDS.get(status, status)}")
    doubtful = [p for p in report.parks if p.outline_status not in ("surveyed", "traced")]
    lines, more = _shown(doubtful, everything)
    for p in lines:
        sites = f", {_sites(p.sites, attached=True)}" if p.sites else ""
        click.echo(
            f"   - {p.name} [{OUTLINE_WORDS.get(p.outline_status, p.outline_status)}{sites}]"
        )
        if p.note:
            click.echo(f"       {p.note}")
    if more:
        click.echo(f"   … et {more} autres (--tout)")

    click.echo(
        f"\n2. Codes postaux déplacés à la construction de data/ : "
        f"{len(report.postal_moved)} sur {report.postal_codes_total}"
    )
    for precision, n in report.moved_by_reason().items():
        click.echo(f"   {n:>4}  placés sur : {precision}")
    lines, more = _shown(report.postal_moved, everything)
    for c in lines:
        sites = f" — {_sites(c.sites)}" if c.sites else ""
        click.echo(f"   - {c.postal_code} ({c.municipality_id}){sites} : {c.note}")
    if more:
        click.echo(f"   … et {more} autres (--tout)")

    click.echo(
        f"\n3. Lieux à plus de {_km(2000)} km du réseau routier : "
        f"{len(report.far_places)} sur {report.places_total}"
    )
    for f in report.far_places if everything else report.far_places[:SHOWN]:
        click.echo(f"   - {f.name} : {_km(f.distance_m)} km (accès en ligne droite × 1,3)")

    click.echo(f"\n4. Chiffres et points estimés ({len(report.estimates)})")
    lines, more = _shown(report.estimates, everything)
    for e in lines:
        click.echo(f"   - {e.what} {e.label} [{e.status}] {e.source}")
    if more:
        click.echo(f"   … et {more} autres (--tout)")
