"""Accounts: create them, change their role or password, check a token.

Passwords are hashed with scrypt (:mod:`mapservice.accounts.passwords`) and never logged nor
returned; a new one must pass :mod:`mapservice.accounts.password_rules`. A personal token is
shown once, when made: ``ms_`` and 43 random URL-safe characters; only its SHA-256 is stored
(the token is random enough that a slow hash would add nothing), with its first characters so
its owner can tell their tokens apart. A new password, role, parks or (de)activation ends every
session of the account (:mod:`mapservice.accounts.sign_in` signs in and keeps sessions).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mapservice.accounts import password_rules
from mapservice.accounts.passwords import hash_password
from mapservice.accounts.sign_in import principal
from mapservice.domain.access import Principal, Role
from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import ApiToken, User
from mapservice.errors import FormErrors, InvalidInput, NotSignedIn, check_plain_text, tr

if TYPE_CHECKING:
    from mapservice.services import Services

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
TOKEN_PREFIX = "ms_"


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip())
    except ValueError:
        raise InvalidInput(
            tr(
                "Rôle inconnu : {text!r} (attendu : {allowed}).",
                text=text,
                allowed=", ".join(r.value for r in Role),
            ),
            field="role",
        ) from None


def check_password(svc: Services, password: str, *, names: Iterable[str] = ()) -> None:
    """Refuse (:class:`InvalidInput` on ``password``) a password that is short, trivial,
    common or holds one of the account's ``names`` (see :mod:`~.password_rules`)."""
    password_rules.check(password, common=svc.common_passwords, names=names)


def random_password(svc: Services, *, names: Iterable[str] = ()) -> str:
    """A random password (16 URL-safe characters) that the rules accept for ``names``."""
    while True:
        password = secrets.token_urlsafe(12)
        if password_rules.problem(password, common=svc.common_passwords, names=names) is None:
            return password


def parse_parks(svc: Services, role: Role, parks: list[str] | tuple[str, ...]) -> frozenset[str]:
    """A park manager's parks, each a known park id; other roles have none."""
    wanted = frozenset(p.strip() for p in parks if p.strip())
    if role is not Role.PARK_MANAGER:
        if wanted:
            raise InvalidInput(tr("Seul un gestionnaire de parc a des parcs."), field="parks")
        return wanted
    if not wanted:
        raise InvalidInput(
            tr("Un gestionnaire de parc doit avoir au moins un parc."), field="parks"
        )
    known = svc.park_ids()
    unknown = sorted(wanted - set(known))
    if unknown:
        raise InvalidInput(
            tr(
                "Parc inconnu : {unknown} (attendu : un identifiant "
                "de data/parks.csv, ex. {known}).",
                unknown=", ".join(unknown),
                known=next(iter(sorted(known)), ""),
            ),
            field="parks",
        )
    return wanted


def add_user(
    svc: Services,
    *,
    username: str,
    password: str,
    role: str,
    parks: list[str] | tuple[str, ...] = (),
    display_name: str = "",
    actor: str = SYSTEM_ACTOR,
) -> int:
    """Create an account, as ``actor``; every problem with the values comes back at once."""
    errors: dict[str, str] = {}
    name = username.strip().lower()
    if not USERNAME.match(name):
        errors["username"] = (
            f"Nom d'utilisateur invalide : {username[:80]!r} (attendu : 2 à "
            "80 caractères parmi a-z, 0-9, point, tiret, @, soulignement)."
        )
    checked_role: Role | None = None
    for field, check in (
        ("password", lambda: check_password(svc, password, names=(name, display_name))),
        ("role", lambda: parse_role(role)),
        ("display_name", lambda: check_plain_text(display_name, "display_name")),
    ):
        try:
            value = check()
            if field == "role":
                checked_role = value  # type: ignore[assignment]
        except InvalidInput as exc:
            errors[field] = exc.message
    if checked_role is not None:
        try:
            park_set = parse_parks(svc, checked_role, parks)
        except InvalidInput as exc:
            errors["parks"] = exc.message
    if errors:
        raise FormErrors(errors)
    assert checked_role is not None
    return svc.repo.add_user(
        username=name,
        display_name=display_name.strip()[:200],
        password_hash=hash_password(password),
        role=checked_role.value,
        parks=park_set,
        actor=actor,
    )


def set_role(
    svc: Services,
    username: str,
    role: str,
    parks: list[str] | tuple[str, ...] = (),
    *,
    actor: str = SYSTEM_ACTOR,
) -> User:
    user = require_user(svc, username)
    new_role = parse_role(role)
    if user.role == Role.ADMIN and new_role is not Role.ADMIN and svc.repo.count_admins() <= 1:
        raise InvalidInput(
            tr("C'est le dernier administrateur : donnez d'abord ce rôle à un autre compte."),
            field="role",
        )
    svc.repo.update_user(
        user.id,
        role=new_role.value,
        parks=parse_parks(svc, new_role, parks),
        end_sessions=True,
        actor=actor,
    )
    return svc.repo.get_user(user.id)


def reset_password(
    svc: Services, username: str, password: str, *, actor: str = SYSTEM_ACTOR
) -> User:
    """Set a new password; it also unlocks the account and ends its sessions."""
    user = require_user(svc, username)
    check_password(svc, password, names=(user.username, user.display_name))
    svc.repo.update_user(
        user.id,
        password_hash=hash_password(password),
        failed_logins=0,
        locked_until=None,
        end_sessions=True,
        actor=actor,
    )
    return user


def set_active(svc: Services, username: str, active: bool, *, actor: str = SYSTEM_ACTOR) -> User:
    user = require_user(svc, username)
    if not active and user.role == Role.ADMIN and svc.repo.count_admins() <= 1:
        raise InvalidInput(tr("C'est le dernier administrateur actif."), field="active")
    svc.repo.update_user(user.id, active=active, end_sessions=True, actor=actor)
    return user


def require_user(svc: Services, username: str) -> User:
    user = svc.repo.find_user(username.strip())
    if user is None:
        raise InvalidInput(
            tr("Aucun compte ne s'appelle {username!r}.", username=username[:80]), field="username"
        )
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def make_token(svc: Services, username: str, name: str, *, actor: str | None = None) -> str:
    """A new personal token for the account; the secret is returned here and never again.

    The audit log records it (name, prefix, owner) as made by ``actor`` (default: the owner).
    """
    user = require_user(svc, username)
    label = check_plain_text(name.strip() or "jeton", "name")[:200]
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    svc.repo.add_token(user.id, label, _digest(secret), secret[:10], actor=actor or user.username)
    return secret


def token_principal(svc: Services, secret: str) -> Principal:
    """Who a token speaks for; :data:`ANONYMOUS`-like refusal as :class:`NotSignedIn`."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise NotSignedIn(tr("Jeton invalide."))
    found = svc.repo.token_owner(_digest(secret))
    if found is None:
        raise NotSignedIn(tr("Jeton inconnu ou révoqué."))
    return principal(found[1], by_token=True)


def get_user(svc: Services, user_id: int) -> User:
    """The account ``user_id``; :class:`NotFound` when there is none."""
    return svc.repo.get_user(user_id)


def users(svc: Services) -> list[User]:
    """Every account, by name."""
    return svc.repo.users()


def tokens(svc: Services, user_id: int) -> list[ApiToken]:
    """The account's personal tokens, revoked ones included (shown as such)."""
    return svc.repo.tokens(user_id)


def revoke_token(svc: Services, token_id: int, *, user_id: int | None, actor: str) -> None:
    """Revoke token ``token_id`` of account ``user_id``, as ``actor``."""
    svc.repo.revoke_token(token_id, user_id=user_id, actor=actor)


#: The setting that opens the anonymised map to everyone (``"1"``) or to staff only.
PUBLIC_MAP = "public_map"


def public_map_open(svc: Services) -> bool:
    """Whether the association opened the anonymised map to people who are not signed in."""
    return svc.repo.setting(PUBLIC_MAP, "0") == "1"


def set_public_map(svc: Services, value: str, *, actor: str) -> None:
    """Open (``"1"``) or close (``"0"``) the public map, as ``actor``."""
    if value not in ("0", "1"):
        raise InvalidInput(
            tr("public_map vaut 0 ou 1 (reçu : {value!r}).", value=value), field="public_map"
        )
    svc.repo.set_setting(PUBLIC_MAP, value, by=actor)
