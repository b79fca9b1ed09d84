"""Encryption at rest of face images and encodings (biometric data, PIPL art. 28).

Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from settings.FIELD_KEY for this purpose
only, so a face key is not the key of ID numbers; comma-separated FIELD_KEY values rotate as in
`jineng.identity.crypto` (newest first, older keys still decrypt)."""

from __future__ import annotations

import base64
import hashlib

from jineng.identity.crypto import fernet_for

PURPOSE = b"faces-encrypt"


def encrypt_bytes(plaintext: bytes) -> bytes:
    return fernet_for(PURPOSE).encrypt(plaintext)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet_for(PURPOSE).decrypt(token)


def digest(data: bytes) -> str:
    """SHA-256 of an image in base32 (RFC 4648, lowercase, unpadded; 52 characters). Not hex: its
    alphabet has no 0, 1, 8 or 9, so the audit's masking never takes a run of it for a phone or an
    ID number, and the digest in an audit entry stays comparable with the one on the record."""
    return base64.b32encode(hashlib.sha256(data).digest()).decode().rstrip("=").lower()
