"""The bureau's review of submitted courses."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.core.errors import DomainError
from jineng.identity.access import request_scope
from jineng.learning import selectors_web
from jineng.learning.access import (
    access_course_by_id,
    parties_of,
)
from jineng.learning.models import (
    CourseStatus,
)
from jineng.learning.services import (
    course_transition,
)
from jineng.learning.states import Party
from jineng.web.guards import page, signed_in_user
from jineng.web.learning.views.common import REVIEWERS, _apply_error
from jineng.web.learning.views.provider import ReasonForm

# --- the bureau's review -----------------------------------------------------------------------


@page(roles=REVIEWERS)
def review_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors_web.review_queue(signed_in_user(request), scope=request_scope(request))
    return render(request, "learning/review_queue.html", {"courses": queue[:200]})


@page(roles=REVIEWERS)
@require_http_methods(["GET", "POST"])
def review_course(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    obj = access_course_by_id(signed_in_user(request), pk, scope=scope)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        target = {"approve": CourseStatus.PUBLISHED, "reject": CourseStatus.REJECTED}.get(
            decision or ""
        )
        if target is None:
            form.add_error(None, _("请选择“审核发布”或“退回修改”"))
        else:
            try:
                course_transition(
                    actor=signed_in_user(request),
                    course=obj,
                    to=target,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("课程已发布。") if target == CourseStatus.PUBLISHED else _("课程已退回。"),
                )
                return HttpResponseRedirect(reverse("learning:review_queue"))
    may_decide = obj.status == CourseStatus.SUBMITTED and Party.BUREAU in parties_of(
        scope, provider_id=obj.provider_id, provider_region=obj.provider.region_id
    )
    return render(
        request,
        "learning/review_course.html",
        {
            "course": obj,
            "outline": selectors_web.course_outline(obj),
            "history": selectors_web.course_history(obj),
            "form": form,
            "may_decide": may_decide,
        },
    )
