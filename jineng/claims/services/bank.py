"""The bank's files: the payment file finance sends (.xlsx or CSV) and the result file the bank
returns (.xlsx or CSV).

The payment file is the one place a payee's account number leaves the platform in full: it is
built only by `payout_batch_export`, an audited action of finance in the batch's region (one entry
per export, with the batch and the number of accounts shown); every page and the API show the
masked account. Amounts are yuan with two decimals written from integer fen by `yuan_text` (exact:
integer arithmetic, never a float). The .xlsx goes through `jineng.core.xlsx`, which writes a
payee's name beginning with "=" as text, never as a formula; the CSV prefixes such a cell with an
apostrophe for the same reason.

The result file has the columns 明细编号, 结果 (成功 / 失败), 说明 (the bank's reason); a header
row first. A row that cannot be read is refused naming its row and its column."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import holds_role_for
from jineng.claims.models import BatchStatus, LineStatus, PayoutBatch, PayoutLine
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.xlsx import Sheet, is_formula_like, workbook_bytes
from jineng.identity.models import Role, User

FEN_PER_YUAN = 100
HEADER = ("明细编号", "收款人", "收款账号", "开户银行", "金额（元）", "用途")
RESULT_COLUMNS = ("明细编号", "结果", "说明")
PAID_WORDS = frozenset({"成功"})
FAILED_WORDS = frozenset({"失败"})
MAX_RESULT_BYTES = 50 * 1024 * 1024

# Issuer identification numbers (the first six digits) of the banks most payees in the demo
# cities use; any other account is shown as "按账号识别" for the bank's own routing.
_BANK_BINS = {
    "622202": "中国工商银行",
    "622208": "中国工商银行",
    "621226": "中国工商银行",
    "621700": "中国建设银行",
    "622700": "中国建设银行",
    "436742": "中国建设银行",
    "622848": "中国农业银行",
    "622845": "中国农业银行",
    "621661": "中国银行",
    "621785": "中国银行",
    "622588": "招商银行",
    "621483": "招商银行",
    "622260": "交通银行",
    "622188": "中国邮政储蓄银行",
    "621799": "中国邮政储蓄银行",
}


def yuan_text(fen: int) -> str:
    """Integer fen as yuan with two decimals: 123456 → "1234.56", 5 → "0.05" (exact)."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("amounts are integer fen")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{yuan}.{cents:02d}"


def bank_name(account: str) -> str:
    return _BANK_BINS.get(account[:6], "按账号识别")


def purpose_text(item_title: str, citation: dict[str, Any]) -> str:
    """What the payment is for, citing the item and the clause: 「事项」《文件》（文号）第N条."""
    source = str(citation.get("source", "")).strip()
    clause = " ".join(
        str(citation.get(k, "")).strip() for k in ("section", "article") if citation.get(k)
    )
    cited = "".join(part for part in (source, clause) if part)
    return f"{item_title}（依据{cited}）" if cited else item_title


@dataclass(frozen=True)
class PaymentRow:
    line_id: int
    payee: str
    account: str
    bank: str
    amount: str  # yuan, two decimals
    purpose: str

    def cells(self) -> tuple[str, ...]:
        return (str(self.line_id), self.payee, self.account, self.bank, self.amount, self.purpose)


@dataclass(frozen=True)
class PaymentFile:
    batch: PayoutBatch
    rows: list[PaymentRow]
    total_fen: int

    @property
    def base_name(self) -> str:
        return f"拨付批次{self.batch.pk}_支付文件"


def _payment_rows(batch: PayoutBatch) -> Iterator[tuple[PaymentRow, int]]:
    lines = (
        PayoutLine.objects.filter(batch=batch)
        .exclude(status=LineStatus.CANCELLED)
        .order_by("pk")
        .values_list(
            "pk",
            "account",
            "amount_fen",
            "claim__item_title",
            "claim__citation",
            "claim__person__name",
            "claim__organisation__name",
        )
    )
    purposes: dict[str, str] = {}
    for pk, account, fen, title, citation, person, organisation in lines.iterator(chunk_size=5000):
        # One purpose per item and clause: 100,000 lines usually cite a handful of clauses.
        key = f"{title}\x00{citation.get('source', '')}\x00{citation.get('article', '')}"
        purpose = purposes.get(key)
        if purpose is None:
            purpose = purposes[key] = purpose_text(title, citation or {})
        payee = person or organisation or ""
        yield PaymentRow(pk, payee, account, bank_name(account), yuan_text(fen), purpose), fen


@transaction.atomic
def payout_batch_export(*, actor: User | None, batch: PayoutBatch, reason: str = "") -> PaymentFile:
    """The payment file of a batch (open or sent), accounts in full: finance in the batch's
    region only, audited (who, which batch, how many accounts shown)."""
    if actor is None:
        raise Forbidden("actor", "导出银行支付文件须由财务人员本人办理")
    if not holds_role_for(actor, Role.BUREAU_FINANCE, batch.region):
        raise PermissionDenied("您无权导出该区域的拨付批次")
    batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (BatchStatus.OPEN, BatchStatus.SENT):
        raise Conflict(
            "batch",
            f"拨付批次「{batch.title}」当前为「{batch.get_status_display()}」，不能导出支付文件",
        )
    rows: list[PaymentRow] = []
    total = 0
    for row, fen in _payment_rows(batch):
        rows.append(row)
        total += fen
    if not rows:
        raise DomainError("batch", f"拨付批次「{batch.title}」中没有待拨付的明细")
    batch.exported_at = timezone.now()
    batch.save(update_fields=["exported_at"])
    audit_record(
        actor=actor,
        action=AuditAction.PAYOUT_EXPORT,
        object_type=AuditObject.PAYOUT_BATCH,
        object_id=batch.pk,
        after={"lines": len(rows), "fen": total},
        reason=reason or "向银行提交支付文件",
        region=batch.region,
    )
    return PaymentFile(batch, rows, total)


def payment_file_xlsx(payment: PaymentFile) -> bytes:
    return workbook_bytes([Sheet("支付明细", HEADER, (row.cells() for row in payment.rows))])


def _csv_safe(value: str) -> str:
    return f"'{value}" if is_formula_like(value) else value


def payment_file_csv(payment: PaymentFile) -> bytes:
    """UTF-8 with a byte-order mark (so Excel and WPS read the Chinese), CRLF lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in payment.rows:
        writer.writerow([_csv_safe(cell) for cell in row.cells()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- the bank's result file ------------------------------------------------------------------


@dataclass(frozen=True)
class BankResult:
    """One line of the bank's result file: the line's number, paid or not, and the bank's words."""

    line_id: int
    paid: bool
    reason: str = ""


@dataclass(frozen=True)
class ResultFile:
    results: list[BankResult]
    sha256: str
    name: str = ""


def _rows_of_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise DomainError("file", "结果文件无法读取：请使用 UTF-8 或 GB18030 编码的 CSV，或 .xlsx 文件")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a line number typed into Excel is stored as a float
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _rows_of_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError("file", "结果文件无法读取：不是有效的 .xlsx 文件") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _header_positions(header: list[str]) -> dict[str, int]:
    names = [h.strip() for h in header]
    positions: dict[str, int] = {}
    for column in RESULT_COLUMNS:
        if column in names:
            positions[column] = names.index(column)
    for column in RESULT_COLUMNS[:2]:
        if column not in positions:
            raise DomainError("file", f"第1行：缺少“{column}”列（应有：明细编号、结果、说明）")
    return positions


def parse_result_rows(rows: list[list[str]]) -> list[BankResult]:
    """Read the rows of a result file (header first). Errors name the row and the column."""
    if not rows:
        raise DomainError("file", "结果文件是空的")
    positions = _header_positions(rows[0])
    seen: dict[int, int] = {}
    results: list[BankResult] = []

    def cell(row: list[str], column: str) -> str:
        i = positions.get(column)
        return row[i].strip() if i is not None and i < len(row) and row[i] else ""

    for n, row in enumerate(rows[1:], start=2):
        if not any((c or "").strip() for c in row):
            continue
        number = cell(row, "明细编号")
        if not number.isdigit():
            raise DomainError("file", f"第{n}行“明细编号”：应为数字，现为“{number[:20]}”")
        outcome = cell(row, "结果")
        if outcome in PAID_WORDS:
            paid = True
        elif outcome in FAILED_WORDS:
            paid = False
        else:
            raise DomainError("file", f"第{n}行“结果”：应为“成功”或“失败”，现为“{outcome[:20]}”")
        line_id = int(number)
        if line_id in seen:
            raise DomainError("file", f"第{n}行“明细编号”：{line_id} 与第{seen[line_id]}行重复")
        seen[line_id] = n
        reason = cell(row, "说明")[:200]
        if not paid and not reason:
            reason = "银行未说明原因"
        results.append(BankResult(line_id, paid, reason))
    return results


def read_result_file(*, name: str, content: bytes) -> ResultFile:
    """A bank result file, .xlsx (by its zip signature) or CSV."""
    if len(content) > MAX_RESULT_BYTES:
        raise DomainError("file", "结果文件超过 50 MB")
    rows = _rows_of_xlsx(content) if content[:2] == b"PK" else _rows_of_csv(content)
    return ResultFile(parse_result_rows(rows), hashlib.sha256(content).hexdigest(), name[:200])


def parse_bank_result_csv(content: str) -> list[BankResult]:
    """The CSV result file given as text (kept for callers that already decoded it)."""
    return parse_result_rows([list(r) for r in csv.reader(io.StringIO(content.lstrip("\ufeff")))])


__all__ = [
    "BankResult",
    "PaymentFile",
    "PaymentRow",
    "ResultFile",
    "bank_name",
    "parse_bank_result_csv",
    "parse_result_rows",
    "payment_file_csv",
    "payment_file_xlsx",
    "payout_batch_export",
    "purpose_text",
    "read_result_file",
    "yuan_text",
]
