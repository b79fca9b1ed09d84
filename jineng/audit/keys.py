"""The keys of the audit trail, none of them in the database.

- The chain key (setting `AUDIT_CHAIN_KEY`, env `JINENG_AUDIT_KEY`): every entry's hash is an
  HMAC-SHA256 under it, so someone who can edit the table but does not hold the key cannot
  recompute the hashes after an edit. Comma-separated to rotate, newest first: new entries use the
  first key; each entry stores the id of its key (`key_id`, the first 8 hex digits of the key's
  SHA-256), so older entries keep verifying while their key is still listed.
- The anchor key (setting `AUDIT_ANCHOR_KEY`, env `JINENG_AUDIT_ANCHOR_KEY`): an Ed25519 private
  key (PEM text or a path to a PEM file) that signs anchors — the heads and length of the chains at
  a moment, kept outside the database. Unset: a development key generated under VAR_DIR/audit/.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class AuditKeyMissing(RuntimeError):
    """No chain key, or no anchor key that can sign."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def chain_keys() -> dict[str, bytes]:
    """key id → key, newest first."""
    raw = str(getattr(settings, "AUDIT_CHAIN_KEY", "") or "")
    keys = [k.strip().encode() for k in raw.split(",") if k.strip()]
    if not keys:
        raise AuditKeyMissing("未配置审计链密钥（JINENG_AUDIT_KEY）")
    return {key_id(k): k for k in keys}


def current_chain_key() -> tuple[str, bytes]:
    """(key id, key) that new entries are signed with: the first of the list."""
    return next(iter(chain_keys().items()))


# --- anchor signing ----------------------------------------------------------------------------


def _development_key_path() -> Path:
    return Path(settings.VAR_DIR) / "audit" / "anchor-ed25519.pem"


def _load_pem(data: bytes) -> Ed25519PrivateKey | Ed25519PublicKey:
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise AuditKeyMissing("审计锚点密钥必须是 Ed25519 密钥")
        return private
    public = serialization.load_pem_public_key(data)
    if not isinstance(public, Ed25519PublicKey):
        raise AuditKeyMissing("审计锚点密钥必须是 Ed25519 密钥")
    return public


def _generate_development_key(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def anchor_key() -> Ed25519PrivateKey | Ed25519PublicKey:
    """The configured anchor key: a private key signs and verifies, a public key only verifies."""
    configured = str(getattr(settings, "AUDIT_ANCHOR_KEY", "") or "").strip()
    if configured.startswith("-----BEGIN"):
        return _load_pem(configured.encode())
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise AuditKeyMissing(f"审计锚点密钥文件不存在：{path}")
        return _load_pem(path.read_bytes())
    path = _development_key_path()
    if path.is_file():
        return _load_pem(path.read_bytes())
    try:
        return _generate_development_key(path)
    except FileExistsError:  # another process generated it first
        return _load_pem(path.read_bytes())


def anchor_signing_key() -> Ed25519PrivateKey:
    key = anchor_key()
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyMissing("配置的审计锚点密钥只有公钥，不能签发锚点")
    return key


def anchor_public_key() -> Ed25519PublicKey:
    key = anchor_key()
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def public_key_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
