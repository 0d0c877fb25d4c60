"""The repository protocol every storage backend implements, with the same behaviour."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from mapservice.domain.model import (
    ApiToken,
    Flow,
    ImportPlan,
    ImportResult,
    Location,
    Member,
    Municipality,
    Park,
    PresenterView,
    Site,
    Synergy,
    SynergyEvent,
    SynergyStatus,
    User,
)
from mapservice.domain.reference import ReferenceData
from mapservice.storage.event_protocol import EventRecords

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from mapservice.caching import ChangeStamp
    from mapservice.domain.audit import AuditEntry
    from mapservice.domain.board_query import BoardQuery
    from mapservice.domain.engagement import RegistryActivity
    from mapservice.domain.outlines import OutlineChange
    from mapservice.geo.spatial_index import SpatialIndex
    from mapservice.storage.geocode_store import GeocodeRun


class Repository(EventRecords, Protocol):
    """Where the registry and the reference data live.

    Every write method runs in one transaction: it commits whole or not at all.
    """

    backend: str

    def migrate(self, revision: str = "head") -> None:
        """Create the schema, or upgrade it in place to ``revision``."""

    def revision(self) -> str | None:
        """Return the schema revision, or None for an empty database."""

    def load_reference(self, ref: ReferenceData) -> dict[str, int]:
        """Replace the reference tables with ``ref``; return the row count per table."""

    def counts(self) -> dict[str, int]:
        """Return the number of rows of every table."""

    def parks(self) -> list[Park]: ...

    def park(self, park_id: str) -> Park | None: ...

    def replace_park_outline(
        self,
        park_id: str,
        outline: dict[str, Any],
        status: str,
        *,
        actor: str,
        note: str | None = None,
        restored_from: int | None = None,
    ) -> int | None:
        """Give a park a new outline and status, its old one kept in its history; return the
        history entry's id (None: no such park)."""

    def park_outline_history(self, park_id: str) -> list[OutlineChange]:
        """Every outline change of a park, oldest first."""

    def park_outline_version(self) -> int:
        """The newest outline change's id (0 before any)."""

    def municipalities(self) -> list[Municipality]: ...

    def members(self) -> list[Member]: ...

    def sites(
        self,
        *,
        park_id: str | None = None,
        municipality_id: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        or_park_ids: Collection[str] = (),
        or_municipality_ids: Collection[str] = (),
    ) -> list[Site]:
        """Return sites, optionally those of one park, one municipality or inside a lon/lat box
        (edges included; on the store's spatial index).

        With ``bbox``, ``or_park_ids`` and ``or_municipality_ids`` also return the sites of
        those parks and municipalities wherever their point is: where a reader who may not see
        a site exactly sees it drawn (:mod:`mapservice.domain.disclosure`), so a caller that
        discloses then tests the shown point misses none.
        """

    def get_site(self, site_id: int) -> Site:
        """Return one site or raise :class:`mapservice.errors.NotFound`."""

    def site_index(self, points: Iterable[tuple[int, float, float]]) -> SpatialIndex:
        """Return the live index of the given ``(site id, lon, lat)`` points for this store."""

    def flows(self, *, site_ids: list[int] | None = None) -> list[Flow]: ...

    def apply_import(
        self, plan: ImportPlan, *, dry_run: bool = False, actor: str = ...
    ) -> ImportResult:
        """Write ``plan`` (upserting by natural keys) in one transaction; roll back on dry run.

        Logs an audit entry per row written and one ``import`` entry for the file, as ``actor``.
        """

    # --- geocoding (see storage/geocode_store.py) ---

    def cache_get(self, backend: str, key: str) -> list[dict[str, Any]] | None: ...

    def cache_put(self, backend: str, key: str, query: str, hits: list[dict[str, Any]]) -> None: ...

    def cache_size(self, backend: str | None = None) -> int: ...

    # --- outbound requests (see storage/route_store.py, storage/pace_store.py) ---

    def route_answers(
        self, backend: str, keys: Iterable[str]
    ) -> dict[str, tuple[float | None, float | None]]:
        """Cached routing answers among the pair ``keys``; a key never asked is absent."""

    def save_route_answers(
        self, backend: str, answers: Mapping[str, tuple[float | None, float | None]]
    ) -> int:
        """Remember a matrix's new routing answers in one transaction; return how many."""

    def route_cache_size(self, backend: str | None = None) -> int: ...

    def claim_pace(self, key: str, min_delay_s: float) -> float:
        """Reserve the next request slot of ``key``, shared by every process; return the
        seconds to wait until it."""

    def set_site_location(
        self,
        site_id: int,
        location: Location | None,
        *,
        park_id: str | None,
        by: str,
        note: str | None = None,
        run_id: int | None = None,
        status: str = "done",
        actor: str | None = None,
    ) -> None:
        """Store a site's position (None: keep it, record the note) in one transaction."""

    def skip_geocode_run_site(self, run_id: int, site_id: int, message: str) -> None:
        """Tick a site off its run as failed with ``message``, leaving the site untouched."""

    def open_geocode_run(self, mode: str, backend: str, site_ids: list[int]) -> GeocodeRun:
        """Resume the unfinished run of the same mode and backend, else start one."""

    def finish_geocode_run(self, run_id: int) -> dict[str, int]: ...

    def geocode_run_failures(self, run_id: int) -> list[tuple[int, str]]: ...

    def head_revision(self) -> str | None: ...

    def change_stamp(self) -> ChangeStamp:
        """The change counters: ``registry`` moves whenever a member, site or flow is added,
        changed or removed, ``synergies`` with a synergy, ``corrections`` with a category
        correction, by any process, in the same transaction as the write."""

    def renew_epoch(self) -> None:
        """Draw a new epoch (after a restore): no stamp read before will ever match again."""

    # --- synergies (see storage/synergy_store.py) ---

    def save_candidates(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]: ...

    def synergies(
        self,
        *,
        status: SynergyStatus | None = None,
        flow_ids: Iterable[int] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Synergy]:
        """Synergies by id; at most ``limit`` of them after skipping ``offset``."""

    def synergy_heads(
        self,
        *,
        status: SynergyStatus | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        or_unconsented: bool = False,
    ) -> list[tuple[int, int, int, datetime | None]]:
        """``(id, output_flow_id, input_flow_id, updated_at)`` of the synergies, by id; with
        ``bbox``, those whose line may cross it (and, with ``or_unconsented``, those with an
        end whose member has not consented to be shown)."""

    def synergies_by_id(self, ids: Iterable[int]) -> list[Synergy]:
        """The synergies of ``ids`` that exist, in the order given."""

    def synergy_statuses(
        self, pairs: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], tuple[int, SynergyStatus]]:
        """``(output_flow_id, input_flow_id)`` → ``(id, status)`` of the stored synergies
        among ``pairs``."""

    def count_synergies(
        self, *, status: SynergyStatus | None = None, flow_ids: Iterable[int] | None = None
    ) -> int:
        """How many synergies :meth:`synergies` would return without ``limit``/``offset``."""

    def get_synergy(self, synergy_id: int) -> Synergy: ...

    def move_synergy(
        self,
        synergy_id: int,
        to_status: SynergyStatus,
        *,
        author: str,
        note: str = "",
        at: datetime | None = None,
    ) -> Synergy: ...

    def synergy_events(self, synergy_id: int | None = None) -> list[SynergyEvent]: ...

    # --- the pipeline board (see storage/board_store.py) ---

    def board_counts(self, query: BoardQuery) -> dict[SynergyStatus, int]:
        """How many synergies of each status the filters keep."""

    def board_page(
        self, query: BoardQuery, status: SynergyStatus, *, limit: int, offset: int = 0
    ) -> list[Synergy]:
        """One page of the synergies of ``status`` the filters keep, in the query's order."""

    def board_ends(
        self, flow_ids: Iterable[int]
    ) -> tuple[dict[int, Flow], dict[int, Site], dict[int, Member]]:
        """The flows ``flow_ids``, their sites and their members (with the contacts), by id."""

    def synergy_histories(self, synergy_ids: Iterable[int]) -> dict[int, list[SynergyEvent]]:
        """Every step of each synergy of ``synergy_ids``, oldest first."""

    # --- engagement (see storage/engagement_store.py) ---

    def engagement_facts(self) -> RegistryActivity:
        """Every member's flows, synergies and last write, and every dated action."""

    def move_synergies(
        self,
        synergy_ids: Iterable[int],
        to_status: SynergyStatus,
        *,
        author: str,
        note: str = "",
        at: datetime | None = None,
    ) -> int:
        """Move them all in one transaction, or none (:class:`InvalidInput` lists why)."""

    def category_corrections(self) -> dict[str, str]: ...

    def save_category_correction(self, key: str, text: str, code: str, author: str) -> None: ...

    # --- registry forms (see storage/registry_store.py) ---

    def get_member(self, member_id: int) -> Member:
        """Return one member or raise :class:`mapservice.errors.NotFound`."""

    def member_sites(self, member_id: int) -> list[Site]: ...

    def member_counts(self) -> dict[int, tuple[int, int]]:
        """Return ``member_id → (sites, flows)`` for every member."""

    def add_member(self, values: Mapping[str, Any], *, actor: str = ...) -> int:
        """Insert a member; a name already taken raises ``InvalidInput(field="name")``."""

    def update_member(
        self, member_id: int, values: Mapping[str, Any], *, actor: str = ...
    ) -> None: ...

    def add_site(self, values: Mapping[str, Any], *, actor: str = ...) -> int: ...

    def update_site(self, site_id: int, values: Mapping[str, Any], *, actor: str = ...) -> None: ...

    def get_flow(self, flow_id: int) -> Flow: ...

    def add_flow(self, values: Mapping[str, Any], *, actor: str = ...) -> int: ...

    def update_flow(self, flow_id: int, values: Mapping[str, Any], *, actor: str = ...) -> None: ...

    def delete_flow(self, flow_id: int, *, actor: str = ...) -> None:
        """Remove a flow and the synergies it was part of."""

    # --- presenter mode (see storage/view_store.py) ---

    def presenter_views(self) -> list[PresenterView]:
        """Every saved view, in presentation order."""

    def get_presenter_view(self, view_id: int) -> PresenterView: ...

    def add_presenter_view(self, view: PresenterView, *, actor: str = ...) -> int: ...

    def update_presenter_view(
        self, view_id: int, changes: dict[str, Any], *, actor: str = ...
    ) -> None: ...

    def delete_presenter_view(self, view_id: int, *, actor: str = ...) -> None: ...

    def move_presenter_view(self, view_id: int, offset: int, *, actor: str = ...) -> None: ...

    # --- accounts, tokens, settings (see storage/account_store.py) ---

    def users(self) -> list[User]: ...

    def get_user(self, user_id: int) -> User: ...

    def find_user(self, username: str) -> User | None: ...

    def add_user(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        role: str,
        parks: frozenset[str],
        actor: str = ...,
    ) -> int: ...

    def update_user(
        self, user_id: int, *, actor: str = ..., end_sessions: bool = False, **values: Any
    ) -> None: ...

    def count_admins(self) -> int: ...

    def add_token(
        self, user_id: int, name: str, token_hash: str, prefix: str, *, actor: str = ...
    ) -> int: ...

    def tokens(self, user_id: int) -> list[ApiToken]: ...

    def token_owner(self, token_hash: str) -> tuple[ApiToken, User] | None:
        """The live token with this hash and its active owner; marks it used."""

    def revoke_token(
        self, token_id: int, *, user_id: int | None = None, actor: str = ...
    ) -> None: ...

    def sign_in_failures(self, address_key: str, *, now: datetime, window_s: float) -> int:
        """Failed sign-ins of ``address_key`` in the last ``window_s`` seconds."""

    def add_sign_in_failure(self, address_key: str, *, now: datetime) -> None: ...

    def setting(self, key: str, default: str = "") -> str: ...

    def set_setting(self, key: str, value: str, *, by: str) -> None: ...

    def close(self) -> None: ...

    # --- audit log (see storage/audit_store.py, history_store.py, restore_store.py) ---

    def record_audit(
        self,
        conn: Connection,
        *,
        actor: str,
        action: str,
        table: str,
        record_id: int | str,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> int | None:
        """Log one write on ``conn``, inside the writer's transaction; secrets redacted."""

    def history(self, table: str, record_id: int | str) -> list[AuditEntry]:
        """Every audit entry about one row, oldest first."""

    def deleted_records(self, table: str) -> list[AuditEntry]:
        """The last deletion entry of every row of ``table`` that is still gone, newest first."""

    def restore(self, table: str, record_id: int, audit_id: int, actor: str) -> bool:
        """Write back the version entry ``audit_id`` left, in one transaction, logged as a
        ``restore``; False when the row already is that version."""
