"""Rewriting the audit trail as someone with SQL access would: edit a row, then recompute every
later hash and the head with the project's own functions (issue 6, 1.5), under a key they guess or
— for the anchor tests — the real key (an insider who has it)."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from jineng.audit.chain import entry_hash, head_mac
from jineng.audit.models import AuditEntry, AuditHead
from jineng.audit.tests.tampering import delete_row, tamper


def _set_head(chain: int, **values: Any) -> None:
    sets = ", ".join(f'"{k}" = %s' for k in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_audithead SET {sets} WHERE id = %s", [*values.values(), chain]
        )


def rewrite_from(victim: AuditEntry, *, key: bytes, key_id: str, after: Any) -> None:
    """Set the victim's `after`, recompute its hash and every later one on its chain under `key`
    (stamping `key_id`), and point the head at the new last hash with a MAC under `key`."""
    entries = list(AuditEntry.objects.filter(chain=victim.chain).order_by("seq"))
    prev: str | None = None
    last: AuditEntry | None = None
    for e in entries:
        if e.seq < victim.seq:
            prev = e.hash
            continue
        if e.pk == victim.pk:
            e.after = after
        e.prev_hash = prev or e.prev_hash
        e.key_id = key_id
        new = entry_hash(
            key=key,
            key_id=key_id,
            chain=e.chain,
            seq=e.seq,
            prev_hash=e.prev_hash,
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
        if e.pk == victim.pk:
            tamper(e.pk, "after", json.dumps(after))
        tamper(e.pk, "prev_hash", e.prev_hash)
        tamper(e.pk, "key_id", key_id)
        tamper(e.pk, "hash", new)
        prev, last = new, e
    assert last is not None and prev is not None
    length = AuditHead.objects.get(pk=victim.chain).length
    _set_head(
        victim.chain,
        last_hash=prev,
        key_id=key_id,
        mac=head_mac(key=key, chain=victim.chain, length=length, last_hash=prev, last_id=last.pk),
    )


def truncate(chain_entries: list[AuditEntry], keep: int, *, key: bytes, key_id: str) -> None:
    """Delete every entry after the first `keep` and make the head agree, MAC under `key`."""
    for e in chain_entries[keep:]:
        delete_row(e.pk)
    last = chain_entries[keep - 1]
    _set_head(
        last.chain,
        last_hash=last.hash,
        last_id=last.pk,
        length=keep,
        key_id=key_id,
        mac=head_mac(key=key, chain=last.chain, length=keep, last_hash=last.hash, last_id=last.pk),
    )
