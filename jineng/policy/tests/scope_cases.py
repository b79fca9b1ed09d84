"""The policy app's pages and API operations in the scope matrix (`jineng.web.tests.scope`):
side 甲 (Dongguan 441900) and side 乙 (Huzhou 330500) must never reach each other's people,
organisations or simulation runs."""

from __future__ import annotations

import datetime as dt

from jineng.identity.models import BUREAU_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.policy.services import simulation_start
from jineng.web.tests.scope import GET, LIST_OK, POST, Case, role_api, role_page
from jineng.web.tests.world import SIDE_ROLES, Side

EVERYONE = frozenset(SIDE_ROLES)
ON = "2024-06-30"


def _run_of(side: Side) -> int:
    """A run started by the side's reviewer (queued: tests do not run on-commit callbacks)."""
    run = simulation_start(actor=side.users[Role.BUREAU_REVIEWER], on=dt.date(2024, 6, 30))
    return run.pk


def _explain(kind: str, pk: int) -> dict[str, object]:
    return {"subject": {"type": kind, "id": pk}, "on": ON}


PAGES = {
    "policy/": Case(own=lambda s: GET("/policy/"), own_status=role_page(EVERYONE)),
    "policy/items/<str:item_id>/": Case(
        own=lambda s: GET("/policy/items/hz.worldskills.medal/"), own_status=role_page(EVERYONE)
    ),
    "policy/items/<str:item_id>/source.yaml": Case(
        own=lambda s: GET("/policy/items/hz.worldskills.medal/source.yaml"),
        own_status=role_page(CONSOLE_ROLES),
    ),
    "policy/items/<str:item_id>/parameters/": Case(
        own=lambda s: GET("/policy/items/hz.worldskills.medal/parameters/"),
        own_status=role_page(CONSOLE_ROLES),
    ),
    "policy/mine/others/": Case(
        own=lambda s: GET(f"/policy/mine/others/?on={ON}"),
        own_status=role_page(frozenset({Role.WORKER})),
    ),
    "policy/explain/": Case(
        own=lambda s: GET(f"/policy/explain/?person={s.person.pk}&on={ON}"),
        own_status=role_page(CONSOLE_ROLES),
        shows_own=frozenset(CONSOLE_ROLES),
        foreign=lambda o: [
            GET(f"/policy/explain/?person={o.person.pk}"),
            GET(f"/policy/explain/?organisation={o.org.pk}"),
            GET(f"/policy/explain/?q={o.name_part}", ok=LIST_OK),
            GET(f"/policy/explain/?org_q={o.org.name[:2]}", ok=LIST_OK),
            POST("/policy/explain/", {"id_number": o.id_number}, ok=LIST_OK),
        ],
    ),
    "policy/mine/": Case(
        own=lambda s: GET(f"/policy/mine/?on={ON}"),
        own_status=role_page(frozenset({Role.WORKER})),
        shows_own=frozenset({Role.WORKER}),
    ),
    "policy/simulate/": Case(
        own=lambda s: GET("/policy/simulate/"), own_status=role_page(CONSOLE_ROLES)
    ),
    "policy/simulate/<int:pk>/": Case(
        own=lambda s: GET(f"/policy/simulate/{_run_of(s)}/"),
        own_status=role_page(CONSOLE_ROLES),
        foreign=lambda o: [GET(f"/policy/simulate/{_run_of(o)}/")],
    ),
}

API = {
    ("POST", "/api/v1/policy/explain"): Case(
        own=lambda s: POST("/api/v1/policy/explain", _explain("person", s.person.pk)),
        # the side's person is the side worker's own person
        own_status=role_api(lambda r: 200 if r in CONSOLE_ROLES | {Role.WORKER} else 403),
        foreign=lambda o: [
            POST("/api/v1/policy/explain", _explain("person", o.person.pk)),
            POST("/api/v1/policy/explain", _explain("organisation", o.org.pk)),
        ],
    ),
    ("POST", "/api/v1/policy/simulations"): Case(
        own=lambda s: POST("/api/v1/policy/simulations", {"on": ON}),
        own_status=role_api(lambda r: 202 if r in BUREAU_ROLES else 403),
    ),
    ("GET", "/api/v1/policy/adjustable-items"): Case(
        own=lambda s: GET("/api/v1/policy/adjustable-items"),
        own_status=role_api(lambda r: 200 if r in BUREAU_ROLES else 403),
    ),
    ("GET", "/api/v1/policy/simulations/{run_id}"): Case(
        own=lambda s: GET(f"/api/v1/policy/simulations/{_run_of(s)}"),
        own_status=role_api(lambda r: 200 if r in CONSOLE_ROLES else 404),
        foreign=lambda o: [GET(f"/api/v1/policy/simulations/{_run_of(o)}")],
    ),
}
