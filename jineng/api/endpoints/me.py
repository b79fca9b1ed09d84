from django.http import HttpRequest
from ninja import Router

from jineng.api.schemas import MeOut, RoleOut
from jineng.identity.models import Role, User

router = Router(tags=["me"])


@router.get("/me", response=MeOut, summary="当前账号")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    labels = dict(Role.choices)
    roles = [
        RoleOut(
            role=r.role,
            label=str(labels.get(r.role, r.role)),
            organisation_id=r.organisation_id,
            region=r.region_id,
        )
        for r in user.roles.order_by("pk")
    ]
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        display_name=user.display_name,
        person_id=user.person_id,
        roles=roles,
    )
