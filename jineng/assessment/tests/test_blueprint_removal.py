"""Removing a rule or a section from a draft blueprint: the check is run again on what is left,
later sections move up, every removal is audited, and a published blueprint refuses in Chinese —
through the service, the page's buttons and the API alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.assessment import services
from jineng.assessment.models import Blueprint, BlueprintRule, BlueprintSection, ItemKind
from jineng.assessment.services.manage import rule_remove, section_remove
from jineng.assessment.tests.support import World, approved_single, make_world
from jineng.audit.models import AuditEntry
from jineng.core.errors import Conflict, Forbidden
from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_user
from jineng.organisations.models import OrgKind

pytestmark = pytest.mark.django_db
M = "/assessment/manage"
A = "/api/v1/assessment/manage"


@pytest.fixture
def world() -> World:
    world = make_world()
    for n in range(2):
        approved_single(world, world.child, n=n)
    return world


def _blueprint(world: World) -> tuple[Blueprint, BlueprintRule, BlueprintRule]:
    """Three sections; the first asks for 2 items (there are 2) and then 5 more (there are none)."""
    blueprint = services.blueprint_create(actor=world.admin, bank=world.bank, name="理论试卷")
    first = services.section_add(
        actor=world.admin, blueprint=blueprint, title="单项选择题", kind=ItemKind.SINGLE
    )
    services.section_add(actor=world.admin, blueprint=blueprint, title="判断题", kind="true_false")
    services.section_add(actor=world.admin, blueprint=blueprint, title="多选题", kind="multiple")
    kept = services.rule_add(
        actor=world.admin, section=first, point=world.root, difficulty=3, count=2,
        points=Decimal("2"),
    )  # fmt: skip
    short = services.rule_add(
        actor=world.admin, section=first, point=world.other, difficulty=3, count=5,
        points=Decimal("2"),
    )  # fmt: skip
    return blueprint, kept, short


def test_removing_the_unsatisfiable_rule_makes_the_check_pass_for_the_rules_left(
    world: World,
) -> None:
    blueprint, kept, short = _blueprint(world)
    assert not services.blueprint_check(blueprint=blueprint).ok
    before = AuditEntry.objects.count()
    check = rule_remove(actor=world.admin, rule=short)
    assert not BlueprintRule.objects.filter(pk=short.pk).exists()
    assert BlueprintRule.objects.filter(pk=kept.pk).exists()
    assert not any("2 操作技能" in p for p in check.problems)
    assert check.item_count == 2 and check.total_points == Decimal("4")
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1 and entry is not None
    assert entry.reason == "删除抽题规则" and entry.before is not None
    assert entry.before["rule"]["point"] == "2"


def test_removing_a_section_moves_the_later_ones_up_and_rechecks(world: World) -> None:
    blueprint, kept, _short = _blueprint(world)
    second = blueprint.sections.get(position=1)
    check = section_remove(actor=world.admin, section=blueprint.sections.get(position=0))
    assert not BlueprintRule.objects.filter(pk=kept.pk).exists()  # its rules went with it
    titles = list(blueprint.sections.order_by("position").values_list("position", "title"))
    assert titles == [(0, "判断题"), (1, "多选题")]
    assert BlueprintSection.objects.get(pk=second.pk).position == 0
    assert check.item_count == 0 and not check.ok  # the two left ask for nothing


def test_a_published_blueprint_refuses_removal_and_keeps_its_rules(world: World) -> None:
    blueprint, kept, short = _blueprint(world)
    rule_remove(actor=world.admin, rule=short)
    for title in ("判断题", "多选题"):
        section_remove(actor=world.admin, section=blueprint.sections.get(title=title))
    services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    with pytest.raises(Conflict) as err:
        rule_remove(actor=world.admin, rule=kept)
    assert err.value.message.startswith("组卷规则「理论试卷」已发布，不能再删除抽题规则")
    with pytest.raises(Conflict, match="不能再删除试卷部分"):
        section_remove(actor=world.admin, section=blueprint.sections.get())
    assert BlueprintRule.objects.filter(pk=kept.pk).exists()


def test_someone_else_may_not_remove(world: World) -> None:
    _blueprint_, _kept, short = _blueprint(world)
    with pytest.raises(Forbidden):
        rule_remove(actor=make_user(Role.ORG_ADMIN), rule=short)
    assert BlueprintRule.objects.filter(pk=short.pk).exists()


def test_the_page_buttons_remove_and_say_what_the_check_now_finds(
    world: World, client: Client
) -> None:
    blueprint, kept, short = _blueprint(world)
    client.force_login(world.admin)
    url = f"{M}/blueprints/{blueprint.pk}/"
    page = client.get(url).content.decode()
    assert page.count('data-testid="rule-remove"') == 2
    assert page.count('data-testid="section-remove"') == 3
    done = client.post(f"{url}rules/{short.pk}/remove/", follow=True).content.decode()
    assert "已删除抽题规则。" in done and "题库已不能满足该组卷规则" in done  # empty sections
    client.post(f"{url}sections/{blueprint.sections.get(title='判断题').pk}/remove/")
    done = client.post(
        f"{url}sections/{blueprint.sections.get(title='多选题').pk}/remove/", follow=True
    ).content.decode()
    assert "已删除试卷部分。题库仍能满足该组卷规则。" in done
    services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    page = client.get(url).content.decode()
    assert 'data-testid="rule-remove"' not in page
    refused = client.post(f"{url}rules/{kept.pk}/remove/", follow=True).content.decode()
    assert "已发布，不能再删除抽题规则" in refused
    assert BlueprintRule.objects.filter(pk=kept.pk).exists()
    # another blueprint's rule through this blueprint's address is not found
    other, _k, other_rule = _blueprint(world)
    assert client.post(f"{url}rules/{other_rule.pk}/remove/").status_code == 404


def test_the_api_removes_and_answers_the_check_then_refuses_once_published(
    world: World,
) -> None:
    blueprint, kept, short = _blueprint(world)
    _, raw = api_token_issue(user=world.admin)
    api = Client(headers={"authorization": f"Bearer {raw}"})
    response = api.delete(f"{A}/blueprints/{blueprint.pk}/rules/{short.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is False  # two sections still ask for nothing
    for title in ("判断题", "多选题"):
        section = blueprint.sections.get(title=title)
        body = api.delete(f"{A}/blueprints/{blueprint.pk}/sections/{section.pk}").json()
    assert body["ok"] is True and body["problems"] == []
    services.blueprint_publish(actor=world.admin, blueprint=blueprint)
    refused = api.delete(f"{A}/blueprints/{blueprint.pk}/rules/{kept.pk}")
    assert refused.status_code == 409
    assert "已发布，不能再删除抽题规则" in refused.json()["detail"]
    stranger = make_user(
        Role.ORG_ADMIN, organisation=make_organisation(kind=OrgKind.EVALUATION_ORG)
    )
    _, raw = api_token_issue(user=stranger)
    outsider = Client(headers={"authorization": f"Bearer {raw}"})
    assert outsider.delete(f"{A}/blueprints/{blueprint.pk}/rules/{kept.pk}").status_code == 404
    assert BlueprintRule.objects.filter(pk=kept.pk).exists()
