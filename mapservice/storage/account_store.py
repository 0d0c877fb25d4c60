"""Accounts, personal API tokens and the association's settings. A mixin of ``SqlRepository``.

Passwords and tokens arrive here already hashed (:mod:`mapservice.accounts.jobs` hashes them); this
module never sees a secret in clear. Changes to accounts and settings are logged with who made
them (``actor``) in the audit log, hashes redacted; sign-in bookkeeping (failed attempts,
locks, session versions) is not.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import ApiToken, User
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.storage import schema as t
from mapservice.storage.audit_store import record_change, snapshot

#: How stale a token's "last used" may get before a request signed with it rewrites it.
USED_EVERY = timedelta(minutes=1)


def _now() -> datetime:
    return datetime.now(UTC)


def _user(r: sa.Row[Any], prefix: str = "") -> User:
    """The user of row ``r``, whose user columns are named ``prefix`` + column name."""
    v = {c.name: getattr(r, prefix + c.name) for c in t.users.c}
    return User(
        id=v["id"],
        username=v["username"],
        display_name=v["display_name"],
        password_hash=v["password_hash"],
        role=v["role"],
        parks=frozenset(p for p in v["parks"].split(",") if p),
        active=bool(v["active"]),
        failed_logins=v["failed_logins"],
        locked_until=v["locked_until"],
        session_version=v["session_version"],
    )


def _token(r: sa.Row[Any]) -> ApiToken:
    return ApiToken(
        id=r.id,
        user_id=r.user_id,
        name=r.name,
        prefix=r.prefix,
        created_at=r.created_at,
        last_used_at=r.last_used_at,
        revoked_at=r.revoked_at,
    )


class AccountStore:
    def _begin(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    def _connect(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided
        raise NotImplementedError

    # --- users ---

    def users(self) -> list[User]:
        with self._connect() as conn:
            return [_user(r) for r in conn.execute(sa.select(t.users).order_by(t.users.c.username))]

    def get_user(self, user_id: int) -> User:
        with self._connect() as conn:
            row = conn.execute(sa.select(t.users).where(t.users.c.id == user_id)).first()
        if row is None:
            raise NotFound(tr("Aucun compte n'a l'identifiant {user_id}.", user_id=user_id))
        return _user(row)

    def find_user(self, username: str) -> User | None:
        with self._connect() as conn:
            row = conn.execute(
                sa.select(t.users).where(sa.func.lower(t.users.c.username) == username.lower())
            ).first()
        return None if row is None else _user(row)

    def add_user(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        role: str,
        parks: frozenset[str],
        actor: str = SYSTEM_ACTOR,
    ) -> int:
        now = _now()
        with self._begin() as conn:
            taken = conn.execute(
                sa.select(t.users.c.id).where(sa.func.lower(t.users.c.username) == username.lower())
            ).first()
            if taken is not None:
                raise InvalidInput(
                    tr("Le nom d'utilisateur {username!r} est déjà pris.", username=username),
                    field="username",
                )
            result = conn.execute(
                t.users.insert().values(
                    username=username,
                    display_name=display_name,
                    password_hash=password_hash,
                    role=role,
                    parks=",".join(sorted(parks)),
                    active=True,
                    failed_logins=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            record_change(conn, "users", user_id, None, actor=actor)
            return user_id

    def update_user(
        self, user_id: int, *, actor: str = SYSTEM_ACTOR, end_sessions: bool = False, **values: Any
    ) -> None:
        """Change an account's ``values``; ``end_sessions`` also moves its session version on,
        in the same transaction, which ends every session of the account."""
        allowed = {
            "display_name",
            "password_hash",
            "role",
            "parks",
            "active",
            "failed_logins",
            "locked_until",
        }
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown user fields: {sorted(unknown)}")
        if "parks" in values:
            values["parks"] = ",".join(sorted(values["parks"]))
        if end_sessions:
            values["session_version"] = t.users.c.session_version + 1
        with self._begin() as conn:
            before = snapshot(conn, "users", user_id)
            done = conn.execute(
                t.users.update().where(t.users.c.id == user_id).values(updated_at=_now(), **values)
            )
            if done.rowcount == 0:
                raise NotFound(tr("Aucun compte n'a l'identifiant {user_id}.", user_id=user_id))
            record_change(conn, "users", user_id, before, actor=actor)

    def count_admins(self) -> int:
        with self._connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(t.users)
                    .where((t.users.c.role == "admin") & t.users.c.active)
                ).scalar_one()
            )

    # --- tokens ---

    def add_token(
        self, user_id: int, name: str, token_hash: str, prefix: str, *, actor: str = SYSTEM_ACTOR
    ) -> int:
        with self._begin() as conn:
            result = conn.execute(
                t.api_tokens.insert().values(
                    user_id=user_id,
                    name=name,
                    token_hash=token_hash,
                    prefix=prefix,
                    created_at=_now(),
                )
            )
            token_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            record_change(conn, "api_tokens", token_id, None, actor=actor)
            return token_id

    def tokens(self, user_id: int) -> list[ApiToken]:
        with self._connect() as conn:
            return [
                _token(r)
                for r in conn.execute(
                    sa.select(t.api_tokens)
                    .where(t.api_tokens.c.user_id == user_id)
                    .order_by(t.api_tokens.c.id)
                )
            ]

    def token_owner(self, token_hash: str) -> tuple[ApiToken, User] | None:
        """The live token with this hash and its active owner; marks it used.

        The mark is written at most once a minute per token, so that requests signed with a
        token stay reads and do not queue on SQLite's write lock.
        """
        # One query for both: it runs before every request signed with a token.
        query = (
            sa.select(t.api_tokens, *(c.label(f"owner_{c.name}") for c in t.users.c))
            .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
            .where(
                t.api_tokens.c.token_hash == token_hash,
                t.api_tokens.c.revoked_at.is_(None),
                t.users.c.active,
            )
        )
        with self._connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        owner = _user(row, prefix="owner_")
        now = _now()
        last = row.last_used_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        if last is None or now - last > USED_EVERY:
            with self._begin() as conn:
                conn.execute(
                    t.api_tokens.update()
                    .where(t.api_tokens.c.id == row.id)
                    .values(last_used_at=now)
                )
        return _token(row), owner

    def revoke_token(
        self, token_id: int, *, user_id: int | None = None, actor: str = SYSTEM_ACTOR
    ) -> None:
        """Revoke a token (only one of ``user_id``'s when given); revoking twice is harmless."""
        where = t.api_tokens.c.id == token_id
        if user_id is not None:
            where = where & (t.api_tokens.c.user_id == user_id)
        with self._begin() as conn:
            found = conn.execute(sa.select(t.api_tokens.c.id).where(where)).first()
            if found is None:
                raise NotFound(tr("Aucun jeton n'a l'identifiant {token_id}.", token_id=token_id))
            before = snapshot(conn, "api_tokens", token_id)
            done = conn.execute(
                t.api_tokens.update()
                .where(where & t.api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            )
            if done.rowcount:
                record_change(conn, "api_tokens", token_id, before, actor=actor)

    # --- sign-in attempts ---

    def sign_in_failures(self, address_key: str, *, now: datetime, window_s: float) -> int:
        """How many failed sign-ins ``address_key`` made in the last ``window_s`` seconds.

        Failures older than the window are dropped first, whoever made them."""
        table = t.sign_in_attempts
        with self._begin() as conn:
            conn.execute(table.delete().where(table.c.at <= now - timedelta(seconds=window_s)))
            return int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(table.c.address_key == address_key)
                ).scalar_one()
            )

    def add_sign_in_failure(self, address_key: str, *, now: datetime) -> None:
        """Count one failed sign-in of ``address_key``."""
        with self._begin() as conn:
            conn.execute(t.sign_in_attempts.insert().values(address_key=address_key, at=now))

    # --- settings ---

    def setting(self, key: str, default: str = "") -> str:
        with self._connect() as conn:
            value = conn.execute(
                sa.select(t.app_settings.c.value).where(t.app_settings.c.key == key)
            ).scalar()
        return default if value is None else str(value)

    def set_setting(self, key: str, value: str, *, by: str) -> None:
        """Store a setting; ``by`` (who changes it) is also the audit entry's actor."""
        with self._begin() as conn:
            before = snapshot(conn, "app_settings", key)
            done = conn.execute(
                t.app_settings.update()
                .where(t.app_settings.c.key == key)
                .values(value=value, updated_at=_now(), updated_by=by)
            )
            if done.rowcount == 0:
                conn.execute(
                    t.app_settings.insert().values(
                        key=key, value=value, updated_at=_now(), updated_by=by
                    )
                )
            record_change(conn, "app_settings", key, before, actor=by)
