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


@lru_cache(maxsize=4)
def _fernet(key: str) -> MultiFernet:
    keys = [k for k in key.split(",") if k]  # rotation: newest key first, old keys still decrypt
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(b"encrypt", k))) for k in keys])


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FIELD_KEY).decrypt(token.encode()).decode()


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def blind_index(value: str) -> str:
    key = settings.FIELD_KEY.split(",")[0]
    mac = hmac.new(_derive(b"blind-index", key), normalise(value).encode(), hashlib.sha256)
    return mac.hexdigest()[:32]
