from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Path, Router

from jineng.api.schemas import ErrorOut, RegionChildOut
from jineng.identity.access import request_scope
from jineng.identity.models import User
from jineng.identity.roles import CONSOLE_ROLES
from jineng.organisations import regions as region_reads

router = Router(tags=["regions"])


@router.get(
    "/regions/{code}/children",
    response={200: list[RegionChildOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="下级区域及人员、机构数量",
)
def region_children(
    request: HttpRequest,
    code: Annotated[
        str,
        Path(
            pattern=r"^\d{2,12}$",
            title="区域代码",
            description="行政区划代码或其前缀（如 4419、330500）",
        ),
    ],
) -> Any:
    """For bureau staff and auditors, within their region: the children of `code` with the number
    of people (by residence) and organisations under each."""
    user = request.user
    assert isinstance(user, User)
    scope = request_scope(request)
    if not scope.roles & CONSOLE_ROLES:
        raise PermissionDenied
    region = region_reads.region_in_scope(user=user, code=code, scope=scope)
    return [
        RegionChildOut(
            code=c.code, name=c.name, level=c.level, people=c.people, organisations=c.organisations
        )
        for c in region_reads.region_children_counts(user=user, region=region, scope=scope)
    ]
