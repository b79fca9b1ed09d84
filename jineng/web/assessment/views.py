"""Pages of the question banks (题库): the list in the caller's scope and one bank's contents."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jineng.assessment import selectors
from jineng.assessment.access import banks_visible_to
from jineng.core.errors import NotFound
from jineng.identity.access import request_scope
from jineng.identity.models import ORG_ROLES
from jineng.identity.roles import CONSOLE_ROLES
from jineng.web.guards import page, signed_in_user

BANK_ROLES = frozenset(ORG_ROLES | CONSOLE_ROLES)


@page(roles=BANK_ROLES)
def banks(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    rows = banks_visible_to(signed_in_user(request), scope=scope).order_by("name", "pk")[:200]
    return render(request, "assessment/banks.html", {"banks": rows})


@page(roles=BANK_ROLES)
def bank(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    try:
        detail = selectors.bank_detail(user=signed_in_user(request), bank_id=pk, scope=scope)
    except NotFound as err:
        raise Http404(err.message) from None
    return render(request, "assessment/bank.html", {"detail": detail})
