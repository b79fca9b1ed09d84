"""Who may read and keep exam-room records and who sits on a panel (issue 9 §3, §5).

- The staff of a session (invigilators, assessors, panel members: `SessionStaff`) and the
  organisation's exam admins (机构管理员) keep the records of its rooms; only the staff sign.
- The bureau and the auditor of the organisation's region read them; a system administrator
  reads and keeps everything.
- A panel member sees the panel sessions they sit on, and nobody else's: a member of another
  panel, or someone on no panel, gets `NotFound` like for a session that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jineng.assessment.access import MANAGE_ROLES, _is_admin, _region_q, _scope
from jineng.assessment.models import AssessmentPart, ExamSession, SessionStaff
from jineng.core.errors import NotFound
from jineng.identity.access import Scope
from jineng.identity.models import User


def room_sessions_visible_to(user: User, *, scope: Scope | None = None) -> QuerySet[ExamSession]:
    s = _scope(user, scope)
    qs = ExamSession.objects.select_related("organisation", "occupation")
    if s.is_global:
        return qs
    orgs = [o for o, roles in s.organisation_roles.items() if roles & MANAGE_ROLES]
    q = Q(organisation_id__in=orgs) | _region_q(s.region_prefixes, "organisation__region__code")
    if s.person_id is not None:
        q |= Q(pk__in=SessionStaff.objects.filter(person_id=s.person_id).values("session_id"))
    return qs.filter(q)


def access_room_session(
    user: User, session_id: object, room: object, *, scope: Scope | None = None
) -> ExamSession:
    """The session if `user` may read its room `room`'s record (and the room exists)."""
    try:
        pk, number = int(str(session_id)), int(str(room))
    except ValueError:
        raise NotFound("session", "考场记录不存在或不在您的查看范围内") from None
    found = room_sessions_visible_to(user, scope=scope).filter(pk=pk).first()
    if found is None or not 1 <= number <= found.rooms:
        raise NotFound("session", "考场记录不存在或不在您的查看范围内")
    return found


def can_keep_rooms(actor: User | None, session: ExamSession, *, scope: Scope | None = None) -> bool:
    """Write a room's record: the session's staff, the organisation's exam admins."""
    if actor is None:
        return True
    s = _scope(actor, scope)
    if _is_admin(s) or s.roles_at(session.organisation_id) & MANAGE_ROLES:
        return True
    return is_session_staff(actor, session)


def is_session_staff(actor: User, session: ExamSession) -> bool:
    return (
        actor.person_id is not None
        and SessionStaff.objects.filter(session=session, person_id=actor.person_id).exists()
    )


def panel_sessions_of(user: User, *, scope: Scope | None = None) -> QuerySet[ExamSession]:
    """The sessions whose panel review (综合评审) the user sits on."""
    s = _scope(user, scope)
    if s.person_id is None:
        return ExamSession.objects.none()
    return ExamSession.objects.select_related("organisation", "occupation").filter(
        pk__in=SessionStaff.objects.filter(person_id=s.person_id, part=AssessmentPart.PANEL).values(
            "session_id"
        )
    )


def access_panel_session(
    user: User, session_id: object, *, scope: Scope | None = None
) -> ExamSession:
    try:
        pk = int(str(session_id))
    except ValueError:
        raise NotFound("session", "综合评审不存在或您不是该评审组成员") from None
    found = panel_sessions_of(user, scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound("session", "综合评审不存在或您不是该评审组成员")
    return found
