"""``mapservice demo …``: the demonstration data."""

from __future__ import annotations

from pathlib import Path

import click

from mapservice.cli.common import number
from mapservice.config import load_settings


@click.group("demo", help="Données de démonstration.")
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
    click.echo(f"{number(n_members, 0)} membres, {number(n_rows, 0)} offres et besoins → {target}")
