"""The enumeration oracle of issue 6 (1.1) is closed: an organisation admin who may not reveal
tries every candidate a mask (first 4 + last 4) and a birth year leave, through the API; nothing
is found, the rate limit stops the run, and every attempt is on the audit trail, masked. A bureau
officer in scope still finds the person; out of scope answers exactly like an unknown number.
Full numbers never go in a URL (GET ?id_number= is refused)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.validators import is_valid_resident_id, resident_id_check_char
from jineng.web.tests.world import World

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/people/search"
RATE = 10


def api_client(user: User) -> Client:
    _, raw = api_token_issue(user=user)
    return Client(headers={"authorization": f"Bearer {raw}"})


def candidates(number: str, birth_year: int) -> list[str]:
    """Every valid resident number with the same first 4 and last 4 characters born in that
    year (what the mask and the birth year used to leave), the real one first."""
    head, tail = number[:4], number[-4:]
    found = [number]
    day = dt.date(birth_year, 1, 1)
    while day.year == birth_year:
        for district in ("00", "01", "02"):
            first17 = f"{head}{district}{day:%Y%m%d}{tail[:3]}"
            candidate = first17 + resident_id_check_char(first17)
            if candidate.endswith(tail) and candidate != number:
                found.append(candidate)
        day += dt.timedelta(days=1)
    return found


def search(client: Client, number: str) -> tuple[int, bytes]:
    resp = client.post(SEARCH, {"id_number": number}, content_type="application/json")
    return resp.status_code, resp.content


@pytest.fixture
def low_rate(settings: Any) -> None:
    settings.JINENG_DOCUMENT_SEARCH_RATE = f"{RATE}/m"


@pytest.mark.usefixtures("low_rate")
def test_an_org_admin_enumerating_candidates_finds_nothing_and_is_stopped(world: World) -> None:
    side = world.a
    admin = side.users[Role.ORG_ADMIN]
    client = api_client(admin)
    # the mask and the listing no longer give the birth year to organisation staff
    listed = client.get("/api/v1/people").json()["items"]
    assert [p["birth_year"] for p in listed] == [None]
    assert client.get(f"/api/v1/people/{side.person.pk}").json()["birth_year"] is None
    assert (
        client.get(f"/api/v1/people/{side.person.pk}/facts").json()["subject"]["birth_year"] is None
    )

    tries = candidates(side.id_number, 1990)[: RATE + 5]
    assert len(tries) == RATE + 5 and all(is_valid_resident_id(t) for t in tries)
    before = AuditEntry.objects.filter(action="person_search_document").count()
    answers = [search(client, number) for number in tries]
    statuses = [status for status, _ in answers]
    assert statuses == [403] * RATE + [429] * 5
    refused = {body for status, body in answers if status == 403}
    assert len(refused) == 1, "the refusal is the same whatever the number"
    assert "您的角色不能按证件号码查找人员" in answers[0][1].decode()
    assert "过于频繁" in answers[-1][1].decode()
    for _, body in answers:
        assert side.person.name.encode() not in body
        assert side.id_number.encode() not in body
    entries = list(
        AuditEntry.objects.filter(action="person_search_document").order_by("id")[before:]
    )
    assert len(entries) == len(tries)
    assert {e.actor_id for e in entries} == {admin.pk}
    assert [e.after["outcome"] for e in entries if e.after] == ["refused"] * RATE + [
        "throttled"
    ] * 5
    for entry in entries:
        assert entry.after is not None
        assert entry.after["id_number"] == side.masked_id
        assert side.id_number not in str(entry.after)


@pytest.mark.usefixtures("low_rate")
def test_a_bureau_officer_in_scope_finds_the_person_and_is_audited(world: World) -> None:
    officer = world.a.users[Role.BUREAU_REVIEWER]
    client = api_client(officer)
    status, body = search(client, world.a.id_number)
    assert status == 200
    (found,) = json.loads(body)
    assert found["id"] == world.a.person.pk
    assert found["birth_year"] == 1990
    assert world.a.id_number.encode() not in body
    entry = AuditEntry.objects.filter(action="person_search_document").latest("id")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        officer.pk,
        "person",
        str(world.a.person.pk),
    )
    # the officer is rate-limited too
    for _ in range(RATE - 1):
        assert search(client, world.b.id_number)[0] == 200
    assert search(client, world.a.id_number)[0] == 429


def test_out_of_scope_looks_exactly_like_unknown(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    unknown = "44190019900101" + "999"
    unknown += resident_id_check_char(unknown)
    foreign = search(client, world.b.id_number)
    absent = search(client, unknown)
    assert foreign == absent == (200, b"[]")
    entries = AuditEntry.objects.filter(action="person_search_document").order_by("-id")[:2]
    shapes = {(e.object_type, e.object_id, e.after["outcome"]) for e in entries if e.after}
    assert shapes == {("person_search", "", "searched")}


def test_a_worker_finds_only_themself(world: World) -> None:
    client = api_client(world.a.users[Role.WORKER])
    assert [p["id"] for p in json.loads(search(client, world.a.id_number)[1])] == [
        world.a.person.pk
    ]
    assert search(client, world.b.id_number) == (200, b"[]")


def test_a_malformed_number_says_why(world: World) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    wrong_check = world.a.id_number[:17] + ("0" if world.a.id_number[17] != "0" else "1")
    resp = client.post(SEARCH, {"id_number": wrong_check}, content_type="application/json")
    assert resp.status_code == 400
    assert "校验位" in resp.json()["detail"]
    assert wrong_check not in resp.content.decode()


@pytest.mark.parametrize("query", ["id_number={n}", "id_number={n}&q=邓", "id_type=resident"])
def test_a_number_in_the_url_is_refused(world: World, query: str) -> None:
    client = api_client(world.a.users[Role.BUREAU_REVIEWER])
    resp = client.get("/api/v1/people?" + query.format(n=world.a.id_number))
    assert resp.status_code == 400
    assert "证件号码不能放在网址中" in resp.json()["detail"]
    assert world.a.person.name not in resp.content.decode()
