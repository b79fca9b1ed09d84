"""The one person-finding selector through the pages: the console refuses a role that may not
reveal (same answer whatever the number), counts and audits every attempt, finds in reveal scope
only; organisation staff and auditors see the mask without a birth year."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role
from jineng.identity.selectors import (
    DocumentSearchRefused,
    DocumentSearchThrottled,
    person_search_by_document,
)
from jineng.identity.validators import resident_id_check_char
from jineng.web.tests.world import World, login
from jineng.web.tests.world import world as world  # noqa: F401  (the two-sided fixture)

pytestmark = pytest.mark.django_db

RATE = 5


def other_candidates(number: str, n: int) -> list[str]:
    """Valid numbers sharing the mask of `number` (same first and last 4 characters)."""
    out: list[str] = []
    day = 2
    while len(out) < n:
        first17 = f"{number[:6]}1990{(day // 28) + 1:02d}{day % 28 + 1:02d}{number[14:17]}"
        candidate = first17 + resident_id_check_char(first17)
        if candidate[-4:] == number[-4:] and candidate != number:
            out.append(candidate)
        day += 1
    return out


@pytest.fixture
def low_rate(settings: Any) -> None:
    settings.JINENG_DOCUMENT_SEARCH_RATE = f"{RATE}/m"


@pytest.mark.usefixtures("low_rate")
def test_the_console_refuses_an_auditor_and_stops_the_enumeration(world: World) -> None:
    auditor = world.a.users[Role.AUDITOR]
    client = login(Client(), auditor)
    page = client.get("/console/").content.decode()
    assert 'data-testid="document-search-unavailable"' in page
    tries = [world.a.id_number, *other_candidates(world.a.id_number, RATE + 1)]
    answers = [client.post("/console/", {"id_type": "resident", "id_number": n}) for n in tries]
    assert [a.status_code for a in answers] == [403] * RATE + [429] * 2
    for a in answers:
        body = a.content.decode()
        assert world.a.masked_id not in body and world.a.id_number not in body
    assert "您的角色不能按证件号码查找人员" in answers[0].content.decode()
    assert "过于频繁" in answers[-1].content.decode()
    entries = AuditEntry.objects.filter(action="person_search_document", actor=auditor)
    assert entries.count() == len(tries)
    assert {e.after["id_number"] for e in entries if e.after} == {world.a.masked_id}


def test_an_org_admin_cannot_reach_the_console(world: World) -> None:
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    resp = client.post("/console/", {"id_type": "resident", "id_number": world.a.id_number})
    assert resp.status_code == 403
    assert world.a.masked_id not in resp.content.decode()


def test_the_console_finds_in_scope_and_out_of_scope_is_not_found(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    found = client.post("/console/", {"id_type": "resident", "id_number": world.a.id_number})
    assert found.status_code == 200
    assert world.a.person.name in found.content.decode()
    foreign = client.post("/console/", {"id_type": "resident", "id_number": world.b.id_number})
    unknown = other_candidates(world.b.id_number, 1)[0]
    absent = client.post("/console/", {"id_type": "resident", "id_number": unknown})
    assert foreign.status_code == absent.status_code == 200
    assert 'data-testid="no-results"' in foreign.content.decode()
    assert world.b.person.name not in foreign.content.decode()

    def results(resp: Any) -> str:
        body: str = resp.content.decode()
        return body[body.index("查询结果") :]

    assert results(foreign) == results(absent)


def test_a_wrong_check_digit_is_named(world: World) -> None:
    client = login(Client(), world.a.users[Role.BUREAU_REVIEWER])
    wrong = world.a.id_number[:17] + ("0" if world.a.id_number[17] != "0" else "1")
    resp = client.post("/console/", {"id_type": "resident", "id_number": wrong})
    assert resp.status_code == 400
    assert "校验位" in resp.content.decode()


def test_org_staff_and_auditors_see_no_birth_year(world: World) -> None:
    staff = login(Client(), world.a.users[Role.ORG_ADMIN]).get("/org/people/").content.decode()
    assert world.a.masked_id in staff
    assert "出生年份" not in staff and "1990" not in staff
    url = f"/console/people/{world.a.person.pk}/"
    auditor = login(Client(), world.a.users[Role.AUDITOR]).get(url).content.decode()
    assert world.a.masked_id in auditor and 'data-testid="person-birth-year"' not in auditor
    officer = login(Client(), world.a.users[Role.BUREAU_REVIEWER]).get(url).content.decode()
    assert 'data-testid="person-birth-year">1990<' in officer


def test_the_selector_refuses_before_it_looks(world: World) -> None:
    hr = world.a.users[Role.ORG_HR]
    with pytest.raises(DocumentSearchRefused):
        person_search_by_document(user=hr, id_number=world.a.id_number)
    with pytest.raises(DocumentSearchRefused):
        person_search_by_document(user=hr, id_number="not a number")
    with pytest.raises(DocumentSearchRefused):
        person_search_by_document(user=None, id_number=world.a.id_number)
    officer = world.a.users[Role.BUREAU_REVIEWER]
    assert person_search_by_document(user=officer, id_number=world.a.id_number) == world.a.person
    assert person_search_by_document(user=officer, id_number=world.b.id_number) is None
    # any document type
    assert (
        person_search_by_document(user=officer, id_number=world.a.id_number, id_type=None)
        == world.a.person
    )
    assert person_search_by_document(user=world.sysadmin, id_number=world.b.id_number) == (
        world.b.person
    )


@pytest.mark.usefixtures("low_rate")
def test_the_limit_is_per_account(world: World) -> None:
    a, b = world.a.users[Role.BUREAU_REVIEWER], world.a.users[Role.BUREAU_APPROVER]
    for _ in range(RATE):
        person_search_by_document(user=a, id_number=world.a.id_number)
    with pytest.raises(DocumentSearchThrottled):
        person_search_by_document(user=a, id_number=world.a.id_number)
    assert person_search_by_document(user=b, id_number=world.a.id_number) == world.a.person
