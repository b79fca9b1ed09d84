"""The hashes of the audit chain (pure functions, no database).

An entry's hash is HMAC-SHA256(key, prev_hash + canonical JSON of its content), the content being
every stored field but the row's id and its own hash: at (ISO, UTC), actor_id, actor_label, action,
object_type, object_id, region, before, after, reason, the chain and position (chain, seq) and
the id of the key. The key is not in the database (`jineng.audit.keys`), so whoever edits a row
cannot recompute a hash that verifies. A head's MAC binds its chain, length and last entry the
same way, so a chain cannot be shortened by editing its head either.

`legacy_entry_hash` is the unkeyed SHA-256 of entries written before the chain was keyed; only
`jineng audit rekey` reads it (to check those entries once before re-signing them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

GENESIS_HASH = "0" * 64


def normalise_numbers(value: Any) -> Any:
    # PostgreSQL's jsonb gives back 1.0 as 1.0 but 1e20 as an integer: hash integral floats as ints.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalise_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_numbers(v) for v in value]
    return value


def at_iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def entry_hash(
    *,
    key: bytes,
    key_id: str,
    chain: int,
    seq: int,
    prev_hash: str,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    region: str,
    before: Any,
    after: Any,
    reason: str,
) -> str:
    content = {
        "key_id": key_id,
        "chain": chain,
        "seq": seq,
        "at": at_iso(at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": str(action),
        "object_type": str(object_type),
        "object_id": object_id,
        "region": region,
        "before": normalise_numbers(before),
        "after": normalise_numbers(after),
        "reason": reason,
    }
    message = (prev_hash + _canonical(content)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_mac(*, key: bytes, chain: int, length: int, last_hash: str, last_id: int | None) -> str:
    message = f"audit-head|{chain}|{length}|{last_hash}|{last_id or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def legacy_entry_hash(
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
    """The hash entries had before the chain was keyed: sha256, no key, no chain or region."""
    content = {
        "at": at_iso(at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": normalise_numbers(before),
        "after": normalise_numbers(after),
        "reason": reason,
    }
    return hashlib.sha256((prev_hash + _canonical(content)).encode()).hexdigest()
