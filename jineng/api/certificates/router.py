"""Public certificate verification, mounted at /api/v1/certificates: no log-in, rate-limited per
visitor; the same selectors as the page (`jineng.certificates.selectors`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from jineng.api.certificates.schemas import AlteredOut, VerifyIn, VerifyOut
from jineng.api.schemas import ErrorOut
from jineng.certificates.selectors import Verification, verify_by_number, verify_by_token
from jineng.core.errors import DomainError

router = Router(tags=["certificates"])

ERRORS: dict[int, Any] = {400: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _out(result: Verification) -> VerifyOut:
    return VerifyOut(
        outcome=result.outcome,
        headline=result.headline,
        number=result.number,
        holder=result.holder,
        occupation=result.occupation,
        level=result.level,
        issuer=result.issuer,
        issued_on=result.issued_on,
        revoked_on=result.revoked_on,
        revoked_reason=result.revoked_reason,
        altered=[
            AlteredOut(label=a.label, signed=a.signed, recorded=a.recorded) for a in result.altered
        ],
    )


@router.post(
    "/verify",
    auth=None,
    response={200: VerifyOut, **ERRORS},
    summary="核验职业技能等级证书（无需登录）",
)
def verify(request: HttpRequest, payload: VerifyIn) -> VerifyOut:
    visitor = str(request.META.get("REMOTE_ADDR", ""))
    if payload.token:
        return _out(verify_by_token(token=payload.token, name=payload.name, visitor=visitor))
    if not payload.number or not payload.name:
        raise DomainError("number", "请填写证书编号和持证人姓名，或提供二维码中的签名")
    return _out(verify_by_number(number=payload.number, name=payload.name, visitor=visitor))
