"""Who may see what: the `Scope` of an account, and the people it may read.

Each domain owns the access helpers of its own rows and builds them on the `Scope` computed here
(`jineng.organisations.access` for organisations, `jineng.dossier.access` for facts,
`jineng.audit.access` for audit entries, …). The rules (docs/contracts.md):

- worker → themself (any account linked to a person sees that person);
- organisation staff (admin, teacher, assessor, HR) → their organisation, and the people with a
  current employment at it or currently teaching at it;
- bureau officer (reviewer, approver, finance) and auditor → people whose residence region is under
  their region, and the organisations located there;
- system administrator (and a Django superuser) → everything.
The auditor is read-only and never reveals. Out of scope reads answer 404, never 403, so that an
identifier cannot be probed for existence.

Every helper takes the acting user and, optionally, `scope=scope_of(user)` already computed for it
in the same request (reading the scope is a query; a view that checks a role and then reads should
not pay for it twice). A scope computed for another account is refused (ValueError): the helpers
never read with anyone's scope but the acting user's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Employment, Person, Role, RoleAssignment
from jineng.reference.models import region_prefix

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str]
    organisation_ids: frozenset[int]
    region_prefixes: tuple[str, ...]
    is_global: bool
    can_reveal: bool
    # Additions beyond the contract's five fields:
    person_id: int | None = None  # the account's own person, if any
    read_only: bool = False  # auditor only: may read in scope, never write or reveal
    bureau_region_prefixes: tuple[str, ...] = ()  # where a bureau role may write and reveal
    organisation_roles: Mapping[int, frozenset[str]] = field(default_factory=dict)
    user_id: int | None = None  # the account the scope was computed for (None: anonymous)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def covers_region(self, code: str | None, *, as_bureau: bool = False) -> bool:
        if self.is_global:
            return True
        if not code:
            return False
        prefixes = self.bureau_region_prefixes if as_bureau else self.region_prefixes
        return any(code.startswith(p) for p in prefixes)

    def roles_at(self, organisation_id: int) -> frozenset[str]:
        return self.organisation_roles.get(organisation_id, frozenset())


EMPTY_SCOPE = Scope(frozenset(), frozenset(), (), is_global=False, can_reveal=False)


def _prefixes(codes: set[str]) -> tuple[str, ...]:
    # Drop prefixes already covered by a shorter one: ("44", "4419") → ("44",).
    prefixes = sorted({region_prefix(c) for c in codes}, key=lambda p: (len(p), p))
    kept: list[str] = []
    for p in prefixes:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(kept)


def _user_id(user: User | AnonymousUser | None) -> int | None:
    return None if user is None or not user.is_authenticated else user.pk


def scope_of(user: User | AnonymousUser | None) -> Scope:
    """What `user` may see, read from their role assignments (one query)."""
    if user is None or not user.is_authenticated:
        return EMPTY_SCOPE
    if not user.is_active:
        return dataclasses.replace(EMPTY_SCOPE, user_id=user.pk)
    assignments = list(
        RoleAssignment.objects.filter(user_id=user.pk).values_list(
            "role", "organisation_id", "region_id"
        )
    )
    roles = frozenset(role for role, _, _ in assignments)
    org_roles: dict[int, set[str]] = {}
    regions: set[str] = set()
    bureau_regions: set[str] = set()
    for role, org_id, region_code in assignments:
        if role in ORG_ROLES and org_id is not None:
            org_roles.setdefault(org_id, set()).add(role)
        if (role in BUREAU_ROLES or role == Role.AUDITOR) and region_code:
            regions.add(region_code)
            if role in BUREAU_ROLES:
                bureau_regions.add(region_code)
    is_global = Role.SYSADMIN in roles or bool(getattr(user, "is_superuser", False))
    read_only = Role.AUDITOR in roles and not is_global and roles <= {Role.AUDITOR, Role.WORKER}
    return Scope(
        roles=roles,
        organisation_ids=frozenset(org_roles),
        region_prefixes=_prefixes(regions),
        is_global=is_global,
        can_reveal=is_global or bool(bureau_regions),
        person_id=getattr(user, "person_id", None),
        read_only=read_only,
        bureau_region_prefixes=_prefixes(bureau_regions),
        organisation_roles={k: frozenset(v) for k, v in org_roles.items()},
        user_id=user.pk,
    )


def request_scope(request: HttpRequest) -> Scope:
    """The scope of the request's account, read once per request: the page guard, the
    navigation, the view and the access helpers it calls (pass `scope=`) share it. Recomputed
    if the request's user changes (log-in and log-out swap `request.user`)."""
    user = getattr(request, "user", None)
    cached: Scope | None = getattr(request, "_jineng_scope", None)
    if cached is not None and cached.user_id == _user_id(user):
        return cached
    scope = scope_of(user)
    request._jineng_scope = scope  # type: ignore[attr-defined]
    return scope


def resolve_scope(user: User | AnonymousUser | None, scope: Scope | None) -> Scope:
    """`scope` when it was computed for `user`, else `scope_of(user)`; a scope computed for
    another account is a programming error and never used."""
    if scope is None:
        return scope_of(user)
    if scope.user_id != _user_id(user):
        raise ValueError("scope was computed for another account")
    return scope


def current(qs: QuerySet[Any], *, start_nullable: bool) -> QuerySet[Any]:
    """Rows of a dated relation (employment, teaching) in force today."""
    today = timezone.localdate()
    started = Q(start__lte=today) | Q(start__isnull=True) if start_nullable else Q(start__lte=today)
    return qs.filter(started).filter(Q(end__isnull=True) | Q(end__gte=today))


# Other domains may widen what organisation staff see (organisations adds "people teaching at
# the organisation"): each reach takes the scope and answers a Q over Person, or None.
PeopleReach = Callable[[Scope], "Q | None"]
_PEOPLE_REACHES: list[PeopleReach] = []


def register_people_reach(reach: PeopleReach) -> None:
    """Called from an app's `ready()`; registering the same function twice is harmless."""
    if reach not in _PEOPLE_REACHES:
        _PEOPLE_REACHES.append(reach)


def any_of(parts: list[Q]) -> Q | None:
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def people_q(scope: Scope) -> Q | None:
    """The people a non-global scope reaches, as one Q over Person (None: nobody)."""
    parts: list[Q] = []
    if scope.person_id is not None:
        parts.append(Q(pk=scope.person_id))
    if scope.organisation_ids:
        employed = current(
            Employment.objects.filter(employer_id__in=scope.organisation_ids),
            start_nullable=False,
        )
        parts.append(Q(pk__in=employed.values("person_id")))
        for reach in _PEOPLE_REACHES:
            q = reach(scope)
            if q is not None:
                parts.append(q)
    parts.extend(Q(residence_region__code__startswith=p) for p in scope.region_prefixes)
    return any_of(parts)


def people_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[Person]:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return Person.objects.all()
    q = people_q(scope)
    return Person.objects.none() if q is None else Person.objects.filter(q)


def to_pk(value: object) -> int:
    """A primary key from a URL or a form; Http404 for anything else."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise Http404 from None


def access_person_by_id(
    user: User | AnonymousUser | None, person_id: int | str, *, scope: Scope | None = None
) -> Person:
    """The person if the user may see them; Http404 otherwise (also for a malformed id)."""
    person = people_visible_to(user, scope=scope).filter(pk=to_pk(person_id)).first()
    if person is None:
        raise Http404("人员不存在或不在您的查看范围内")
    return person


# --- permission predicates used by the services ------------------------------------------------


def can_reveal_person(
    user: User | AnonymousUser | None, person: Person, *, scope: Scope | None = None
) -> bool:
    """Sysadmin; a bureau officer whose region covers the person's residence; the person themself.
    Never the auditor, never organisation staff."""
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return True
    if scope.person_id is not None and scope.person_id == person.pk:
        return True
    return scope.covers_region(person.residence_region_id, as_bureau=True)
