"""`jineng audit rekey`: re-sign the whole trail with the newest chain key.

Used once after upgrading (entries written before the chain was keyed carry an unkeyed SHA-256
and no region) and to retire an old key after rotation. Every entry is first checked under the
scheme it was written with — a trail that does not verify is refused, never laundered into a
valid-looking one — then re-signed in order with the newest key. Entries without a region get the
region of what they concern. It holds every chain head for its one transaction: run it in a
maintenance window. Anchors taken before a rekey no longer match (the hashes change): take a new
anchor right after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from jineng.audit.chain import GENESIS_HASH, entry_hash, head_mac, legacy_entry_hash
from jineng.audit.keys import chain_keys, current_chain_key
from jineng.audit.models import AuditEntry, AuditHead
from jineng.audit.regions import named_region, regions_of
from jineng.audit.services import AuditChainBroken

_CHUNK = 2000


@dataclass(frozen=True)
class RekeyResult:
    rewritten: int
    regions_filled: int


def _old_hash(e: AuditEntry, keys: dict[str, bytes]) -> str | None:
    if not e.key_id:
        return legacy_entry_hash(
            prev_hash=e.prev_hash,
            at=e.at,
            actor_id=e.actor_id,
            actor_label=e.actor_label,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            before=e.before,
            after=e.after,
            reason=e.reason,
        )
    key = keys.get(e.key_id)
    if key is None:
        return None
    return _hash(e, key=key, key_id=e.key_id, prev_hash=e.prev_hash)


def _hash(e: AuditEntry, *, key: bytes, key_id: str, prev_hash: str) -> str:
    return entry_hash(
        key=key,
        key_id=key_id,
        chain=e.chain,
        seq=e.seq,
        prev_hash=prev_hash,
        at=e.at,
        actor_id=e.actor_id,
        actor_label=e.actor_label,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        region=e.region,
        before=e.before,
        after=e.after,
        reason=e.reason,
    )


def _fill_regions(entries: list[AuditEntry]) -> int:
    """Give legacy entries (no key, no region) the region of what they concern."""
    todo = [e for e in entries if not e.key_id and not e.region]
    groups: dict[tuple[str, int | None], list[AuditEntry]] = {}
    for e in todo:
        named = named_region(e.object_type, e.after)
        if named is not None:
            e.region = named
        else:
            groups.setdefault((e.object_type, e.actor_id), []).append(e)
    actors = get_user_model().objects.in_bulk({a for _, a in groups if a is not None})
    for (object_type, actor_id), group in groups.items():
        actor = actors.get(actor_id) if actor_id is not None else None
        found = regions_of(
            object_type=object_type, object_ids=[e.object_id for e in group], actor=actor
        )
        for e in group:
            e.region = found.get(e.object_id, "")
    return sum(1 for e in todo if e.region)


def _chunks(chain: int) -> Iterator[list[AuditEntry]]:
    last = 0
    while True:
        chunk = list(AuditEntry.objects.filter(chain=chain, seq__gt=last).order_by("seq")[:_CHUNK])
        if not chunk:
            return
        last = chunk[-1].seq
        yield chunk


def _broken(e: AuditEntry, why: str) -> AuditChainBroken:
    return AuditChainBroken(f"第{e.pk}条{why}，拒绝重新签名（请先用 jineng audit verify 查明）")


@transaction.atomic
def audit_rekey() -> RekeyResult:
    keys = chain_keys()
    kid, key = current_chain_key()
    heads = list(AuditHead.objects.select_for_update().order_by("pk"))
    plain: Any = models.QuerySet(model=AuditEntry)  # the append-only queryset refuses updates
    pg = connection.vendor == "postgresql"
    if pg:
        with connection.cursor() as cursor:
            # deferred checks queued earlier in the transaction would block the ALTER TABLE
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    rewritten = filled = 0
    for head in heads:
        prev_old = prev_new = GENESIS_HASH
        last_id, count = None, 0
        for chunk in _chunks(head.pk):
            filled += _fill_regions(chunk)
            for e in chunk:
                count += 1
                if e.seq != count or e.prev_hash != prev_old:
                    raise _broken(e, "与前一条不衔接")
                if _old_hash(e, keys) != e.hash:
                    raise _broken(e, "的内容与其哈希不符")
                prev_old = e.hash
                e.prev_hash, e.key_id = prev_new, kid
                e.hash = prev_new = _hash(e, key=key, key_id=kid, prev_hash=prev_new)
                last_id = e.pk
            plain.bulk_update(chunk, ["prev_hash", "hash", "key_id", "region"])
        if count != head.length or (count and prev_old != head.last_hash):
            raise AuditChainBroken(f"第{head.pk}条审计链与其链头不一致，拒绝重新签名")
        rewritten += count
        mac = head_mac(key=key, chain=head.pk, length=count, last_hash=prev_new, last_id=last_id)
        AuditHead.objects.filter(pk=head.pk).update(
            last_hash=prev_new, last_id=last_id, key_id=kid, mac=mac
        )
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    return RekeyResult(rewritten=rewritten, regions_filled=filled)
