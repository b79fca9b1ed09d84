"""Test data for the assessment app: a bank with a small tree of knowledge points."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jineng.assessment import services
from jineng.assessment.models import Item, ItemKind, KnowledgePoint, QuestionBank
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.organisations.models import Organisation, OrgKind
from jineng.reference.models import Occupation, SkillLevel


@dataclass
class World:
    organisation: Organisation
    admin: User
    assessor: User
    bank: QuestionBank
    root: KnowledgePoint  # 1 基础知识
    child: KnowledgePoint  # 1.1 安全知识 (under root)
    other: KnowledgePoint  # 2 操作技能


def make_world() -> World:
    organisation = make_organisation(kind=OrgKind.EVALUATION_ORG, region="441900")
    admin = make_user(Role.ORG_ADMIN, organisation=organisation)
    assessor = make_user(Role.ASSESSOR, organisation=organisation)
    occupation = Occupation.objects.order_by("code").first()
    assert occupation is not None
    bank = services.bank_create(
        actor=admin,
        organisation=organisation,
        occupation=occupation,
        level=SkillLevel.ADVANCED,
        name="车工高级工理论题库",
    )
    root = services.point_add(actor=admin, bank=bank, code="1", name="基础知识")
    child = services.point_add(actor=admin, bank=bank, code="1.1", name="安全知识", parent=root)
    other = services.point_add(actor=admin, bank=bank, code="2", name="操作技能")
    return World(organisation, admin, assessor, bank, root, child, other)


def approved_single(
    world: World, point: KnowledgePoint, *, difficulty: int = 3, n: int = 0
) -> Item:
    item = services.item_create(
        actor=world.admin,
        bank=world.bank,
        point=point,
        kind=ItemKind.SINGLE,
        difficulty=difficulty,
        stem=f"车床主轴转速的选择依据是什么？（{point.code}-{n}）",
        options=["工件材料", "机床颜色", "操作者身高", "车间温度"],
        answer=0,
    )
    services.item_submit(actor=world.admin, item=item)
    services.item_approve(actor=world.assessor, item=item)
    return item


def approved_true_false(world: World, point: KnowledgePoint, *, n: int = 0) -> Item:
    item = services.item_create(
        actor=world.admin,
        bank=world.bank,
        point=point,
        kind=ItemKind.TRUE_FALSE,
        difficulty=3,
        stem=f"操作车床时可以戴手套。（{n}）",
        answer=False,
    )
    services.item_submit(actor=world.admin, item=item)
    services.item_approve(actor=world.assessor, item=item)
    return item


POINTS = Decimal("2")
