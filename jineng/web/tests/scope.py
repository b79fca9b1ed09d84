"""The vocabulary of the scope matrix (`test_scope_matrix.py`), for other apps too.

An app that adds pages or API operations describes them in its own `tests/scope_cases.py` with
`PAGES: dict[route, Case]` and/or `API: dict[(METHOD, openapi_path), Case]`; the matrix collects
those modules, so a new URL is covered without editing the web app's test:

    from jineng.web.tests.scope import GET, Case, role_page
    from jineng.identity.roles import CONSOLE_ROLES

    PAGES = {
        "policy/explain/<int:person_id>/": Case(
            own=lambda s: GET(f"/policy/explain/{s.person.pk}/"),
            own_status=role_page(CONSOLE_ROLES),
            foreign=lambda o: [GET(f"/policy/explain/{o.person.pk}/")],
        ),
    }

`own(side)` builds the request on the actor's own side, `own_status(role)` is the status expected
for each role (`ANON` included), `shows_own` the roles whose answer must show the own side's
person, and `foreign(other_side)` the requests aimed at the other side's objects, which must answer
one of `Req.ok` (403/404 by default) and never show the other side's name, ID number (plain or
masked), organisation name or audit reasons.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from jineng.web.tests.world import SIDE_ROLES, Side

ANON = "anonymous"
ROLES: tuple[str, ...] = (ANON, *SIDE_ROLES)


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    data: dict[str, Any] | None = None
    # statuses allowed for a request aimed at the other side (a list page answers 200, empty)
    ok: frozenset[int] = frozenset({403, 404})


@dataclass(frozen=True)
class Case:
    """What one URL must do. `own` builds the request on the actor's own side and `own_status`
    gives the expected status per role; `shows_own` lists roles whose answer must show the own
    side's person; `foreign` builds requests aimed at the other side's objects."""

    own: Callable[[Side], Req] | None
    own_status: Callable[[str], int] | None = None
    shows_own: frozenset[str] = frozenset()
    foreign: Callable[[Side], list[Req]] = field(default=lambda other: [])
    public: bool = False


def role_page(roles: frozenset[str], ok: int = 200) -> Callable[[str], int]:
    """Pages behind log-in: anonymous → redirect to log-in, wrong role → 403."""
    return lambda role: 302 if role == ANON else (ok if role in roles else 403)


def role_api(status_of: Callable[[str], int]) -> Callable[[str], int]:
    return lambda role: 401 if role == ANON else status_of(role)


def GET(path: str, ok: frozenset[int] = frozenset({403, 404})) -> Req:  # noqa: N802
    return Req("GET", path, ok=ok)


def POST(  # noqa: N802
    path: str, data: dict[str, Any] | None = None, ok: frozenset[int] = frozenset({403, 404})
) -> Req:
    return Req("POST", path, data=data, ok=ok)


def DELETE(path: str, ok: frozenset[int] = frozenset({403, 404})) -> Req:  # noqa: N802
    return Req("DELETE", path, ok=ok)


# a list or search aimed at the other side answers empty, or refuses
LIST_OK = frozenset({200, 302, 403})


def collect_cases(name: str) -> dict[Any, Case]:
    """`name` ("PAGES" or "API") from every `jineng.<app>.tests.scope_cases` module."""
    cases: dict[Any, Case] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.tests.scope_cases"
        if (
            not config.name.startswith("jineng.")
            or importlib.util.find_spec(f"{config.name}.tests") is None
        ):
            continue
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        for key, case in getattr(module, name, {}).items():
            if key in cases:
                raise AssertionError(f"{key!r} is described twice ({module_name})")
            cases[key] = case
    return cases
