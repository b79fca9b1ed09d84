"""Exam sessions (考务, issue 9 §3): licence scope, planning, registration against the level's
application conditions and the dossier, staffing checked against the rules before opening."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from jineng.assessment import access
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import (
    ApplicationCondition,
    AssessmentLicence,
    AssessmentPart,
    AssessorQualification,
    ExamSession,
    Registration,
    RetainedPart,
    SessionStaff,
    SessionStatus,
    StaffingRule,
)
from jineng.assessment.services.retake import RetakeCheck, retake_check
from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, Forbidden, Unprocessable
from jineng.core.states import transition
from jineng.dossier.models import Fact, FactKind
from jineng.identity.models import Employment, Person, User
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, SkillLevel

# The ladder from lowest to highest (学徒工 below 五级).
LADDER = ("A", "5", "4", "3", "2", "1", "S", "C")
# 技师 and above are assessed with a panel review besides the exams (issue 9 §3).
PANEL_LEVELS = frozenset({"2", "1", "S", "C"})
DAYS_PER_YEAR = 365.25
# Parts marked by assessors, who must hold a valid qualification (theory needs invigilators only).
ASSESSOR_PARTS = frozenset({AssessmentPart.PRACTICAL, AssessmentPart.PANEL})


def _level_label(level: str) -> str:
    return str(SkillLevel(level).label)


@transaction.atomic
def licence_grant(
    *,
    actor: User | None,
    organisation: Organisation,
    occupation: Occupation,
    levels: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> AssessmentLicence:
    if not access.can_license(actor, organisation.region_id):
        raise Forbidden("organisation", "无权为该机构登记认定范围")
    codes = "".join(sorted(set(levels), key=LADDER.index)) if set(levels) <= set(LADDER) else ""
    if not codes or "A" in codes:
        raise AssessmentInvalid("levels", "可认定等级应为五级至一级、特级、首席中的一个或多个")
    if valid_to is not None and valid_to < valid_from:
        raise AssessmentInvalid("valid_to", "有效期止不能早于有效期起")
    licence = AssessmentLicence.objects.create(
        organisation=organisation,
        occupation=occupation,
        levels=codes,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.ORGANISATION,
        object_id=organisation.pk,
        after={"licence_occupation": occupation.code, "levels": codes},
        region=organisation.region_id,
    )
    return licence


def licence_covers(
    *, organisation: Organisation, occupation: Occupation, level: str, on: dt.date
) -> bool:
    return (
        AssessmentLicence.objects.filter(
            organisation=organisation,
            occupation=occupation,
            levels__contains=level,
            valid_from__lte=on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .exists()
    )


@transaction.atomic
def session_plan(
    *,
    actor: User | None,
    organisation: Organisation,
    occupation: Occupation,
    level: str,
    parts: Sequence[str],
    starts_at: dt.datetime,
    venue: str,
    capacity: int,
    rooms: int = 1,
) -> ExamSession:
    """A planned session; refused outside the organisation's licence scope (occupation, level)."""
    if not access.can_run_sessions(actor, organisation.pk):
        raise Forbidden("organisation", "无权为该机构安排考试")
    if level not in SkillLevel.values or level == SkillLevel.APPRENTICE:
        raise AssessmentInvalid("level", "等级不正确")
    chosen = [p for p in AssessmentPart.values if p in set(parts)]
    if not chosen or len(chosen) != len(set(parts)):
        raise AssessmentInvalid(
            "parts", "考核环节应为理论知识考试、操作技能考核、综合评审中的一个或多个"
        )
    if level in PANEL_LEVELS and AssessmentPart.PANEL not in chosen:
        raise AssessmentInvalid("parts", f"{_level_label(level)}须安排综合评审")
    if capacity < 1 or rooms < 1:
        raise AssessmentInvalid("capacity" if capacity < 1 else "rooms", "容量和考场数至少为1")
    if not venue.strip():
        raise AssessmentInvalid("venue", "考点不能为空")
    if not licence_covers(
        organisation=organisation, occupation=occupation, level=level, on=starts_at.date()
    ):
        raise Forbidden(
            "occupation",
            f"「{occupation.name}」{_level_label(level)}不在该机构的认定范围内，不能安排考试",
        )
    session = ExamSession.objects.create(
        organisation=organisation,
        occupation=occupation,
        level=level,
        parts=chosen,
        starts_at=starts_at,
        venue=venue.strip(),
        capacity=capacity,
        rooms=rooms,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.EXAM_SESSION,
        object_id=session.pk,
        after={
            "occupation": occupation.code,
            "level": level,
            "parts": chosen,
            "capacity": capacity,
        },
        region=organisation.region_id,
    )
    return session


@dataclass(frozen=True)
class ConditionCheck:
    """Whether a person meets any of the level's conditions (`condition`: the first met), and
    otherwise why not, one Chinese sentence per condition."""

    ok: bool
    condition: ApplicationCondition | None
    reasons: list[str]


def years_in_occupation(*, person: Person, occupation: Occupation, on: dt.date) -> int:
    """Whole years worked in the occupation up to `on`, overlapping jobs counted once."""
    spans = sorted(
        (start, min(end or on, on))
        for start, end in Employment.objects.filter(
            person=person, occupation=occupation, start__lte=on
        ).values_list("start", "end")
    )
    days = 0
    current_start: dt.date | None = None
    current_end: dt.date | None = None
    for start, end in spans:
        if current_end is None or current_start is None or start > current_end:
            if current_end is not None and current_start is not None:
                days += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        days += (current_end - current_start).days
    return math.floor(days / DAYS_PER_YEAR)


def _holds_lower(person: Person, occupation: Occupation, level: str, on: dt.date) -> bool:
    lower = LADDER[LADDER.index(level) - 1]
    held = LADDER[LADDER.index(lower) :]
    return (
        Fact.objects.current()
        .filter(
            person=person,
            kind=FactKind.CERTIFICATE,
            code=occupation.code,
            level__in=held,
            date__lte=on,
        )
        .exists()
    )


def application_check(
    *, person: Person, occupation: Occupation, level: str, on: dt.date
) -> ConditionCheck:
    """The level's application conditions (the occupation's own, else the national ones) against
    the person's dossier: certificates held (current facts) and years in the occupation."""
    conditions = list(ApplicationCondition.objects.filter(occupation=occupation, level=level))
    if not conditions:
        conditions = list(ApplicationCondition.objects.filter(occupation__isnull=True, level=level))
    if not conditions:
        return ConditionCheck(True, None, [])
    years = years_in_occupation(person=person, occupation=occupation, on=on)
    reasons: list[str] = []
    for condition in conditions:
        missing: list[str] = []
        if condition.lower_certificate and not _holds_lower(person, occupation, level, on):
            lower = LADDER[LADDER.index(level) - 1]
            missing.append(f"未持有本职业{_level_label(lower)}及以上证书")
        if years < condition.min_years:
            missing.append(f"本职业工作{years}年，不足{condition.min_years}年")
        if not missing:
            return ConditionCheck(True, condition, [])
        reasons.append(f"按「{condition.description}」：{'，'.join(missing)}")
    return ConditionCheck(False, None, reasons)


@transaction.atomic
def registration_create(
    *, actor: User | None, session: ExamSession, person: Person, retake: bool = False
) -> Registration:
    """Register a candidate (themself, or by the organisation): the session planned and not full,
    the person not yet registered, and meeting the level's application conditions. `retake`: a
    candidate who failed a part earlier sits only the failed part(s), the passed ones retained
    while `ASSESSMENT_PART_RETENTION_DAYS` runs (`retake.retake_check`; expired: everything)."""
    session = (
        ExamSession.objects.select_for_update().select_related("occupation").get(pk=session.pk)
    )
    own = actor is not None and actor.person_id == person.pk
    if not own and not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("person", "无权为该人员报名")
    if session.status != SessionStatus.PLANNED:
        raise Conflict("session", f"该考试批次当前为「{session.get_status_display()}」，不能报名")
    if Registration.objects.filter(session=session, person=person).exists():
        raise Conflict("person", f"{person.name}已报名该考试批次")
    if Registration.objects.filter(session=session).count() >= session.capacity:
        raise Conflict("session", f"该考试批次已满（容量{session.capacity}人）")
    kept = retake_check(person=person, session=session) if retake else RetakeCheck()
    if retake and kept.earlier is None:
        raise Unprocessable(
            "person", f"{person.name}没有本职业本等级未全部合格且成绩已确认的考试，不能按补考报名"
        )
    if retake and set(session.parts) <= set(kept.retained):
        raise Unprocessable("person", f"{person.name}在本批次的考核环节均已合格，无须补考")
    check = (
        ConditionCheck(True, kept.earlier.condition, [])
        if kept.earlier is not None
        else application_check(
            person=person,
            occupation=session.occupation,
            level=session.level,
            on=session.starts_at.date(),
        )
    )
    if not check.ok:
        raise Unprocessable(
            "person",
            f"{person.name}不符合{_level_label(session.level)}申报条件："
            + "；".join(check.reasons),
        )
    registration = Registration.objects.create(
        session=session, person=person, condition=check.condition
    )
    RetainedPart.objects.bulk_create(
        RetainedPart(registration=registration, part=part, result=result)
        for part, result in kept.retained.items()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.EXAM_REGISTRATION,
        object_id=registration.pk,
        after={
            "session": session.pk,
            "person": person.pk,
            "retained": {p: r.pk for p, r in kept.retained.items()},
        },
        region=session.organisation.region_id,
    )
    return registration


@transaction.atomic
def staff_assign(
    *, actor: User | None, session: ExamSession, part: str, person: Person, chair: bool = False
) -> SessionStaff:
    """Put a person on a part's staff; `chair` names the panel's chair (评审组长, one per panel)."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权为该考试批次安排考务人员")
    if part not in session.parts:
        raise AssessmentInvalid("part", "该考试批次没有这个考核环节")
    if SessionStaff.objects.filter(session=session, part=part, person=person).exists():
        raise Conflict("person", f"{person.name}已在该环节")
    if chair and part != AssessmentPart.PANEL:
        raise AssessmentInvalid("chair", "只有综合评审设评审组长")
    if chair and SessionStaff.objects.filter(session=session, part=part, chair=True).exists():
        raise Conflict("chair", "该综合评审已有评审组长")
    on = session.starts_at.date()
    if (
        part in ASSESSOR_PARTS
        and not AssessorQualification.objects.filter(
            person=person, occupation=session.occupation, valid_from__lte=on, valid_to__gte=on
        ).exists()
    ):
        raise Unprocessable(
            "person", f"{person.name}在开考日没有有效的「{session.occupation.name}」考评员资格"
        )
    if staffing_rule(occupation=session.occupation, part=part).recusal:
        shared = _shared_employers(session, person, on)
        if shared:
            raise Unprocessable(
                "person",
                f"{person.name}与本批次考生同属「{shared[0]}」，按回避规定不能担任{AssessmentPart(part).label}考务人员",
            )
    staff = SessionStaff.objects.create(session=session, part=part, person=person, chair=chair)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=AuditObject.EXAM_SESSION,
        object_id=session.pk,
        after={"staff_part": part, "person": person.pk, "chair": chair},
        region=session.organisation.region_id,
    )
    return staff


def _employers(person_ids: list[int], on: dt.date) -> dict[int, str]:
    """employer id → name of the people's jobs current on `on`."""
    return dict(
        Employment.objects.filter(person_id__in=person_ids, employer__isnull=False, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values_list("employer_id", "employer__name")
    )


def _shared_employers(session: ExamSession, person: Person, on: dt.date) -> list[str]:
    candidates = list(
        Registration.objects.filter(session=session).values_list("person_id", flat=True)
    )
    theirs = _employers(candidates, on)
    mine = _employers([person.pk], on)
    return sorted(name for pk, name in mine.items() if pk in theirs)


@dataclass(frozen=True)
class Staffing:
    per_candidates: int
    minimum: int
    per_room: int
    odd: bool
    recusal: bool = False
    anonymous: bool = False

    def needed(self, *, candidates: int, rooms: int) -> int:
        ratio = math.ceil(candidates / self.per_candidates) if self.per_candidates else 0
        count = max(self.minimum, ratio, self.per_room * rooms)
        if self.odd and count % 2 == 0:
            count += 1
        return count


def staffing_rule(*, occupation: Occupation, part: str) -> Staffing:
    row = StaffingRule.objects.filter(occupation=occupation, part=part).first()
    if row is not None:
        return Staffing(
            row.per_candidates, row.minimum, row.per_room, row.odd, row.recusal, row.anonymous
        )
    default = settings.ASSESSMENT_STAFFING_DEFAULTS[part]
    return Staffing(
        int(default["per_candidates"]),
        int(default["minimum"]),
        int(default["per_room"]),
        bool(default["odd"]),
        bool(default.get("recusal", False)),
        bool(default.get("anonymous", False)),
    )


def staffing_check(*, session: ExamSession) -> list[str]:
    """One Chinese sentence per part whose staff falls short of its rule (empty: enough)."""
    candidates = Registration.objects.filter(session=session).count()
    problems: list[str] = []
    for part in session.parts:
        rule = staffing_rule(occupation=session.occupation, part=part)
        have = SessionStaff.objects.filter(session=session, part=part).count()
        need = rule.needed(candidates=candidates, rooms=session.rooms)
        label = AssessmentPart(part).label
        if have < need:
            problems.append(
                f"{label}：{candidates}名考生、{session.rooms}个考场需要至少{need}人，现有{have}人"
            )
        elif rule.odd and have % 2 == 0:
            problems.append(f"{label}：人数须为奇数，现有{have}人")
    return problems


def session_open(*, actor: User | None, session: ExamSession) -> ExamSession:
    """Open the session once its staffing meets the rules (`Unprocessable` naming each part)."""
    if not access.can_run_sessions(actor, session.organisation_id):
        raise Forbidden("session", "无权开考该考试批次")
    problems = staffing_check(session=session)
    if problems:
        raise Unprocessable("session", "考务人员配备不足，不能开考：" + "；".join(problems))
    transition(obj_or_queryset=session, to=SessionStatus.OPEN, actor=actor, reason="开考")
    return session
