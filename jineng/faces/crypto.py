"""Encryption at rest of face images and encodings (biometric data, PIPL art. 28).

Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from settings.FIELD_KEY for this purpose
only, so a face key is not the key of ID numbers; comma-separated FIELD_KEY values rotate as in
`jineng.identity.crypto` (newest first, older keys still decrypt)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> MultiFernet:
    keys = [k for k in key.split(",") if k]
    derived = [hmac.new(k.encode(), b"faces-encrypt", hashlib.sha256).digest() for k in keys]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(d)) for d in derived])


def encrypt_bytes(plaintext: bytes) -> bytes:
    return _fernet(settings.FIELD_KEY).encrypt(plaintext)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet(settings.FIELD_KEY).decrypt(token)


def digest(data: bytes) -> str:
    """SHA-256 of an image in base32 (RFC 4648, lowercase, unpadded; 52 characters). Not hex: its
    alphabet has no 0, 1, 8 or 9, so the audit's masking never takes a run of it for a phone or an
    ID number, and the digest in an audit entry stays comparable with the one on the record."""
    return base64.b32encode(hashlib.sha256(data).digest()).decode().rstrip("=").lower()
