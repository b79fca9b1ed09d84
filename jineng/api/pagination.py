"""Paging for list endpoints: page numbers bounded (1..100000, 422 outside — a page number beyond
64 bits used to reach the database and fail there), page sizes up to 100."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

M = TypeVar("M", bound=Model)

MAX_PAGE = 100_000
MAX_PAGE_SIZE: int = ninja_settings.PAGINATION_MAX_PER_PAGE_SIZE
# No page of any list starts beyond this row: a larger offset is answered with no rows without
# asking the database (SQLite refuses offsets beyond 64 bits; PostgreSQL would scan for nothing).
MAX_OFFSET = MAX_PAGE * MAX_PAGE_SIZE


class PageNumberPagination(NinjaPageNumberPagination):
    """Ninja's page-number paging with bounded, titled (Chinese) inputs."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, title="页码", description="从 1 开始")
        page_size: int | None = Field(
            None, ge=1, le=MAX_PAGE_SIZE, title="每页条数", description=f"最多 {MAX_PAGE_SIZE}"
        )


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
        if (key.start or 0) > MAX_OFFSET:
            return []
        return [self.fn(row) for row in self.queryset[key]]
