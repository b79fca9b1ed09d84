"""A worker's own profile: masked identity, employments and the dossier timeline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jineng.dossier.selectors import person_timeline
from jineng.identity.access import access_person_by_id
from jineng.identity.models import Role, User
from jineng.web.guards import page


@page(roles=[Role.WORKER])
def me(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.person_id is None:
        return render(request, "web/me.html", {"person": None})
    person = access_person_by_id(user, user.person_id)
    context = {
        "person": person,
        "employments": person.employments.select_related("employer", "occupation", "region"),
        "timeline": person_timeline(user=user, person=person),
    }
    return render(request, "web/me.html", context)
