"""Bulk import from the browser: upload people, organisations or historical facts (.xlsx/.csv);
the upload becomes a background job (`jineng.imports.jobs`) whose page shows its progress (rows
checked of the total; the page refreshes itself while the job runs), then the dry-run report
(row, column, reason; in update mode every change, old → new), the .xlsx error report, and the
confirmation, which runs the real import as a second job on the same file.

The page offers a template per kind (.xlsx: the accepted columns, a sample row, and a sheet
describing each column) and lists the accepted columns. A job belongs to the account that uploaded
it: anyone else gets 404 for it. Nothing is written before the confirmation, and the real run is
all or nothing unless the user skips the bad rows. The upload is encrypted on disk and deleted on
confirm, on cancel and after 24 hours."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.identity.errors import ValidationFailed
from jineng.identity.roles import IMPORT_ROLES
from jineng.imports import jobs, templates
from jineng.imports.models import ImportJob
from jineng.imports.report import ImportReport
from jineng.web import importing
from jineng.web.guards import page, signed_in_user
from jineng.web.nav import user_roles

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10


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
    user = signed_in_user(request)
    kinds = importing.kinds_for(user_roles(request))
    form = importing.UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        job = jobs.import_job_create(
            actor=user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            update_existing=bool(form.cleaned_data.get("update_existing")),
        )
        return redirect("web:import_report", batch=job.pk)
    allowed = {kind for kind, _ in kinds}
    recent = [j for j in jobs.import_jobs_of(user)[:RECENT_JOBS] if j.kind in allowed]
    columns = [(kind, label, templates.columns_help(kind)) for kind, label in kinds]
    return render(
        request,
        "web/import_upload.html",
        {
            "form": form,
            "jobs": recent,
            "kind_labels": importing.KIND_LABELS,
            "columns": columns,
            "may_update": "people" in allowed,
        },
    )


@page(roles=IMPORT_ROLES)
def template_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    """The .xlsx template of one kind the user may import (404 for any other)."""
    allowed = {k for k, _ in importing.kinds_for(user_roles(request))}
    if kind not in allowed:
        raise Http404
    response = HttpResponse(templates.template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = importing.attachment(
        templates.template_filename(kind), f"{kind}-template.xlsx"
    )
    return response


@page(roles=IMPORT_ROLES)
def report(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    job = jobs.access_import_job(signed_in_user(request), batch)
    stored = jobs.job_report(job)
    context = {
        "batch": batch,
        "job": job,
        "report": stored,
        "outcome": _outcome(job, stored),
        "kind_label": importing.KIND_LABELS[job.kind],
        "can_confirm": jobs.can_confirm(job),
        "can_cancel": jobs.can_cancel(job),
        "expired_message": jobs.EXPIRED_MESSAGE,
    }
    return render(request, "web/import_report.html", context)


@page(roles=IMPORT_ROLES)
def errors_xlsx(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    job = jobs.access_import_job(signed_in_user(request), batch)
    stored = jobs.job_report(job)
    if stored is None:  # still running: there is no report yet
        return redirect("web:import_report", batch=batch)
    response = HttpResponse(stored.to_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = importing.attachment(
        importing.report_filename(job.file_name), "import-report.xlsx"
    )
    return response


@require_POST
@page(roles=IMPORT_ROLES)
def confirm(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    job = jobs.access_import_job(user, batch)
    try:
        jobs.import_job_confirm(actor=user, job=job, skip_bad=request.POST.get("skip_bad") == "1")
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return redirect("web:import_report", batch=batch)


@require_POST
@page(roles=IMPORT_ROLES)
def cancel(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    """Drop the upload: the file is deleted now and nothing is imported."""
    user = signed_in_user(request)
    job = jobs.access_import_job(user, batch)
    try:
        jobs.import_job_cancel(actor=user, job=job)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消导入，上传的文件已删除。"))
    return redirect("web:import_report", batch=batch)
