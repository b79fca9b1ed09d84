from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


class MappedQuerySet(Generic[M]):
    """A queryset seen through a row → dict function, for ninja's paginator: it counts with SQL and
    maps only the rows of the page it slices (so only 50 ID numbers are decrypted, not all)."""

    def __init__(self, queryset: QuerySet[M], fn: Callable[[M], dict[str, Any]]) -> None:
        self.queryset = queryset
        self.fn = fn

    def all(self) -> MappedQuerySet[M]:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.fn(row) for row in self.queryset[key]]
