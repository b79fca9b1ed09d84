"""One lifecycle for background jobs: import uploads, what-if simulations, and the batches to come
(payouts, 免申即享 runs, certificates, integrity checks).

A job is a row with a status (queued → running → done | failed, declared as a `StateMachine`),
`started_at`, `finished_at` and a free-text `error`; optionally a progress field and a heartbeat
field. The service creates the row queued and enqueues the task after commit; the task's body
calls, in order:

- `claim(pk)`: queued → running by a status-checked UPDATE. False when the row is not queued (a
  re-delivered task, a job cancelled or expired meanwhile): the task then does nothing.
- `progress(pk, **fields)` while it works (only a running job is written; it is also a heartbeat),
  or `heartbeat(pk)` when there is nothing to report.
- `finish(pk, **fields)` (running → done) or `fail(pk, message)` (→ failed, the message masked:
  no ID number, phone or card number reaches the row, whatever the exception said).

A job whose worker died (killed at the time limit, the machine restarted) stays "running": it is
stale once its last sign of life (its heartbeat, or its start) is older than `JOB_TIME_LIMIT`, the
one time limit every job task also runs under (`TASK_TIME_LIMIT`, Celery's `time_limit`). Whoever
looks at it first fails it (`fail_if_stale`), so a page never shows a dead job as running.

A job that was failed as stale and whose worker finishes after all is done: what it wrote counts
(the declared machine allows failed → done for this).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.core.states import StateMachine, transition

M = TypeVar("M", bound=models.Model)

# The one time limit of a job: a task is killed after running this long, and a job showing no
# sign of life for this long is stale.
JOB_TIME_LIMIT = timedelta(hours=1)
TASK_TIME_LIMIT = int(JOB_TIME_LIMIT.total_seconds())  # for @shared_task(time_limit=…)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ERROR_LIMIT = 1000

# queued → running | failed (expired or cancelled before it ran); running → done | failed;
# failed → done (a stale job whose worker finished after all).
JOB_TRANSITIONS: Mapping[str, frozenset[str]] = {
    QUEUED: frozenset({RUNNING, FAILED}),
    RUNNING: frozenset({DONE, FAILED}),
    FAILED: frozenset({DONE}),
}


def job_transitions(**extra: frozenset[str]) -> dict[str, frozenset[str]]:
    """The job machine's moves plus a workflow's own (`done=frozenset({QUEUED})`: run again)."""
    moves = dict(JOB_TRANSITIONS)
    for source, targets in extra.items():
        moves[source] = moves.get(source, frozenset()) | targets
    return moves


def masked_message(message: str, limit: int = ERROR_LIMIT) -> str:
    """What a failure may store and show: ID numbers, phones and card numbers masked, cut short."""
    from jineng.core.masking import mask_text

    return mask_text(message)[:limit]


@dataclass(frozen=True)
class JobLifecycle(Generic[M]):
    """The lifecycle of one job model, over its declared machine (statuses queued, running, done,
    failed; a machine may add moves, e.g. done → queued for an import's real run)."""

    machine: StateMachine[M]
    started_field: str = "started_at"
    finished_field: str = "finished_at"
    error_field: str = "error"
    heartbeat_field: str | None = None
    error_limit: int = ERROR_LIMIT
    time_limit: timedelta = JOB_TIME_LIMIT

    def __post_init__(self) -> None:
        missing = {QUEUED, RUNNING, DONE, FAILED} - self.machine.states
        if missing:
            raise ValueError(f"{self.machine.model.__name__}: no statuses {sorted(missing)}")

    @property
    def _manager(self) -> models.Manager[M]:
        return self.machine.model._default_manager

    def _by_pk(self, pk: Any) -> QuerySet[M]:
        return self._manager.filter(pk=pk)

    def _beat(self, now: dt.datetime) -> dict[str, Any]:
        return {self.heartbeat_field: now} if self.heartbeat_field else {}

    # --- the task's steps ------------------------------------------------------------------

    def _to(self, qs: QuerySet[M], to: str, fields: dict[str, Any]) -> bool:
        return transition(obj_or_queryset=qs, to=to, actor=None, **fields) == 1

    def _failure(self, message: str, now: dt.datetime | None) -> dict[str, Any]:
        return {
            self.finished_field: now or timezone.now(),
            self.error_field: masked_message(message, self.error_limit),
        }

    def claim(self, pk: Any, *, now: dt.datetime | None = None, **fields: Any) -> bool:
        """Take a queued job (queued → running, started now). False: not queued, do nothing."""
        now = now or timezone.now()
        queued = self._by_pk(pk).filter(**{self.machine.field: QUEUED})
        return self._to(queued, RUNNING, {self.started_field: now, **self._beat(now), **fields})

    def progress(self, pk: Any, **fields: Any) -> bool:
        """Record progress of a running job (and a heartbeat). False when it no longer runs."""
        now = timezone.now()
        running = self._by_pk(pk).filter(**{self.machine.field: RUNNING})
        return running.update(**fields, **self._beat(now)) == 1

    def heartbeat(self, pk: Any) -> bool:
        """A sign of life from a running job without progress to report (needs a heartbeat
        field; without one the job's start is its last sign of life)."""
        if self.heartbeat_field is None:
            return self._by_pk(pk).filter(**{self.machine.field: RUNNING}).exists()
        return self.progress(pk)

    def finish(self, pk: Any, *, now: dt.datetime | None = None, **fields: Any) -> bool:
        """running (or failed as stale) → done with the outcome `fields`. False otherwise."""
        return self._to(
            self._by_pk(pk), DONE, {self.finished_field: now or timezone.now(), **fields}
        )

    def fail(self, pk: Any, message: str, *, now: dt.datetime | None = None) -> bool:
        """queued | running → failed, storing `message` masked. False when already finished."""
        return self._to(self._by_pk(pk), FAILED, self._failure(message, now))

    # --- stale detection -------------------------------------------------------------------

    def _last_sign_of_life(self, obj: M) -> dt.datetime | None:
        started: dt.datetime | None = getattr(obj, self.started_field)
        beat: dt.datetime | None = (
            getattr(obj, self.heartbeat_field) if self.heartbeat_field else None
        )
        return max((t for t in (started, beat) if t is not None), default=None)

    def is_stale(self, obj: M, *, now: dt.datetime | None = None) -> bool:
        """Running, with no sign of life within the time limit (its worker is gone)."""
        last = self._last_sign_of_life(obj)
        cutoff = (now or timezone.now()) - self.time_limit
        return getattr(obj, self.machine.field) == RUNNING and last is not None and last < cutoff

    def alive(self, *, now: dt.datetime | None = None) -> Q:
        """Rows running with a sign of life within the time limit (leave them to their worker)."""
        cutoff = (now or timezone.now()) - self.time_limit
        recent = Q(**{f"{self.started_field}__gte": cutoff})
        if self.heartbeat_field:
            recent |= Q(**{f"{self.heartbeat_field}__gte": cutoff})
        return Q(**{self.machine.field: RUNNING}) & recent

    def stale(self, *, now: dt.datetime | None = None) -> QuerySet[M]:
        """Every stale job."""
        return self._manager.filter(**{self.machine.field: RUNNING}).exclude(self.alive(now=now))

    def fail_if_stale(self, obj: M, message: str, *, now: dt.datetime | None = None) -> bool:
        """Fail `obj` when it is stale (checked again in the UPDATE: a job that beat meanwhile
        is left running); refreshes `obj` when it was failed."""
        if not self.is_stale(obj, now=now):
            return False
        moved = self._to(self.stale(now=now).filter(pk=obj.pk), FAILED, self._failure(message, now))
        if moved:
            obj.refresh_from_db()
        return moved
