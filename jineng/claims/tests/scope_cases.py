"""The claims pages in the scope matrix (`jineng.web.tests.scope`): side 甲 (Dongguan) and side 乙
(Huzhou) never reach each other's claims."""

from __future__ import annotations

import datetime as dt

from jineng.claims.models import Claim
from jineng.identity.models import ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.web.tests.scope import ANON, GET, LIST_OK, POST, Case, role_api, role_page
from jineng.web.tests.world import Side

ON = dt.date(2024, 6, 30)


def _claim_of(side: Side) -> int:
    """A claim for the side's person (the side worker's own), in the side's home region."""
    person = side.person
    claim = Claim.objects.create(
        person=person,
        subject_key=f"P{person.pk}",
        item_id="scope.item",
        item_title="技能提升补贴",
        fact_id=f"scope{Claim.objects.count() + 1}",
        source="automatic",
        region=side.home,
        trigger_date=ON,
        amount_fen=150_000,
        min_fen=150_000,
        max_fen=150_000,
        due_on=ON,
        evaluated_on=ON,
    )
    return claim.pk


def _detail_status(role: str) -> int:
    if role == ANON:
        return 302
    return 404 if role in ORG_ROLES else 200


PAGES = {
    "claims/": Case(
        own=lambda s: GET(f"/claims/?q={s.name_part}"),
        own_status=role_page(CONSOLE_ROLES),
        foreign=lambda o: [
            GET(f"/claims/?q={o.name_part}", ok=LIST_OK),
            POST("/claims/", {"action": "review", "claim": [str(_claim_of(o))]}),
        ],
    ),
    "claims/mine/": Case(
        own=lambda s: GET("/claims/mine/"), own_status=role_page(frozenset({Role.WORKER}))
    ),
    "claims/inbox/": Case(
        own=lambda s: GET("/claims/inbox/"), own_status=role_page(frozenset({Role.WORKER}))
    ),
    "claims/<int:pk>/": Case(
        own=lambda s: GET(f"/claims/{_claim_of(s)}/"),
        own_status=_detail_status,
        shows_own=frozenset(CONSOLE_ROLES | {Role.WORKER}),
        foreign=lambda o: [
            GET(f"/claims/{_claim_of(o)}/"),
            POST(f"/claims/{_claim_of(o)}/", {"account": "6222020200112233445"}),
        ],
    ),
}


API = {
    ("GET", "/api/v1/claims"): Case(
        own=lambda s: GET(f"/api/v1/claims?q={s.name_part}"),
        own_status=role_api(lambda r: 200),
        foreign=lambda o: [GET(f"/api/v1/claims?q={o.name_part}", ok=LIST_OK)],
    ),
    ("GET", "/api/v1/claims/{claim_id}"): Case(
        own=lambda s: GET(f"/api/v1/claims/{_claim_of(s)}"),
        own_status=role_api(lambda r: 404 if r in ORG_ROLES else 200),
        shows_own=frozenset(CONSOLE_ROLES | {Role.WORKER}),
        foreign=lambda o: [GET(f"/api/v1/claims/{_claim_of(o)}")],
    ),
}
