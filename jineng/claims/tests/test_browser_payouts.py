"""In a real browser on a phone-sized screen (Playwright driving Debian's chromium): finance builds
a batch from 待拨付, exports the bank payment file, marks it sent and imports the bank's result
with one failed line; the payee corrects the account on the claim's page; finance pays it in a new
batch; both batches reconcile and close."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jineng.claims.models import BatchStatus, ClaimStatus, PayoutBatch
from jineng.claims.tests.support import bare_claim, build_world, to_payable
from jineng.core.xlsx import Sheet, workbook_bytes
from jineng.identity.models import Role, User
from jineng.identity.services import person_update
from jineng.identity.testing import make_user, otp_login
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = BROWSER_MARKS
NEW_ACCOUNT = "6217000010002000300"


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=390, height=844) as page:
        yield page


def _as(page: Any, live_server: Any, user: User) -> None:
    client = Client()
    otp_login(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _export(page: Any) -> list[list[Any]]:
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _import(page: Any, tmp_path: Path, name: str, rows: list[list[Any]]) -> None:
    path = tmp_path / name
    path.write_bytes(workbook_bytes([Sheet("结果", ["明细编号", "结果", "说明"], rows)]))
    page.get_by_test_id("import-file").set_input_files(str(path))
    page.get_by_test_id("import-submit").click()


def _build(page: Any, base: str, title: str) -> None:
    page.goto(f"{base}/claims/batches/")
    page.locator("#id_due_by").fill("2023-06-30")
    page.locator("#id_title").fill(title)
    page.get_by_test_id("batch-build-submit").click()


def test_finance_pays_a_batch_with_one_failure_corrected_in_the_next(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.SESSION_SAVE_EVERY_REQUEST = False  # SQLite: one writer at a time
    world = build_world()
    gold = to_payable(world, bare_claim(world.gold))
    silver = to_payable(
        world, bare_claim(world.silver, amount_fen=150_000, min_fen=150_000, max_fen=150_000)
    )
    base = live_server.url

    _as(page, live_server, world.finance)
    _build(page, base, "六月第一批")
    expect(page.get_by_test_id("batch-title")).to_have_text("六月第一批")
    expect(page.get_by_test_id("line-row")).to_have_count(2)
    expect(page.locator("body")).not_to_contain_text("6222020200112233445")
    rows = _export(page)
    assert rows[0][:3] == ["明细编号", "收款人", "收款账号"]
    by_payee = {r[1]: r for r in rows[1:]}
    assert by_payee["沈一鸣"][2] == "6222020200112233445" and by_payee["钱二妹"][4] == "1500.00"
    page.get_by_test_id("batch-send").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("已提交银行")
    _import(
        page,
        tmp_path,
        "结果一.xlsx",
        [[by_payee["沈一鸣"][0], "成功", ""], [by_payee["钱二妹"][0], "失败", "户名与账号不符"]],
    )
    expect(page.locator("body")).to_contain_text("到账 1 笔，失败 1 笔")
    expect(page.get_by_test_id("batch-status")).to_have_text("已对账")
    expect(page.get_by_test_id("rec-verdict")).to_contain_text("已对平")
    expect(page.get_by_test_id("rec-failed")).to_have_text("1")

    # The payee corrects the account on the claim's page (the card on file changed too: the
    # integrity check pays only the person's own account).
    person_update(actor=None, person=world.silver, bank_account=NEW_ACCOUNT)
    worker = make_user(Role.WORKER, person=world.silver)
    _as(page, live_server, worker)
    page.goto(f"{base}/claims/{silver.pk}/")
    expect(page.get_by_test_id("claim-status")).to_have_text("待拨付")
    page.get_by_test_id("account-input").fill(NEW_ACCOUNT)
    page.get_by_test_id("account-submit").click()
    expect(page.locator("body")).to_contain_text("收款账户已确认")

    _as(page, live_server, world.finance)
    _build(page, base, "六月补发")
    expect(page.get_by_test_id("line-row")).to_have_count(1)
    rows = _export(page)
    assert rows[1][1] == "钱二妹" and rows[1][2] == NEW_ACCOUNT
    page.get_by_test_id("batch-send").click()
    _import(page, tmp_path, "结果二.xlsx", [[rows[1][0], "成功", ""]])
    expect(page.get_by_test_id("batch-status")).to_have_text("已对账")
    page.goto(f"{base}/claims/batches/")
    expect(page.get_by_test_id("batch-status")).to_have_text(["已对账", "已对账"])
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    gold.refresh_from_db()
    silver.refresh_from_db()
    assert gold.status == silver.status == ClaimStatus.PAID
    assert set(PayoutBatch.objects.values_list("status", flat=True)) == {BatchStatus.CLOSED}
    assert silver.payout_lines.count() == 2
