"""The bureau console: search by name or full document number, drill-down by region, a person's
page with the timeline and the audited reveal of a sensitive field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from jineng.dossier.selectors import person_timeline
from jineng.identity.access import access_person_by_id, scope_of
from jineng.identity.models import Person, User
from jineng.identity.services import person_find_by_document, person_reveal
from jineng.reference.models import Region
from jineng.web import selectors
from jineng.web.forms import DocumentSearchForm, NameSearchForm, RevealForm
from jineng.web.guards import page
from jineng.web.nav import CONSOLE_ROLES
from jineng.web.pagination import paginate, querystring_without_page


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
@page(roles=CONSOLE_ROLES)
def console(request: HttpRequest) -> HttpResponse:
    """Search by name (GET, any part of it) or by full document number (POST, exact, through the
    blind index). A document outside the user's scope gives the same empty answer as an unknown one."""
    user = _user(request)
    name_form = NameSearchForm(request.GET if "q" in request.GET else None)
    document_form = DocumentSearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "name_form": name_form,
        "document_form": document_form,
        "searched": False,
        "qs": "",
        "regions": selectors.regions_of_scope(user=user),
    }
    if document_form.is_bound and document_form.is_valid():
        found = person_find_by_document(
            id_number=document_form.cleaned_data["id_number"],
            id_type=document_form.cleaned_data["id_type"],
        )
        person = selectors.person_in_scope(user=user, person=found)
        context.update(searched=True, by_document=True, people=[person] if person else [])
        # Not echoed back: the number typed stays out of the page as well.
        context["document_form"] = DocumentSearchForm(
            initial={"id_type": document_form.cleaned_data["id_type"]}
        )
    elif name_form.is_bound and name_form.is_valid():
        rows = selectors.people_search(user=user, name=name_form.cleaned_data["q"])
        page_obj = paginate(request, rows.select_related("residence_region"))
        context.update(
            searched=True,
            page_obj=page_obj,
            people=page_obj.object_list,
            qs=querystring_without_page(request),
        )
    return render(request, "web/console.html", context)


@page(roles=CONSOLE_ROLES)
def regions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    roots = selectors.regions_with_counts(user=user, regions=selectors.regions_of_scope(user=user))
    return render(request, "web/regions.html", {"roots": roots})


@page(roles=CONSOLE_ROLES)
def region(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    current = selectors.region_in_scope(user=user, code=code)
    tab = "organisations" if request.GET.get("tab") == "organisations" else "people"
    if tab == "people":
        rows: Any = (
            selectors.people_under_region(user=user, region=current)
            .select_related("residence_region")
            .order_by("name", "pk")
        )
    else:
        rows = (
            selectors.organisations_under_region(user=user, region=current)
            .select_related("region")
            .order_by("name", "pk")
        )
    ancestors: list[Region] = []
    parent = current.parent
    while parent is not None and selectors.is_region_in_scope(user=user, region=parent):
        ancestors.insert(0, parent)
        parent = parent.parent
    context = {
        "region": current,
        "ancestors": ancestors,
        "totals": selectors.region_totals(user=user, region=current),
        "children": selectors.region_children_counts(user=user, region=current),
        "tab": tab,
        "page_obj": paginate(request, rows),
        "qs": querystring_without_page(request),
    }
    return render(request, "web/region.html", context)


def _person_context(user: User, person: Person) -> dict[str, Any]:
    scope = scope_of(user)
    return {
        "person": person,
        "employments": person.employments.select_related("employer", "occupation", "region"),
        "timeline": person_timeline(user=user, person=person),
        "access_log": selectors.audit_entries_for_person(person=person)[:50],
        "can_reveal": scope.can_reveal,
        "reveal_form": RevealForm(),
    }


@page(roles=CONSOLE_ROLES)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    target = access_person_by_id(user, pk)
    return render(request, "web/person.html", _person_context(user, target))


@require_POST
@page(roles=CONSOLE_ROLES)
def person_reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows one sensitive field in clear on this response only (`guards.page` marks it no-store);
    `person_reveal` checks the permission and writes the audit entry."""
    user = _user(request)
    target = access_person_by_id(user, pk)
    form = RevealForm(request.POST)
    context = _person_context(user, target)
    if not form.is_valid():
        context["reveal_form"] = form
        return render(request, "web/person.html", context, status=400)
    if not context["can_reveal"]:
        raise PermissionDenied
    field = form.cleaned_data["field"]
    value = person_reveal(
        actor=user, person=target, field=field, reason=form.cleaned_data["reason"]
    )
    context["revealed"] = {"field": field, "value": value}
    # Re-read the access log so the entry just written shows on this page.
    context["access_log"] = selectors.audit_entries_for_person(person=target)[:50]
    return render(request, "web/person.html", context)
