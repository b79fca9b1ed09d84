"""Issue 10's "Done when" in a real browser (Playwright, Debian chromium): the bureau starts a
免申即享 run and watches it finish; the worker, on a 390 px phone, finds the claim on 我的待遇
with its amount, clause and next step and confirms an account; a reviewer, an approver and
finance (three accounts) take a claim through 初审, 复审, 公示 with an objection recorded and
answered, and a paid batch; the four eyes hold; a return and a refusal reach the worker with
their reasons."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jineng.audit.models import AuditEntry
from jineng.audit.vocabulary import AuditObject
from jineng.claims.models import Claim, ClaimRun, ClaimStatus, RunStatus
from jineng.claims.tests.support import MEDAL, bare_claim, build_world, medal, medal_claim
from jineng.core.xlsx import Sheet, workbook_bytes
from jineng.identity.models import Role
from jineng.identity.services import role_grant
from jineng.identity.testing import make_person, make_user, otp_login
from jineng.policy.engine.money import format_yuan
from jineng.web.claims.views import citation_text
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page, phone_width_holds, sign_in

pytestmark = BROWSER_MARKS
ACCOUNT = "6217000010002000300"
MEDAL_TITLE = "世界技能大赛获奖选手奖励"


@pytest.fixture
def page(settings: Any) -> Iterator[Any]:
    settings.SESSION_SAVE_EVERY_REQUEST = False  # SQLite: one writer at a time
    with chromium_page(width=390, height=844) as page:
        yield page


def _publicity_over(claim: Claim) -> None:
    """The 公示 period passes (seven days in a test that lasts seconds)."""
    Claim.objects.filter(pk=claim.pk).update(publicity_ends=dt.date.today())


def test_a_run_creates_the_claim_the_worker_finds_and_confirms_on_the_phone(
    live_server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    world = build_world()
    person = make_person(name="周三省", residence_region="330502")  # no account on file
    medal(person, "bronze", dt.date(2023, 2, 1))
    worker = make_user(Role.WORKER, person=person)
    base = live_server.url

    # the bureau officer starts the run from the queue's link and sees it finish
    sign_in(page, live_server, world.approver)
    page.goto(f"{base}/claims/")
    page.get_by_test_id("runs-link").click()
    page.locator("#id_region").select_option("330500")
    page.locator("#id_on").fill("2023-06-30")
    page.get_by_test_id("run-submit").click()
    expect(page.get_by_test_id("run-status")).to_have_text("已完成")
    expect(page.get_by_test_id("run-progress")).to_have_attribute("value", "100")
    run = ClaimRun.objects.get(parent=None)
    assert run.status == RunStatus.DONE and run.region == "330500"
    mine = Claim.objects.get(person=person, item_id=MEDAL)
    # made by the run or, sharded by town, by its town's run
    assert mine.run is not None and run.pk in (mine.run_id, mine.run.parent_id)
    assert mine.status == ClaimStatus.ACCEPTED
    expect(page.get_by_test_id("run-created")).to_have_text(str(run.claims_created))
    expect(page.get_by_test_id("run-claim-row").filter(has_text="周三省")).to_have_count(1)
    phone_width_holds(page)

    # the worker, on the phone: the claim, its amount in yuan, the clause, what to do next
    sign_in(page, live_server, worker)
    page.goto(f"{base}/claims/mine/")
    card = page.get_by_test_id("mine-claim").filter(has_text=MEDAL_TITLE)
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("mine-amount")).to_have_text(format_yuan(mine.payable_fen))
    assert mine.payable_fen == 200_000 * 100
    expect(card.get_by_test_id("mine-clause")).to_have_text(citation_text(mine.citation))
    expect(card.get_by_test_id("mine-clause")).to_contain_text("第4项")
    expect(card.get_by_test_id("mine-next")).to_have_text("确认收款账户")
    phone_width_holds(page)
    card.get_by_test_id("mine-next").get_by_role("link").click()
    expect(page.get_by_test_id("claim-next-step")).to_have_text("确认收款账户")
    page.get_by_test_id("account-input").fill(ACCOUNT)
    page.get_by_test_id("account-submit").click()
    expect(page.locator("body")).to_contain_text("收款账户已确认")
    expect(page.get_by_test_id("claim-next-step")).to_have_text("等待审核")
    expect(page.locator("body")).to_contain_text("0300")
    expect(page.locator("body")).not_to_contain_text(ACCOUNT)
    phone_width_holds(page)
    page.goto(f"{base}/claims/mine/")
    expect(card.get_by_test_id("mine-next")).to_have_text("等待审核")
    expect(page.locator("body")).not_to_contain_text(ACCOUNT)
    mine.refresh_from_db()
    assert mine.payee_account == ACCOUNT

    # masked for the officer too
    sign_in(page, live_server, world.reviewer)
    page.goto(f"{base}/claims/{mine.pk}/")
    expect(page.get_by_test_id("claim-summary")).to_contain_text("0300")
    expect(page.locator("body")).not_to_contain_text(ACCOUNT)


def _claim_audits() -> int:
    return AuditEntry.objects.filter(object_type=AuditObject.CLAIM).count()


def _step(page: Any, key: str, *, reason: str = "", amount: str = "") -> None:
    if amount:
        page.get_by_test_id("step-amount").fill(amount)
    if reason:
        page.get_by_test_id("step-reason").fill(reason)
    page.get_by_test_id(f"step-{key}").click()


def _export(page: Any) -> list[list[Any]]:
    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_three_officers_take_a_claim_through_every_step_to_the_worker_paid(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    world = build_world()
    claim = medal_claim(world.gold)
    base = live_server.url
    detail = f"{base}/claims/{claim.pk}/"

    # 初审 by the reviewer
    sign_in(page, live_server, world.reviewer)
    page.goto(f"{base}/claims/?q=沈一鸣")
    page.get_by_test_id("claim-link").filter(has_text=MEDAL_TITLE).click()
    expect(page.get_by_test_id("step-approve")).to_have_count(0)
    _step(page, "review")
    expect(page.get_by_test_id("messages")).to_contain_text("已初审通过")
    expect(page.get_by_test_id("claim-status")).to_have_text("初审通过")

    # 复审 by the approver: into 公示
    sign_in(page, live_server, world.approver)
    page.goto(detail)
    expect(page.get_by_test_id("step-amount")).to_have_count(0)  # the amount is the policy's
    _step(page, "approve")
    expect(page.get_by_test_id("claim-status")).to_have_text("公示中")

    # an objection received during 公示, recorded by the reviewer and answered by the approver
    sign_in(page, live_server, world.reviewer)
    page.goto(detail)
    page.get_by_test_id("objection-text").fill("该选手获奖时户籍不在本市")
    page.get_by_test_id("objection-submit").click()
    expect(page.get_by_test_id("objection")).to_contain_text("该选手获奖时户籍不在本市")
    expect(page.get_by_test_id("objection")).to_contain_text("待答复")
    sign_in(page, live_server, world.approver)
    page.goto(detail)
    _publicity_over(claim)
    _step(page, "close")  # refused: the objection is not answered yet
    expect(page.get_by_test_id("messages")).to_contain_text("有未答复的公示异议")
    expect(page.get_by_test_id("claim-status")).to_have_text("公示中")
    page.get_by_test_id("objection-answer-text").fill("经核实，获奖时已在本市参保，异议不成立")
    page.get_by_test_id("objection-not-upheld").check()
    page.get_by_test_id("objection-answer-submit").click()
    expect(page.get_by_test_id("objection-answer")).to_contain_text("异议不成立")
    _step(page, "close")
    expect(page.get_by_test_id("claim-status")).to_have_text("待拨付")
    phone_width_holds(page)

    # finance pays it through a batch
    sign_in(page, live_server, world.finance)
    page.goto(f"{base}/claims/batches/")
    page.locator("#id_title").fill("世赛奖励第一批")
    page.get_by_test_id("batch-build-submit").click()
    expect(page.get_by_test_id("line-row")).to_have_count(1)
    rows = _export(page)
    assert rows[1][1] == "沈一鸣"
    page.get_by_test_id("batch-send").click()
    path = tmp_path / "结果.xlsx"
    path.write_bytes(
        workbook_bytes([Sheet("结果", ["明细编号", "结果", "说明"], [[rows[1][0], "成功", ""]])])
    )
    page.get_by_test_id("import-file").set_input_files(str(path))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("已对账")

    # the worker sees 已拨付 with the payment
    sign_in(page, live_server, world.worker)
    page.goto(f"{base}/claims/mine/")
    card = page.get_by_test_id("mine-claim").filter(has_text=MEDAL_TITLE)
    expect(card.get_by_test_id("claim-status")).to_have_text("已拨付")
    expect(card.get_by_test_id("mine-next")).to_have_text("已拨付，请查收")
    card.get_by_test_id("claim-link").click()
    expect(page.get_by_test_id("payment")).to_contain_text(format_yuan(claim.payable_fen))
    expect(page.get_by_test_id("payment")).to_contain_text("已到账")
    expect(page.get_by_test_id("claim-history")).to_contain_text("异议")
    phone_width_holds(page)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    people = {claim.reviewer_id, claim.approver_id, claim.payer_id}
    assert people == {world.reviewer.pk, world.approver.pk, world.finance.pk}


def test_four_eyes_the_reviewer_cannot_approve_and_finance_cannot_review(
    live_server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    world = build_world()
    # the reviewer also holds the approver's role: only the four-eyes rule stands in the way
    role_grant(actor=None, user=world.reviewer, role=Role.BUREAU_APPROVER, region="330500")
    claim = bare_claim(world.gold, discretionary=True, item_title="技能领军人才生活补贴")
    other = bare_claim(world.gold, item_title="技能提升补贴")
    base = live_server.url
    detail = f"{base}/claims/{claim.pk}/"

    sign_in(page, live_server, world.reviewer)
    page.goto(detail)
    _step(page, "review")
    expect(page.get_by_test_id("claim-status")).to_have_text("初审通过")
    audits = _claim_audits()
    _step(page, "approve", amount="4000", reason="按贡献酌定")
    expect(page.get_by_test_id("messages")).to_contain_text(
        "复审人不能与初审人为同一人，请由其他审批人复审"
    )
    expect(page.get_by_test_id("claim-status")).to_have_text("初审通过")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED and claim.approver_id is None
    assert claim.decided_fen is None and _claim_audits() == audits
    phone_width_holds(page)

    # finance sees no step on a claim at 初审, and a forged request is refused, nothing changed
    sign_in(page, live_server, world.finance)
    page.goto(f"{base}/claims/{other.pk}/")
    expect(page.get_by_test_id("claim-summary")).to_be_visible()
    expect(page.get_by_test_id("claim-steps")).to_have_count(0)
    client = Client()
    otp_login(client, world.finance)
    answer = client.post(f"/claims/{other.pk}/step/", {"action": "review"}, follow=True)
    assert "未办理：您无权对该申领初审" in answer.content.decode()
    other.refresh_from_db()
    assert other.status == ClaimStatus.ACCEPTED and other.reviewer_id is None
    assert _claim_audits() == audits

    # another approver decides the discretionary amount within the engine's range, with a reason
    sign_in(page, live_server, world.approver)
    page.goto(detail)
    _step(page, "approve", amount="6000", reason="按贡献酌定")
    expect(page.get_by_test_id("messages")).to_contain_text(
        "核定金额须在 ¥1,000.00 至 ¥5,000.00 之间"
    )
    _step(page, "approve", amount="4000")
    expect(page.get_by_test_id("messages")).to_contain_text("核定酌定金额须填写理由")
    expect(page.get_by_test_id("claim-status")).to_have_text("初审通过")
    _step(page, "approve", amount="4000", reason="按贡献酌定")
    expect(page.get_by_test_id("claim-status")).to_have_text("公示中")
    expect(page.get_by_test_id("claim-amount")).to_have_text("¥4,000.00")
    expect(page.get_by_test_id("claim-summary")).to_contain_text("按贡献酌定")
    claim.refresh_from_db()
    assert claim.decided_fen == 400_000 and claim.approver_id == world.approver.pk


def test_a_return_and_a_refusal_reach_the_worker_with_their_reasons(
    live_server: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    world = build_world()
    returned = medal_claim(world.gold)
    refused = bare_claim(world.gold, item_title="技能提升补贴")
    base = live_server.url

    sign_in(page, live_server, world.reviewer)
    page.goto(f"{base}/claims/{returned.pk}/")
    _step(page, "return", reason="请补充获奖证书复印件")
    expect(page.get_by_test_id("claim-status")).to_have_text("退回补正")
    page.goto(f"{base}/claims/{refused.pk}/")
    _step(page, "refuse")
    expect(page.get_by_test_id("messages")).to_contain_text("不予支持须填写理由")
    expect(page.get_by_test_id("claim-status")).to_have_text("已受理")
    _step(page, "refuse", reason="该证书已享受过技能提升补贴")
    expect(page.get_by_test_id("claim-status")).to_have_text("不予支持")
    expect(page.get_by_test_id("claim-reason")).to_contain_text("该证书已享受过技能提升补贴")

    sign_in(page, live_server, world.worker)
    page.goto(f"{base}/claims/mine/")
    back = page.get_by_test_id("mine-claim").filter(has_text=MEDAL_TITLE)
    expect(back.get_by_test_id("claim-status")).to_have_text("退回补正")
    expect(back.get_by_test_id("mine-next")).to_have_text(
        "退回补正：请补充获奖证书复印件。请补正后重新提交"
    )
    no = page.get_by_test_id("mine-claim").filter(has_text="技能提升补贴")
    expect(no.get_by_test_id("claim-status")).to_have_text("不予支持")
    expect(no.get_by_test_id("mine-next")).to_have_text("不予支持：该证书已享受过技能提升补贴")
    phone_width_holds(page)

    back.get_by_test_id("claim-link").click()
    expect(page.get_by_test_id("step-review")).to_have_count(0)
    expect(page.get_by_test_id("claim-history")).to_contain_text("请补充获奖证书复印件")
    _step(page, "resubmit", reason="已补充证书复印件")
    expect(page.get_by_test_id("claim-status")).to_have_text("已受理")
    expect(page.get_by_test_id("claim-next-step")).to_have_text("等待审核")
    phone_width_holds(page)
    returned.refresh_from_db()
    refused.refresh_from_db()
    assert returned.status == ClaimStatus.ACCEPTED and refused.status == ClaimStatus.REFUSED
