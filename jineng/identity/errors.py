"""Errors raised by the identity, organisations and related services."""

from __future__ import annotations

from typing import Any


class ValidationFailed(ValueError):
    """Bad input for a service: `field` names the input, `message` says why in Chinese.

    `value` is what was given, for the caller's error report; services pass a masked form for
    sensitive fields (ID numbers, phones, bank accounts), so it is safe to show or log.
    """

    def __init__(self, field: str, message: str, value: Any = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.value = value

    def __repr__(self) -> str:
        return f"ValidationFailed(field={self.field!r}, message={self.message!r})"
