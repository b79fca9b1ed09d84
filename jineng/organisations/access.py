"""Who may see which organisations, on the `Scope` of `jineng.identity.access`.

- organisation staff → their own organisations;
- bureau officer and auditor → the organisations located under their region;
- system administrator (and a Django superuser) → every organisation.
Out of scope answers 404, never 403. The organisations app also widens what its staff see of
people: `teaching_reach` (registered in `OrganisationsConfig.ready`) adds the people currently
teaching at their organisation to `people_visible_to`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.identity.access import Scope, any_of, current, resolve_scope, to_pk
from jineng.organisations.models import Organisation, Teacher

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User


def organisations_q(scope: Scope) -> Q | None:
    """The organisations a non-global scope reaches, as one Q over Organisation (None: none)."""
    parts: list[Q] = []
    if scope.organisation_ids:
        parts.append(Q(pk__in=scope.organisation_ids))
    parts.extend(Q(region__code__startswith=p) for p in scope.region_prefixes)
    return any_of(parts)


def organisations_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[Organisation]:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return Organisation.objects.all()
    q = organisations_q(scope)
    return Organisation.objects.none() if q is None else Organisation.objects.filter(q)


def access_organisation_by_id(
    user: User | AnonymousUser | None, org_id: int | str, *, scope: Scope | None = None
) -> Organisation:
    organisation = organisations_visible_to(user, scope=scope).filter(pk=to_pk(org_id)).first()
    if organisation is None:
        raise Http404("机构不存在或不在您的查看范围内")
    return organisation


def teaching_reach(scope: Scope) -> Q | None:
    """People currently teaching at one of the scope's organisations (a Q over Person)."""
    if not scope.organisation_ids:
        return None
    teaching = current(
        Teacher.objects.filter(organisation_id__in=scope.organisation_ids), start_nullable=True
    )
    return Q(pk__in=teaching.values("person_id"))
