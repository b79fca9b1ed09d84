"""Declared state machines: a status field's allowed moves as data, and one `transition()`.

A workflow declares its machine once, beside its model:

    CLAIM_STATES = StateMachine(
        Claim,
        {ClaimStatus.SUBMITTED: {ClaimStatus.APPROVED, ClaimStatus.REJECTED}, ...},
        ClaimStatus,
        object_type=AuditObject.CLAIM,
        audit_action=AuditAction.UPDATE,  # None: the moves are recorded on the row, not audited
    )

and changes the status only through `transition()`, which in one transaction

- picks the rows whose status is one the target may be reached from (`WHERE status IN (…)`), on
  PostgreSQL locking them (`SELECT … FOR UPDATE`; SQLite has one writer at a time, BEGIN
  IMMEDIATE), so two workers racing for the same move cannot both make it;
- moves them with one status-checked UPDATE per from-status, setting the caller's other fields
  (`started_at=…`, `error=…`) in the same statement;
- appends one audit entry per moved row (`jineng.audit.services`), unless the machine is declared
  unaudited (background jobs: their row is their own history, and a dry run must write nothing).

A single object that cannot make the move — its status does not lead to the target, or another
worker moved it first — raises `TransitionRefused`, naming the record and both statuses in
Chinese. A queryset is a batch: rows in another status are left as they are and the number moved
is returned (a job's claim uses this: a re-delivered task moves nothing and does nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import connection, models, transaction
from django.db.models import QuerySet

from jineng.core.errors import Conflict

_REGISTRY: dict[type[models.Model], StateMachine[Any]] = {}

if TYPE_CHECKING:
    from jineng.identity.models import User

M = TypeVar("M", bound=models.Model)

__all__ = ["StateMachine", "TransitionRefused", "machine_of", "transition"]


class TransitionRefused(Conflict):
    """A status move that the machine does not allow from the record's status, or that another
    request made first (409). `field` is the status field; `value` the status found."""


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass(frozen=True, eq=False)
class StateMachine(Generic[M]):
    """The allowed moves of `model.<field>` (a `TextChoices` field): {from: {to, …}}.

    `describe` names a record in Chinese for the error message (default: the model's verbose
    name); `object_type` and `audit_action` are what each move is audited as (`audit_action=None`:
    not audited). Declaring a machine registers it as its model's one machine."""

    model: type[M]
    transitions: Mapping[str, Iterable[str]]
    choices: type[models.TextChoices]
    field: str = "status"
    object_type: str = ""
    audit_action: str | None = None
    describe: Callable[[M], str] | None = None
    _edges: dict[str, frozenset[str]] = dataclass_field(init=False, repr=False)

    def __post_init__(self) -> None:
        known = set(self.choices.values)
        edges: dict[str, frozenset[str]] = {}
        for source, targets in self.transitions.items():
            edges[str(source)] = frozenset(str(t) for t in targets)
        unknown = (set(edges) | {t for ts in edges.values() for t in ts}) - known
        if unknown:
            raise ValueError(f"{self.model.__name__}: unknown statuses {sorted(unknown)}")
        if self.audit_action is not None and not self.object_type:
            raise ValueError(f"{self.model.__name__}: an audited machine needs an object_type")
        object.__setattr__(self, "_edges", edges)
        existing = _REGISTRY.get(self.model)
        if existing is not None:
            raise ValueError(f"{self.model.__name__} already declares a state machine")
        _REGISTRY[self.model] = self

    # --- reading the declaration -----------------------------------------------------------

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.choices.values)

    def targets(self, source: str) -> frozenset[str]:
        """Where a record in `source` may go (empty for a terminal status)."""
        return self._edges.get(str(source), frozenset())

    def sources(self, target: str) -> frozenset[str]:
        """The statuses `target` may be reached from."""
        return frozenset(s for s, ts in self._edges.items() if str(target) in ts)

    def allows(self, source: str, target: str) -> bool:
        return str(target) in self.targets(source)

    def label(self, value: str) -> str:
        return _label(self.choices, value)

    def name_of(self, obj: M) -> str:
        if self.describe is not None:
            return self.describe(obj)
        return str(self.model._meta.verbose_name)

    def refused(self, obj: M, source: str, target: str, *, lost_race: bool) -> TransitionRefused:
        what = self.name_of(obj)
        if lost_race:
            message = (
                f"{what}已被其他操作改为「{self.label(source)}」，"
                f"不能再改为「{self.label(target)}」，请刷新后查看"
            )
        else:
            message = f"{what}当前为「{self.label(source)}」，不能改为「{self.label(target)}」"
        return TransitionRefused(self.field, message, source)


def machine_of(model: type[M]) -> StateMachine[M]:
    """The machine `model` declared (a model declares at most one: `transition()` uses it)."""
    machine = _REGISTRY.get(model)
    if machine is None:
        raise LookupError(f"{model.__name__} declares no state machine")
    return machine


def _move(
    machine: StateMachine[Any],
    candidates: list[tuple[Any, str]],
    to: str,
    fields: dict[str, Any],
) -> list[tuple[Any, str]]:
    """Move the locked candidates (pk, from) to `to`; returns those moved."""
    manager = machine.model._default_manager
    by_source: dict[str, list[Any]] = {}
    for pk, source in candidates:
        by_source.setdefault(source, []).append(pk)
    moved: list[tuple[Any, str]] = []
    for source, pks in by_source.items():
        if connection.features.has_select_for_update:
            count = manager.filter(pk__in=pks, **{machine.field: source}).update(
                **{machine.field: to}, **fields
            )
            if count != len(pks):  # the rows are locked: another writer cannot have moved them
                raise RuntimeError(f"{machine.model.__name__}: locked rows moved under us")
            moved += [(pk, source) for pk in pks]
        else:  # one compare-and-set per row: exact whatever the locking
            for pk in pks:
                if manager.filter(pk=pk, **{machine.field: source}).update(
                    **{machine.field: to}, **fields
                ):
                    moved.append((pk, source))
    return moved


def _audit(
    machine: StateMachine[Any],
    moved: list[tuple[Any, str]],
    to: str,
    *,
    actor: User | None,
    reason: str,
    audit_action: str | None,
) -> None:
    action = audit_action or machine.audit_action
    if action is None or not moved:
        return
    if not machine.object_type:
        raise ValueError(
            f"{machine.model.__name__}: auditing a move needs the machine's object_type"
        )
    from jineng.audit.services import audit_record, audit_record_batch  # audit imports models

    key = machine.field
    if len(moved) == 1:
        pk, source = moved[0]
        audit_record(
            actor=actor,
            action=action,
            object_type=machine.object_type,
            object_id=pk,
            before={key: source},
            after={key: to},
            reason=reason,
        )
        return
    audit_record_batch(
        actor=actor,
        action=action,
        object_type=machine.object_type,
        rows=[(pk, {key: source}, {key: to}) for pk, source in moved],
        reason=reason,
    )


@transaction.atomic
def transition(
    *,
    obj_or_queryset: M | QuerySet[M],
    to: str,
    actor: User | None,
    reason: str = "",
    audit_action: str | None = None,
    **fields: Any,
) -> int:
    """Move an object (or every row of a queryset whose status allows it) to `to`, setting
    `fields` in the same status-checked UPDATE and auditing each move, in one transaction.

    An object that cannot move raises `TransitionRefused` (nothing is written); on success its
    in-memory status and `fields` are updated (expressions such as `F()` are not: refresh it).
    A queryset returns how many rows moved (0 is not an error). `audit_action` overrides the
    machine's for this move (an audited machine only)."""
    if isinstance(obj_or_queryset, QuerySet):
        qs: QuerySet[M] = obj_or_queryset
        obj: M | None = None
    else:
        obj = obj_or_queryset
        qs = type(obj)._default_manager.filter(pk=obj.pk)
    machine = machine_of(qs.model)
    to = str(to)
    if to not in machine.states:
        raise ValueError(f"{machine.model.__name__}: unknown status {to!r}")
    sources = machine.sources(to)
    if obj is not None:
        held = str(getattr(obj, machine.field))
        if held not in sources:
            raise machine.refused(obj, held, to, lost_race=False)
    candidates = [
        (pk, str(source))
        for pk, source in qs.filter(**{f"{machine.field}__in": sorted(sources)})
        .select_for_update()
        .order_by("pk")
        .values_list("pk", machine.field)
    ]
    moved = _move(machine, candidates, to, fields)
    if obj is not None and not moved:
        now = machine.model._default_manager.filter(pk=obj.pk).values_list(machine.field, flat=True)
        found = next(iter(now), getattr(obj, machine.field))
        raise machine.refused(obj, str(found), to, lost_race=True)
    _audit(machine, moved, to, actor=actor, reason=reason, audit_action=audit_action)
    if obj is not None:
        setattr(obj, machine.field, to)
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(obj, name, value)
    return len(moved)
