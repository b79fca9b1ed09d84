"""Appending to and verifying the keyed, hash-chained audit trail (models: see their docstring).

No global lock: an append locks one chain head of `CHAIN_COUNT`, and on PostgreSQL it takes the
first head no other transaction holds (`SELECT … FOR UPDATE SKIP LOCKED`, this connection's last
chain first). A transaction keeps the head it took until it commits, so its entries stay in order
on that chain, and a long import holding one head leaves the others to every other writer. Only
when every head is held does a writer wait (on its own last chain; a holder never waits, so this
cannot deadlock). SQLite has one writer at a time anyway (BEGIN IMMEDIATE), and uses chain 1.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from jineng.audit.chain import GENESIS_HASH, entry_hash, head_mac
from jineng.audit.keys import chain_keys, current_chain_key
from jineng.audit.models import CHAIN_COUNT, AuditEntry, AuditHead
from jineng.audit.regions import region_of, regions_of
from jineng.core.bulkload import TableWriter
from jineng.core.masking import mask_sensitive

if TYPE_CHECKING:
    from jineng.identity.models import User

__all__ = [
    "SYSTEM_ACTOR",
    "AuditChainBroken",
    "AuditVerification",
    "audit_record",
    "audit_record_batch",
    "audit_verify",
    "entry_hash",
]

SYSTEM_ACTOR = "system"
_BATCH_CHUNK = 2000

Row = tuple[str | int, dict[str, Any] | None, dict[str, Any] | None]


class AuditChainBroken(RuntimeError):
    """A chain head is missing while its chain has entries: someone removed it by hand."""


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    checked: int
    first_bad_id: int | None
    reason: str


# --- canonical values --------------------------------------------------------------------------


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


def _clean_values(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return mask_sensitive(_jsonable(value))  # type: ignore[no-any-return]


def _actor_fields(actor: User | None, actor_label: str | None) -> tuple[int | None, str]:
    if actor is None:
        return None, actor_label or SYSTEM_ACTOR
    return actor.pk, actor_label or actor.get_username()


# --- the heads ---------------------------------------------------------------------------------


def _existing_heads() -> set[int]:
    return set(AuditHead.objects.values_list("pk", flat=True))


def _ensure_heads() -> None:
    """Create the missing heads of chains 1..CHAIN_COUNT (the migration creates them; a flushed
    test database does not have them). A missing head whose chain has entries was removed by hand:
    recreating it would hide that.

    Another writer may be creating the heads at the same moment: its heads and first entries commit
    together, so a first read can miss its heads and a later read see its entries. Entries are
    therefore looked at before the heads are read again, and only a chain with entries whose head is
    still missing on that second read counts as broken (an entry is never committed before its
    head, so a head that exists is seen by any read that follows the entry's)."""
    missing = set(range(1, CHAIN_COUNT + 1)) - _existing_heads()
    if not missing:
        return
    with_entries = set(
        AuditEntry.objects.filter(chain__in=missing).values_list("chain", flat=True).distinct()
    )
    if with_entries:
        missing -= _existing_heads()
        if with_entries & missing:
            raise AuditChainBroken("审计链头缺失（已有审计记录），请运行 jineng audit verify")
        if not missing:
            return
    AuditHead.objects.bulk_create(
        [AuditHead(pk=c, last_hash=GENESIS_HASH, length=0) for c in sorted(missing)],
        ignore_conflicts=True,
    )


def _preferred_chain() -> int:
    return int(getattr(connection, "jineng_audit_chain", 1))


def _lock_free_head() -> AuditHead | None:
    preferred = _preferred_chain()
    return (
        AuditHead.objects.select_for_update(skip_locked=True)
        .filter(pk__lte=CHAIN_COUNT)
        .annotate(_other=Case(When(pk=preferred, then=Value(0)), default=Value(1)))
        .order_by("_other", "pk")
        .first()
    )


def _lock_head() -> AuditHead:
    """Lock a chain head for the rest of the transaction (see the module docstring)."""
    if connection.features.has_select_for_update_skip_locked:
        head = _lock_free_head()
        if head is None:
            _ensure_heads()
            head = _lock_free_head()
        if head is None:  # every head is held: queue behind the holder of ours
            head = AuditHead.objects.select_for_update().get(pk=_preferred_chain())
    else:
        # SQLite: the UPDATE takes the database write lock at once (if BEGIN did not already).
        if not AuditHead.objects.filter(pk=1).update(length=F("length")):
            _ensure_heads()
        head = AuditHead.objects.get(pk=1)
    connection.jineng_audit_chain = head.pk  # type: ignore[attr-defined]
    return head


def _advance(head: AuditHead, *, last_hash: str, last_id: int, added: int) -> None:
    kid, key = current_chain_key()
    length = head.length + added
    AuditHead.objects.filter(pk=head.pk).update(
        last_hash=last_hash,
        last_id=last_id,
        length=length,
        key_id=kid,
        mac=head_mac(key=key, chain=head.pk, length=length, last_hash=last_hash, last_id=last_id),
    )
    head.last_hash, head.last_id, head.length = last_hash, last_id, length


# --- appending ---------------------------------------------------------------------------------


def _build(
    *,
    head: AuditHead,
    seq: int,
    prev_hash: str,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    region: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
) -> AuditEntry:
    kid, key = current_chain_key()
    before, after = _clean_values(before), _clean_values(after)
    reason = reason[:200]
    action, object_type = str(action), str(object_type)
    return AuditEntry(
        at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        region=region,
        before=before,
        after=after,
        reason=reason,
        chain=head.pk,
        seq=seq,
        key_id=kid,
        prev_hash=prev_hash,
        hash=entry_hash(
            key=key,
            key_id=kid,
            chain=head.pk,
            seq=seq,
            prev_hash=prev_hash,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            region=region,
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
    region: str | None = None,
) -> AuditEntry:
    """Append one entry. Sensitive values in before/after are masked before they are stored.

    `action` and `object_type` are `jineng.audit.vocabulary` members or their plain strings.
    `region` (a GB/T 2260 code, "" for nationwide) is what audit reads are scoped by; without it
    the region is looked up from the target (`jineng.audit.regions`)."""
    actor_id, label = _actor_fields(actor, actor_label)
    object_id = str(object_id)
    if region is None:
        region = region_of(object_type=object_type, object_id=object_id, actor=actor, after=after)
    head = _lock_head()
    entry = _build(
        head=head,
        seq=head.length + 1,
        prev_hash=head.last_hash,
        at=timezone.now(),
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        region=region,
        before=before,
        after=after,
        reason=reason,
    )
    entry.save()
    _advance(head, last_hash=entry.hash, last_id=entry.pk, added=1)
    return entry


def _chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, _BATCH_CHUNK)):
        yield chunk


_ENTRY_COLUMNS = tuple(f.attname for f in AuditEntry._meta.concrete_fields if not f.primary_key)


def _entry_writer() -> TableWriter:
    """Batched entries go in by COPY on PostgreSQL (core.bulkload), several times faster than
    INSERTs with every value quoted; the append-only trigger still sees every row."""
    return TableWriter(AuditEntry, _ENTRY_COLUMNS)


@transaction.atomic
def audit_record_batch(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    rows: Iterable[Row],
    reason: str = "",
    actor_label: str | None = None,
    region: str | None = None,
) -> int:
    """Append one entry per (object_id, before, after) row, in order on one chain. `region` for
    every row, or (None) each row's region looked up from its target, one query per chunk."""
    actor_id, label = _actor_fields(actor, actor_label)
    head = _lock_head()
    at = timezone.now()
    prev, seq, count = head.last_hash, head.length, 0
    for chunk in _chunks(rows):
        ids = [str(object_id) for object_id, _, _ in chunk]
        regions = (
            dict.fromkeys(ids, region)
            if region is not None
            else regions_of(object_type=object_type, object_ids=ids, actor=actor)
        )
        entries = []
        for object_id, (_, before, after) in zip(ids, chunk, strict=True):
            seq += 1
            entry = _build(
                head=head,
                seq=seq,
                prev_hash=prev,
                at=at,
                actor_id=actor_id,
                actor_label=label,
                action=action,
                object_type=object_type,
                object_id=object_id,
                region=regions[object_id],
                before=before,
                after=after,
                reason=reason,
            )
            entries.append(entry)
            prev = entry.hash
        _entry_writer().write(tuple(getattr(e, name) for name in _ENTRY_COLUMNS) for e in entries)
        count += len(entries)
    if count:
        last_id = AuditEntry.objects.filter(hash=prev).values_list("id", flat=True).get()
        _advance(head, last_hash=prev, last_id=last_id, added=count)
    return count


# --- verifying ---------------------------------------------------------------------------------

_VERIFY_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "region",
    "before",
    "after",
    "reason",
    "chain",
    "seq",
    "key_id",
    "prev_hash",
    "hash",
)


def _bad(checked: int, pk: int | None, reason: str) -> AuditVerification:
    return AuditVerification(False, checked, pk, reason)


def _check_head(head: AuditHead, keys: dict[str, bytes]) -> str:
    if head.length == 0 and not head.mac:
        return ""  # a chain never appended to
    if not head.key_id and not head.mac:
        return f"第{head.pk}条审计链尚未加密钥（请运行 jineng audit rekey）"
    key = keys.get(head.key_id)
    if key is None:
        return f"第{head.pk}条审计链的链头由未知密钥签发"
    expected = head_mac(
        key=key,
        chain=head.pk,
        length=head.length,
        last_hash=head.last_hash,
        last_id=head.last_id,
    )
    return "" if expected == head.mac else f"第{head.pk}条审计链的链头被改动"


def audit_verify() -> AuditVerification:
    """Walk every chain in order and recompute every hash under the key each entry names.

    The heads are read first: entries appended while we walk simply extend their chain, and the
    entry a head points to must be found at the position the head recorded, with the hash it
    recorded (else rows were cut off the end). Any edit (a hash that no longer matches), deletion
    (a gap in the positions or a broken link) or reordering (a link to the wrong predecessor) is
    named by the first entry where the chain stops holding."""
    keys = chain_keys()
    heads = {h.pk: h for h in AuditHead.objects.all()}
    if not heads and not AuditEntry.objects.exists():
        return AuditVerification(True, 0, None, "")
    missing = set(range(1, CHAIN_COUNT + 1)) - set(heads)
    if missing:
        return _bad(0, None, "审计链头缺失")
    for head in heads.values():
        if problem := _check_head(head, keys):
            return _bad(0, head.last_id, problem)
    checked, seen = 0, set()
    chain, prev, expected_seq, head_seen = 0, GENESIS_HASH, 1, True
    rows = AuditEntry.objects.order_by("chain", "seq", "id").values_list(
        *_VERIFY_FIELDS, named=True
    )
    for r in rows.iterator(chunk_size=5000):
        if r.chain != chain:
            if not head_seen:
                return _truncated(checked, heads[chain])
            chain, prev, expected_seq = r.chain, GENESIS_HASH, 1
            seen.add(chain)
            if chain not in heads:
                return _bad(checked, r.id, f"第{r.id}条不在任何审计链上")
            head_seen = heads[chain].length == 0
        if not r.key_id:
            return _bad(checked, r.id, f"第{r.id}条尚未加密钥（请运行 jineng audit rekey）")
        key = keys.get(r.key_id)
        if key is None:
            return _bad(checked, r.id, f"第{r.id}条由未知密钥签发（密钥已被移除或记录被伪造）")
        if r.seq != expected_seq:
            return _bad(checked, r.id, f"第{r.id}条在链上的位置不连续（前面的记录被删除或移动）")
        if r.prev_hash != prev:
            return _bad(checked, r.id, f"第{r.id}条的前一条哈希与链不衔接")
        expected = entry_hash(
            key=key,
            key_id=r.key_id,
            chain=r.chain,
            seq=r.seq,
            prev_hash=r.prev_hash,
            at=r.at,
            actor_id=r.actor_id,
            actor_label=r.actor_label,
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            region=r.region,
            before=r.before,
            after=r.after,
            reason=r.reason,
        )
        if expected != r.hash:
            return _bad(checked, r.id, f"第{r.id}条的内容与其哈希不符（被改动）")
        checked += 1
        prev, expected_seq = r.hash, expected_seq + 1
        head = heads[chain]
        if r.seq == head.length:
            if r.hash != head.last_hash or r.id != head.last_id:
                return _bad(checked, r.id, "审计链头与链上记录不一致")
            head_seen = True
    if not head_seen:
        return _truncated(checked, heads[chain])
    for head in heads.values():  # a chain whose every entry is gone
        if head.length and head.pk not in seen:
            return _truncated(checked, head)
    return AuditVerification(True, checked, None, "")


def _truncated(checked: int, head: AuditHead) -> AuditVerification:
    return _bad(checked, head.last_id, f"链尾记录（第{head.last_id}条及之前）被删除")
