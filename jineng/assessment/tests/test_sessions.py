"""Exam sessions: licence scope, application conditions read from the dossier, capacity, and
staffing checked against the rules before the session opens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jineng.assessment import services
from jineng.assessment.models import (
    ApplicationCondition,
    AssessmentPart,
    AssessorQualification,
    ExamSession,
    Registration,
    SessionStaff,
    SessionStatus,
    StaffingRule,
)
from jineng.assessment.tests.support import World, make_world
from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, Forbidden, Unprocessable
from jineng.dossier.models import FactKind
from jineng.dossier.services import fact_append, fact_correct
from jineng.identity.models import Person, Role
from jineng.identity.services import employment_record
from jineng.identity.testing import make_organisation, make_person, make_user
from jineng.reference.models import SkillLevel

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 6, 1)


@pytest.fixture
def world() -> World:
    w = make_world()
    services.licence_grant(
        actor=None,
        organisation=w.organisation,
        occupation=w.bank.occupation,
        levels="543",
        valid_from=dt.date(2026, 1, 1),
    )
    return w


def plan(world: World, *, level: str = SkillLevel.ADVANCED, capacity: int = 30) -> ExamSession:
    return services.session_plan(
        actor=world.admin,
        organisation=world.organisation,
        occupation=world.bank.occupation,
        level=level,
        parts=[AssessmentPart.THEORY, AssessmentPart.PRACTICAL],
        starts_at=timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0)),
        venue="东莞市技师学院",
        capacity=capacity,
        rooms=1,
    )


def test_planning_outside_the_licence_is_refused(world: World) -> None:
    with pytest.raises(Forbidden) as err:
        services.session_plan(
            actor=world.admin,
            organisation=world.organisation,
            occupation=world.bank.occupation,
            level=SkillLevel.TECHNICIAN,
            parts=[AssessmentPart.THEORY, AssessmentPart.PRACTICAL, AssessmentPart.PANEL],
            starts_at=timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0)),
            venue="考点",
            capacity=10,
        )
    assert "技师（二级）不在该机构的认定范围内" in err.value.message
    assert not ExamSession.objects.exists()
    assert plan(world).status == SessionStatus.PLANNED


def test_conditions_read_the_dossier(world: World) -> None:
    occupation = world.bank.occupation
    ApplicationCondition.objects.create(
        level=SkillLevel.ADVANCED,
        lower_certificate=True,
        min_years=2,
        description="取得四级证书后工作2年",
    )
    ApplicationCondition.objects.create(
        level=SkillLevel.ADVANCED, min_years=8, description="本职业工作8年"
    )
    session = plan(world)
    person = make_person()
    with pytest.raises(Unprocessable) as err:
        services.registration_create(actor=world.admin, session=session, person=person)
    assert err.value.message == (
        f"{person.name}不符合高级工（三级）申报条件："
        "按「取得四级证书后工作2年」：未持有本职业中级工（四级）及以上证书，本职业工作0年，不足2年；"
        "按「本职业工作8年」：本职业工作0年，不足8年"
    )
    employment_record(
        actor=None,
        person=person,
        start=dt.date(2023, 3, 1),
        employer_name="某厂",
        occupation=occupation,
    )
    fact = fact_append(
        actor=None,
        subject=person,
        kind=FactKind.CERTIFICATE,
        code=occupation.code,
        level=SkillLevel.INTERMEDIATE,
        date=dt.date(2024, 1, 1),
        source="test",
    )
    registration = services.registration_create(actor=world.admin, session=session, person=person)
    assert registration.condition is not None
    assert registration.condition.description == "取得四级证书后工作2年"
    # A corrected (superseded) certificate no longer counts.
    other = make_person()
    employment_record(
        actor=None,
        person=other,
        start=dt.date(2023, 3, 1),
        employer_name="某厂",
        occupation=occupation,
    )
    wrong = fact_append(
        actor=None,
        subject=other,
        kind=FactKind.CERTIFICATE,
        code=occupation.code,
        level=SkillLevel.INTERMEDIATE,
        date=dt.date(2024, 1, 1),
        source="test",
    )
    fact_correct(actor=None, fact=wrong, reason="证书系伪造", level=SkillLevel.ELEMENTARY)
    with pytest.raises(Unprocessable):
        services.registration_create(actor=world.admin, session=session, person=other)
    assert fact.pk  # the first person's certificate stands


def test_capacity_and_duplicates(world: World) -> None:
    session = plan(world, capacity=1)
    person = make_person()
    services.registration_create(actor=world.admin, session=session, person=person)
    with pytest.raises(Conflict) as err:
        services.registration_create(actor=world.admin, session=session, person=person)
    assert "已报名" in err.value.message
    with pytest.raises(Conflict) as err:
        services.registration_create(actor=world.admin, session=session, person=make_person())
    assert "已满" in err.value.message
    assert Registration.objects.count() == 1


def test_a_worker_registers_themself_not_others(world: World) -> None:
    session = plan(world)
    me = make_person()
    worker = make_user(Role.WORKER, person=me)
    services.registration_create(actor=worker, session=session, person=me)
    with pytest.raises(Forbidden):
        services.registration_create(actor=worker, session=session, person=make_person())


def _qualify(world: World, person: Person) -> None:
    AssessorQualification.objects.create(
        person=person,
        occupation=world.bank.occupation,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )


def _staff(world: World, session: ExamSession, part: str, n: int) -> list[Person]:
    people = [make_person() for _ in range(n)]
    for p in people:
        _qualify(world, p)
        services.staff_assign(actor=world.admin, session=session, part=part, person=p)
    return people


def test_assessors_need_a_valid_qualification_and_stand_down_for_colleagues(
    world: World,
) -> None:
    session = plan(world)
    factory = make_organisation(name="某机械厂")
    candidate = make_person()
    employment_record(actor=None, person=candidate, start=dt.date(2020, 1, 1), employer=factory)
    services.registration_create(actor=world.admin, session=session, person=candidate)
    colleague = make_person()
    employment_record(actor=None, person=colleague, start=dt.date(2019, 1, 1), employer=factory)
    with pytest.raises(Unprocessable) as err:
        services.staff_assign(
            actor=world.admin, session=session, part=AssessmentPart.PRACTICAL, person=colleague
        )
    assert "没有有效的" in err.value.message
    _qualify(world, colleague)
    with pytest.raises(Unprocessable) as err:
        services.staff_assign(
            actor=world.admin, session=session, part=AssessmentPart.PRACTICAL, person=colleague
        )
    assert err.value.message == (
        f"{colleague.name}与本批次考生同属「某机械厂」，按回避规定不能担任操作技能考核考务人员"
    )
    # Invigilating the theory exam needs neither.
    services.staff_assign(
        actor=world.admin, session=session, part=AssessmentPart.THEORY, person=colleague
    )
    assert list(SessionStaff.objects.values_list("part", flat=True)) == [AssessmentPart.THEORY]


def test_session_opens_only_with_enough_staff(world: World) -> None:
    session = plan(world)
    for _ in range(16):
        services.registration_create(actor=world.admin, session=session, person=make_person())
    _staff(world, session, AssessmentPart.THEORY, 1)
    _staff(world, session, AssessmentPart.PRACTICAL, 4)
    with pytest.raises(Unprocessable) as err:
        services.session_open(actor=world.admin, session=session)
    assert err.value.message == (
        "考务人员配备不足，不能开考：理论知识考试：16名考生、1个考场需要至少2人，现有1人；"
        "操作技能考核：16名考生、1个考场需要至少5人，现有4人"
    )
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    _staff(world, session, AssessmentPart.THEORY, 1)
    _staff(world, session, AssessmentPart.PRACTICAL, 1)
    services.session_open(actor=world.admin, session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN
    assert AuditEntry.objects.filter(object_type="exam_session", object_id=str(session.pk)).exists()


def test_an_occupation_rule_overrides_the_defaults(world: World) -> None:
    StaffingRule.objects.create(
        occupation=world.bank.occupation, part=AssessmentPart.PRACTICAL, per_candidates=2, minimum=1
    )
    rule = services.staffing_rule(occupation=world.bank.occupation, part=AssessmentPart.PRACTICAL)
    assert rule.needed(candidates=7, rooms=1) == 4


@given(st.integers(0, 500), st.integers(1, 20), st.sampled_from(["theory", "practical", "panel"]))
def test_default_staffing_meets_every_stated_rule(candidates: int, rooms: int, part: str) -> None:
    from django.conf import settings

    d = settings.ASSESSMENT_STAFFING_DEFAULTS[part]
    rule = services.Staffing(d["per_candidates"], d["minimum"], d["per_room"], bool(d["odd"]))
    need = rule.needed(candidates=candidates, rooms=rooms)
    if part == "theory":
        assert need * 15 >= candidates and need >= 2 * rooms
    elif part == "practical":
        assert need * 5 >= candidates and need >= 3 and need % 2 == 1
    else:
        assert need >= 3 and need % 2 == 1
    # and it is the least such number
    smaller = need - (2 if rule.odd else 1)
    if part == "theory":
        assert smaller * 15 < candidates or smaller < 2 * rooms
    elif part == "practical":
        assert smaller * 5 < candidates or smaller < 3
    else:
        assert smaller < 3
