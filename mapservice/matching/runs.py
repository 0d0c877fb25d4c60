"""Whole-registry matching run in the background of a serving process, one at a time.

Staff start it from the synergy board; the run is :func:`mapservice.matching.jobs.match_all`
(as ``mapservice match`` does) in a daemon thread, so that pages keep answering meanwhile. Its
state (stage, start, end, how many candidates, the error) is read by the board and by a small
JSON route while it goes. A second run while one is going is refused with
:class:`MatchingBusy`. The state lives in this process: with several serving processes, each
refuses only its own second run (the database keeps the candidates consistent either way:
:meth:`~mapservice.storage.synergy_store.SynergyStore.save_candidates` is one transaction).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from mapservice.errors import MapserviceError, tr

if TYPE_CHECKING:
    from mapservice.services import Services

log = logging.getLogger("mapservice.matching")


class Stage(StrEnum):
    """Where a run stands."""

    IDLE = "idle"
    WAITING = "waiting"
    MATCHING = "matching"
    SAVING = "saving"
    DONE = "done"
    FAILED = "failed"


class MatchingBusy(MapserviceError):
    """A matching run is already going."""

    status = 409
    code = "matching_busy"


@dataclass(frozen=True)
class RunState:
    """What a run is doing, or what the last one did."""

    stage: Stage = Stage.IDLE
    started_at: datetime | None = None
    finished_at: datetime | None = None
    started_by: str = ""
    candidates: int | None = None
    saved: dict[str, int] | None = None
    error: str = ""

    @property
    def running(self) -> bool:
        return self.stage in (Stage.WAITING, Stage.MATCHING, Stage.SAVING)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready state."""
        return {
            "stage": self.stage.value,
            "running": self.running,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "started_by": self.started_by,
            "candidates": self.candidates,
            "saved": self.saved,
            "error": self.error,
        }


class MatchingRuns:
    """The matching runs of one serving process: at most one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = RunState()
        self._thread: threading.Thread | None = None
        #: Open unless :meth:`hold` closed it: a run waits on it before it starts working.
        self._gate = threading.Event()
        self._gate.set()

    def state(self) -> RunState:
        with self._lock:
            return self._state

    def start(self, services: Services, *, started_by: str) -> RunState:
        """Start a run in a daemon thread; raise :class:`MatchingBusy` if one is going."""
        with self._lock:
            if self._state.running:
                raise MatchingBusy(
                    tr(
                        "Un appariement est déjà en cours (lancé par {who} à {at}) ; "
                        "attendez qu'il se termine avant d'en lancer un autre.",
                        who=self._state.started_by or "?",
                        at=self._state.started_at.strftime("%H:%M:%S")
                        if self._state.started_at
                        else "?",
                    )
                )
            self._state = RunState(
                stage=Stage.WAITING, started_at=datetime.now(UTC), started_by=started_by
            )
            self._thread = threading.Thread(
                target=self._run, args=(services,), name="mapservice-matching", daemon=True
            )
            self._thread.start()
            return self._state

    def wait(self, timeout_s: float | None = None) -> RunState:
        """Wait until the current run (if any) ends; return the state."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)
        return self.state()

    def hold(self) -> None:
        """Make the next runs wait before they start working, until :meth:`release`."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)  # type: ignore[arg-type]

    def _run(self, services: Services) -> None:
        from mapservice.matching import jobs as synergy_jobs
        from mapservice.matching import tracking

        try:
            self._gate.wait()
            self._set(stage=Stage.MATCHING)
            found = synergy_jobs.match_all(services, save=False)
            self._set(stage=Stage.SAVING, candidates=len(found))
            saved = tracking.save_candidates(services, found)
            self._set(stage=Stage.DONE, saved=saved, finished_at=datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - the run reports any failure on the board
            log.exception("matching run failed")
            message = exc.message if isinstance(exc, MapserviceError) else type(exc).__name__
            self._set(stage=Stage.FAILED, error=str(message), finished_at=datetime.now(UTC))
