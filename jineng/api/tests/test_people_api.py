"""People through the API: masked everywhere (checked on the raw bytes), revealed only by the
audited POST, errors as JSON {detail, field?}."""

from __future__ import annotations

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.web.tests.world import World

pytestmark = pytest.mark.django_db


def api_client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("role", [Role.BUREAU_REVIEWER, Role.AUDITOR, Role.ORG_HR, Role.WORKER])
def test_masked_answers_never_carry_the_plain_number(world: World, role: str) -> None:
    side = world.a
    client = api_client(side.users[role])
    person = side.person
    paths = [
        "/api/v1/people",
        f"/api/v1/people?q={side.name_part}",
        f"/api/v1/people/{person.pk}",
        f"/api/v1/people/{person.pk}/facts",
        "/api/v1/me",
    ]
    for path in paths:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.content)
        raw = resp.content
        assert side.id_number.encode() not in raw, path
        assert side.phone.encode() not in raw, path
    resp = client.post(
        "/api/v1/people/search", {"id_number": side.id_number}, content_type="application/json"
    )
    assert resp.status_code in (200, 403), resp.content
    assert side.id_number.encode() not in resp.content
    detail = client.get(f"/api/v1/people/{person.pk}").json()
    assert detail["id_number_masked"] == side.masked_id
    assert detail["phone_masked"] == "138****8001"
    # the birth year only to whoever may reveal the number (the bureau, the worker themself)
    shows_year = role in (Role.BUREAU_REVIEWER, Role.WORKER)
    assert detail["birth_year"] == (1990 if shows_year else None)
    assert [f["kind"] for f in detail["facts"]] == ["certificate"]


def test_search_by_full_id_number_finds_exactly_the_person(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    body = client.post(
        "/api/v1/people/search", {"id_number": world.a.id_number}, content_type="application/json"
    ).json()
    assert [p["id"] for p in body] == [world.a.person.pk]
    assert body[0]["id_number_masked"] == world.a.masked_id
    # a valid number of someone outside the scope answers exactly like an unknown one
    foreign = client.post(
        "/api/v1/people/search", {"id_number": world.b.id_number}, content_type="application/json"
    )
    assert foreign.status_code == 200
    assert foreign.json() == []


def test_reveal_returns_the_number_once_and_audits_it(world: World) -> None:
    officer = world.a.users[Role.BUREAU_REVIEWER]
    client = api_client(officer)
    before = AuditEntry.objects.filter(action="reveal").count()
    resp = client.post(
        f"/api/v1/people/{world.a.person.pk}/reveal",
        {"field": "id_number", "reason": "核对补贴申请"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert resp.json() == {
        "person_id": world.a.person.pk,
        "field": "id_number",
        "value": world.a.id_number,
    }
    assert "no-store" in resp["Cache-Control"]
    entries = AuditEntry.objects.filter(action="reveal").order_by("-id")
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry is not None
    assert entry.actor_id == officer.pk
    assert entry.object_id == str(world.a.person.pk)
    assert entry.reason == "核对补贴申请"
    # the trail itself never holds the plaintext
    assert world.a.id_number not in str(entry.before) + str(entry.after)


def test_an_auditor_may_not_reveal_and_nothing_is_audited(world: World) -> None:
    client = api_client(world.a.users[Role.AUDITOR])
    before = AuditEntry.objects.count()
    resp = client.post(
        f"/api/v1/people/{world.a.person.pk}/reveal",
        {"field": "id_number", "reason": "想看看"},
        content_type="application/json",
    )
    assert resp.status_code == 403
    assert resp.json() == {"detail": "无权执行此操作。"}
    assert world.a.id_number.encode() not in resp.content
    assert AuditEntry.objects.count() == before


def test_bad_input_is_422_naming_the_field(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    resp = client.post(
        f"/api/v1/people/{world.a.person.pk}/reveal",
        {"field": "password", "reason": "核对"},
        content_type="application/json",
    )
    assert resp.status_code == 422
    assert resp.json()["field"] == "field"
    resp = client.post(
        f"/api/v1/people/{world.a.person.pk}/reveal",
        {"field": "phone", "reason": ""},
        content_type="application/json",
    )
    assert resp.status_code == 422
    assert resp.json()["field"] == "reason"


def test_out_of_scope_and_absent_look_the_same(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    foreign = client.get(f"/api/v1/people/{world.b.person.pk}")
    absent = client.get("/api/v1/people/999999")
    assert foreign.status_code == absent.status_code == 404
    assert foreign.json() == absent.json() == {"detail": "不存在或不在您的查看范围内。"}


def test_facts_document_has_the_engine_format(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    body = client.get(f"/api/v1/people/{world.a.person.pk}/facts").json()
    assert body["subject"]["id"] == f"P{world.a.person.pk}"
    assert body["subject"]["kind"] == "person"
    # Only the birth year: the full date would un-mask most of the ID number.
    assert body["subject"]["birth_date"] is None
    birth = world.a.person.birth_date
    assert birth is not None and body["subject"]["birth_year"] == birth.year
    assert "hukou_region" not in body["subject"]["attrs"]
    (fact,) = body["facts"]
    assert (fact["kind"], fact["code"], fact["level"], fact["date"]) == (
        "certificate",
        "6-18-01-01",
        "3",
        "2021-06-30",
    )


def test_region_children_count_only_what_the_user_may_see(world: World) -> None:
    client = api_client(world.b.users[Role.BUREAU_REVIEWER])
    children = client.get("/api/v1/regions/330500/children").json()
    by_code = {c["code"]: c for c in children}
    assert by_code["330502"]["people"] == 1
    assert by_code["330502"]["organisations"] == 1
    assert sum(c["people"] for c in children) == 1
    assert client.get("/api/v1/regions/441900/children").status_code == 404


def test_organisations_are_scoped_and_paginated(world: World) -> None:
    client = api_client(world.a.users[Role.ORG_ADMIN])
    body = client.get("/api/v1/organisations").json()
    assert [o["name"] for o in body["items"]] == [world.a.org.name]
    detail = client.get(f"/api/v1/organisations/{world.a.org.pk}").json()
    assert detail["region"] == "441900"
    assert client.get(f"/api/v1/organisations/{world.b.org.pk}").status_code == 404
