"""The audit page an auditor can read: what each entry concerns named in Chinese (masked person,
organisation name, fact label), 系统 for the platform, filters, page numbers, the .xlsx export
(masked only), the last verification and anchor, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from openpyxl import load_workbook

from jineng.audit.models import AuditEntry
from jineng.audit.services import audit_record, audit_record_batch
from jineng.audit.tests.tampering import tamper
from jineng.identity.models import Role
from jineng.web.tests.world import World, login
from jineng.web.views.audit import mask_name

pytestmark = pytest.mark.django_db


def html(resp: Any) -> str:
    assert resp.status_code == 200, resp.status_code
    return str(resp.content.decode())


def _auditor(world: World) -> Client:
    return login(Client(), world.a.users[Role.AUDITOR])


def test_mask_name() -> None:
    assert [mask_name(n) for n in ("张", "张三", "邓志明", "欧阳小明")] == [
        "张",
        "张*",
        "邓*明",
        "欧**明",
    ]


def test_entries_name_what_they_concern_in_chinese(world: World) -> None:
    body = html(_auditor(world).get("/audit/"))
    a = world.a
    masked = f"{mask_name(a.person.name)}（{a.masked_id}）"
    assert masked in body  # the person, masked
    assert a.org.name in body  # the organisation by name
    assert "职业技能等级证书" in body or "证书" in body  # the fact by its label
    assert "查看明文" in body and "新建" in body  # actions in Chinese
    assert "系统" in body  # the platform itself
    # no raw targets, no English machinery
    assert not re.search(r"\b(person|fact|organisation|user):\d+", body)
    assert ">system<" not in body and "system" not in re.sub(r"<[^>]+>", "", body)
    # the full name appears only inside a reason someone typed (the world's reveal reason)
    without_reasons = re.sub(r'data-testid="audit-reason">[^<]*<', "", body)
    assert a.person.name not in without_reasons and a.id_number not in body


def test_the_other_citys_entries_are_not_shown(world: World) -> None:
    body = html(_auditor(world).get("/audit/"))
    assert world.b.reveal_reason not in body
    assert mask_name(world.b.person.name) not in body
    assert world.b.org.name not in body


def test_filters_by_action_object_operator_and_dates(world: World) -> None:
    client = _auditor(world)
    officer = world.a.users[Role.BUREAU_REVIEWER]
    reveals = html(client.get("/audit/?action=reveal"))
    assert reveals.count('data-testid="audit-entry"') == 1
    orgs = html(client.get("/audit/?object_type=organisation"))
    assert 'data-action="create"' in orgs and world.a.org.name in orgs
    assert 'data-action="reveal"' not in orgs
    by_officer = html(client.get(f"/audit/?operator={officer.username}"))
    assert by_officer.count('data-testid="audit-entry"') >= 1
    assert "系统" not in re.findall(r'data-testid="audit-operator">([^<]*)<', by_officer)
    by_system = html(client.get("/audit/?operator=系统"))
    assert set(re.findall(r'data-testid="audit-operator">([^<]*)<', by_system)) == {"系统"}
    # an old entry, and a date range that holds only it
    old = AuditEntry.objects.filter(region="441900").order_by("id").first()
    assert old is not None
    tamper(old.pk, "at", dt.datetime(2020, 3, 1, 12, tzinfo=dt.UTC))
    ranged = html(client.get("/audit/?date_from=2020-01-01&date_to=2020-12-31"))
    assert ranged.count('data-testid="audit-entry"') == 1
    assert "2020-03-01" in ranged


def test_a_reversed_date_range_is_explained_in_chinese(world: World) -> None:
    body = html(_auditor(world).get("/audit/?date_from=2024-05-01&date_to=2024-01-01"))
    assert "截止日期不能早于起始日期" in body


def test_paging_has_page_numbers(world: World) -> None:
    audit_record_batch(
        actor=None,
        action="create",
        object_type="person",
        rows=[(world.a.person.pk, None, None)] * 120,
    )
    client = _auditor(world)
    first = html(client.get("/audit/"))
    assert 'data-testid="page-number"' in first and "page=3" in first
    third = html(client.get("/audit/?page=3"))
    assert 'aria-current="page">3<' in third
    assert "<table" not in first  # cards, not a table to scroll at 390 px


def test_last_verification_and_anchor_are_shown(world: World, tmp_path: Path) -> None:
    client = _auditor(world)
    body = html(client.get("/audit/"))
    assert "尚未校验" in body and "尚未签发锚点" in body
    with override_settings(VAR_DIR=tmp_path, AUDIT_ANCHOR_KEY=""):
        call_command("audit", "anchor", "--out", str(tmp_path / "a.json"))
        call_command("audit", "verify", "--against", str(tmp_path / "a.json"))
    body = html(client.get("/audit/"))
    n = AuditEntry.objects.count()
    assert f"完整，已校验 {n} 条" in body
    assert "已签名存档" in body and "的锚点" in body


def test_export_is_masked_filtered_and_audited(world: World) -> None:
    client = _auditor(world)
    resp = client.get("/audit/export.xlsx?action=reveal")
    assert resp.status_code == 200
    assert "审计日志" in resp["Content-Disposition"] or "audit-" in resp["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.content))
    rows = list(book["审计日志"].iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作", "对象类型", "对象（已脱敏）")
    assert len(rows) == 2 and rows[1][1] == "查看明文"
    assert world.a.masked_id in rows[1][3]
    text = " ".join(str(c) for r in rows for c in r[:7] if c is not None)  # all but the reason
    assert world.a.id_number not in text and world.a.person.name not in text
    assert world.b.reveal_reason not in text
    export = AuditEntry.objects.get(action="export", object_type="audit_log")
    assert export.actor_id == world.a.users[Role.AUDITOR].pk


def test_a_reason_typed_with_a_full_number_is_shown_masked(world: World) -> None:
    audit_record(
        actor=None,
        action="update",
        object_type="person",
        object_id=world.a.person.pk,
        reason=f"核对 {world.a.id_number}",
    )
    body = html(_auditor(world).get("/audit/"))
    assert world.a.id_number not in body and f"核对 {world.a.masked_id}" in body


def _mixed_entries(world: World, n: int) -> None:
    a = world.a
    fact = AuditEntry.objects.filter(object_type="fact", region="441900").first()
    assert fact is not None
    for i in range(n):
        kind = i % 4
        if kind == 0:
            audit_record(actor=None, action="update", object_type="person", object_id=a.person.pk)
        elif kind == 1:
            audit_record(
                actor=None, action="update", object_type="organisation", object_id=a.org.pk
            )
        elif kind == 2:
            audit_record(
                actor=None, action="fact_correct", object_type="fact", object_id=fact.object_id
            )
        else:
            audit_record(
                actor=a.users[Role.BUREAU_REVIEWER],
                action="grant",
                object_type="user",
                object_id=a.users[Role.ORG_ADMIN].pk,
            )


@pytest.mark.parametrize("extra", [4, 80])
def test_the_page_reads_in_a_bounded_number_of_queries(
    world: World, extra: int, django_assert_max_num_queries: Any
) -> None:
    _mixed_entries(world, extra)
    client = _auditor(world)
    client.get("/audit/")  # warm the session
    with django_assert_max_num_queries(20):
        body = html(client.get("/audit/"))
    assert body.count('data-testid="audit-entry"') == min(
        50, AuditEntry.objects.filter(region__startswith="4419").count()
    )
