"""What the assessment pages share: the acting user, JSON bodies and answers, role sets."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse

from jineng.core.errors import DomainError
from jineng.identity.models import ORG_ROLES, Role, User
from jineng.identity.roles import CONSOLE_ROLES

WORKER = frozenset({Role.WORKER})
MARKERS = frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.SYSADMIN})
SESSION_ROLES = frozenset(ORG_ROLES | CONSOLE_ROLES)
MANAGERS = frozenset({Role.ORG_ADMIN, Role.SYSADMIN})
TICKET_ROLES = frozenset(WORKER | ORG_ROLES | {Role.SYSADMIN})


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def json_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        return {k: request.POST.get(k) for k in request.POST}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError("", "请求内容不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise DomainError("", "请求内容不是有效的 JSON")
    return data


def json_answer(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def json_error(exc: DomainError) -> JsonResponse:
    return json_answer({"detail": exc.message, "field": exc.field}, status=exc.status)
