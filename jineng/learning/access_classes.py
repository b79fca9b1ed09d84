"""Who may see which class (the rules the class services, pages and API share).

- the provider's staff (admin, teacher) see every class of their organisation;
- bureau officers and auditors see the classes of providers located in their region;
- a worker sees the classes they are enrolled in;
- a system administrator sees everything.
Out of scope answers 404, never 403, so an id cannot be probed (jineng.identity.access).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.identity.access import Scope, resolve_scope, to_pk
from jineng.learning.access import PROVIDER_ROLES
from jineng.learning.models import ClassSession, TrainingClass

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User
    from jineng.learning.models import Enrolment


def classes_q(scope: Scope) -> Q | None:
    parts: list[Q] = []
    provider_orgs = [o for o in scope.organisation_ids if scope.roles_at(o) & PROVIDER_ROLES]
    if provider_orgs:
        parts.append(Q(provider_id__in=provider_orgs))
    parts.extend(Q(provider__region__code__startswith=p) for p in scope.region_prefixes)
    if scope.person_id is not None:
        parts.append(Q(enrolments__person_id=scope.person_id))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def classes_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[TrainingClass]:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return TrainingClass.objects.all()
    q = classes_q(scope)
    if q is None:
        return TrainingClass.objects.none()
    return TrainingClass.objects.filter(pk__in=TrainingClass.objects.filter(q).values("pk"))


def provider_classes(scope: Scope) -> QuerySet[TrainingClass]:
    """The classes `scope` runs as provider staff (the institution's pages)."""
    if scope.is_global:
        return TrainingClass.objects.all()
    orgs = [o for o in scope.organisation_ids if scope.roles_at(o) & PROVIDER_ROLES]
    return TrainingClass.objects.filter(provider_id__in=orgs)


def access_class_by_id(
    user: User | AnonymousUser | None, class_id: int | str, *, scope: Scope | None = None
) -> TrainingClass:
    klass = (
        classes_visible_to(user, scope=scope)
        .select_related("provider", "course", "occupation")
        .filter(pk=to_pk(class_id))
        .first()
    )
    if klass is None:
        raise Http404("培训班不存在或不在您的查看范围内")
    return klass


def access_session_by_id(
    user: User | AnonymousUser | None, session_id: int | str, *, scope: Scope | None = None
) -> ClassSession:
    visible = classes_visible_to(user, scope=scope)
    session = (
        ClassSession.objects.select_related("klass__provider", "klass__course")
        .filter(pk=to_pk(session_id), klass__in=visible)
        .first()
    )
    if session is None:
        raise Http404("课次不存在或不在您的查看范围内")
    return session


def runs_class(scope: Scope, klass: TrainingClass) -> bool:
    """Whether `scope` acts for the class's provider (shows the QR, marks, enrols)."""
    if scope.read_only:
        return False
    return scope.is_global or bool(scope.roles_at(klass.provider_id) & PROVIDER_ROLES)


# --- classes open for enrolment (a worker's 开放报名的培训班) -------------------------------------


def open_status_q() -> Q:
    """Open for a worker's own enrolment: a plain class still a plan, a subsidised one whose plan
    the bureau approved (before the roster is filed), and in both the first session not begun."""
    from django.utils import timezone

    from jineng.learning.models import ClassStatus

    return (
        Q(subsidised=False, status=ClassStatus.PLANNED)
        | Q(subsidised=True, status=ClassStatus.APPROVED)
    ) & Q(pk__in=_not_started(timezone.now()))


def _not_started(now: object) -> QuerySet[Any, Any]:
    from django.db.models import Min

    return (
        TrainingClass.objects.annotate(first=Min("sessions__starts_at"))
        .filter(first__gt=now)
        .values("pk")
    )


def worker_region_prefix(scope: Scope) -> str | None:
    """The city (first four digits) of the worker's residence, else of their hukou: the region
    whose classes they are offered."""
    from jineng.identity.models import Person

    if scope.person_id is None:
        return None
    row = (
        Person.objects.filter(pk=scope.person_id)
        .values_list("residence_region_id", "hukou_region_id")
        .first()
    )
    code = (row[0] or row[1]) if row else None
    return code[:4] if code else None


def classes_open_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[TrainingClass]:
    """The classes the worker may enrol in: open (`open_status_q`) at providers in their city."""
    scope = resolve_scope(user, scope)
    prefix = worker_region_prefix(scope)
    if prefix is None:
        return TrainingClass.objects.none()
    return TrainingClass.objects.filter(open_status_q(), provider__region__code__startswith=prefix)


def access_open_class_by_id(
    user: User | AnonymousUser | None, class_id: int | str, *, scope: Scope | None = None
) -> TrainingClass:
    """A class the worker may read: one open to them or one they are enrolled in (else 404)."""
    scope = resolve_scope(user, scope)
    pk = to_pk(class_id)
    visible = classes_visible_to(user, scope=scope).filter(pk=pk)
    opened = classes_open_to(user, scope=scope).filter(pk=pk)
    klass = (
        TrainingClass.objects.select_related("provider", "course", "occupation")
        .filter(Q(pk__in=visible.values("pk")) | Q(pk__in=opened.values("pk")))
        .first()
    )
    if klass is None:
        raise Http404("培训班不存在或不在您的查看范围内")
    return klass


def access_enrolment_by_id(
    user: User | AnonymousUser | None, enrolment_id: int | str, *, scope: Scope | None = None
) -> Enrolment:
    """One enrolment: the trainee's own, or any of a class the caller may see as staff or bureau
    (not a fellow trainee's); else 404."""
    from jineng.learning.models import Enrolment

    scope = resolve_scope(user, scope)
    enrolment = (
        Enrolment.objects.select_related("klass__provider", "person", "voucher")
        .filter(pk=to_pk(enrolment_id), klass__in=classes_visible_to(user, scope=scope))
        .first()
    )
    if enrolment is None or not (
        enrolment.person_id == scope.person_id
        or scope.is_global
        or bool(scope.roles_at(enrolment.klass.provider_id) & PROVIDER_ROLES)
        or scope.covers_region(enrolment.klass.provider.region_id)
    ):
        raise Http404("报名记录不存在或不在您的查看范围内")
    return enrolment
