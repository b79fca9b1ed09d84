"""The claims API, mounted at /api/v1/claims: the caller's claims (scoped as the pages are) and
one claim with its clause and history. Access is decided by `jineng.claims.access` (404 out of
scope)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from jineng.api.claims.schemas import ClaimDetailOut, ClaimOut
from jineng.api.pagination import MappedQuerySet, PageNumberPagination
from jineng.api.schemas import ErrorOut
from jineng.claims import selectors
from jineng.claims.access import access_claim_by_id
from jineng.claims.models import Claim
from jineng.identity.access import scope_of
from jineng.identity.models import User
from jineng.policy.engine.money import format_yuan

router = Router(tags=["claims"])


class ClaimFilter(Schema):
    status: str = ""
    q: str = ""


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def claim_out(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "beneficiary": claim.beneficiary_name,
        "item_title": claim.item_title,
        "kind": claim.kind,
        "kind_label": claim.get_kind_display(),
        "status": claim.status,
        "status_label": claim.get_status_display(),
        "amount_fen": claim.payable_fen,
        "amount": format_yuan(claim.payable_fen),
        "due_on": claim.due_on,
        "publicity_ends": claim.publicity_ends,
        "payee_account": claim.masked_payee_account,
    }


@router.get(
    "",
    response={200: list[ClaimOut], 401: ErrorOut},
    summary="待遇申领列表（按查看范围）",
)
@paginate(PageNumberPagination, page_size=50)
def claims_list(request: HttpRequest, filters: Query[ClaimFilter]) -> Any:
    user = _user(request)
    claims = selectors.claims_queue(user, scope=scope_of(user), status=filters.status, q=filters.q)
    return MappedQuerySet(claims, claim_out)


@router.get(
    "/{claim_id}",
    response={200: ClaimDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="待遇申领详情：政策依据与办理记录",
)
def claim_detail(request: HttpRequest, claim_id: int) -> Any:
    claim = access_claim_by_id(_user(request), claim_id)
    citation = claim.citation or {}
    return {
        **claim_out(claim),
        "citation": {
            k: str(citation.get(k, "")) for k in ("source", "section", "article", "quote")
        },
        "history": [
            {"at": h.at, "what": h.what, "reason": h.reason} for h in selectors.claim_history(claim)
        ],
    }
