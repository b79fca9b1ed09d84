"""Errors raised by the identity, organisations and related services."""

from __future__ import annotations

from typing import Any

from jineng.core.errors import DomainError


class ValidationFailed(DomainError):
    """Bad input for a service: `field` names the input, `message` says why in Chinese.

    `value` is what was given, for the caller's error report; services pass a masked form for
    sensitive fields (ID numbers, phones, bank accounts), so it is safe to show or log.
    A `jineng.core.errors.DomainError` (status 400), so the API and the forms map it.
    """

    def __init__(self, field: str, message: str, value: Any = None) -> None:
        super().__init__(field, message, value)
