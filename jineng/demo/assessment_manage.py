"""The demo city's material for the organisation's management pages (issue 9 §10): at the demo
organisation, a question bank for the demo worker's occupation with a small knowledge-point
tree, an approved item and one awaiting review, a draft blueprint, the licence scope and a
planned session the demo worker may apply for. Written through the services; once (idempotent
by the bank's name)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import AssessmentPart, ItemKind, QuestionBank
from jineng.identity.models import Employment, Person
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, SkillLevel

BANK_NAME = "示范中级工理论题库"


def _occupation(person: Person) -> Occupation:
    job = (
        Employment.objects.filter(person=person, occupation__isnull=False)
        .select_related("occupation")
        .order_by("-start")
        .first()
    )
    if job is not None and job.occupation is not None:
        return job.occupation
    found = Occupation.objects.order_by("code").first()
    if found is None:
        raise RuntimeError("数据库中没有职业分类")
    return found


@transaction.atomic
def seed_demo_assessment_manage(*, organisation: Organisation, demo_person: Person) -> None:
    if QuestionBank.objects.filter(organisation=organisation, name=BANK_NAME).exists():
        return
    occupation = _occupation(demo_person)
    bank = services.bank_create(
        actor=None,
        organisation=organisation,
        occupation=occupation,
        level=SkillLevel.INTERMEDIATE,
        name=BANK_NAME,
    )
    basics = services.point_add(actor=None, bank=bank, code="1", name="基础知识")
    safety = services.point_add(
        actor=None, bank=bank, code="1.1", name="安全文明生产", parent=basics
    )
    approved = services.item_create(
        actor=None, bank=bank, point=safety, kind=ItemKind.TRUE_FALSE, difficulty=2,
        stem="操作旋转设备时可以戴手套。", answer=False,
    )  # fmt: skip
    services.item_submit(actor=None, item=approved)
    services.item_approve(actor=None, item=approved, reason="表述准确")
    waiting = services.item_create(
        actor=None, bank=bank, point=safety, kind=ItemKind.SINGLE, difficulty=3,
        stem="发现设备异常时，首先应当怎样做？",
        options=["立即停机并报告", "继续作业", "自行拆修"], answer=0,
    )  # fmt: skip
    services.item_submit(actor=None, item=waiting)
    blueprint = services.blueprint_create(actor=None, bank=bank, name="示范理论试卷")
    section = services.section_add(
        actor=None, blueprint=blueprint, title="判断题", kind=ItemKind.TRUE_FALSE
    )
    services.rule_add(
        actor=None, section=section, point=basics, difficulty=2, count=2, points=Decimal("50")
    )
    today = timezone.localdate()
    services.licence_grant(
        actor=None, organisation=organisation, occupation=occupation, levels="543",
        valid_from=today - dt.timedelta(days=365),
    )  # fmt: skip
    services.session_plan(
        actor=None,
        organisation=organisation,
        occupation=occupation,
        level=SkillLevel.INTERMEDIATE,
        parts=[AssessmentPart.THEORY, AssessmentPart.PRACTICAL],
        starts_at=timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
        + dt.timedelta(days=45),
        venue="东莞市技能人才评价中心第一考场",
        capacity=60,
        rooms=2,
    )
