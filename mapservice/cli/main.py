"""``mapservice …``: the command group; each command lives in the module of its group.

click speaks French from the package's ``__init__`` on, before any group module is built.
"""

from __future__ import annotations

import sys

import click

from mapservice.cli.backup import backup, restore
from mapservice.cli.batch import geocode, import_, match
from mapservice.cli.demo_data import demo
from mapservice.cli.exporting import export
from mapservice.cli.instance import init, serve, settings, stats
from mapservice.cli.parks import parks
from mapservice.cli.reference_data import data
from mapservice.cli.users import user


@click.group(help="Carte de l'économie circulaire du Saguenay–Lac-Saint-Jean.")
@click.version_option(package_name="mapservice")
def main() -> None:
    pass


for command in (
    init,
    import_,
    geocode,
    match,
    export,
    serve,
    stats,
    settings,
    demo,
    user,
    parks,
    backup,
    restore,
    data,
):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
