"""A model field that stores only ciphertext; Python code sees the plaintext."""

from __future__ import annotations

from typing import Any

from django.db import models

from jineng.identity.crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Encrypted at rest: a raw SQL select shows Fernet ciphertext, never the value."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
