"""Blueprints and papers on the database: the check names what is short, the same seed gives
the same stored paper, exposure counts, scoring maps displayed answers back to the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jineng.assessment import services
from jineng.assessment.models import (
    Blueprint,
    BlueprintStatus,
    ItemKind,
    Paper,
    PaperItem,
)
from jineng.assessment.scoring import displayed_key
from jineng.assessment.selectors import bank_exposure, item_exposure
from jineng.assessment.tests.support import World, approved_single, approved_true_false, make_world
from jineng.core.errors import Conflict, Unprocessable
from jineng.identity.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def draft_blueprint(world: World, *, count: int, pass_line: Decimal | None = None) -> Blueprint:
    blueprint = services.blueprint_create(
        actor=world.admin, bank=world.bank, name="高级工理论", pass_line=pass_line
    )
    section = services.section_add(
        actor=world.admin, blueprint=blueprint, title="单项选择题", kind=ItemKind.SINGLE
    )
    services.rule_add(
        actor=world.admin,
        section=section,
        point=world.root,
        difficulty=3,
        count=count,
        points=Decimal("2"),
    )
    return blueprint


def published_blueprint(world: World, *, count: int) -> Blueprint:
    blueprint = draft_blueprint(world, count=count)
    services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    return blueprint


def test_check_names_section_point_and_difficulty_short_of_items(world: World) -> None:
    for n in range(3):
        approved_single(world, world.child, n=n)  # beneath 1 基础知识: counted for it
    blueprint = draft_blueprint(world, count=5)
    check = services.blueprint_check(blueprint=blueprint)
    assert not check.ok
    assert check.problems == [
        "第一部分「单项选择题」：鉴定要素「1 基础知识」难度「中等」需要5题，题库中审核通过的只有3题"
    ]
    with pytest.raises(Unprocessable) as err:
        services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    assert "鉴定要素「1 基础知识」" in err.value.message
    blueprint.refresh_from_db()
    assert blueprint.status == BlueprintStatus.DRAFT


def test_nested_rules_share_the_subtree(world: World) -> None:
    for n in range(3):
        approved_single(world, world.child, n=n)
    blueprint = draft_blueprint(world, count=1)  # 1 from 1 基础知识 …
    section = blueprint.sections.get()
    services.rule_add(  # … and 3 from 1.1 安全知识: 4 needed from 1's subtree of 3
        actor=world.admin,
        section=section,
        point=world.child,
        difficulty=3,
        count=3,
        points=Decimal("2"),
    )
    check = services.blueprint_check(blueprint=blueprint)
    assert check.problems == [
        "第一部分「单项选择题」：鉴定要素「1 基础知识」难度「中等」（含下级要素的规则）需要4题，"
        "题库中审核通过的只有3题"
    ]
    approved_single(world, world.root, n=9)
    assert services.blueprint_check(blueprint=blueprint).ok


def test_same_seed_same_stored_paper_and_exposure(world: World) -> None:
    items = [approved_single(world, world.root, n=n) for n in range(6)]
    blueprint = published_blueprint(world, count=4)
    first = services.paper_draw(
        actor=world.admin, blueprint=blueprint, candidate=make_person(), seed="甲"
    )
    second = services.paper_draw(
        actor=world.admin, blueprint=blueprint, candidate=make_person(), seed="甲"
    )

    def layout(paper: Paper) -> list[tuple[int, int, list[int]]]:
        return [(e.position, e.item_id, e.option_order) for e in paper.entries.all()]

    assert layout(first) == layout(second)
    assert len(layout(first)) == 4
    assert all(sorted(order) == [0, 1, 2, 3] for _, _, order in layout(first))
    assert first.seed == "甲"
    drawn = {e.item_id for e in first.entries.all()}
    for item in items:
        item.refresh_from_db()
        assert item.exposure_count == (2 if item.pk in drawn else 0)
        assert item_exposure(item=item) == item.exposure_count
    by_item = {e.item_id: e.papers for e in bank_exposure(user=world.admin, bank_id=world.bank.pk)}
    assert by_item == {item.pk: (2 if item.pk in drawn else 0) for item in items}
    with pytest.raises(Conflict):
        services.paper_draw(
            actor=world.admin, blueprint=blueprint, candidate=first.candidate, seed="乙"
        )


def test_draft_blueprint_draws_nothing(world: World) -> None:
    approved_single(world, world.root)
    blueprint = draft_blueprint(world, count=1)
    with pytest.raises(Conflict):
        services.paper_draw(actor=world.admin, blueprint=blueprint, candidate=make_person())
    assert not Paper.objects.exists()


def test_scoring_maps_displayed_answers_back_to_the_key(world: World) -> None:
    for n in range(3):
        approved_single(world, world.root, n=n)
    approved_true_false(world, world.other)
    blueprint = draft_blueprint(world, count=3, pass_line=Decimal("8"))
    section = services.section_add(
        actor=world.admin, blueprint=blueprint, title="判断题", kind=ItemKind.TRUE_FALSE
    )
    services.rule_add(
        actor=world.admin,
        section=section,
        point=world.other,
        difficulty=3,
        count=1,
        points=Decimal("4"),
    )
    services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    paper = services.paper_draw(
        actor=world.admin, blueprint=blueprint, candidate=make_person(), seed="7"
    )
    entries = list(paper.entries.select_related("item"))
    singles = [e for e in entries if e.item.kind == ItemKind.SINGLE]
    answers: dict[int, object] = {
        e.pk: displayed_key(e.item.kind, e.item.answer, tuple(e.option_order)) for e in singles
    }
    # One single choice answered wrong: a displayed position whose option is not the key.
    wrong = singles[0]
    answers[wrong.pk] = next(d for d, o in enumerate(wrong.option_order) if o != wrong.item.answer)
    tf = next(e for e in entries if e.item.kind == ItemKind.TRUE_FALSE)
    answers[tf.pk] = False
    result = services.paper_score(actor=world.admin, paper=paper, answers=answers)
    assert [(s.title, s.possible, s.scored, s.pending) for s in result.sections] == [
        ("单项选择题", Decimal("6"), Decimal("4"), 0),
        ("判断题", Decimal("4"), Decimal("4"), 0),
    ]
    assert (result.possible, result.scored) == (Decimal("10"), Decimal("8"))
    assert (result.pass_line, result.passed) == (Decimal("8"), True)  # at the line is a pass
    with pytest.raises(Conflict):
        services.paper_score(actor=world.admin, paper=paper, answers=answers)
    assert PaperItem.objects.get(pk=wrong.pk).score == Decimal("0")


def test_fixed_paper_keeps_its_order_and_refuses_a_superseded_item(world: World) -> None:
    a = approved_single(world, world.root, n=1)
    b = approved_single(world, world.root, n=2)
    blueprint = services.blueprint_create(
        actor=world.admin, bank=world.bank, name="固定卷", fixed=True, pass_line=Decimal("3")
    )
    section = services.section_add(
        actor=world.admin, blueprint=blueprint, title="单项选择题", kind=ItemKind.SINGLE
    )
    services.fixed_item_add(actor=world.admin, section=section, item=b, points=Decimal("2"))
    services.fixed_item_add(actor=world.admin, section=section, item=a, points=Decimal("2"))
    services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    paper = services.paper_draw(actor=world.admin, blueprint=blueprint, candidate=make_person())
    assert [(e.item_id, e.option_order) for e in paper.entries.all()] == [
        (b.pk, [0, 1, 2, 3]),
        (a.pk, [0, 1, 2, 3]),
    ]
    new = services.item_supersede(actor=world.admin, item=a, stem="新版")
    services.item_submit(actor=world.admin, item=new)
    services.item_approve(actor=world.assessor, item=new)
    with pytest.raises(Unprocessable) as err:
        services.paper_draw(actor=world.admin, blueprint=blueprint, candidate=make_person())
    assert "第一部分「单项选择题」第2题当前为「已被新版本替代」" in err.value.message
    # The paper drawn before still holds the old version: its result can be reproduced.
    assert paper.entries.filter(item=a).exists()
