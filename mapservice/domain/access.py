"""Who may do what: roles, permissions, and the scope of what each one may read.

This is the one place the rules live. The web layer asks :func:`allowed` before every view
(through its table of endpoints and the permission each needs) and reads through
:func:`scope_for`, so pages, exports, the OGC API and popups apply the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Scope:
    """Who asks: ``parks`` they may read (None: all); whether confidential values may leave
    (contacts, confidential quantities, and names); and whether the names of members who did
    not consent may leave for the sites in those parks (``names``: a park manager's tenants).
    :func:`scope_for` makes one for each role."""

    parks: frozenset[str] | None = None
    confidential: bool = False
    names: bool = False

    def sees_park(self, park_id: str | None) -> bool:
        return self.parks is None or (park_id is not None and park_id in self.parks)


STAFF = Scope(parks=None, confidential=True, names=True)
PUBLIC = Scope(parks=None, confidential=False, names=False)


class Role(StrEnum):
    ADMIN = "admin"  #: accounts and settings, and everything staff do
    STAFF = "staff"  #: the whole registry, synergies, geocoding, presenter views
    PARK_MANAGER = "park_manager"  #: reads and exports their own parks
    PRESENTER = "presenter"  #: presenter mode and the anonymised map


ROLE_LABELS = {
    Role.ADMIN: ("Administrateur", "Administrator"),
    Role.STAFF: ("Personnel", "Staff"),
    Role.PARK_MANAGER: ("Gestionnaire de parc", "Park manager"),
    Role.PRESENTER: ("Présentateur", "Presenter"),
}


class Permission(StrEnum):
    PUBLIC = "public"  #: anyone, signed in or not (login page, health, static files)
    PUBLIC_MAP = "public_map"  #: the anonymised map; strangers only when it is turned on
    READ_PARKS = "read_parks"  #: exports and the OGC API, within the asker's parks
    PRESENT = "present"  #: presenter mode
    STAFF = "staff"  #: the registry, the full map, site pages, synergies, geocoding
    ADMIN = "admin"  #: accounts and settings
    ACCOUNT = "account"  #: one's own account page and tokens
    PARK_OUTLINES = "park_outlines"  #: replace a park's outline: staff all, managers theirs


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.STAFF: frozenset(Permission) - {Permission.ADMIN},
    Role.PARK_MANAGER: frozenset(
        {
            Permission.PUBLIC,
            Permission.PUBLIC_MAP,
            Permission.READ_PARKS,
            Permission.ACCOUNT,
            Permission.PARK_OUTLINES,
        }
    ),
    Role.PRESENTER: frozenset(
        {Permission.PUBLIC, Permission.PUBLIC_MAP, Permission.PRESENT, Permission.ACCOUNT}
    ),
}


@dataclass(frozen=True)
class Principal:
    """Who asks: a signed-in user, a token's owner, or nobody (``role`` None)."""

    user_id: int | None = None
    username: str = ""
    role: Role | None = None
    parks: frozenset[str] = frozenset()
    by_token: bool = False
    #: The account's session version when it was read (see :mod:`mapservice.accounts.sign_in`).
    session_version: int = 0

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)


ANONYMOUS = Principal()


def allowed(who: Principal, permission: Permission, *, public_map: bool = False) -> bool:
    """Whether ``who`` has ``permission``; ``public_map`` is the association's setting that
    opens the anonymised map to visitors who are not signed in."""
    if permission is Permission.PUBLIC:
        return True
    if who.role is None:
        return permission is Permission.PUBLIC_MAP and public_map
    return permission in _GRANTS[who.role]


def may_edit_outline(who: Principal, park_id: str) -> bool:
    """Whether ``who`` may replace the outline of park ``park_id``: staff any park, a park
    manager only the parks of their account."""
    if not allowed(who, Permission.PARK_OUTLINES):
        return False
    return who.is_staff or park_id in who.parks


def scope_for(who: Principal) -> Scope:
    """What ``who`` may read of the layers.

    Staff read everything. A park manager reads their parks fully (names included, since
    they know their tenants) but not contacts nor quantities marked confidential, which stay
    with staff. Everyone else reads the public layers: no contacts, no confidential
    quantities, and no name of a member who did not consent.
    """
    if who.is_staff:
        return Scope(parks=None, confidential=True, names=True)
    if who.role is Role.PARK_MANAGER:
        return Scope(parks=who.parks, confidential=False, names=True)
    return Scope(parks=None, confidential=False, names=False)
