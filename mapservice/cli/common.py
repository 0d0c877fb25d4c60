"""What every command group shares: the services of one invocation and how errors end it."""

from __future__ import annotations

from typing import Any

import click

from mapservice.config import finish_settings, load_settings
from mapservice.errors import ImportRejected, MapserviceError, say
from mapservice.views.formatting import num


def number(value: float | None, digits: int = 1) -> str:
    """A figure as the command line writes it, in French: ``4,64``, ``1 234`` (no-break space
    between thousands), at most ``digits`` decimals."""
    return num(value, digits, lang="fr")


def said(message: str) -> str:
    """A core message as the command line prints it: French, its decimals with a comma
    (``str()`` of a message writes Python's point)."""
    return str(say(message, lambda text: text, _decimal))


def _decimal(value: float, spec: str) -> str:
    precision = spec[1:-1] if spec.startswith(".") and spec.endswith("f") else ""
    return number(value, int(precision) if precision.isdigit() else 6)


def services(ctx: click.Context) -> Any:
    from mapservice.services import Services

    if ctx.obj is None:
        try:
            settings = finish_settings(load_settings())
        except MapserviceError as exc:
            raise click.ClickException(said(exc.message)) from exc
        ctx.obj = Services(settings)
        ctx.call_on_close(ctx.obj.close)
        if ctx.info_name not in ("init",) and ctx.invoked_subcommand not in ("init",):
            check_schema(ctx.obj)
    return ctx.obj


def check_schema(svc: Any) -> None:
    """Say how to fix an out-of-date database instead of failing on a missing column."""
    from mapservice.ops.database import schema_state

    try:
        state = schema_state(svc)
    except MapserviceError as exc:
        raise click.ClickException(said(exc.message)) from exc
    if not state.current:
        raise click.ClickException(
            f"La base est à la révision {state.revision or 'aucune'}, le code attend "
            f"{state.head} : lancez "
            "`mapservice init` pour la créer ou la mettre à niveau (rien n'est perdu)."
        )


def fail(exc: MapserviceError) -> None:
    if isinstance(exc, ImportRejected):
        click.echo(said(exc.message), err=True)
        for issue in exc.issues:
            click.echo(f"  - {said(issue) if isinstance(issue, str) else issue}", err=True)
        raise SystemExit(1)
    raise click.ClickException(said(exc.message))
