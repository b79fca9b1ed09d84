"""Field encryption and blind indexes for sensitive values (ID numbers, phones, bank accounts).

Ciphertext: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived from
settings.FIELD_KEY. Blind index: HMAC-SHA256 of the normalised value under a second derived key, so
exact lookup and uniqueness work without decrypting, and the index reveals nothing without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _derive(purpose: bytes, key: str) -> bytes:
    return hmac.new(key.encode(), purpose, hashlib.sha256).digest()


@lru_cache(maxsize=16)
def _fernet_for(purpose: bytes, key: str) -> MultiFernet:
    keys = [k for k in key.split(",") if k]  # rotation: newest key first, old keys still decrypt
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(purpose, k))) for k in keys])


def fernet_for(purpose: bytes) -> MultiFernet:
    """Fernet under a key derived from settings.FIELD_KEY for one purpose only (b"encrypt" for
    the sensitive fields; uploads and face images have their own), rotating with FIELD_KEY."""
    return _fernet_for(purpose, settings.FIELD_KEY)


def encrypt(plaintext: str) -> str:
    return fernet_for(b"encrypt").encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return fernet_for(b"encrypt").decrypt(token.encode()).decode()


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def blind_index(value: str) -> str:
    key = settings.FIELD_KEY.split(",")[0]
    mac = hmac.new(_derive(b"blind-index", key), normalise(value).encode(), hashlib.sha256)
    return mac.hexdigest()[:32]
