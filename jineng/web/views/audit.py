"""The audit trail as bureau officers and auditors may read it: entries about people and
organisations in their scope (everything for a global scope)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jineng.identity.models import User
from jineng.web.guards import page
from jineng.web.nav import CONSOLE_ROLES
from jineng.web.pagination import paginate, querystring_without_page
from jineng.web.selectors import audit_entries_visible_to
from jineng.web.templatetags.web_format import AUDIT_ACTIONS


@page(roles=CONSOLE_ROLES)
def audit_log(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    entries = audit_entries_visible_to(request.user)
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action=action)
    context = {
        "page_obj": paginate(request, entries),
        "qs": querystring_without_page(request),
        "action": action,
        "actions": [(code, str(label)) for code, label in AUDIT_ACTIONS.items()],
    }
    return render(request, "web/audit.html", context)
