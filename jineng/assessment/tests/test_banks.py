"""Banks and items: content checks, review (four eyes, audited), versioning, filing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.assessment import services
from jineng.assessment.errors import AssessmentInvalid
from jineng.assessment.models import FilingStatus, Item, ItemKind, ItemStatus
from jineng.assessment.tests.support import World, approved_single, make_world
from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, Forbidden
from jineng.core.states import TransitionRefused
from jineng.identity.models import Role
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def test_single_choice_answer_must_be_an_option(world: World) -> None:
    with pytest.raises(AssessmentInvalid) as err:
        services.item_create(
            actor=world.admin,
            bank=world.bank,
            point=world.root,
            kind=ItemKind.SINGLE,
            difficulty=3,
            stem="题干",
            options=["甲", "乙"],
            answer=2,
        )
    assert err.value.field == "answer"
    assert "选项" in err.value.message
    assert not Item.objects.exists()


def test_practical_task_needs_a_scoring_sheet_and_deductions_within_points(world: World) -> None:
    with pytest.raises(AssessmentInvalid) as err:
        services.item_create(
            actor=world.admin,
            bank=world.bank,
            point=world.other,
            kind=ItemKind.PRACTICAL,
            difficulty=3,
            stem="车削一根阶梯轴",
        )
    assert err.value.field == "sheet"
    with pytest.raises(AssessmentInvalid) as err:
        services.item_create(
            actor=world.admin,
            bank=world.bank,
            point=world.other,
            kind=ItemKind.PRACTICAL,
            difficulty=3,
            stem="车削一根阶梯轴",
            sheet=[
                services.Criterion(
                    "外圆尺寸", Decimal("10"), (services.Deduction("超差", Decimal("12")),)
                )
            ],
        )
    assert "第1项第1个扣分项" in err.value.message
    item = services.item_create(
        actor=world.admin,
        bank=world.bank,
        point=world.other,
        kind=ItemKind.PRACTICAL,
        difficulty=3,
        stem="车削一根阶梯轴",
        sheet=[
            services.Criterion(
                "外圆尺寸", Decimal("10"), (services.Deduction("每超差0.01毫米", Decimal("2")),)
            ),
            services.Criterion("安全文明生产", Decimal("5")),
        ],
    )
    assert services.sheet_of(item)[0].deductions[0].points == Decimal("2")
    assert item.sheet[1] == {"criterion": "安全文明生产", "points": "5", "deductions": []}


def test_author_cannot_review_own_item_and_review_is_audited(world: World) -> None:
    item = services.item_create(
        actor=world.assessor,
        bank=world.bank,
        point=world.root,
        kind=ItemKind.TRUE_FALSE,
        difficulty=2,
        stem="车床可以不接地。",
        answer=False,
    )
    services.item_submit(actor=world.assessor, item=item)
    with pytest.raises(Forbidden):
        services.item_approve(actor=world.assessor, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    services.item_approve(actor=world.admin, item=item, reason="表述准确")
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    assert item.reviewed_by == world.admin
    entry = AuditEntry.objects.filter(object_type="question_item", action="item_review").get()
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "approved"}


def test_an_outsider_cannot_write_items(world: World) -> None:
    stranger = make_user(Role.ORG_ADMIN)  # another organisation
    with pytest.raises(Forbidden):
        services.item_create(
            actor=stranger,
            bank=world.bank,
            point=world.root,
            kind=ItemKind.TRUE_FALSE,
            difficulty=2,
            stem="题干",
            answer=True,
        )
    assert not Item.objects.exists()


def test_draft_is_edited_approved_is_not(world: World) -> None:
    item = services.item_create(
        actor=world.admin,
        bank=world.bank,
        point=world.root,
        kind=ItemKind.TRUE_FALSE,
        difficulty=2,
        stem="旧题干",
        answer=True,
    )
    services.item_update(actor=world.admin, item=item, stem="新题干")
    item.refresh_from_db()
    assert item.stem == "新题干"
    services.item_submit(actor=world.admin, item=item)
    services.item_approve(actor=world.assessor, item=item)
    with pytest.raises(Conflict) as err:
        services.item_update(actor=world.admin, item=item, stem="再改")
    assert "新版本" in err.value.message
    item.refresh_from_db()
    assert item.stem == "新题干"


def test_rejected_item_edited_returns_to_draft(world: World) -> None:
    item = services.item_create(
        actor=world.admin,
        bank=world.bank,
        point=world.root,
        kind=ItemKind.TRUE_FALSE,
        difficulty=2,
        stem="有歧义的题干",
        answer=True,
    )
    services.item_submit(actor=world.admin, item=item)
    with pytest.raises(AssessmentInvalid):
        services.item_reject(actor=world.assessor, item=item, reason=" ")
    services.item_reject(actor=world.assessor, item=item, reason="题干有歧义")
    services.item_update(actor=world.admin, item=item, stem="清楚的题干")
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    assert item.review_reason == "题干有歧义"


def test_drawn_item_is_superseded_never_edited(world: World) -> None:
    from jineng.assessment.tests.test_papers import published_blueprint

    item = approved_single(world, world.root)
    blueprint = published_blueprint(world, count=1)
    services.paper_draw(actor=world.admin, blueprint=blueprint, candidate=make_person(), seed="s")
    assert services.item_was_drawn(item)
    with pytest.raises(Conflict) as err:
        services.item_update(actor=world.admin, item=item, stem="偷偷改题")
    assert "已被抽入试卷" in err.value.message
    item.refresh_from_db()
    assert "偷偷改题" not in item.stem

    new = services.item_supersede(actor=world.admin, item=item, stem="新版题干")
    assert (new.version, new.supersedes_id, new.status) == (2, item.pk, ItemStatus.DRAFT)
    assert new.options == item.options and new.answer == item.answer
    with pytest.raises(Conflict):
        services.item_supersede(actor=world.admin, item=item, stem="第三个版本")
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED  # still in use until the new version is approved
    services.item_submit(actor=world.admin, item=new)
    services.item_approve(actor=world.assessor, item=new)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUPERSEDED
    assert item.stem != "新版题干"  # the old version's text is what its papers showed
    with pytest.raises(TransitionRefused):
        services.item_submit(actor=world.admin, item=item)


def test_bank_filing_by_the_bureau_in_region(world: World) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    elsewhere = make_user(Role.BUREAU_REVIEWER, region="440300")
    with pytest.raises(Forbidden):
        services.bank_file(actor=world.admin, bank=world.bank, filed_on=dt.date(2026, 5, 1))
    with pytest.raises(Forbidden):
        services.bank_file(actor=elsewhere, bank=world.bank, filed_on=dt.date(2026, 5, 1))
    services.bank_file(
        actor=officer,
        bank=world.bank,
        filed_on=dt.date(2026, 5, 1),
        reference="东人社备〔2026〕3号",
    )
    world.bank.refresh_from_db()
    assert world.bank.filing_status == FilingStatus.FILED
    assert world.bank.filed_on == dt.date(2026, 5, 1)
    with pytest.raises(TransitionRefused) as err:
        services.bank_file(actor=officer, bank=world.bank, filed_on=dt.date(2026, 5, 2))
    assert "已备案" in err.value.message
    services.bank_filing_withdraw(actor=officer, bank=world.bank, reason="题库内容泄露")
    world.bank.refresh_from_db()
    assert world.bank.filing_status == FilingStatus.WITHDRAWN
    assert AuditEntry.objects.filter(object_type="question_bank", action="bank_file").count() == 2
