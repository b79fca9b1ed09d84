"""Bulk import from the browser: upload people, organisations or historical facts (.xlsx/.csv);
the upload becomes a background job (`jineng.imports.jobs`) whose page shows its progress (rows
checked of the total; the page refreshes itself while the job runs), then the dry-run report
(row, column, reason), the .xlsx error report, and the confirmation, which runs the real import as
a second job on the same file.

A job belongs to the account that uploaded it: anyone else gets 404 for it. Nothing is written
before the confirmation, and the real run is all or nothing unless the user skips the bad rows."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jineng.identity.errors import ValidationFailed
from jineng.identity.models import User
from jineng.imports import jobs
from jineng.imports.models import ImportJob
from jineng.imports.report import ImportReport
from jineng.web import importing
from jineng.web.forms import ImportUploadForm
from jineng.web.guards import page
from jineng.web.nav import IMPORT_ROLES, user_roles

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _outcome(job: ImportJob, report: ImportReport | None) -> str:
    """Which result sentence the page shows (translated in the template)."""
    if report is None:
        return ""
    if report.file_error:
        return "file_error"
    if report.write_error:
        return "write_error"
    if report.dry_run:
        return "dry_run"
    if report.rejected_rows and not report.skip_bad:
        return "refused"
    return "imported"


@page(roles=IMPORT_ROLES)
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kinds = importing.kinds_for(user_roles(request))
    form = ImportUploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        job = jobs.import_job_create(
            actor=user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
        )
        return redirect("web:import_report", batch=job.pk)
    allowed = {kind for kind, _ in kinds}
    recent = [j for j in jobs.import_jobs_of(user)[:RECENT_JOBS] if j.kind in allowed]
    return render(
        request,
        "web/import_upload.html",
        {"form": form, "jobs": recent, "kind_labels": importing.KIND_LABELS},
    )


@page(roles=IMPORT_ROLES)
def report(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    job = jobs.access_import_job(_user(request), batch)
    stored = jobs.job_report(job)
    context = {
        "batch": batch,
        "job": job,
        "report": stored,
        "outcome": _outcome(job, stored),
        "kind_label": importing.KIND_LABELS[job.kind],
        "can_confirm": jobs.can_confirm(job),
    }
    return render(request, "web/import_report.html", context)


@page(roles=IMPORT_ROLES)
def errors_xlsx(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    job = jobs.access_import_job(_user(request), batch)
    stored = jobs.job_report(job)
    if stored is None:  # still running: there is no report yet
        return redirect("web:import_report", batch=batch)
    response = HttpResponse(stored.to_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-report-{batch}.xlsx"'
    return response


@require_POST
@page(roles=IMPORT_ROLES)
def confirm(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    user = _user(request)
    job = jobs.access_import_job(user, batch)
    try:
        jobs.import_job_confirm(actor=user, job=job, skip_bad=request.POST.get("skip_bad") == "1")
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return redirect("web:import_report", batch=batch)
