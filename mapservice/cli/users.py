"""``mapservice user …``: accounts, roles, passwords and personal tokens from the shell.

Passwords are asked for without echo (twice), or read from standard input with
``--password-stdin`` for scripts; they never appear in arguments, output or logs. A new token is
printed once.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from mapservice.cli.common import said, services
from mapservice.domain.audit import cli_actor
from mapservice.errors import FormErrors, MapserviceError


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True))


def _fail(exc: MapserviceError) -> None:
    if isinstance(exc, FormErrors):
        for field, message in exc.fields.items():
            click.echo(f"  {field} : {message}", err=True)
    raise click.ClickException(said(exc.message))


def _svc(ctx: click.Context) -> Any:
    return services(ctx)


@click.group("user", help="Comptes : créer, changer le rôle, le mot de passe, les jetons.")
def user() -> None:
    pass


@user.command("add", help="Créer un compte (rôles : admin, staff, park_manager, presenter).")
@click.argument("username")
@click.option("--role", required=True, help="admin, staff, park_manager ou presenter.")
@click.option(
    "--park",
    "parks",
    multiple=True,
    help="Un parc du gestionnaire (identifiant de data/parks.csv) ; répétable.",
)
@click.option("--name", "display_name", default="", help="Nom affiché.")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée.")
@click.pass_context
def add(
    ctx: click.Context,
    username: str,
    role: str,
    parks: tuple[str, ...],
    display_name: str,
    password_stdin: bool,
) -> None:
    from mapservice.accounts import jobs as accounts

    svc = _svc(ctx)
    try:
        accounts.add_user(
            svc,
            username=username,
            password=_password(password_stdin),
            role=role,
            parks=parks,
            display_name=display_name,
            actor=cli_actor(),
        )
    except MapserviceError as exc:
        _fail(exc)
    click.echo(f"Compte {username.strip().lower()} créé ({role}).")


@user.command("set-role", help="Changer le rôle (et les parcs d'un gestionnaire de parc).")
@click.argument("username")
@click.argument("role")
@click.option("--park", "parks", multiple=True, help="Un parc du gestionnaire ; répétable.")
@click.pass_context
def set_role(ctx: click.Context, username: str, role: str, parks: tuple[str, ...]) -> None:
    from mapservice.accounts import jobs as accounts

    try:
        found = accounts.set_role(_svc(ctx), username, role, parks, actor=cli_actor())
    except MapserviceError as exc:
        _fail(exc)
        return
    where = f" ({', '.join(sorted(found.parks))})" if found.parks else ""
    click.echo(f"{found.username} : {found.role}{where}.")


@user.command(
    "reset-password",
    help="Donner un nouveau mot de passe (déverrouille le compte et ferme ses sessions).",
)
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée.")
@click.option("--generate", is_flag=True, help="En tirer un au hasard et l'afficher une fois.")
@click.pass_context
def reset_password(ctx: click.Context, username: str, password_stdin: bool, generate: bool) -> None:
    from mapservice.accounts import jobs as accounts

    svc = _svc(ctx)
    try:
        if generate:
            found = accounts.require_user(svc, username)
            password = accounts.random_password(svc, names=(found.username, found.display_name))
        else:
            password = _password(password_stdin)
        accounts.reset_password(svc, username, password, actor=cli_actor())
    except MapserviceError as exc:
        _fail(exc)
    click.echo(
        f"Mot de passe de {username} changé."
        + (f" Nouveau mot de passe : {password}" if generate else "")
    )


@user.command("token", help="Créer un jeton personnel (affiché une fois), ou en révoquer un.")
@click.argument("username")
@click.option("--name", default="jeton", show_default=True, help="Nom du jeton.")
@click.option("--revoke", type=int, default=None, help="Révoquer le jeton de cet identifiant.")
@click.pass_context
def token(ctx: click.Context, username: str, name: str, revoke: int | None) -> None:
    from mapservice.accounts import jobs as accounts

    svc = _svc(ctx)
    try:
        if revoke is not None:
            owner = accounts.require_user(svc, username)
            accounts.revoke_token(svc, revoke, user_id=owner.id, actor=cli_actor())
            click.echo(f"Jeton {revoke} de {owner.username} révoqué.")
            return
        secret = accounts.make_token(svc, username, name, actor=cli_actor())
    except MapserviceError as exc:
        _fail(exc)
        return
    click.echo(secret)


@user.command("list", help="Lister les comptes et leurs jetons.")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    from mapservice.accounts import jobs as accounts

    svc = _svc(ctx)
    for u in accounts.users(svc):
        parks = f" [{', '.join(sorted(u.parks))}]" if u.parks else ""
        state = "" if u.active else " (inactif)"
        click.echo(f"{u.username:<24} {u.role:<13}{parks}{state}")
        for t in accounts.tokens(svc, u.id):
            status = "révoqué" if t.revoked_at else "actif"
            click.echo(f"    jeton {t.id} « {t.name} » {t.prefix}… {status}")
