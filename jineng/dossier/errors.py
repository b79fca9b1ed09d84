"""Errors of dossier writes; each names the field and says why in Chinese."""

from __future__ import annotations


class FactInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class FactAlreadyCorrected(FactInvalid):
    """Only the current version of a fact can be corrected; the chain of corrections is linear."""
