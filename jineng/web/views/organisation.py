"""An organisation's people, for its own staff: those employed there now or teaching there."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jineng.identity.access import organisations_visible_to, people_visible_to, scope_of
from jineng.identity.models import ORG_ROLES, User
from jineng.web.guards import page
from jineng.web.pagination import paginate, querystring_without_page


@page(roles=ORG_ROLES)
def org_people(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    scope = scope_of(user)
    organisations = organisations_visible_to(user).filter(pk__in=scope.organisation_ids)
    people = people_visible_to(user).select_related("residence_region").order_by("name", "pk")
    name = request.GET.get("q", "").strip()
    if name:
        people = people.filter(name__contains=name)
    context = {
        "organisations": organisations,
        "page_obj": paginate(request, people),
        "qs": querystring_without_page(request),
        "q": name,
    }
    return render(request, "web/org_people.html", context)
