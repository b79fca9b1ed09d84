from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, rows: Any, per_page: int = PAGE_SIZE) -> Page[Any]:
    """The requested page of `rows` (a queryset or list); a bad or too-large page number gives the
    nearest valid page rather than an error."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""
