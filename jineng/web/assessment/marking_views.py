"""The organisation's pages: sessions (candidates, identity confirmation, evidence, results
review and publication, objections), the ticket check, the anonymous marking queues (first and
second marks, third marks), and corrections."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jineng.assessment import selectors_web, services
from jineng.assessment.access import (
    access_correction_by_id,
    access_registration_by_id,
    access_session_by_id,
    access_task_by_id,
    corrections_visible_to,
    sessions_visible_to,
)
from jineng.assessment.models import (
    AssessmentPart,
    CorrectionStatus,
    IdentityMethod,
    Objection,
    PartResult,
)
from jineng.assessment.services.banks import sheet_of
from jineng.assessment.tickets import ticket_registration_id
from jineng.core.errors import DomainError, NotFound
from jineng.identity.access import request_scope
from jineng.web.assessment.common import MANAGERS, MARKERS, SESSION_ROLES, WORKER, user_of
from jineng.web.guards import page


def _404(err: NotFound) -> Http404:
    return Http404(err.message)


@page(roles=SESSION_ROLES)
def sessions(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    rows = sessions_visible_to(user_of(request), scope=scope).order_by("-starts_at", "-pk")[:200]
    return render(
        request,
        "assessment/sessions.html",
        {"sessions": rows, "marks": bool(scope.roles & MARKERS)},
    )


@page(roles=SESSION_ROLES)
def session(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        overview = selectors_web.session_overview(
            user=user_of(request), session_id=pk, scope=request_scope(request)
        )
    except NotFound as err:
        raise _404(err) from None
    return render(request, "assessment/session.html", {"o": overview})


def _back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("assessment:session", args=[pk]))


@page(roles=MARKERS)
@require_POST
def session_admit(request: HttpRequest, pk: int) -> HttpResponse:
    """The invigilator confirms a candidate's identity (instead of the face check)."""
    scope = request_scope(request)
    try:
        session_obj = access_session_by_id(user_of(request), pk, scope=scope)
        registration = access_registration_by_id(
            user_of(request), request.POST.get("registration", ""), scope=scope
        )
        if registration.session_id != session_obj.pk:
            raise NotFound("registration", "该考生不在本考试批次")
    except NotFound as err:
        raise _404(err) from None
    try:
        services.attempt_admit(
            actor=user_of(request), registration=registration, method=IdentityMethod.INVIGILATOR
        )
        messages.success(request, f"已确认{registration.person.name}的身份")
    except DomainError as err:
        messages.error(request, err.message)
    return _back(session_obj.pk)


RESULT_ACTIONS = {
    "compile": (services.results_compile, "成绩已汇总，请审核"),
    "review": (services.results_review, "成绩已审核"),
    "publish": (services.results_publish, "成绩已公示"),
    "finalise": (services.results_finalise, "成绩已确认"),
    "practical": (services.practical_tasks_create, "操作技能考核评分任务已生成"),
}


@page(roles=MANAGERS)
@require_POST
def session_results(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session_obj = access_session_by_id(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise _404(err) from None
    action = RESULT_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "操作不正确")
        return _back(session_obj.pk)
    fn, done = action
    try:
        fn(actor=user_of(request), session=session_obj)  # type: ignore[operator]
        messages.success(request, done)
    except DomainError as err:
        messages.error(request, err.message)
    return _back(session_obj.pk)


@page(roles=MANAGERS)
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    objection = (
        Objection.objects.select_related("publication__session")
        .filter(
            pk=pk,
            publication__session__in=sessions_visible_to(user_of(request), scope=scope),
        )
        .first()
    )
    if objection is None:
        raise Http404("异议不存在或不在您的查看范围内")
    try:
        services.objection_answer(
            actor=user_of(request), objection=objection, answer=request.POST.get("answer", "")
        )
        messages.success(request, "已答复异议")
    except DomainError as err:
        messages.error(request, err.message)
    return _back(objection.publication.session_id)


@page(roles=WORKER)
@require_POST
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A candidate's objection to a published result (their own registration `pk`)."""
    from jineng.assessment.access import access_own_registration
    from jineng.assessment.models import ResultPublication

    try:
        registration = access_own_registration(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise _404(err) from None
    publication = ResultPublication.objects.filter(session_id=registration.session_id).first()
    try:
        if publication is None:
            raise DomainError("publication", "成绩尚未公示")
        services.objection_raise(
            actor=user_of(request),
            publication=publication,
            registration=registration,
            text=request.POST.get("text", ""),
        )
        messages.success(request, "异议已登记，评价机构将答复")
    except DomainError as err:
        messages.error(request, err.message)
    return HttpResponseRedirect(reverse("assessment:results"))


@page(roles=MARKERS)
def ticket_check(request: HttpRequest) -> HttpResponse:
    """What the invigilator sees on scanning a ticket: the registration it names, if signed by
    us and within the invigilator's sessions."""
    scope = request_scope(request)
    try:
        registration = access_registration_by_id(
            user_of(request), ticket_registration_id(request.GET.get("t", "")), scope=scope
        )
    except NotFound as err:
        return render(request, "assessment/ticket_check.html", {"error": err.message}, status=404)
    attempt = getattr(registration, "attempt", None)
    return render(
        request,
        "assessment/ticket_check.html",
        {"registration": registration, "attempt": attempt},
    )


@page(roles=MARKERS)
def marking(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    user = user_of(request)
    return render(
        request,
        "assessment/marking.html",
        {
            "open": services.marking_queue(user=user, scope=scope)[:100],
            "third": services.marking_queue(user=user, scope=scope, third=True)[:100],
            "counts": services.marking_counts(user=user, scope=scope),
        },
    )


@page(roles=MARKERS)
@require_http_methods(["GET", "POST"])
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    """One anonymous task: the item, the answer (theory) or the sheet (practical), a mark."""
    scope = request_scope(request)
    try:
        task = access_task_by_id(user_of(request), pk, scope=scope)
    except NotFound as err:
        raise _404(err) from None
    if request.method == "POST":
        try:
            if task.part == AssessmentPart.PRACTICAL:
                n = len(task.item.sheet)
                services.mark_record(
                    actor=user_of(request),
                    task=task,
                    criteria=[request.POST.get(f"c{i}", "") for i in range(n)],
                )
            else:
                services.mark_record(
                    actor=user_of(request), task=task, score=request.POST.get("score", "")
                )
            messages.success(request, f"已为{task.candidate_code}评分")
            return HttpResponseRedirect(reverse("assessment:marking"))
        except DomainError as err:
            messages.error(request, err.message)
    response = task.entry.response if task.entry_id is not None else None  # type: ignore[union-attr]
    return render(
        request,
        "assessment/mark.html",
        {
            "task": task,
            "answer": response,
            "sheet": sheet_of(task.item) if task.part == AssessmentPart.PRACTICAL else [],
            "part_label": AssessmentPart(task.part).label,
        },
    )


@page(roles=SESSION_ROLES)
def corrections(request: HttpRequest) -> HttpResponse:
    rows = corrections_visible_to(user_of(request), scope=request_scope(request))[:200]
    return render(
        request, "assessment/corrections.html", {"rows": rows, "pending": CorrectionStatus.PENDING}
    )


@page(roles=MARKERS)
@require_POST
def correction_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a part result (`pk`) to change, with the reason."""
    scope = request_scope(request)
    result = (
        PartResult.objects.select_related("registration__session", "registration__person")
        .filter(
            pk=pk,
            registration__session__in=sessions_visible_to(user_of(request), scope=scope),
        )
        .first()
    )
    if result is None:
        raise Http404("成绩不存在或不在您的查看范围内")
    try:
        services.correction_request(
            actor=user_of(request),
            result=result,
            new_score=request.POST.get("new_score", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, "更正申请已提交，待他人复核")
    except DomainError as err:
        messages.error(request, err.message)
    return _back(result.registration.session_id)


@page(roles=MANAGERS)
@require_POST
def correction_review(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        correction = access_correction_by_id(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise _404(err) from None
    try:
        services.correction_review(
            actor=user_of(request),
            correction=correction,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
        messages.success(request, "已复核")
    except DomainError as err:
        messages.error(request, err.message)
    return HttpResponseRedirect(reverse("assessment:corrections"))
