from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jineng.api.pagination import MappedQuerySet, PageNumberPagination
from jineng.api.schemas import ErrorOut, OrganisationDetailOut, OrganisationOut
from jineng.identity.models import User
from jineng.organisations.access import access_organisation_by_id, organisations_visible_to
from jineng.organisations.models import Organisation, OrgKind
from jineng.reference.models import region_prefix

router = Router(tags=["organisations"])


class OrganisationFilter(Schema):
    q: str | None = Field(None, max_length=200, title="名称包含")
    kind: OrgKind | None = Field(None, title="机构类型")
    region: str | None = Field(
        None, max_length=12, title="所在地", description="行政区划代码或其前缀（如 4419）"
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def organisation_out(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.pk,
        "kind": org.kind,
        "name": org.name,
        "uscc": org.uscc,
        "uscc_status": org.uscc_status,
        "region": org.region_id,
    }


@router.get("/organisations", response=list[OrganisationOut], summary="机构列表")
@paginate(PageNumberPagination, page_size=50)
def organisations_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> Any:
    orgs = organisations_visible_to(_user(request)).order_by("name", "pk")
    if filters.q:
        orgs = orgs.filter(name__contains=filters.q)
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    if filters.region:
        orgs = orgs.filter(region__code__startswith=region_prefix(filters.region))
    return MappedQuerySet(orgs, organisation_out)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="机构详情",
)
def organisation_detail(request: HttpRequest, organisation_id: int) -> Any:
    org = access_organisation_by_id(_user(request), organisation_id)
    return {
        **organisation_out(org),
        "ownership": org.ownership,
        "uscc_review_reason": org.uscc_review_reason,
        "designated_training": org.designated_training,
        "designated_from": org.designated_from,
        "designated_to": org.designated_to,
        "self_evaluation_filed": org.self_evaluation_filed,
        "self_evaluation_filed_on": org.self_evaluation_filed_on,
    }
