"""Signing in and the sessions it opens: the password check, account locks, the per-address
limit on failures, and session versions.

**Locks.** After :data:`MAX_FAILURES` wrong passwords in a row an account is locked for
:data:`LOCK_S` seconds, doubling with each further failure up to :data:`MAX_LOCK_S` (15 minutes):
whoever keeps typing wrong passwords cannot keep an account shut for longer than that after
they stop. A locked account answers exactly like a wrong password, after the same work (a
hash compared, a failure counted), so an answer never tells whether a name exists or is
locked. A new password unlocks it.

**Per address.** Only failures count towards the limit per client address (a keyed hash of
it, counted in the database for every serving process); a successful sign-in costs nothing.

**Session versions.** Each account has a session version; a browser session holds the version
its account had at sign-in, and every request reads the account (one read by primary key) and
refuses a session whose version is not the account's. Signing out, a new password, a change of
role or parks and (de)activation move the version on (:func:`end_sessions`, or
``update_user(…, end_sessions=True)`` with the change), which ends every session of the
account, in every browser and serving process. Personal tokens are not sessions: they keep
their own rules (revoked one by one, refused with their inactive owner).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from mapservice.accounts.passwords import check_password_hash, hash_password
from mapservice.domain.access import ANONYMOUS, Principal, Role
from mapservice.domain.audit import SYSTEM_ACTOR
from mapservice.domain.model import User
from mapservice.errors import N_, NotFound, NotSignedIn, tr

if TYPE_CHECKING:
    from mapservice.services import Services

MAX_FAILURES = 5
LOCK_S = 300
MAX_LOCK_S = 900
#: The one answer to a sign-in that fails, whatever the reason.
WRONG = N_("Nom d'utilisateur ou mot de passe incorrect.")
#: Compared against when no account has the name, so that a wrong name costs as much time as
#: a wrong password and does not tell which names exist.
_DUMMY_HASH = hash_password("pas un vrai mot de passe")


def _now() -> datetime:
    return datetime.now(UTC)


def principal(user: User, *, by_token: bool = False) -> Principal:
    """Who ``user`` is to the access rules (with the session version it has now)."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        parks=user.parks,
        by_token=by_token,
        session_version=user.session_version,
    )


def lock_s(failures: int) -> int:
    """How long an account is locked after ``failures`` wrong passwords in a row (0: not)."""
    if failures < MAX_FAILURES:
        return 0
    return min(LOCK_S * 2 ** min(failures - MAX_FAILURES, 8), MAX_LOCK_S)


def _locked(user: User, now: datetime) -> bool:
    locked = user.locked_until
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=UTC)  # SQLite hands back naive UTC datetimes
    return locked is not None and locked > now


def authenticate(svc: Services, username: str, password: str) -> Principal:
    """The account's principal if the password is right and the account open;
    :class:`NotSignedIn` with the same message otherwise (unknown name, inactive or locked
    account, wrong password)."""
    user = svc.repo.find_user(username.strip())
    now = _now()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        raise NotSignedIn(tr(WRONG))
    right = check_password_hash(user.password_hash, password)
    locked = _locked(user, now)
    if locked or not right:
        failures = user.failed_logins + 1
        if locked:  # counted, so that it costs what a wrong password costs; the lock stays
            svc.repo.update_user(user.id, failed_logins=failures)
        else:
            wait_s = lock_s(failures)
            until = now + timedelta(seconds=wait_s) if wait_s else None
            svc.repo.update_user(user.id, failed_logins=failures, locked_until=until)
        raise NotSignedIn(tr(WRONG))
    if user.failed_logins or user.locked_until is not None:
        svc.repo.update_user(user.id, failed_logins=0, locked_until=None)
    return principal(user)


def session_principal(svc: Services, user_id: int, session_version: int) -> Principal:
    """The principal of a browser session of account ``user_id`` opened at
    ``session_version``; nobody when the account is gone, inactive, or its sessions were
    ended since."""
    try:
        user = svc.repo.get_user(user_id)
    except NotFound:  # a removed account ends its sessions
        return ANONYMOUS
    if not user.active or user.session_version != session_version:
        return ANONYMOUS
    return principal(user)


def end_sessions(svc: Services, user_id: int, *, actor: str = SYSTEM_ACTOR) -> None:
    """End every session of account ``user_id``, in every browser (signing out does)."""
    svc.repo.update_user(user_id, end_sessions=True, actor=actor)


def sign_in_refused(svc: Services, client_key: str, *, window_s: float, limit: int) -> bool:
    """Whether ``client_key`` failed to sign in ``limit`` times in the last ``window_s``
    seconds (then it may not try again until the oldest of them is that old)."""
    return svc.repo.sign_in_failures(client_key, now=_now(), window_s=window_s) >= limit


def count_sign_in_failure(svc: Services, client_key: str) -> None:
    """Count a failed sign-in of ``client_key`` (successful ones are not counted)."""
    svc.repo.add_sign_in_failure(client_key, now=_now())
