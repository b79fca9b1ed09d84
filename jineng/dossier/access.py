"""Who may see which facts: those whose subject (a person or an organisation) the acting user may
see, on the `Scope` of `jineng.identity.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from jineng.dossier.models import Fact
from jineng.identity.access import Scope, people_q, resolve_scope
from jineng.identity.models import Person
from jineng.organisations.access import organisations_q
from jineng.organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User


def facts_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[Fact]:
    """Facts whose subject (a person or an organisation) the user may see."""
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return Fact.objects.all()
    persons, orgs = people_q(scope), organisations_q(scope)
    parts: list[Q] = []
    if persons is not None:
        parts.append(Q(person_id__in=Person.objects.filter(persons).values("pk")))
    if orgs is not None:
        parts.append(Q(organisation_id__in=Organisation.objects.filter(orgs).values("pk")))
    if not parts:
        return Fact.objects.none()
    q = parts[0] if len(parts) == 1 else parts[0] | parts[1]
    return Fact.objects.filter(q)
