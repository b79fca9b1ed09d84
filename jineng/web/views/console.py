"""The bureau console: search by name or full document number, drill-down by region, a person's
page with the timeline and the audited reveal of a sensitive field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from jineng.audit.access import audit_entries_for_person
from jineng.dossier.selectors import person_timeline
from jineng.identity import selectors as people_finding
from jineng.identity.access import Scope, access_person_by_id, request_scope
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, User
from jineng.identity.roles import CONSOLE_ROLES
from jineng.identity.services import person_reveal
from jineng.organisations import regions as region_reads
from jineng.reference.models import Region
from jineng.web.forms import DocumentSearchForm, NameSearchForm, RevealForm
from jineng.web.guards import page, signed_in_user
from jineng.web.pagination import paginate, querystring_without_page
from jineng.web.region_stats import region_skills


@require_http_methods(["GET", "POST"])
@page(roles=CONSOLE_ROLES)
def console(request: HttpRequest) -> HttpResponse:
    """Search by name (GET, any part of it) or by full document number (POST, exact, through the
    blind index). A document outside the user's scope gives the same empty answer as an unknown one."""
    user = signed_in_user(request)
    name_form = NameSearchForm(request.GET if "q" in request.GET else None)
    document_form = DocumentSearchForm(request.POST if request.method == "POST" else None)
    scope = request_scope(request)
    context: dict[str, Any] = {
        "name_form": name_form,
        "document_form": document_form,
        "searched": False,
        "qs": "",
        "regions": region_reads.regions_of_scope(user=user, scope=scope),
    }
    context["may_search_document"] = people_finding.may_search_by_document(scope)
    context["birth_year_column"] = scope.can_reveal
    status = 200
    if document_form.is_bound and document_form.is_valid():
        # Not echoed back: the number typed stays out of the page as well.
        context["document_form"] = DocumentSearchForm(
            initial={"id_type": document_form.cleaned_data["id_type"]}
        )
        try:
            person = people_finding.person_search_by_document(
                user=user,
                id_number=document_form.cleaned_data["id_number"],
                id_type=document_form.cleaned_data["id_type"],
                scope=scope,
            )
        except people_finding.DocumentSearchThrottled as exc:
            context["document_error"], status = exc.message, 429
        except people_finding.DocumentSearchRefused as exc:
            context["document_error"], status = exc.message, 403
        except ValidationFailed as exc:
            context["document_error"], status = exc.message, 400
        else:
            people = [person] if person else []
            _mark_birth_year(user, people, scope)
            context.update(searched=True, by_document=True, people=people)
    elif name_form.is_bound and name_form.is_valid():
        rows = people_finding.people_search(
            user=user, name=name_form.cleaned_data["q"], scope=scope
        )
        page_obj = paginate(request, rows.select_related("residence_region"))
        people = list(page_obj.object_list)
        _mark_birth_year(user, people, scope)
        context.update(
            searched=True,
            page_obj=page_obj,
            people=people,
            qs=querystring_without_page(request),
        )
    return render(request, "web/console.html", context, status=status)


def _mark_birth_year(user: User, people: list[Person], scope: Scope) -> None:
    """The birth year shows only beside people whose number the user may reveal."""
    for p in people:
        p.shows_birth_year = people_finding.may_see_birth_year(  # type: ignore[attr-defined]
            user, p, scope=scope
        )


@page(roles=CONSOLE_ROLES)
def regions(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    roots = region_reads.regions_with_counts(
        scope=scope, user=user, regions=region_reads.regions_of_scope(user=user, scope=scope)
    )
    return render(request, "web/regions.html", {"roots": roots})


@page(roles=CONSOLE_ROLES)
def region(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    scope = request_scope(request)
    current = region_reads.region_in_scope(scope=scope, user=user, code=code)
    tab = "organisations" if request.GET.get("tab") == "organisations" else "people"
    if tab == "people":
        rows: Any = (
            region_reads.people_under_region(scope=scope, user=user, region=current)
            .select_related("residence_region")
            .order_by("name", "pk")
        )
    else:
        rows = (
            region_reads.organisations_under_region(scope=scope, user=user, region=current)
            .select_related("region")
            .order_by("name", "pk")
        )
    ancestors: list[Region] = []
    parent = current.parent
    while parent is not None and region_reads.is_region_in_scope(
        scope=scope, user=user, region=parent
    ):
        ancestors.insert(0, parent)
        parent = parent.parent
    context = {
        "region": current,
        "ancestors": ancestors,
        "totals": region_reads.region_totals(scope=scope, user=user, region=current),
        "children": region_reads.region_children_counts(scope=scope, user=user, region=current),
        "skills": region_skills(user=user, region=current, scope=scope),
        "tab": tab,
        "page_obj": paginate(request, rows),
        "qs": querystring_without_page(request),
    }
    return render(request, "web/region.html", context)


def _person_context(user: User, person: Person, scope: Scope) -> dict[str, Any]:
    return {
        "person": person,
        "employments": person.employments.select_related("employer", "occupation", "region"),
        "timeline": person_timeline(user=user, person=person),
        "access_log": audit_entries_for_person(person=person)[:50],
        "can_reveal": scope.can_reveal,
        "shows_birth_year": people_finding.may_see_birth_year(user, person, scope=scope),
        "reveal_form": RevealForm(),
    }


@page(roles=CONSOLE_ROLES)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    target = access_person_by_id(user, pk, scope=request_scope(request))
    return render(request, "web/person.html", _person_context(user, target, request_scope(request)))


@require_POST
@page(roles=CONSOLE_ROLES)
def person_reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows one sensitive field in clear on this response only (`guards.page` marks it no-store);
    `person_reveal` checks the permission and writes the audit entry."""
    user = signed_in_user(request)
    target = access_person_by_id(user, pk, scope=request_scope(request))
    form = RevealForm(request.POST)
    context = _person_context(user, target, request_scope(request))
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
    context["access_log"] = audit_entries_for_person(person=target)[:50]
    return render(request, "web/person.html", context)
