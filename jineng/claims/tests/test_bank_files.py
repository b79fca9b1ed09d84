"""The bank's files: the payment file (accounts in full only through the audited export, yuan
from fen exactly, formulas neutralised), the result file (.xlsx and CSV, bad rows named, the same
file twice changes nothing) and the reconciliation that must balance before a batch closes."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from jineng.audit.models import AuditEntry
from jineng.claims.models import BatchStatus, ClaimStatus, LineStatus, PayoutBatch
from jineng.claims.services import (
    claim_account_confirm,
    payout_batch_close,
    payout_batch_create,
    payout_batch_export,
    payout_batch_send,
    payout_line_withdraw,
    payout_reconcile,
    read_result_file,
)
from jineng.claims.services.bank import payment_file_csv, payment_file_xlsx, yuan_text
from jineng.claims.services.payouts import batch_reconciliation
from jineng.claims.tests.support import ON, REGION, World, bare_claim, build_world, to_payable
from jineng.core.errors import Conflict, DomainError
from jineng.core.xlsx import Sheet, workbook_bytes
from jineng.identity.models import Role
from jineng.identity.services import person_update
from jineng.identity.testing import make_user

CITATION = {"source": "《湖州市技能人才政策》（湖人社发〔2023〕1号）", "article": "第五条"}


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_yuan_text_is_fen_divided_by_100_exactly(fen: int) -> None:
    text = yuan_text(fen)
    sign = -1 if text.startswith("-") else 1
    yuan, cents = text.lstrip("-").split(".")
    assert len(cents) == 2 and yuan.isdigit() and (yuan == "0" or not yuan.startswith("0"))
    assert sign * (int(yuan) * 100 + int(cents)) == fen


def test_yuan_text_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        yuan_text(12.5)  # type: ignore[arg-type]


def _sent_batch(world: World) -> tuple[PayoutBatch, dict[int, int]]:
    a = to_payable(world, bare_claim(world.gold, citation=CITATION))
    b = to_payable(
        world,
        bare_claim(
            world.silver, amount_fen=150_005, min_fen=150_005, max_fen=150_005, citation=CITATION
        ),
    )
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    payout_batch_send(actor=world.finance, batch=batch)
    return batch, {line.claim_id: line.pk for line in batch.lines.all()} | {
        -1: a.pk,
        -2: b.pk,
    }


@pytest.mark.django_db
def test_the_payment_file_shows_accounts_only_through_an_audited_export() -> None:
    world = build_world()
    batch, ids = _sent_batch(world)
    with pytest.raises(PermissionDenied):
        payout_batch_export(actor=world.approver, batch=batch)
    before = AuditEntry.objects.filter(action="payout_export").count()
    payment = payout_batch_export(actor=world.finance, batch=batch)
    assert AuditEntry.objects.filter(action="payout_export").count() == before + 1
    entry = AuditEntry.objects.filter(action="payout_export").latest("pk")
    assert entry.after == {"lines": 2, "fen": 450_005}
    assert "6222020200112233445" not in str(entry.after)
    rows = list(csv.reader(io.StringIO(payment_file_csv(payment).decode("utf-8-sig"))))
    assert rows[0] == ["明细编号", "收款人", "收款账号", "开户银行", "金额（元）", "用途"]
    by_payee = {r[1]: r for r in rows[1:]}
    gold = by_payee["沈一鸣"]
    assert gold[2] == "6222020200112233445" and gold[3] == "中国工商银行"
    assert gold[4] == "3000.00" and by_payee["钱二妹"][4] == "1500.05"
    assert gold[5] == "测试事项（依据《湖州市技能人才政策》（湖人社发〔2023〕1号）第五条）"
    sheet = load_workbook(io.BytesIO(payment_file_xlsx(payment))).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "明细编号" and {r[4] for r in cells[1:]} == {"3000.00", "1500.05"}


@pytest.mark.django_db
def test_a_formula_in_a_payee_name_is_written_as_text() -> None:
    world = build_world()
    world.gold.name = '=HYPERLINK("http://x","点我")'
    world.gold.save(update_fields=["name"])
    to_payable(world, bare_claim(world.gold))
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    payment = payout_batch_export(actor=world.finance, batch=batch)
    row = list(csv.reader(io.StringIO(payment_file_csv(payment).decode("utf-8-sig"))))[1]
    assert row[1].startswith("'=")
    sheet = load_workbook(io.BytesIO(payment_file_xlsx(payment))).active
    assert sheet is not None
    cell = sheet["B2"]
    assert cell.data_type == "s" and cell.value == world.gold.name


def _result_xlsx(rows: list[list[object]]) -> bytes:
    return workbook_bytes([Sheet("结果", ["明细编号", "结果", "说明"], rows)])  # type: ignore[arg-type]


@pytest.mark.django_db
def test_an_xlsx_result_with_one_failure_reconciles_and_twice_changes_nothing() -> None:
    world = build_world()
    batch, ids = _sent_batch(world)
    a, b = ids[-1], ids[-2]
    content = _result_xlsx([[ids[a], "成功", ""], [ids[b], "失败", "户名与账号不符"]])
    result = read_result_file(name="结果.xlsx", content=content)
    assert payout_reconcile(actor=world.finance, batch=batch, results=result.results, file=result)
    entries = AuditEntry.objects.count()
    again = read_result_file(name="结果.xlsx", content=content)
    assert payout_reconcile(
        actor=world.finance, batch=batch, results=again.results, file=again
    ) == {
        "paid": 0,
        "failed": 0,
    }
    assert AuditEntry.objects.count() == entries
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    assert (batch.lines_in, batch.paid_lines, batch.failed_lines) == (2, 1, 1)
    assert batch.fen_in == batch.paid_fen + batch.failed_fen == 450_005
    failed = batch.lines.get(status=LineStatus.FAILED)
    assert failed.bank_reason == "户名与账号不符"
    failed.claim.refresh_from_db()
    assert failed.claim.status == ClaimStatus.PAYABLE
    # Not sent again to the account that failed: it waits for the payee's corrected account.
    waiting = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    assert not waiting.lines.exists()
    silver = make_user(Role.WORKER, person=world.silver)
    # (the integrity check flags a payee account other than the person's own on file)
    person_update(actor=None, person=world.silver, bank_account="6217000010002000300")
    claim_account_confirm(actor=silver, claim=failed.claim, account="6217000010002000300")
    again_batch = payout_batch_create(actor=world.finance, region=REGION, due_by=ON)
    (line,) = again_batch.lines.all()
    assert line.claim_id == failed.claim_id and line.account == "6217000010002000300"


@pytest.mark.django_db
def test_result_rows_that_cannot_be_read_are_named_by_row_and_column() -> None:
    with pytest.raises(DomainError) as err:
        read_result_file(name="r.csv", content="明细编号,结果,说明\n1,成功,\n2,到账,\n".encode())
    assert err.value.message == "第3行“结果”：应为“成功”或“失败”，现为“到账”"
    with pytest.raises(DomainError) as err:
        read_result_file(name="r.xlsx", content=_result_xlsx([[1, "成功", ""], ["甲", "成功", ""]]))
    assert err.value.message == "第3行“明细编号”：应为数字，现为“甲”"
    with pytest.raises(DomainError) as err:
        read_result_file(name="r.csv", content="编号,结果\n1,成功\n".encode())
    assert "第1行" in err.value.message and "明细编号" in err.value.message
    with pytest.raises(DomainError) as err:
        read_result_file(name="r.csv", content="明细编号,结果\n1,成功\n1,失败\n".encode("gb18030"))
    assert err.value.message == "第3行“明细编号”：1 与第2行重复"
    with pytest.raises(DomainError):
        read_result_file(name="r.xlsx", content=b"PK\x03\x04broken")


@pytest.mark.django_db
def test_a_batch_cannot_close_until_every_line_is_paid_failed_or_withdrawn() -> None:
    world = build_world()
    batch, ids = _sent_batch(world)
    a, b = ids[-1], ids[-2]
    payout_reconcile(
        actor=world.finance, batch=batch, results=read_result_file(
            name="r.csv", content=f"明细编号,结果\n{ids[a]},成功\n".encode()
        ).results
    )  # fmt: skip
    with pytest.raises(Conflict) as err:
        payout_batch_close(actor=world.finance, batch=batch)
    assert "仍有 1 笔待银行处理" in err.value.message
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    # Nor can the stored totals be made to say otherwise: the database checks them.
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.CLOSED, lines_in=2, paid_lines=1, fen_in=450_005, paid_fen=300_000
        )
    line = batch.lines.get(claim_id=b)
    payout_line_withdraw(actor=world.finance, line=line, reason="银行退回未处理")
    totals = batch_reconciliation(batch)
    assert totals.balanced and totals.withdrawn_fen == 150_005
    payout_batch_close(actor=world.finance, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED and batch.withdrawn_lines == 1
    line.claim.refresh_from_db()
    assert line.claim.status == ClaimStatus.PAYABLE
