"""Anchors: the chains' heads at a moment, signed with Ed25519, kept outside the database.

Someone who holds the chain key (or replaces the code) could rewrite the trail and recompute every
hash; an anchor written before that, kept where they cannot reach it (another host, a write-once
bucket), still names the hash each chain had then. `audit_verify_against` checks an anchor's
signature with the platform's anchor key, verifies the chains, and then that every anchored chain
is at least as long as it was (else it was truncated) and still holds the anchored hash at the
anchored position (else it was rewritten).

The file (JSON): {"payload": {"format", "at", "length", "heads": [{"chain", "length",
"last_hash", "last_id"}]}, "public_key": hex, "signature": hex}; the signature covers the
payload's canonical JSON (sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.utils import timezone

from jineng.audit.chain import at_iso
from jineng.audit.keys import anchor_public_key, anchor_signing_key, public_key_hex
from jineng.audit.models import AuditAnchor, AuditEntry, AuditHead, AuditVerificationRun
from jineng.audit.services import AuditVerification, audit_verify

ANCHOR_FORMAT = "jineng-audit-anchor/1"


class AnchorInvalid(ValueError):
    """An anchor file that cannot be read or whose signature does not hold."""


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def default_anchor_dir() -> Path:
    return Path(settings.VAR_DIR) / "audit" / "anchors"


def audit_anchor(*, out: Path | None = None) -> tuple[AuditAnchor, Path]:
    """Write a signed anchor of the current heads to `out` (default: a new file under
    VAR_DIR/audit/anchors/) and record it for the audit page. The heads are read in one query, so
    they are one committed state (a transaction still writing is simply not in it yet)."""
    key = anchor_signing_key()
    at = timezone.now()
    rows = list(AuditHead.objects.order_by("pk"))
    length = sum(h.length for h in rows)
    heads = [
        {"chain": h.pk, "length": h.length, "last_hash": h.last_hash, "last_id": h.last_id}
        for h in rows
    ]
    payload: dict[str, Any] = {
        "format": ANCHOR_FORMAT,
        "at": at_iso(at),
        "length": length,
        "heads": heads,
    }
    public = public_key_hex(key.public_key())
    signature = key.sign(_canonical(payload)).hex()
    if out is None:
        out = default_anchor_dir() / f"anchor-{at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {"payload": payload, "public_key": public, "signature": signature}
    out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    anchor = AuditAnchor.objects.create(
        at=at,
        length=length,
        heads=heads,
        public_key=public,
        signature=signature,
        file_name=out.name,
    )
    return anchor, out


def read_anchor(path: Path) -> dict[str, Any]:
    """The anchor's payload, once its signature has been checked with the platform's key."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        payload = document["payload"]
        signature = bytes.fromhex(document["signature"])
        public = document["public_key"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AnchorInvalid(f"无法读取锚点文件 {path.name}") from exc
    key = anchor_public_key()
    if public != public_key_hex(key):
        raise AnchorInvalid("锚点文件不是用本平台的锚点密钥签发的")
    try:
        key.verify(signature, _canonical(payload))
    except InvalidSignature as exc:
        raise AnchorInvalid("锚点文件的签名无效（文件被改动）") from exc
    if not isinstance(payload, dict) or payload.get("format") != ANCHOR_FORMAT:
        raise AnchorInvalid("锚点文件格式不对")
    return payload


def audit_verify_against(payload: dict[str, Any]) -> AuditVerification:
    """Verify the chains, then that nothing anchored was cut off or rewritten since."""
    result = audit_verify()
    if not result.ok:
        return result
    current = {h.pk: h for h in AuditHead.objects.all()}
    anchored = [h for h in payload["heads"] if h["length"]]
    wanted = {(h["chain"], h["length"]): h for h in anchored}
    found: dict[tuple[int, int], tuple[int | None, str]] = {}
    for chain in {c for c, _ in wanted}:
        seqs = [s for c, s in wanted if c == chain]
        for pk, seq, h in AuditEntry.objects.filter(chain=chain, seq__in=seqs).values_list(
            "id", "seq", "hash"
        ):
            found[(chain, seq)] = (pk, h)
    for h in anchored:
        head = current.get(h["chain"])
        if head is None or head.length < h["length"]:
            return AuditVerification(
                False,
                result.checked,
                h["last_id"],
                f"审计链比锚点（{payload['at'][:19]}）时短：锚点之后有记录被截断",
            )
        pk_now, hash_now = found.get((h["chain"], h["length"]), (None, ""))
        if hash_now != h["last_hash"]:
            return AuditVerification(
                False,
                result.checked,
                pk_now or h["last_id"],
                f"锚点（{payload['at'][:19]}）记下的记录已不在链上：审计链在锚点之后被改写",
            )
    if sum(head.length for head in current.values()) < payload["length"]:
        return AuditVerification(False, result.checked, None, "审计记录比锚点时少")
    return result


def audit_verification_record(
    result: AuditVerification, *, anchor_at: dt.datetime | None = None
) -> AuditVerificationRun:
    """Store a verification's outcome for the audit page."""
    return AuditVerificationRun.objects.create(
        at=timezone.now(),
        ok=result.ok,
        checked=result.checked,
        first_bad_id=result.first_bad_id,
        reason=result.reason[:200],
        against_anchor=anchor_at is not None,
        anchor_at=anchor_at,
    )


def anchor_time(payload: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(payload["at"])
