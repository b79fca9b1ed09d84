"""Uploading historical certificates, mounted at /api/v1/certificates (issue 9 §7): the page's
importer (`jineng.certificates.services.imports.certificates_import`) behind a multipart upload.
The bureau over the record keeper's region only; the keeper is an issuing organisation the caller
may see (404 otherwise). All rows or none: a refused file answers 400 with every row's error,
each naming the row and the column."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from jineng.api.certificates.schemas import ImportedOut, ImportOut
from jineng.api.schemas import ErrorOut
from jineng.certificates.services.imports import ImportRefused, certificates_import
from jineng.core.errors import NotFound
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import request_scope
from jineng.identity.models import User
from jineng.organisations.access import organisations_visible_to

router = Router(tags=["certificates"])

MAX_UPLOAD = 20 * 1024 * 1024


@router.post(
    "/imports",
    response={200: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="导入历史证书（人社部门；全部通过才写入）",
)
def certificates_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    keeper: Form[int],
    source: Form[str],
) -> Any:
    """Columns 证书编号、姓名、证件号码、职业编码、等级、发证机构、发证日期 (a few spellings
    each); `keeper` the organisation that keeps the records, `source` shown on verification as
    “依据<来源>记录”."""
    from jineng.api.root import error_response  # the root imports the routers

    user = request.user
    assert isinstance(user, User)
    scope = request_scope(request)
    found = (
        organisations_visible_to(user, scope=scope)
        .filter(pk=keeper, certificate_issuer__isnull=False)
        .first()
    )
    if found is None:
        raise NotFound("keeper", _("记录保管单位不存在或不在您的查看范围内"))
    if file.size is not None and file.size > MAX_UPLOAD:
        return error_response(
            request, 400, _("文件不能超过20MB"), [("file", _("文件不能超过20MB"))]
        )
    try:
        created = certificates_import(
            actor=user, keeper=found, source=source, file=file.read(), filename=file.name or ""
        )
    except ImportRefused as exc:
        errors = [(r.field, r.message) for r in exc.rows] or [(exc.field, exc.message)]
        return error_response(request, 400, exc.message, errors)
    return {
        "imported": len(created),
        "certificates": [
            ImportedOut(
                number=c.number,
                holder=c.holder_name,
                occupation=c.occupation.name,
                level=CERTIFICATE_LEVELS.get(c.level, c.level),
                issued_on=c.issued_on,
            )
            for c in created
        ],
    }
