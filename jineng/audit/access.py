"""Who may read which audit entries. Every read of the trail goes through these helpers.

Entries carry the region of what they concern (`AuditEntry.region`, stored at write time), so an
auditor or bureau officer scoped to a region reads everything under it — imports of its people,
their employments and facts, simulations by its officers, tokens of its staff — with one indexed
prefix filter, not a join per object type. A global scope reads everything; everyone also reads
their own actions. Organisation staff do not read the trail (the page is for the bureau).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from jineng.audit.models import AuditEntry
from jineng.audit.vocabulary import AuditObject
from jineng.identity.access import Scope, scope_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import Person, User


def audit_entries_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[AuditEntry]:
    """Entries `user` may read, newest first: everything for a global scope; otherwise the entries
    whose region lies under one of their regions, and their own actions."""
    entries = AuditEntry.objects.select_related("actor").order_by("-id")
    if user is None or not user.is_authenticated:
        return entries.none()
    if scope is None:
        scope = scope_of(user)
    elif scope.user_id != user.pk:
        raise ValueError("scope was computed for another account")
    if scope.is_global:
        return entries
    visible = Q(actor_id=user.pk)
    for prefix in scope.region_prefixes:
        visible |= Q(region__startswith=prefix)
    return entries.filter(visible)


def _ids_as_text(qs: QuerySet[Any]) -> QuerySet[Any]:
    # AuditEntry.object_id is text (it names rows of any table), so compare against text ids.
    ids: QuerySet[Any] = qs.annotate(_s=Cast("pk", CharField())).values("_s")
    return ids


def audit_entries_for_person(*, person: Person) -> QuerySet[AuditEntry]:
    """The access log of one person (their own rows, employments and facts); the caller has
    already checked access to the person."""
    from jineng.dossier.models import Fact
    from jineng.identity.models import Employment

    entries = AuditEntry.objects.order_by("-id")
    return (
        entries.filter(object_type=AuditObject.PERSON, object_id=str(person.pk))
        | entries.filter(
            object_type=AuditObject.FACT,
            object_id__in=_ids_as_text(Fact.objects.filter(person=person)),
        )
        | entries.filter(
            object_type=AuditObject.EMPLOYMENT,
            object_id__in=_ids_as_text(Employment.objects.filter(person=person)),
        )
    )
