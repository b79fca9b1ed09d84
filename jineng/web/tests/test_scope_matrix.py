"""The role/scope matrix: every page and every API operation, asked by every role of side 甲
(organisation A, region 441900) and side 乙 (organisation B, region 330500), own rows and the other
side's rows. A user of one organisation or region gets 403/404 for the other's objects, and no
answer of theirs contains the other side's name, masked or plain ID number, organisation name or
audit entries.

The list of URLs comes from the URLconf and the OpenAPI schema: a page or endpoint added without an
entry fails `test_every_*_has_a_matrix_entry`. Other apps describe their own URLs in
`jineng/<app>/tests/scope_cases.py` (see `jineng.web.tests.scope`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jineng.api.root import api
from jineng.api.services import api_token_issue
from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Role, User
from jineng.identity.roles import CONSOLE_ROLES, IMPORT_ROLES
from jineng.web.tests.scope import (
    ANON,
    GET,
    LIST_OK,
    POST,
    ROLES,
    Case,
    Req,
    collect_cases,
    role_api,
    role_page,
)
from jineng.web.tests.world import SIDE_ROLES, Side, World, login

REVEAL_PAGE_ROLES = frozenset(BUREAU_ROLES)
REVEAL = {"field": "id_number", "reason": "矩阵测试核查"}
RANDOM_BATCH = "00000000-0000-4000-8000-000000000000"

WEB_PAGES: dict[str, Case] = {
    "": Case(own=lambda s: GET("/"), public=True),
    "login/": Case(own=lambda s: GET("/login/"), public=True),
    "logout/": Case(own=None, public=True),  # POST only; it shows nobody
    # The identity app's TOTP step and enrolment: they show the account's own device, nobody else.
    "login/otp/": Case(own=lambda s: GET("/login/otp/"), public=True),
    "login/otp/setup/": Case(own=lambda s: GET("/login/otp/setup/"), public=True),
    "i18n/setlang/": Case(own=None, public=True),  # Django's language switch
    "me/": Case(
        own=lambda s: GET("/me/"),
        own_status=role_page(frozenset({Role.WORKER})),
        shows_own=frozenset({Role.WORKER}),
    ),
    "org/people/": Case(
        own=lambda s: GET("/org/people/"),
        own_status=role_page(ORG_ROLES),
        shows_own=ORG_ROLES,
        foreign=lambda o: [GET(f"/org/people/?q={o.name_part}", ok=LIST_OK)],
    ),
    "console/": Case(
        own=lambda s: GET(f"/console/?q={s.person.name}"),
        own_status=role_page(CONSOLE_ROLES),
        shows_own=CONSOLE_ROLES,
        foreign=lambda o: [
            GET(f"/console/?q={o.name_part}", ok=LIST_OK),
            POST("/console/", {"id_type": "resident", "id_number": o.id_number}, ok=LIST_OK),
        ],
    ),
    "console/regions/": Case(
        own=lambda s: GET("/console/regions/"), own_status=role_page(CONSOLE_ROLES)
    ),
    "console/regions/<str:code>/": Case(
        own=lambda s: GET(f"/console/regions/{s.home}/"),
        own_status=role_page(CONSOLE_ROLES),
        shows_own=CONSOLE_ROLES,
        foreign=lambda o: [
            GET(f"/console/regions/{o.region}/"),
            GET(f"/console/regions/{o.home}/"),
            GET(f"/console/regions/{o.home}/?tab=organisations"),
        ],
    ),
    "console/people/<int:pk>/": Case(
        own=lambda s: GET(f"/console/people/{s.person.pk}/"),
        own_status=role_page(CONSOLE_ROLES),
        shows_own=CONSOLE_ROLES,
        foreign=lambda o: [GET(f"/console/people/{o.person.pk}/")],
    ),
    "console/people/<int:pk>/reveal/": Case(
        own=lambda s: POST(f"/console/people/{s.person.pk}/reveal/", REVEAL),
        own_status=role_page(REVEAL_PAGE_ROLES),
        shows_own=REVEAL_PAGE_ROLES,
        foreign=lambda o: [POST(f"/console/people/{o.person.pk}/reveal/", REVEAL)],
    ),
    "audit/": Case(own=lambda s: GET("/audit/"), own_status=role_page(CONSOLE_ROLES)),
    "imports/": Case(own=lambda s: GET("/imports/"), own_status=role_page(IMPORT_ROLES)),
    # An upload belongs to the session that made it: anyone else's batch id is 404.
    "imports/<uuid:batch>/": Case(
        own=lambda s: GET(f"/imports/{RANDOM_BATCH}/"),
        own_status=role_page(IMPORT_ROLES, ok=404),
    ),
    "imports/<uuid:batch>/errors.xlsx": Case(
        own=lambda s: GET(f"/imports/{RANDOM_BATCH}/errors.xlsx"),
        own_status=role_page(IMPORT_ROLES, ok=404),
    ),
    "imports/<uuid:batch>/confirm/": Case(
        own=lambda s: POST(f"/imports/{RANDOM_BATCH}/confirm/"),
        own_status=role_page(IMPORT_ROLES, ok=404),
    ),
    "imports/<uuid:batch>/cancel/": Case(
        own=lambda s: POST(f"/imports/{RANDOM_BATCH}/cancel/"),
        own_status=role_page(IMPORT_ROLES, ok=404),
    ),
    # The blank templates show columns and a sample row, nobody real.
    "imports/template/<str:kind>.xlsx": Case(
        own=lambda s: GET("/imports/template/people.xlsx"),
        own_status=role_page(IMPORT_ROLES),
    ),
    "org/people/<int:pk>/": Case(
        own=lambda s: GET(f"/org/people/{s.person.pk}/"),
        own_status=role_page(ORG_ROLES),
        shows_own=ORG_ROLES,
        foreign=lambda o: [GET(f"/org/people/{o.person.pk}/")],
    ),
    # The export is a spreadsheet of the organisation's own people (tested for content and masks
    # in test_org_people.py); here: who may download it.
    "org/people/export.xlsx": Case(
        own=lambda s: GET("/org/people/export.xlsx"), own_status=role_page(ORG_ROLES)
    ),
    # The OpenAPI document describes endpoints, not people.
    "api/v1/openapi.json": Case(own=lambda s: GET("/api/v1/openapi.json"), public=True),
    # The API's catch-all: any unknown /api/v1/… URL answers 404 JSON, showing nobody.
    "api/v1/^.*$": Case(own=None, public=True),
}

SEES_OWN_PERSON = frozenset(SIDE_ROLES)  # worker: self; staff: employee; bureau, auditor: region
SEES_OWN_ORG = frozenset(ORG_ROLES | BUREAU_ROLES | {Role.AUDITOR})
API_REVEAL_ROLES = frozenset(BUREAU_ROLES | {Role.WORKER})  # a worker reveals their own number
# Exact search by number: whoever may reveal (a worker finds only themself); others get 403.
DOCUMENT_SEARCH_ROLES = API_REVEAL_ROLES


def _in(roles: frozenset[str], yes: int = 200, no: int = 403) -> Callable[[str], int]:
    return lambda role: yes if role in roles else no


WEB_API: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/health"): Case(own=lambda s: GET("/api/v1/health"), public=True),
    # Token issue is exercised in jineng/api/tests/test_token.py (lockout, TOTP); it shows nobody.
    ("POST", "/api/v1/auth/token"): Case(own=None, public=True),
    ("GET", "/api/v1/me"): Case(
        own=lambda s: GET("/api/v1/me"), own_status=role_api(_in(SEES_OWN_PERSON))
    ),
    ("GET", "/api/v1/people"): Case(
        own=lambda s: GET("/api/v1/people"),
        own_status=role_api(_in(SEES_OWN_PERSON)),
        shows_own=SEES_OWN_PERSON,
        foreign=lambda o: [
            GET(f"/api/v1/people?q={o.name_part}", ok=frozenset({200})),
            # a number in the URL is refused whoever asks (it would land in access logs)
            GET(f"/api/v1/people?id_number={o.id_number}", ok=frozenset({400})),
            GET(f"/api/v1/people?region={o.home}", ok=frozenset({200})),
        ],
    ),
    ("POST", "/api/v1/people/search"): Case(
        own=lambda s: POST("/api/v1/people/search", {"id_number": s.id_number}),
        own_status=role_api(_in(DOCUMENT_SEARCH_ROLES)),
        shows_own=DOCUMENT_SEARCH_ROLES,
        foreign=lambda o: [
            POST("/api/v1/people/search", {"id_number": o.id_number}, ok=frozenset({200, 403}))
        ],
    ),
    ("GET", "/api/v1/people/{person_id}"): Case(
        own=lambda s: GET(f"/api/v1/people/{s.person.pk}"),
        own_status=role_api(_in(SEES_OWN_PERSON)),
        shows_own=SEES_OWN_PERSON,
        foreign=lambda o: [GET(f"/api/v1/people/{o.person.pk}", ok=frozenset({404}))],
    ),
    ("GET", "/api/v1/people/{person_id}/facts"): Case(
        own=lambda s: GET(f"/api/v1/people/{s.person.pk}/facts"),
        own_status=role_api(_in(SEES_OWN_PERSON)),
        foreign=lambda o: [GET(f"/api/v1/people/{o.person.pk}/facts", ok=frozenset({404}))],
    ),
    ("POST", "/api/v1/people/{person_id}/reveal"): Case(
        own=lambda s: POST(f"/api/v1/people/{s.person.pk}/reveal", REVEAL),
        own_status=role_api(_in(API_REVEAL_ROLES)),
        foreign=lambda o: [POST(f"/api/v1/people/{o.person.pk}/reveal", REVEAL)],
    ),
    ("GET", "/api/v1/organisations"): Case(
        own=lambda s: GET("/api/v1/organisations"),
        own_status=role_api(_in(SEES_OWN_PERSON)),
        foreign=lambda o: [GET(f"/api/v1/organisations?q={o.org.name}", ok=frozenset({200}))],
    ),
    ("GET", "/api/v1/organisations/{organisation_id}"): Case(
        own=lambda s: GET(f"/api/v1/organisations/{s.org.pk}"),
        own_status=role_api(_in(SEES_OWN_ORG, no=404)),
        foreign=lambda o: [GET(f"/api/v1/organisations/{o.org.pk}", ok=frozenset({404}))],
    ),
    ("GET", "/api/v1/regions/{code}/children"): Case(
        own=lambda s: GET(f"/api/v1/regions/{s.region}/children"),
        own_status=role_api(_in(CONSOLE_ROLES)),
        foreign=lambda o: [GET(f"/api/v1/regions/{o.region}/children")],
    ),
}


def _with_other_apps(own: dict[Any, Case], name: str) -> dict[Any, Case]:
    """This app's cases and those other apps describe in their `tests/scope_cases.py`."""
    extra = collect_cases(name)
    clash = set(own) & set(extra)
    assert not clash, f"described twice: {sorted(clash)}"
    return {**own, **extra}


PAGES = _with_other_apps(WEB_PAGES, "PAGES")
API = _with_other_apps(WEB_API, "API")


# --- discovering every URL ------------------------------------------------------------------


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, route)
        else:
            yield route


def page_routes() -> set[str]:
    """Every route of the URLconf except the admin (checked as a whole below) and the ninja API's
    operations (checked against the OpenAPI schema)."""
    routes = set()
    api_paths = {path for _, path in api_operations()}
    for route in _routes(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        as_openapi = "/" + route.replace("<", "{").replace(">", "}")
        if as_openapi in api_paths:
            continue
        if route == "api/v1/":  # ninja's index of the API: no data (see test below)
            continue
        routes.add(route)
    return routes


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


@pytest.mark.django_db
def test_the_api_root_shows_nothing() -> None:
    assert Client().get("/api/v1/").status_code == 404


HOW_TO_ADD = (
    "Describe each new URL in jineng/<app>/tests/scope_cases.py (PAGES / API dicts of Case; see "
    "the docstring of jineng.web.tests.scope)"
)


def test_every_page_has_a_matrix_entry() -> None:
    assert page_routes() == set(PAGES), (
        f"missing from PAGES: {sorted(page_routes() - set(PAGES))}; "
        f"stale in PAGES: {sorted(set(PAGES) - page_routes())}. {HOW_TO_ADD}"
    )


def test_every_api_operation_has_a_matrix_entry() -> None:
    assert api_operations() == set(API), (
        f"missing from API: {sorted(api_operations() - set(API))}; "
        f"stale in API: {sorted(set(API) - api_operations())}. {HOW_TO_ADD}"
    )


# --- running the matrix ---------------------------------------------------------------------


def _client_for(user: User | None, *, api_call: bool) -> Client:
    client = Client()
    if user is None:
        return client
    if api_call:
        _, raw = api_token_issue(user=user)
        return Client(headers={"authorization": f"Bearer {raw}"})
    return login(client, user)


def _send(client: Client, req: Req) -> Any:
    if req.method == "GET":
        return client.get(req.path)
    if req.method == "DELETE":
        return client.delete(req.path)
    uploads = any(hasattr(v, "read") for v in (req.data or {}).values())
    if req.path.startswith("/api/") and not uploads:  # a file goes as multipart
        return client.post(req.path, req.data or {}, content_type="application/json")
    return client.post(req.path, req.data or {})


def _text(resp: Any) -> str:
    """The body as text; JSON is decoded so Chinese text escaped as \\uXXXX is compared too."""
    raw: str = resp.content.decode("utf-8", "replace")
    if resp.get("Content-Type", "").startswith("application/json"):
        return raw + json.dumps(resp.json(), ensure_ascii=False)
    return raw


def _leaks(body: str, other: Side) -> list[str]:
    return [s for s in other.secrets() if s and s in body]


def run_case(world: World, case: Case, *, api_call: bool) -> list[str]:
    failures: list[str] = []
    for side in world.sides():
        other = world.other(side)
        for role in ROLES:
            user = None if role == ANON else side.users[role]
            client = _client_for(user, api_call=api_call)
            who = f"{role}@{side.key}"
            if case.own is not None:
                req = case.own(side)
                resp = _send(client, req)
                body = _text(resp)
                if case.own_status is not None and resp.status_code != case.own_status(role):
                    failures.append(
                        f"{who} {req.method} {req.path}: {resp.status_code}, "
                        f"expected {case.own_status(role)}"
                    )
                if (
                    resp.status_code == 200
                    and role in case.shows_own
                    and side.person.name not in body
                ):
                    failures.append(f"{who} {req.method} {req.path}: own person not shown")
                if leaked := _leaks(body, other):
                    failures.append(f"{who} {req.method} {req.path}: shows {leaked}")
            for req in case.foreign(other):
                resp = _send(client, req)
                body = _text(resp)
                allowed = req.ok | ({302} if role == ANON and not api_call else set())
                allowed |= {401} if role == ANON and api_call else set()
                if resp.status_code not in allowed:
                    failures.append(
                        f"{who} {req.method} {req.path}: {resp.status_code}, expected {set(allowed)}"
                    )
                if leaked := _leaks(body, other):
                    failures.append(f"{who} {req.method} {req.path}: shows {leaked}")
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(PAGES))
def test_page_scope(world: World, route: str) -> None:
    failures = run_case(world, PAGES[route], api_call=False)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(API), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_scope(world: World, operation: tuple[str, str]) -> None:
    failures = run_case(world, API[operation], api_call=True)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_is_closed_to_every_side_role(world: World) -> None:
    """The admin shows unscoped tables, so only the system administrator may enter it."""
    failures = []
    for side in world.sides():
        for role in SIDE_ROLES:
            client = login(Client(), side.users[role])
            for path in (
                "/admin/",
                "/admin/identity/person/",
                f"/admin/identity/person/{side.person.pk}/change/",
            ):
                resp = client.get(path)
                if resp.status_code != 302 or "/admin/login/" not in resp["Location"]:
                    failures.append(f"{role}@{side.key} GET {path}: {resp.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_sysadmin_sees_both_sides(world: World) -> None:
    client = login(Client(), world.sysadmin)
    for side in world.sides():
        body = client.get(f"/console/?q={side.person.name}").content.decode()
        assert side.person.name in body and side.masked_id in body
        assert client.get(f"/console/people/{side.person.pk}/").status_code == 200
        assert client.get(f"/console/regions/{side.region}/").status_code == 200


@pytest.mark.django_db
def test_a_random_import_batch_is_404_even_for_import_roles(world: World) -> None:
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    assert client.get(f"/imports/{uuid.uuid4()}/").status_code == 404
