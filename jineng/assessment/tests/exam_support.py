"""Test data for the exam, marking and results: an open session (theory + practical) whose
theory paper has two single-choice items (30 points each) and one short answer (40 points), a
practical task with a two-line scoring sheet, registered candidates with accounts, three
assessors of the organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import (
    AssessmentPart,
    Blueprint,
    ExamSession,
    IdentityMethod,
    Item,
    ItemKind,
    Registration,
    SessionStatus,
)
from jineng.assessment.tests.support import World, approved_single, make_world
from jineng.core.states import transition
from jineng.identity.models import Role, User
from jineng.identity.testing import make_person, make_user
from jineng.reference.models import SkillLevel


@dataclass
class ExamWorld:
    world: World
    blueprint: Blueprint
    session: ExamSession
    practical: Item
    candidates: list[tuple[User, Registration]] = field(default_factory=list)
    assessors: list[User] = field(default_factory=list)

    @property
    def admin(self) -> User:
        return self.world.admin


def _approve(world: World, item: Item) -> Item:
    services.item_submit(actor=world.admin, item=item)
    services.item_approve(actor=world.assessor, item=item)
    return item


def exam_blueprint(world: World) -> Blueprint:
    for n in range(3):
        approved_single(world, world.root, n=n)
    for n in range(2):
        _approve(
            world,
            services.item_create(
                actor=world.admin,
                bank=world.bank,
                point=world.other,
                kind=ItemKind.SHORT_ANSWER,
                difficulty=3,
                stem=f"简述车床开机前的安全检查要点。（{n}）",
                reference_answer="检查防护罩、润滑、卡盘扳手已取下。",
            ),
        )
    blueprint = services.blueprint_create(actor=world.admin, bank=world.bank, name="高级工理论")
    single = services.section_add(
        actor=world.admin, blueprint=blueprint, title="单项选择题", kind=ItemKind.SINGLE
    )
    services.rule_add(
        actor=world.admin, section=single, point=world.root, difficulty=3, count=2,
        points=Decimal("30"),
    )  # fmt: skip
    short = services.section_add(
        actor=world.admin, blueprint=blueprint, title="简答题", kind=ItemKind.SHORT_ANSWER
    )
    services.rule_add(
        actor=world.admin, section=short, point=world.other, difficulty=3, count=1,
        points=Decimal("40"),
    )  # fmt: skip
    services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    return blueprint


def practical_item(world: World) -> Item:
    return _approve(
        world,
        services.item_create(
            actor=world.admin,
            bank=world.bank,
            point=world.other,
            kind=ItemKind.PRACTICAL,
            difficulty=3,
            stem="车削一根阶梯轴",
            sheet=[
                services.Criterion("外圆尺寸", Decimal("60")),
                services.Criterion("安全文明生产", Decimal("40")),
            ],
        ),
    )


def make_exam(
    *,
    candidates: int = 1,
    starts_at: dt.datetime | None = None,
    minutes: int = 60,
    open_session: bool = True,
    capacity: int = 0,
) -> ExamWorld:
    world = make_world()
    blueprint = exam_blueprint(world)
    practical = practical_item(world)
    services.licence_grant(
        actor=None,
        organisation=world.organisation,
        occupation=world.bank.occupation,
        levels="3",
        valid_from=dt.date(2020, 1, 1),
    )
    session = services.session_plan(
        actor=world.admin,
        organisation=world.organisation,
        occupation=world.bank.occupation,
        level=SkillLevel.ADVANCED,
        parts=[AssessmentPart.THEORY, AssessmentPart.PRACTICAL],
        starts_at=starts_at or timezone.now() - dt.timedelta(minutes=1),
        venue="东莞市技能鉴定中心",
        capacity=capacity or max(candidates, 1) + 5,
    )
    services.exam_configure(
        actor=world.admin,
        session=session,
        blueprint=blueprint,
        theory_minutes=minutes,
        practical_item=practical,
    )
    exam = ExamWorld(world, blueprint, session, practical)
    for n in range(candidates):
        person = make_person(name=f"考生{n}号")
        user = make_user(Role.WORKER, person=person)
        registration = services.registration_create(
            actor=world.admin, session=session, person=person
        )
        exam.candidates.append((user, registration))
    exam.assessors = [world.assessor] + [
        make_user(Role.ASSESSOR, organisation=world.organisation) for _ in range(2)
    ]
    if open_session:
        transition(obj_or_queryset=session, to=SessionStatus.OPEN, actor=None, reason="测试开考")
        session.refresh_from_db()
    return exam


def new_candidate(exam: ExamWorld, name: str) -> tuple[User, Registration]:
    person = make_person(name=name)
    user = make_user(Role.WORKER, person=person)
    # test data: straight into an open session (the service registers while it is planned)
    return user, Registration.objects.create(session=exam.session, person=person)


def admit(exam: ExamWorld, registration: Registration) -> None:
    services.attempt_admit(
        actor=exam.assessors[0], registration=registration, method=IdentityMethod.INVIGILATOR
    )
