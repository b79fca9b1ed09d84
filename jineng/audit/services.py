"""Appending to and verifying the hash-chained audit trail.

hash = sha256(prev_hash + canonical JSON of the entry's content), where the content is every field
except the row's own id: at (ISO, UTC), actor_id, actor_label, action, object_type, object_id,
before, after, reason. Appends lock the one-row AuditHead first, so concurrent writers queue up
instead of forking the chain (PostgreSQL: row lock until commit; SQLite: the UPDATE takes the
database write lock at once, so two writers never both read the same head).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from jineng.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from jineng.identity.masking import mask_sensitive

if TYPE_CHECKING:
    from jineng.identity.models import User

SYSTEM_ACTOR = "system"
_BATCH_CHUNK = 2000


class AuditChainBroken(RuntimeError):
    """The chain head is missing while entries exist: someone removed it by hand."""


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_id: int | None
    reason: str


# --- canonical form --------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """Turn a before/after value into plain JSON types (dates → ISO, Decimal → str, models → pk)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def _normalise_numbers(value: Any) -> Any:
    # PostgreSQL's jsonb gives back 1.0 as 1.0 but 1e20 as an integer: hash integral floats as ints.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_numbers(v) for v in value]
    return value


def _at_iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    prev_hash: str,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    reason: str,
) -> str:
    content = {
        "at": _at_iso(at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": _normalise_numbers(before),
        "after": _normalise_numbers(after),
        "reason": reason,
    }
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _clean_values(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return mask_sensitive(_jsonable(value))  # type: ignore[no-any-return]


def _actor_fields(actor: User | None, actor_label: str | None) -> tuple[int | None, str]:
    if actor is None:
        return None, actor_label or SYSTEM_ACTOR
    return actor.pk, actor_label or actor.get_username()


# --- appending -------------------------------------------------------------------------------


def _lock_head() -> AuditHead:
    """Lock the chain head for the rest of the transaction, creating it on the first append.

    The head is created before anything is checked: two first writers race on the insert, the
    loser waits for the winner's commit and then queues on the row lock. Only the writer that
    really created the head may find entries already there, and that means the head was removed
    by hand.
    """
    if AuditHead.objects.filter(pk=1).update(length=F("length")):
        return AuditHead.objects.select_for_update().get(pk=1)
    created = False
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1, last_hash=GENESIS_HASH, length=0)
            created = True
    except IntegrityError:  # another writer created it first; we queue behind it below
        pass
    if created and AuditEntry.objects.exists():
        raise AuditChainBroken("审计链头缺失（已有审计记录），请运行 jineng audit verify")
    return AuditHead.objects.select_for_update().get(pk=1)


def _build(
    *,
    prev_hash: str,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
) -> AuditEntry:
    object_id = str(object_id)
    before, after = _clean_values(before), _clean_values(after)
    reason = reason[:200]
    return AuditEntry(
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
        prev_hash=prev_hash,
        hash=entry_hash(
            prev_hash=prev_hash,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
            reason=reason,
        ),
    )


@transaction.atomic
def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry. Sensitive values in before/after are masked before they are stored."""
    actor_id, label = _actor_fields(actor, actor_label)
    head = _lock_head()
    entry = _build(
        prev_hash=head.last_hash,
        at=timezone.now(),
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
    )
    entry.save()
    AuditHead.objects.filter(pk=1).update(
        last_hash=entry.hash, last_id=entry.pk, length=F("length") + 1
    )
    return entry


def _chunks(
    rows: Iterable[tuple[str | int, dict[str, Any] | None, dict[str, Any] | None]],
) -> Iterator[list[tuple[str | int, dict[str, Any] | None, dict[str, Any] | None]]]:
    it = iter(rows)
    while chunk := list(islice(it, _BATCH_CHUNK)):
        yield chunk


@transaction.atomic
def audit_record_batch(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    rows: Iterable[tuple[str | int, dict[str, Any] | None, dict[str, Any] | None]],
    reason: str = "",
    actor_label: str | None = None,
) -> int:
    """Append one entry per (object_id, before, after) row, on the same chain, in one lock."""
    actor_id, label = _actor_fields(actor, actor_label)
    head = _lock_head()
    at = timezone.now()
    prev = head.last_hash
    count = 0
    for chunk in _chunks(rows):
        entries = []
        for object_id, before, after in chunk:
            entry = _build(
                prev_hash=prev,
                at=at,
                actor_id=actor_id,
                actor_label=label,
                action=action,
                object_type=object_type,
                object_id=object_id,
                before=before,
                after=after,
                reason=reason,
            )
            entries.append(entry)
            prev = entry.hash
        AuditEntry.objects.bulk_create(entries)
        count += len(entries)
    if count:
        last_id = AuditEntry.objects.filter(hash=prev).values_list("id", flat=True).get()
        AuditHead.objects.filter(pk=1).update(
            last_hash=prev, last_id=last_id, length=F("length") + count
        )
    return count


# --- verifying -------------------------------------------------------------------------------

_VERIFY_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
    "prev_hash",
    "hash",
)


def audit_verify() -> AuditVerification:
    """Walk the whole chain in id order and recompute every hash.

    The head is read first: entries appended while we walk simply extend the chain, and the entry
    the head pointed to must be found at the position the head recorded (else rows were cut off).
    """
    head = AuditHead.objects.filter(pk=1).first()
    prev = GENESIS_HASH
    checked = 0
    head_seen = head is None or head.last_id is None
    rows = AuditEntry.objects.order_by("id").values_list(*_VERIFY_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        (pk, at, actor_id, actor_label, action, otype, oid, before, after, reason, ph, h) = row
        if ph != prev:
            return AuditVerification(False, checked, pk, f"第{pk}条的前一条哈希与链不衔接")
        expected = entry_hash(
            prev_hash=ph,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=otype,
            object_id=oid,
            before=before,
            after=after,
            reason=reason,
        )
        if expected != h:
            return AuditVerification(False, checked, pk, f"第{pk}条的内容与其哈希不符（被改动）")
        checked += 1
        prev = h
        if head is not None and pk == head.last_id:
            if h != head.last_hash or checked != head.length:
                return AuditVerification(False, checked, pk, "审计链头与链上记录不一致")
            head_seen = True
    if head is None and checked:
        return AuditVerification(False, checked, None, "审计链头缺失")
    if not head_seen:
        assert head is not None
        return AuditVerification(
            False, checked, head.last_id, f"链尾记录（第{head.last_id}条及之前）被删除"
        )
    return AuditVerification(True, checked, None, "")
