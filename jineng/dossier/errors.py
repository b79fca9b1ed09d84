"""Errors of dossier writes; each names the field and says why in Chinese."""

from __future__ import annotations

from jineng.core.errors import DomainError


class FactInvalid(DomainError):
    """A fact refused on the way in (a `jineng.core.errors.DomainError`, status 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)

    def __reduce__(self) -> tuple[object, ...]:
        return (self.__class__, (self.field, self.message))


class FactAlreadyCorrected(FactInvalid):
    """Only the current version of a fact can be corrected; the chain of corrections is linear."""

    status = 409
