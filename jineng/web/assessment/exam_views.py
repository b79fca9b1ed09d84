"""The candidate's pages: my registrations, the admission ticket, the exam page with its JSON
endpoints (identity, start, state, answer, evidence, submit) and my results. The exam page keeps
no time of its own: it shows the server's remaining seconds and asks again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jineng.assessment import selectors_web
from jineng.assessment.access import access_own_registration, access_registration_by_id
from jineng.assessment.models import Attempt, AttemptStatus, IdentityMethod, Registration
from jineng.assessment.services import (
    answer_save,
    attempt_admit,
    attempt_current,
    attempt_start,
    attempt_submit,
    evidence_record,
    remaining_seconds,
)
from jineng.assessment.sitting import sitting_of
from jineng.assessment.tickets import ticket_number, ticket_pdf
from jineng.core.errors import DomainError, NotFound
from jineng.identity.access import request_scope
from jineng.web.assessment.common import (
    TICKET_ROLES,
    WORKER,
    json_answer,
    json_body,
    json_error,
    user_of,
)
from jineng.web.guards import page


def _own(request: HttpRequest, pk: int) -> Registration:
    try:
        return access_own_registration(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None


def _attempt(registration: Registration) -> Attempt | None:
    return (
        Attempt.objects.filter(registration=registration)
        .select_related("registration__session__organisation", "paper")
        .first()
    )


@page(roles=WORKER)
def mine(request: HttpRequest) -> HttpResponse:
    rows = selectors_web.my_registrations(user=user_of(request), scope=request_scope(request))
    return render(request, "assessment/mine.html", {"rows": rows})


@page(roles=TICKET_ROLES)
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket PDF, to the candidate and to the organisation's staff."""
    try:
        registration = access_registration_by_id(user_of(request), pk, scope=request_scope(request))
    except NotFound as err:
        raise Http404(err.message) from None
    data = ticket_pdf(registration, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="ticket-{ticket_number(registration)}.pdf"'
    )
    return response


def _state(attempt: Attempt | None, registration: Registration) -> dict[str, Any]:
    session = registration.session
    if attempt is None:
        return {"status": "none", "status_label": "待核验身份", "remaining_seconds": 0}
    attempt = attempt_current(attempt=attempt)
    return {
        "status": attempt.status,
        "status_label": attempt.get_status_display(),
        "remaining_seconds": remaining_seconds(attempt),
        "starts_in_seconds": max(0, int((session.starts_at - timezone.now()).total_seconds())),
        "answers": {str(e): s for e, s in attempt.answers.values_list("entry_id", "seq")},
    }


@page(roles=WORKER)
def exam(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own(request, pk)
    attempt = _attempt(registration)
    if attempt is not None:
        attempt = attempt_current(attempt=attempt)
    sitting = sitting_of(attempt=attempt) if attempt is not None else None
    session = registration.session
    return render(
        request,
        "assessment/exam.html",
        {
            "registration": registration,
            "session": session,
            "attempt": attempt,
            "sitting": sitting,
            "starts_in": max(0, int((session.starts_at - timezone.now()).total_seconds())),
            "max_seq": max((i.seq for i in sitting.items), default=0) if sitting else 0,
        },
    )


@page(roles=WORKER)
@require_POST
def exam_identify(request: HttpRequest, pk: int) -> HttpResponse:
    """The live face check (a photo taken on the phone) as the identity check."""
    registration = _own(request, pk)
    upload = request.FILES.get("image")
    try:
        attempt_admit(
            actor=user_of(request),
            registration=registration,
            method=IdentityMethod.FACE,
            image=upload.read() if upload is not None else None,
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, "身份核验通过")
    return HttpResponseRedirect(reverse("assessment:exam", args=[registration.pk]))


@page(roles=WORKER)
@require_POST
def exam_start(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own(request, pk)
    try:
        attempt = attempt_start(actor=user_of(request), registration=registration)
    except DomainError as err:
        return json_error(err)
    return json_answer(_state(attempt, registration))


@page(roles=WORKER)
def exam_state(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own(request, pk)
    return json_answer(_state(_attempt(registration), registration))


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@page(roles=WORKER)
@require_POST
def exam_answer(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own(request, pk)
    attempt = _attempt(registration)
    try:
        if attempt is None:
            raise DomainError("attempt", "尚未开始答题")
        data = json_body(request)
        entry, seq = _whole(data.get("entry")), _whole(data.get("seq"))
        if entry is None or seq is None:
            raise DomainError("entry", "题目或序号不正确")
        ack = answer_save(
            actor=user_of(request),
            attempt=attempt,
            entry_id=entry,
            response=data.get("response"),
            seq=seq,
        )
    except DomainError as err:
        return json_error(err)
    return json_answer(
        {
            "entry": ack.entry_id,
            "seq": ack.seq,
            "stored_seq": ack.stored_seq,
            "applied": ack.applied,
            "remaining_seconds": remaining_seconds(attempt),
        }
    )


@page(roles=WORKER)
@require_POST
def exam_event(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own(request, pk)
    attempt = _attempt(registration)
    try:
        if attempt is None:
            raise DomainError("attempt", "尚未开始答题")
        evidence_record(
            actor=user_of(request), attempt=attempt, kind=str(json_body(request).get("kind"))
        )
    except DomainError as err:
        return json_error(err)
    return json_answer({"recorded": True})


@page(roles=WORKER)
@require_POST
def exam_submit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _own(request, pk)
    attempt = _attempt(registration)
    try:
        if attempt is None or attempt.status == AttemptStatus.ADMITTED:
            raise DomainError("attempt", "尚未开始答题，不能交卷")
        attempt = attempt_submit(actor=user_of(request), attempt=attempt)
    except DomainError as err:
        return json_error(err)
    return json_answer(_state(attempt, registration))


@page(roles=WORKER)
def results(request: HttpRequest) -> HttpResponse:
    rows = selectors_web.my_results(user=user_of(request), scope=request_scope(request))
    return render(request, "assessment/results.html", {"rows": rows})
