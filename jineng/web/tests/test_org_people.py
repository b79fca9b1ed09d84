"""The organisation's pages for its own staff: the list (count, numbered pages, occupation and
certificate columns, filters), a person's page (masked identity, this organisation's employment,
certificates, training; 404 out of scope) and the audited .xlsx export with masked values only."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from urllib.parse import quote

import pytest
from django.test import Client
from openpyxl import load_workbook

from jineng.audit.models import AuditEntry
from jineng.dossier.services import fact_append
from jineng.identity.models import Employment, Person, Role
from jineng.identity.testing import make_person, resident_id
from jineng.organisations.services import organisation_create
from jineng.web.tests.world import World, login

pytestmark = pytest.mark.django_db


_serials = itertools.count(300)


def hire(
    world: World, n: int, *, occupation: str | None = None, start: dt.date | None = None
) -> list[Person]:
    people = []
    for _ in range(n):
        i = next(_serials) - 300
        person = make_person(
            name=f"员工{chr(0x4E00 + i)}",
            id_number=resident_id(birth=dt.date(1980, 1, 1) + dt.timedelta(days=i), serial=300 + i),
        )
        Employment.objects.create(
            person=person,
            employer=world.a.org,
            occupation_id=occupation,
            start=start or dt.date(2022, 1, 1),
        )
        people.append(person)
    return people


def test_the_list_has_a_count_numbered_pages_and_only_this_organisations_people(
    world: World,
) -> None:
    hire(world, 60)
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    body = client.get("/org/people/").content.decode()
    assert 'data-testid="org-count">共 61 人<' in body
    assert body.count('data-testid="person-row"') == 50
    assert 'data-testid="page-current">1<' in body and 'href="?page=2"' in body
    page2 = client.get("/org/people/?page=2").content.decode()
    assert page2.count('data-testid="person-row"') == 11
    for secret in world.b.secrets():
        assert secret not in body and secret not in page2
    assert world.a.id_number not in body + page2 and world.a.masked_id in page2


def test_the_list_shows_occupation_and_certificates_and_filters_by_them(world: World) -> None:
    turner = hire(world, 1, occupation="6-18-01-01")[0]
    hire(world, 2)
    fact_append(
        actor=None,
        subject=turner,
        kind="certificate",
        code="6-18-01-01",
        level="2",
        date=dt.date(2023, 5, 1),
        source="test",
    )
    client = login(Client(), world.a.users[Role.ORG_HR])
    body = client.get("/org/people/").content.decode()
    assert "车工 技师（二级）" in body  # the turner's certificate
    assert "车工 高级工（三级）" in body  # world.a.person's certificate (world data)
    assert "6-18-01-01" not in re.sub(r"<[^>]+>", "", body)  # labels, never codes

    def names(query: str) -> set[str]:
        page = client.get(f"/org/people/?{query}").content.decode()
        return {p.name for p in Person.objects.all() if f">{p.name}</a>" in page}

    assert names("occupation=6-18-01-01") == {turner.name}
    assert names("level=2") == {turner.name}
    assert names("level=3") == {world.a.person.name}
    assert names(f"q={quote(world.a.person.name[:1])}") == {world.a.person.name}
    assert names("status=teaching") == set()
    assert len(names("status=employed")) == 4
    assert 'data-testid="org-count">共 1 人<' in client.get("/org/people/?level=2").content.decode()


def test_a_persons_page_shows_what_the_organisation_may_see(world: World) -> None:
    side = world.a
    elsewhere = organisation_create(
        actor=None, kind="enterprise", name="东莞另一家工厂", region="441900"
    )
    Employment.objects.create(
        person=side.person, employer=elsewhere, start=dt.date(2010, 1, 1), end=dt.date(2017, 12, 31)
    )
    fact_append(
        actor=None,
        subject=side.person,
        kind="training",
        code="6-18-01-01",
        level="3",
        date=dt.date(2020, 9, 1),
        issuer_name="东莞技师学院",
        attrs={"hours": 80, "passed": True},
        source="test",
    )
    client = login(Client(), side.users[Role.ORG_ADMIN])
    resp = client.get(f"/org/people/{side.person.pk}/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert side.masked_id in body and side.id_number not in body and side.phone not in body
    assert "138****8001" in body
    assert side.org.name in body and "东莞另一家工厂" not in body  # only this organisation's job
    assert "车工" in body and "高级工（三级）" in body  # the certificate
    assert "东莞技师学院" in body and "80 学时" in body and "已结业" in body  # the training
    assert "1990" not in body  # no birth year beside the mask


def test_a_person_outside_the_scope_is_404_like_an_unknown_id(world: World) -> None:
    client = login(Client(), world.a.users[Role.ORG_ADMIN])
    outside = client.get(f"/org/people/{world.b.person.pk}/")
    unknown = client.get("/org/people/999999/")
    assert outside.status_code == unknown.status_code == 404
    for secret in world.b.secrets():
        assert secret not in outside.content.decode()
    # a former employee is outside the scope too
    Employment.objects.filter(person=world.a.person).update(end=dt.date(2020, 1, 1))
    assert client.get(f"/org/people/{world.a.person.pk}/").status_code == 404


def test_the_export_is_the_filtered_list_masked_and_audited(world: World) -> None:
    hire(world, 3, occupation="6-18-01-01")
    admin = world.a.users[Role.ORG_ADMIN]
    client = login(Client(), admin)
    before = AuditEntry.objects.filter(action="export").count()
    resp = client.get("/org/people/export.xlsx?occupation=6-18-01-01")
    assert resp.status_code == 200
    assert "filename*=UTF-8''" + quote("本单位人员-") in resp["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "证件号码（已脱敏）", "手机号码（已脱敏）")
    assert len(rows) == 1 + 3 and {r[5] for r in rows[1:]} == {"车工"}
    everything = " ".join(
        str(v) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True) for v in r
    )
    for person in Person.objects.all():
        assert person.id_number not in everything
        assert not person.phone or person.phone not in everything
    assert all("*" in str(r[1]) for r in rows[1:])
    entry = AuditEntry.objects.filter(action="export").order_by("-id").first()
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert entry is not None and entry.actor == admin
    assert entry.after == {
        "rows": 3,
        "filters": {"职业": "车工"},
        "what": "本单位人员名单",
    }


def test_the_pages_are_for_organisation_staff_only(world: World) -> None:
    for role in (Role.WORKER, Role.BUREAU_REVIEWER, Role.AUDITOR):
        client = login(Client(), world.a.users[role])
        assert client.get("/org/people/").status_code == 403
        assert client.get("/org/people/export.xlsx").status_code == 403
        assert client.get(f"/org/people/{world.a.person.pk}/").status_code == 403
