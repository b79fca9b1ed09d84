"""The write API: the same services as the pages, refusals as JSON in Chinese naming the field,
and a refused request changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jineng.api.services import api_token_issue
from jineng.assessment import services
from jineng.assessment.models import Blueprint, BlueprintStatus, Item, ItemStatus, Registration
from jineng.assessment.tests.support import World, make_world
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db
A = "/api/v1/assessment/manage"


@pytest.fixture
def world() -> World:
    return make_world()


def _client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_an_item_is_written_submitted_and_approved_by_someone_else(world: World) -> None:
    admin, assessor = _client(world.admin), _client(world.assessor)
    created = admin.post(
        f"{A}/banks/{world.bank.pk}/items",
        {"point": world.child.pk, "kind": "practical", "difficulty": 4, "stem": "车削阶梯轴",
         "sheet": [{"criterion": "尺寸精度", "points": "60",
                    "deductions": [{"reason": "超差一处", "points": "10"}]}]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    item_id = created.json()["id"]
    assert created.json()["status_label"] == "草稿"
    assert admin.post(f"{A}/items/{item_id}/submit").json()["status"] == "submitted"
    own = admin.post(
        f"{A}/items/{item_id}/review", {"approve": True}, content_type="application/json"
    )
    assert own.status_code == 403
    assert "不能审核自己编写的试题" in own.json()["detail"]
    done = assessor.post(
        f"{A}/items/{item_id}/review", {"approve": True}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status_label"] == "审核通过"


def test_a_bad_item_is_refused_naming_the_field_and_nothing_is_written(world: World) -> None:
    client = _client(world.admin)
    before = AuditEntry.objects.count()
    response = client.post(
        f"{A}/banks/{world.bank.pk}/items",
        {"point": world.child.pk, "kind": "single", "difficulty": 3, "stem": "题",
         "options": ["甲", "乙"], "answer": 5},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert "单项选择题的答案必须是其中一个选项" in body["detail"] and body["field"] == "answer"
    assert not Item.objects.exists() and AuditEntry.objects.count() == before


def test_a_blueprint_is_refused_in_words_then_published(world: World) -> None:
    admin = _client(world.admin)
    bp = admin.post(
        f"{A}/banks/{world.bank.pk}/blueprints",
        {"name": "接口试卷"},
        content_type="application/json",
    ).json()
    section = admin.post(f"{A}/blueprints/{bp['id']}/sections", {"title": "判断题", "kind": "true_false"},
                         content_type="application/json").json()  # fmt: skip
    rule = {
        "section": section["id"],
        "point": world.child.pk,
        "difficulty": 3,
        "count": 1,
        "points": "100",
    }
    assert (
        admin.post(
            f"{A}/blueprints/{bp['id']}/rules", rule, content_type="application/json"
        ).status_code
        == 201
    )
    refused = admin.post(f"{A}/blueprints/{bp['id']}/publish")
    assert refused.status_code == 422 and "组卷规则不能发布" in refused.json()["detail"]
    item = services.item_create(
        actor=world.admin, bank=world.bank, point=world.child, kind="true_false", difficulty=3,
        stem="判断", answer=True,
    )  # fmt: skip
    services.item_submit(actor=world.admin, item=item)
    services.item_approve(actor=world.assessor, item=item)
    done = admin.post(f"{A}/blueprints/{bp['id']}/publish")
    assert done.status_code == 200 and done.json()["ok"] is True
    assert Blueprint.objects.get(pk=bp["id"]).status == BlueprintStatus.PUBLISHED


def test_sessions_are_refused_outside_the_licence_and_staffing_is_reported(world: World) -> None:
    admin = _client(world.admin)
    payload = {
        "organisation": world.organisation.pk, "occupation": world.bank.occupation_id,
        "level": "3", "parts": ["theory"],
        "starts_at": (timezone.now() + dt.timedelta(days=20)).isoformat(),
        "venue": "东莞市技师学院", "capacity": 20,
    }  # fmt: skip
    refused = admin.post(f"{A}/sessions", payload, content_type="application/json")
    assert refused.status_code == 403 and "不在该机构的认定范围内" in refused.json()["detail"]
    services.licence_grant(
        actor=None, organisation=world.organisation, occupation=world.bank.occupation,
        levels="3", valid_from=dt.date(2026, 1, 1),
    )  # fmt: skip
    created = admin.post(f"{A}/sessions", payload, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["staffing_problems"] == [
        "理论知识考试：0名考生、1个考场需要至少2人，现有0人"
    ]
    opened = admin.post(f"{A}/sessions/{created.json()['id']}/open")
    assert opened.status_code == 422 and "考务人员配备不足" in opened.json()["detail"]
    worker = make_user(Role.WORKER)
    reg = _client(worker).post(f"{A}/sessions/{created.json()['id']}/registrations")
    assert reg.status_code == 201
    again = _client(worker).post(f"{A}/sessions/{created.json()['id']}/registrations")
    assert again.status_code == 409 and Registration.objects.count() == 1


def test_items_of_another_organisation_answer_404(world: World) -> None:
    item = services.item_create(
        actor=world.admin, bank=world.bank, point=world.child, kind="true_false", difficulty=3,
        stem="判断", answer=True,
    )  # fmt: skip
    stranger = _client(make_user(Role.ORG_ADMIN))
    response = stranger.post(f"{A}/items/{item.pk}/submit")
    assert response.status_code == 404 and "车工" not in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
