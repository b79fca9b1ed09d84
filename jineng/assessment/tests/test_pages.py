"""The bank pages and API show the bank's contents in Chinese, scoped by the caller."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.assessment import services
from jineng.assessment.tests.support import World, approved_single, make_world
from jineng.assessment.tests.test_papers import draft_blueprint, published_blueprint
from jineng.identity.models import Role
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def test_bank_page_shows_points_blueprint_problems_and_exposure(
    world: World, client: Client
) -> None:
    approved_single(world, world.child)
    blueprint = published_blueprint(world, count=1)
    services.paper_draw(actor=world.admin, blueprint=blueprint, candidate=make_person())
    draft_blueprint(world, count=4)
    client.force_login(world.assessor)
    html = client.get(f"/assessment/banks/{world.bank.pk}/").content.decode()
    assert "车工高级工理论题库" in html
    assert "安全知识（审核通过 1 道）" in html
    assert "需要4题，题库中审核通过的只有1题" in html
    assert "题库能满足该组卷规则。" in html  # the published one
    assert "第1版（审核通过）" in html
    listing = client.get("/assessment/banks/").content.decode()
    assert "车工高级工理论题库" in listing and "未备案" in listing


def test_other_organisation_gets_404_and_the_api_agrees(world: World, client: Client) -> None:
    stranger = make_user(Role.ORG_ADMIN)
    client.force_login(stranger)
    assert client.get(f"/assessment/banks/{world.bank.pk}/").status_code == 404
    _, raw = api_token_issue(user=stranger)
    response = client.get(
        f"/api/v1/assessment/banks/{world.bank.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 404
    assert "车工" not in response.content.decode()
    _, own = api_token_issue(user=world.admin)
    body = client.get(
        f"/api/v1/assessment/banks/{world.bank.pk}", HTTP_AUTHORIZATION=f"Bearer {own}"
    ).json()
    assert body["name"] == "车工高级工理论题库"
    assert [p["name"] for p in body["points"]] == ["基础知识", "安全知识", "操作技能"]
    assert [p["depth"] for p in body["points"]] == [0, 1, 0]
