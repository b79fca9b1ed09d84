"""A small exam set up through the services (as the system, `actor=None`): a bank with approved
single-choice, true/false and short-answer items and a practical task, a published blueprint
(two singles at 30, one true/false at 10, one short answer at 30 = 100 points), the
organisation's licence, a session (theory + practical) with its settings, and registrations.
Used by the demo city and the scope matrix; the benchmark builds its own at scale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from jineng.assessment import services
from jineng.assessment.models import (
    AssessmentPart,
    Blueprint,
    ExamSession,
    Item,
    ItemKind,
    QuestionBank,
    Registration,
    SessionStatus,
)
from jineng.core.states import transition
from jineng.identity.models import Person
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, SkillLevel

SINGLES = (
    (
        "车床主轴转速的选择主要依据是什么？",
        ["工件材料和刀具", "机床颜色", "操作者身高", "车间温度"],
    ),
    ("车削外圆时，刀尖应对准工件的哪个位置？", ["中心", "上方5毫米", "下方5毫米", "任意位置"]),
    ("游标卡尺读数时，视线应如何？", ["垂直于刻线", "斜视", "仰视", "闭一只眼"]),
)
TRUE_FALSE = (("操作车床时可以戴手套。", False), ("车床开机前应检查润滑。", True))
SHORT = ("简述车床开机前的安全检查要点。", "检查防护罩、润滑、卡盘扳手已取下、工件夹紧。")


@dataclass(frozen=True)
class SeededExam:
    bank: QuestionBank
    blueprint: Blueprint
    practical: Item
    session: ExamSession
    registrations: list[Registration]


def _approved(item: Item) -> Item:
    services.item_submit(actor=None, item=item)
    services.item_approve(actor=None, item=item)
    return item


def seed_bank(*, bank: QuestionBank) -> tuple[Blueprint, Item]:
    """Items, a published blueprint and a practical task in `bank` (which should be empty)."""
    practical = _seed_items(bank)
    return seed_blueprint(bank=bank, name=f"{bank.name}理论试卷"), practical


def _seed_items(bank: QuestionBank) -> Item:
    basics = services.point_add(actor=None, bank=bank, code="1", name="基础知识")
    skills = services.point_add(actor=None, bank=bank, code="2", name="操作技能")
    for stem, options in SINGLES:
        _approved(
            services.item_create(
                actor=None, bank=bank, point=basics, kind=ItemKind.SINGLE, difficulty=3,
                stem=stem, options=options, answer=0,
            )
        )  # fmt: skip
    for stem, answer in TRUE_FALSE:
        _approved(
            services.item_create(
                actor=None, bank=bank, point=basics, kind=ItemKind.TRUE_FALSE, difficulty=3,
                stem=stem, answer=answer,
            )
        )  # fmt: skip
    _approved(
        services.item_create(
            actor=None, bank=bank, point=skills, kind=ItemKind.SHORT_ANSWER, difficulty=3,
            stem=SHORT[0], reference_answer=SHORT[1],
        )
    )  # fmt: skip
    practical = _approved(
        services.item_create(
            actor=None, bank=bank, point=skills, kind=ItemKind.PRACTICAL, difficulty=3,
            stem="按图样车削一根阶梯轴",
            sheet=[
                services.Criterion("外圆尺寸", Decimal("60")),
                services.Criterion("安全文明生产", Decimal("40")),
            ],
        )
    )  # fmt: skip
    return practical


def seed_blueprint(*, bank: QuestionBank, name: str) -> Blueprint:
    """A published blueprint over the seeded items of `bank` (a new one per session a candidate
    may sit twice: a paper is drawn once per candidate and blueprint)."""
    basics = bank.points.get(code="1")
    skills = bank.points.get(code="2")
    blueprint = services.blueprint_create(actor=None, bank=bank, name=name)
    for title, kind, point, count, points in (
        ("单项选择题", ItemKind.SINGLE, basics, 2, "30"),
        ("判断题", ItemKind.TRUE_FALSE, basics, 1, "10"),
        ("简答题", ItemKind.SHORT_ANSWER, skills, 1, "30"),
    ):
        section = services.section_add(actor=None, blueprint=blueprint, title=title, kind=kind)
        services.rule_add(
            actor=None, section=section, point=point, difficulty=3, count=count,
            points=Decimal(points),
        )  # fmt: skip
    services.blueprint_publish(actor=None, blueprint=blueprint)
    return blueprint


def seed_exam(
    *,
    organisation: Organisation,
    occupation: Occupation,
    candidates: Sequence[Person],
    starts_at: dt.datetime,
    minutes: int = 90,
    venue: str = "",
    bank: QuestionBank | None = None,
    open_session: bool = True,
) -> SeededExam:
    if bank is None:
        bank = services.bank_create(
            actor=None,
            organisation=organisation,
            occupation=occupation,
            level=SkillLevel.ADVANCED,
            name=f"{occupation.name}高级工理论题库",
        )
        blueprint, practical = seed_bank(bank=bank)
    else:
        count = bank.blueprints.count()
        blueprint = seed_blueprint(bank=bank, name=f"{bank.name}理论试卷（第{count + 1}套）")
        found = bank.items.filter(kind=ItemKind.PRACTICAL, status="approved").first()
        assert found is not None, "the bank was not seeded by seed_bank"
        practical = found
    services.licence_grant(
        actor=None,
        organisation=organisation,
        occupation=occupation,
        levels="543",
        valid_from=dt.date(2020, 1, 1),
    )
    session = services.session_plan(
        actor=None,
        organisation=organisation,
        occupation=occupation,
        level=SkillLevel.ADVANCED,
        parts=[AssessmentPart.THEORY, AssessmentPart.PRACTICAL],
        starts_at=starts_at,
        venue=venue or f"{organisation.name}考点",
        capacity=max(len(candidates), 1) + 10,
    )
    services.exam_configure(
        actor=None,
        session=session,
        blueprint=blueprint,
        theory_minutes=minutes,
        practical_item=practical,
    )
    registrations = [
        services.registration_create(actor=None, session=session, person=p) for p in candidates
    ]
    if open_session:
        # Opening checks the staffing (services.session_open); the seeded session has no staff
        # rows, so the system opens it directly, as the record of a session already held.
        transition(obj_or_queryset=session, to=SessionStatus.OPEN, actor=None, reason="开考")
        session.refresh_from_db()
    return SeededExam(bank, blueprint, practical, session, registrations)
