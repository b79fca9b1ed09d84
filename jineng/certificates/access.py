"""Who may read which certificates (and download their PDFs): the holder; the issuing
organisation's staff; whoever may see the holder (bureau and auditors in region, the holder's
employer's staff, system administrators) — `people_visible_to`. Out of scope answers 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.certificates.models import Certificate
from jineng.certificates.numbers import normalise_number
from jineng.identity.access import Scope, people_visible_to, resolve_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User


def certificates_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[Certificate]:
    scope = resolve_scope(user, scope)
    qs = Certificate.objects.select_related("occupation", "issuer")
    if scope.is_global:
        return qs
    if scope.user_id is None:
        return qs.none()
    people = people_visible_to(user, scope=scope).values("pk")
    return qs.filter(Q(person__in=people) | Q(issuer_id__in=scope.organisation_ids))


def access_certificate_by_number(
    user: User | AnonymousUser | None, number: str, *, scope: Scope | None = None
) -> Certificate:
    found = certificates_visible_to(user, scope=scope).filter(number=normalise_number(number))
    certificate = found.select_related("person").first()
    if certificate is None:
        raise Http404
    return certificate
