"""A binary model field that stores only ciphertext; Python code sees the plaintext bytes."""

from __future__ import annotations

from typing import Any

from django.db import models

from jineng.faces.crypto import decrypt_bytes, encrypt_bytes


class EncryptedBytesField(models.BinaryField):  # type: ignore[type-arg]
    """Encrypted at rest: a raw select shows a Fernet token, never the image. b"" stays b""
    (an image deleted at the end of its retention)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> bytes | None:
        if value is None:
            return None
        raw = bytes(value)
        return decrypt_bytes(raw) if raw else b""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        raw = bytes(value)
        return encrypt_bytes(raw) if raw else b""
