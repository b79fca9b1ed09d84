"""Paging for the pages' lists: any page number a URL can carry gives a page, never an error —
not a number, zero or negative → page 1; beyond the last page (up to 64 bits and past them) → the
last page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50
MAX_PAGE = 100_000  # the same bound as the API's (jineng.api.pagination)


def page_number(raw: str | None) -> int:
    """The page asked for, between 1 and MAX_PAGE: ASCII digits only (no signs, spaces, `1e9`,
    `١`), at most seven of them — anything else is page 1, anything larger is MAX_PAGE."""
    text = (raw or "").strip()
    if not text or not text.isascii() or not text.isdigit():
        return 1
    if len(text) > 7:
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


def paginate(request: HttpRequest, rows: Any, per_page: int = PAGE_SIZE) -> Page[Any]:
    """The requested page of `rows` (a queryset or list); a bad number gives page 1 and a number
    beyond the last page gives the last page."""
    return Paginator(rows, per_page).get_page(page_number(request.GET.get("page")))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""
