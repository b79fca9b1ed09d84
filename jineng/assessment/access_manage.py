"""Reads behind the organisation's management pages: the review queue, the sessions an
organisation runs (the bureau and auditor: those in their region) and the sessions open to a
candidate's registration. Each takes the Scope; rows outside it are never returned."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.assessment.access import (
    MANAGE_ROLES,
    REVIEW_ROLES,
    _region_q,
    _scope,
    banks_visible_to,
)
from jineng.assessment.models import (
    AssessorQualification,
    ExamSession,
    Item,
    ItemStatus,
    KnowledgePoint,
    SessionStatus,
)
from jineng.core.errors import NotFound
from jineng.identity.access import Scope
from jineng.identity.models import Employment, Person, User


def _orgs_with(scope: Scope, roles: frozenset[str]) -> list[int]:
    return [org for org, held in scope.organisation_roles.items() if held & roles]


def review_queue(user: User, *, scope: Scope | None = None) -> QuerySet[Item]:
    """Submitted items of the banks where the user may review (their own included, shown so;
    the service refuses an author's own approval)."""
    s = _scope(user, scope)
    qs = Item.objects.filter(status=ItemStatus.SUBMITTED).select_related(
        "bank__occupation", "bank__organisation", "point", "author"
    )
    if s.is_global and not s.read_only:
        return qs.order_by("pk")
    return qs.filter(bank__organisation_id__in=_orgs_with(s, REVIEW_ROLES)).order_by("pk")


def managed_sessions(user: User, *, scope: Scope | None = None) -> QuerySet[ExamSession]:
    """Sessions of the organisations the user plans for; the bureau's and auditor's region."""
    s = _scope(user, scope)
    qs = ExamSession.objects.select_related("organisation", "occupation")
    if s.is_global:
        return qs
    q = Q(organisation_id__in=_orgs_with(s, MANAGE_ROLES))
    q |= _region_q(s.region_prefixes, "organisation__region__code")
    return qs.filter(q)


def access_managed_session(
    user: User, session_id: object, *, scope: Scope | None = None
) -> ExamSession:
    """The session if the user may manage or oversee it; `NotFound` otherwise (also malformed)."""
    try:
        pk = int(str(session_id))
    except ValueError:
        raise NotFound("session", "考试批次不存在或不在您的查看范围内") from None
    found = managed_sessions(user, scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound("session", "考试批次不存在或不在您的查看范围内")
    return found


def open_sessions(*, occupation_code: str = "") -> QuerySet[ExamSession]:
    """Planned sessions still ahead, which anyone may apply for (the public 考试计划)."""
    qs = ExamSession.objects.filter(
        status=SessionStatus.PLANNED, starts_at__gt=timezone.now()
    ).select_related("organisation", "occupation")
    if occupation_code:
        qs = qs.filter(occupation_id=occupation_code)
    return qs.order_by("starts_at", "pk")


def access_open_session(session_id: object) -> ExamSession:
    try:
        pk = int(str(session_id))
    except ValueError:
        raise NotFound("session", "考试批次不存在或已不接受报名") from None
    found = open_sessions().filter(pk=pk).first()
    if found is None:
        raise NotFound("session", "考试批次不存在或已不接受报名")
    return found


def access_item_by_id(user: User, item_id: object, *, scope: Scope | None = None) -> Item:
    """The item if the user may see its bank; `NotFound` otherwise (also for a malformed id)."""
    try:
        pk = int(str(item_id))
    except ValueError:
        raise NotFound("item", "试题不存在或不在您的查看范围内") from None
    found = (
        Item.objects.select_related("bank__organisation", "bank__occupation", "point")
        .filter(pk=pk, bank__in=banks_visible_to(user, scope=scope))
        .first()
    )
    if found is None:
        raise NotFound("item", "试题不存在或不在您的查看范围内")
    return found


def access_point_by_id(
    user: User, point_id: object, *, scope: Scope | None = None
) -> KnowledgePoint:
    try:
        pk = int(str(point_id))
    except ValueError:
        raise NotFound("point", "鉴定要素不存在或不在您的查看范围内") from None
    found = (
        KnowledgePoint.objects.select_related("bank__organisation")
        .filter(pk=pk, bank__in=banks_visible_to(user, scope=scope))
        .first()
    )
    if found is None:
        raise NotFound("point", "鉴定要素不存在或不在您的查看范围内")
    return found


def staff_candidates(session: ExamSession) -> QuerySet[Person]:
    """Who may be put on a session's staff: assessors qualified for its occupation on the day
    (the public register of 考评员) and the organisation's own people (invigilators)."""
    on = session.starts_at.date()
    qualified = AssessorQualification.objects.filter(
        occupation=session.occupation, valid_from__lte=on, valid_to__gte=on
    ).values_list("person_id", flat=True)
    employed = (
        Employment.objects.filter(employer=session.organisation, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values_list("person_id", flat=True)
    )
    return Person.objects.filter(Q(pk__in=qualified) | Q(pk__in=employed)).order_by("name", "pk")


def qualified_assessor_ids(session: ExamSession) -> set[int]:
    on = session.starts_at.date()
    return set(
        AssessorQualification.objects.filter(
            occupation=session.occupation, valid_from__lte=on, valid_to__gte=on
        ).values_list("person_id", flat=True)
    )
