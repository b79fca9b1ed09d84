"""Uploading a spreadsheet of items into a bank, mounted at /api/v1/assessment/manage (issue 9
§1, §10): the page's importer (`jineng.assessment.importing.items_import`) behind a multipart
upload. All or nothing: with any bad row nothing is written and the answer (400) lists every
row's problem in Chinese, naming the row and the column (`第3行 答案（Z）：…`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from jineng.api.assessment.manage_schemas import ItemImportOut
from jineng.api.schemas import ErrorOut
from jineng.assessment import access
from jineng.assessment.importing import items_import
from jineng.identity.access import request_scope
from jineng.identity.models import User

router = Router(tags=["assessment-manage"])

MAX_UPLOAD = 20 * 1024 * 1024
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def refused(request: HttpRequest, detail: str, errors: list[tuple[str, str]]) -> HttpResponse:
    from jineng.api.root import error_response  # the root imports the routers

    return error_response(request, 400, detail, errors)


@router.post(
    "/banks/{bank_id}/items/import",
    response={200: ItemImportOut, **ERRORS},
    summary="上传试题表格导入题库（全部通过才写入）",
)
def items_upload(
    request: HttpRequest,
    bank_id: int,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> Any:
    """An .xlsx (or .csv) in the template's columns; `dry_run` checks without writing. The items
    are drafts awaiting review, each audited."""
    user = request.user
    assert isinstance(user, User)
    bank = access.access_bank_by_id(user, bank_id, scope=request_scope(request))
    if file.size is not None and file.size > MAX_UPLOAD:
        return refused(request, _("文件不能超过20MB"), [("file", _("文件不能超过20MB"))])
    report = items_import(
        actor=user, bank=bank, file=file, filename=file.name or "", dry_run=dry_run
    )
    if report.file_error:
        return refused(request, report.file_error, [("file", report.file_error)])
    problems = [i for i in report.issues if i.severity == "error"]
    if problems:
        errors = [(i.column, str(i)) for i in problems]
        detail = _("未导入任何试题，请改正后重新上传：") + "；".join(m for _f, m in errors[:20])
        return refused(request, detail, errors)
    return {
        "total_rows": report.total_rows,
        "written": report.written,
        "dry_run": report.dry_run,
        "warnings": [str(i) for i in report.issues if i.severity != "error"],
    }
