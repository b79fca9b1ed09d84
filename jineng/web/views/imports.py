"""Bulk import from the browser: upload people, organisations or historical facts (.xlsx/.csv),
read the dry-run report (row, column, reason), download it as .xlsx, then confirm. The imports
app does the work (`jineng.imports.services`); this page keeps the upload between the steps.

An upload belongs to the session that made it: its id is kept in the session, so another user (or
another session) gets 404 for it. Nothing is written before the confirmation."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jineng.identity.models import User
from jineng.imports.report import ImportReport
from jineng.web import importing
from jineng.web.forms import ImportUploadForm
from jineng.web.guards import page
from jineng.web.nav import IMPORT_ROLES, user_roles

SESSION_KEY = "jineng_imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _batch(request: HttpRequest, batch: uuid.UUID) -> dict[str, Any]:
    batches: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    meta = batches.get(str(batch))
    if meta is None or not Path(meta["path"]).exists():
        raise Http404
    if not user_roles(request) & importing.KIND_ROLES[meta["kind"]]:
        raise PermissionDenied
    return meta


def _stored_report(meta: dict[str, Any]) -> ImportReport:
    return importing.report_from_dict(json.loads(Path(meta["report"]).read_text("utf-8")))


def _forget(request: HttpRequest, batch: uuid.UUID) -> None:
    batches: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    meta = batches.pop(str(batch), None)
    request.session[SESSION_KEY] = batches
    if meta is not None:
        for key in ("path", "report"):
            Path(meta[key]).unlink(missing_ok=True)


@page(roles=IMPORT_ROLES)
def upload(request: HttpRequest) -> HttpResponse:
    kinds = importing.kinds_for(user_roles(request))
    form = ImportUploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        f = form.cleaned_data["file"]
        batch = uuid.uuid4()
        suffix = ".xlsx" if f.name.lower().endswith(".xlsx") else ".csv"
        path = _upload_dir() / f"{batch}{suffix}"
        with path.open("wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
        report = importing.run(
            kind=kind, actor=_user(request), path=path, filename=f.name, dry_run=True
        )
        report_path = _upload_dir() / f"{batch}.report.json"
        report_path.write_text(json.dumps(report.as_dict(), ensure_ascii=False), "utf-8")
        batches = request.session.get(SESSION_KEY, {})
        batches[str(batch)] = {
            "kind": kind,
            "name": f.name,
            "path": str(path),
            "report": str(report_path),
        }
        request.session[SESSION_KEY] = batches
        return redirect("web:import_report", batch=batch)
    return render(request, "web/import_upload.html", {"form": form})


@page(roles=IMPORT_ROLES)
def report(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    meta = _batch(request, batch)
    stored = _stored_report(meta)
    context = {
        "batch": batch,
        "meta": meta,
        "report": stored,
        "kind_label": importing.KIND_LABELS[meta["kind"]],
        "can_confirm": not stored.file_error and stored.good_rows > 0,
    }
    return render(request, "web/import_report.html", context)


@page(roles=IMPORT_ROLES)
def errors_xlsx(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    meta = _batch(request, batch)
    response = HttpResponse(_stored_report(meta).to_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-report-{batch}.xlsx"'
    return response


@require_POST
@page(roles=IMPORT_ROLES)
def confirm(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    meta = _batch(request, batch)
    skip_bad = request.POST.get("skip_bad") == "1"
    result = importing.run(
        kind=meta["kind"],
        actor=_user(request),
        path=Path(meta["path"]),
        filename=meta["name"],
        dry_run=False,
        skip_bad=skip_bad,
    )
    if result.file_error or result.write_error or (result.rejected_rows and not skip_bad):
        # Nothing was written (all or nothing); keep the upload so the user can choose again.
        messages.error(request, result.outcome)
        return redirect("web:import_report", batch=batch)
    _forget(request, batch)
    messages.success(request, result.outcome)
    return redirect("web:imports")
