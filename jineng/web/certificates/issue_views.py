"""Issuing certificates from a session's final results (the organisation's administrator, or the
bureau over it): the sessions whose results are final, one session's passes with the button that
queues the batch, and the batch's progress page (it reloads itself while the batch runs)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jineng.assessment.access_manage import access_managed_session, managed_sessions
from jineng.assessment.models import ExamSession, PublicationStatus
from jineng.certificates.from_results import session_issue_preview, session_issue_start
from jineng.certificates.models import BatchStatus, IssueBatch
from jineng.certificates.services.common import may_manage_for
from jineng.core.errors import DomainError, NotFound
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import request_scope
from jineng.identity.models import BUREAU_ROLES, Role
from jineng.web.guards import page, signed_in_user

ISSUE_ROLES = frozenset(BUREAU_ROLES | {Role.ORG_ADMIN, Role.SYSADMIN})


def final_sessions(request: HttpRequest) -> list[ExamSession]:
    """Sessions with final results the reader may issue for (newest first, at most 50)."""
    user = signed_in_user(request)
    scope = request_scope(request)
    found = managed_sessions(user, scope=scope).filter(publication__status=PublicationStatus.FINAL)
    return [
        s
        for s in found.order_by("-starts_at")[:50]
        if may_manage_for(user, s.organisation, scope=scope)
    ]


def _session(request: HttpRequest, pk: int) -> ExamSession:
    try:
        session = access_managed_session(signed_in_user(request), pk, scope=request_scope(request))
    except NotFound:
        raise Http404 from None
    if not may_manage_for(signed_in_user(request), session.organisation):
        raise PermissionDenied
    return session


@page(roles=ISSUE_ROLES)
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    rows = [
        {"session": s, "level": CERTIFICATE_LEVELS.get(s.level, s.level)}
        for s in final_sessions(request)
    ]
    return render(request, "certificates/issue_sessions.html", {"rows": rows})


@page(roles=ISSUE_ROLES)
@require_http_methods(["GET", "POST"])
def session_issue(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if request.method == "POST":
        try:
            batch = session_issue_start(actor=signed_in_user(request), session=session)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            return HttpResponseRedirect(reverse("certificates:issue_batch", args=[batch.pk]))
    preview = session_issue_preview(session=session)
    return render(
        request,
        "certificates/issue_session.html",
        {
            "session": session,
            "level": CERTIFICATE_LEVELS.get(session.level, session.level),
            "preview": preview,
        },
    )


@page(roles=ISSUE_ROLES)
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = IssueBatch.objects.select_related("issuer").filter(pk=pk).first()
    if found is None or not may_manage_for(
        signed_in_user(request), found.issuer, scope=request_scope(request)
    ):
        raise Http404
    running = found.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)
    percent = round(100 * found.issued / found.total) if found.total else 0
    return render(
        request,
        "certificates/issue_batch.html",
        {
            "batch": found,
            "running": running,
            "percent": percent,
            "title": _("批量发证进度"),
        },
    )
