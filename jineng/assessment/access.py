"""Who may read and write banks, blueprints and papers.

- Organisation staff see the banks of their organisations; 机构管理员, 考评员 and 教师 write
  items; 机构管理员 and 考评员 review them (never their own); 机构管理员 publishes blueprints and
  draws papers.
- Bureau roles and the auditor see the banks of organisations in their region; a bureau role
  records the filing (题库备案) there.
- A candidate sees their own papers. A system administrator sees and does everything;
  `actor=None` is the system.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jineng.assessment.models import (
    Blueprint,
    ExamSession,
    MarkingTask,
    Paper,
    QuestionBank,
    Registration,
    ScoreCorrection,
)
from jineng.core.errors import NotFound
from jineng.identity.access import Scope, scope_of
from jineng.identity.models import BUREAU_ROLES, Role, User

AUTHOR_ROLES = frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.TEACHER})
REVIEW_ROLES = frozenset({Role.ORG_ADMIN, Role.ASSESSOR})
MANAGE_ROLES = frozenset({Role.ORG_ADMIN})


def _scope(user: User, scope: Scope | None) -> Scope:
    if scope is not None:
        if scope.user_id != user.pk:
            raise ValueError("scope computed for another account")
        return scope
    return scope_of(user)


def _is_admin(scope: Scope) -> bool:
    return scope.is_global and not scope.read_only


def _has_org_role(scope: Scope, organisation_id: int, roles: frozenset[Role]) -> bool:
    return bool(scope.roles_at(organisation_id) & roles)


def can_author(actor: User | None, bank: QuestionBank, *, scope: Scope | None = None) -> bool:
    if actor is None:
        return True
    s = _scope(actor, scope)
    return _is_admin(s) or _has_org_role(s, bank.organisation_id, AUTHOR_ROLES)


def can_review(actor: User | None, bank: QuestionBank, *, scope: Scope | None = None) -> bool:
    if actor is None:
        return True
    s = _scope(actor, scope)
    return _is_admin(s) or _has_org_role(s, bank.organisation_id, REVIEW_ROLES)


def can_manage(actor: User | None, bank: QuestionBank, *, scope: Scope | None = None) -> bool:
    """Create the bank's knowledge points and blueprints, publish, draw papers."""
    if actor is None:
        return True
    s = _scope(actor, scope)
    return _is_admin(s) or _has_org_role(s, bank.organisation_id, MANAGE_ROLES)


def can_file(actor: User | None, bank: QuestionBank, *, scope: Scope | None = None) -> bool:
    """Record a bank's filing: a bureau role over the developer's region."""
    if actor is None:
        return True
    s = _scope(actor, scope)
    if _is_admin(s):
        return True
    return s.has_role(*BUREAU_ROLES) and s.covers_region(
        bank.organisation.region_id, as_bureau=True
    )


def _region_q(prefixes: tuple[str, ...], field: str) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{field}__startswith": prefix})
    return q


def banks_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[QuestionBank]:
    s = _scope(user, scope)
    qs = QuestionBank.objects.select_related("occupation", "organisation")
    if s.is_global:
        return qs
    q = Q(organisation_id__in=list(s.organisation_roles))
    q |= _region_q(s.region_prefixes, "organisation__region__code")
    return qs.filter(q)


def access_bank_by_id(user: User, bank_id: object, *, scope: Scope | None = None) -> QuestionBank:
    """The bank if `user` may see it; `NotFound` otherwise (also for a malformed id)."""
    try:
        pk = int(str(bank_id))
    except ValueError:
        raise NotFound("bank", "题库不存在或不在您的查看范围内") from None
    bank = banks_visible_to(user, scope=scope).filter(pk=pk).first()
    if bank is None:
        raise NotFound("bank", "题库不存在或不在您的查看范围内")
    return bank


def papers_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[Paper]:
    s = _scope(user, scope)
    qs = Paper.objects.select_related("blueprint", "blueprint__bank")
    if s.is_global:
        return qs
    q = Q(blueprint__bank__in=banks_visible_to(user, scope=s))
    if s.person_id is not None:
        q |= Q(candidate_id=s.person_id)
    return qs.filter(q)


def access_paper_by_id(user: User, paper_id: object, *, scope: Scope | None = None) -> Paper:
    try:
        pk = int(str(paper_id))
    except ValueError:
        raise NotFound("paper", "试卷不存在或不在您的查看范围内") from None
    paper = papers_visible_to(user, scope=scope).filter(pk=pk).first()
    if paper is None:
        raise NotFound("paper", "试卷不存在或不在您的查看范围内")
    return paper


def can_run_sessions(
    actor: User | None, organisation_id: int, *, scope: Scope | None = None
) -> bool:
    """Plan sessions, register candidates and assign staff for the organisation."""
    if actor is None:
        return True
    s = _scope(actor, scope)
    return _is_admin(s) or _has_org_role(s, organisation_id, MANAGE_ROLES)


def can_license(actor: User | None, region_code: str, *, scope: Scope | None = None) -> bool:
    """Record an organisation's licence scope: the bureau over its region."""
    if actor is None:
        return True
    s = _scope(actor, scope)
    return _is_admin(s) or (
        s.has_role(*BUREAU_ROLES) and s.covers_region(region_code, as_bureau=True)
    )


def access_blueprint_by_id(
    user: User, blueprint_id: object, *, scope: Scope | None = None
) -> Blueprint:
    """The blueprint if `user` may see its bank; `NotFound` otherwise (also for a malformed id)."""
    try:
        pk = int(str(blueprint_id))
    except ValueError:
        raise NotFound("blueprint", "组卷规则不存在或不在您的查看范围内") from None
    found = (
        Blueprint.objects.select_related("bank__organisation")
        .filter(pk=pk, bank__in=banks_visible_to(user, scope=scope))
        .first()
    )
    if found is None:
        raise NotFound("blueprint", "组卷规则不存在或不在您的查看范围内")
    return found


# --- exam sessions, attempts, marking and results (issue 9 §3–§5) ----------------------------

MARK_ROLES = frozenset({Role.ORG_ADMIN, Role.ASSESSOR})  # 考评员 mark and invigilate
SESSION_STAFF_ROLES = frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.ORG_HR})


def can_invigilate(actor: User | None, organisation_id: int, *, scope: Scope | None = None) -> bool:
    """Confirm a candidate's identity at the exam and read the evidence events."""
    if actor is None:
        return True
    s = _scope(actor, scope)
    return _is_admin(s) or _has_org_role(s, organisation_id, MARK_ROLES)


def can_mark(actor: User | None, organisation_id: int, *, scope: Scope | None = None) -> bool:
    if actor is None:
        return True
    s = _scope(actor, scope)
    return _is_admin(s) or _has_org_role(s, organisation_id, MARK_ROLES)


def sessions_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[ExamSession]:
    """The sessions of the staff's organisations; the bureau's and auditor's region."""
    s = _scope(user, scope)
    qs = ExamSession.objects.select_related("organisation", "occupation")
    if s.is_global:
        return qs
    q = Q(organisation_id__in=[o for o, roles in s.organisation_roles.items() if roles])
    q |= _region_q(s.region_prefixes, "organisation__region__code")
    return qs.filter(q)


def access_session_by_id(
    user: User, session_id: object, *, scope: Scope | None = None
) -> ExamSession:
    try:
        pk = int(str(session_id))
    except ValueError:
        raise NotFound("session", "考试批次不存在或不在您的查看范围内") from None
    found = sessions_visible_to(user, scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound("session", "考试批次不存在或不在您的查看范围内")
    return found


def registrations_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[Registration]:
    """A candidate's own registrations, and those of the sessions the user may see."""
    s = _scope(user, scope)
    qs = Registration.objects.select_related(
        "session__organisation", "session__occupation", "person"
    )
    if s.is_global:
        return qs
    q = Q(session__in=sessions_visible_to(user, scope=s))
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    return qs.filter(q)


def access_registration_by_id(
    user: User, registration_id: object, *, scope: Scope | None = None
) -> Registration:
    try:
        pk = int(str(registration_id))
    except ValueError:
        raise NotFound("registration", "报名记录不存在或不在您的查看范围内") from None
    found = registrations_visible_to(user, scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound("registration", "报名记录不存在或不在您的查看范围内")
    return found


def access_own_registration(
    user: User, registration_id: object, *, scope: Scope | None = None
) -> Registration:
    """The caller's own registration (the exam is sat only by the candidate); NotFound otherwise."""
    s = _scope(user, scope)
    try:
        pk = int(str(registration_id))
    except ValueError:
        pk = 0
    found = (
        Registration.objects.select_related("session__organisation", "session__occupation")
        .filter(pk=pk, person_id=s.person_id)
        .first()
        if s.person_id is not None
        else None
    )
    if found is None:
        raise NotFound("registration", "报名记录不存在或不在您的查看范围内")
    return found


def tasks_markable_by(user: User, *, scope: Scope | None = None) -> QuerySet[MarkingTask]:
    """Marking tasks of the sessions of organisations where the user marks (anonymous: the
    queue shows the candidate code only)."""
    s = _scope(user, scope)
    qs = MarkingTask.objects.select_related("item", "registration__session__occupation")
    if _is_admin(s):
        return qs
    orgs = [o for o, roles in s.organisation_roles.items() if roles & MARK_ROLES]
    return qs.filter(registration__session__organisation_id__in=orgs)


def access_task_by_id(user: User, task_id: object, *, scope: Scope | None = None) -> MarkingTask:
    try:
        pk = int(str(task_id))
    except ValueError:
        raise NotFound("task", "评分任务不存在或不在您的查看范围内") from None
    found = tasks_markable_by(user, scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound("task", "评分任务不存在或不在您的查看范围内")
    return found


def corrections_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[ScoreCorrection]:
    s = _scope(user, scope)
    qs = ScoreCorrection.objects.select_related(
        "result__registration__person", "result__registration__session__occupation"
    )
    if s.is_global:
        return qs
    return qs.filter(result__registration__session__in=sessions_visible_to(user, scope=s))


def access_correction_by_id(
    user: User, correction_id: object, *, scope: Scope | None = None
) -> ScoreCorrection:
    try:
        pk = int(str(correction_id))
    except ValueError:
        raise NotFound("correction", "成绩更正申请不存在或不在您的查看范围内") from None
    found = corrections_visible_to(user, scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound("correction", "成绩更正申请不存在或不在您的查看范围内")
    return found
