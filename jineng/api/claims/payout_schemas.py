"""Types of the payouts API (/api/v1/payouts). Money is integer fen, the yuan text beside it;
accounts are masked (the full account leaves only in the exported payment file)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class BatchIn(Schema):
    region: str = Field(title="区域或镇街代码", description="财务人员所辖区域或其下的镇街")
    item_id: str = Field("", title="政策事项", description="空：全部事项")
    due_by: dt.date | None = Field(None, title="应付日期截止", description="空：今天")
    title: str = Field("", max_length=200, title="批次名称")


class ReconciliationOut(Schema):
    lines_in: int = Field(title="明细笔数")
    fen_in: int = Field(title="明细金额（分）")
    paid_lines: int = Field(title="到账笔数")
    paid_fen: int = Field(title="到账金额（分）")
    failed_lines: int = Field(title="失败笔数")
    failed_fen: int = Field(title="失败金额（分）")
    withdrawn_lines: int = Field(title="撤回笔数")
    withdrawn_fen: int = Field(title="撤回金额（分）")
    pending_lines: int = Field(title="待银行处理笔数")
    pending_fen: int = Field(title="待银行处理金额（分）")
    balanced: bool = Field(title="已对平", description="明细 = 到账 + 失败 + 撤回，且无待处理")


class BatchOut(Schema):
    id: int = Field(title="批次编号")
    title: str = Field(title="批次名称")
    region: str = Field(title="区域代码")
    region_name: str = Field(title="区域")
    status: str = Field(
        title="状态", description="open 编制中 / sent 已提交银行 / closed 已对账 / cancelled 已作废"
    )
    status_label: str = Field(title="状态（中文）")
    created_at: dt.datetime = Field(title="编制时间")
    sent_at: dt.datetime | None = Field(None, title="提交银行时间")
    closed_at: dt.datetime | None = Field(None, title="对账完成时间")
    amount: str = Field(title="明细金额（元）")
    reconciliation: ReconciliationOut = Field(title="对账情况")


class LineOut(Schema):
    id: int = Field(title="明细编号")
    claim_id: int = Field(title="申领编号")
    beneficiary: str = Field(title="收款人")
    item_title: str = Field(title="事项")
    account: str = Field(title="收款账号（脱敏）")
    amount_fen: int = Field(title="金额（分）")
    amount: str = Field(title="金额（元）")
    status: str = Field(
        title="状态",
        description="pending 待银行处理 / paid 已到账 / failed 拨付失败 / cancelled 已撤回",
    )
    status_label: str = Field(title="状态（中文）")
    bank_reason: str = Field("", title="银行说明")


class ExportIn(Schema):
    format: Literal["xlsx", "csv"] = Field("xlsx", title="文件格式")


class ResultLineIn(Schema):
    line_id: int = Field(title="明细编号")
    paid: bool = Field(title="是否到账")
    reason: str = Field("", max_length=200, title="银行说明", description="失败原因")


class ResultIn(Schema):
    results: list[ResultLineIn] = Field(title="银行结果", max_length=50_000)


class ReconcileOut(Schema):
    paid: int = Field(title="本次新到账笔数")
    failed: int = Field(title="本次新失败笔数")
    batch: BatchOut = Field(title="批次")


class ReasonIn(Schema):
    reason: str = Field("", max_length=200, title="理由")


class BudgetRowOut(Schema):
    label: str = Field(title="事项、镇街或受益类别")
    item_id: str = Field("", title="政策事项代码")
    year: int | None = Field(None, title="年度（触发事项发生年度）")
    committed_fen: int = Field(title="已核定（分）")
    paid_fen: int = Field(title="已拨付（分）")
    recovered_fen: int = Field(title="已追回（分）")
    forecast_fen: int | None = Field(
        None, title="测算预计（分）", description="无已完成的全市测算时为空"
    )


class BudgetOut(Schema):
    forecast_run_id: int | None = Field(None, title="测算编号")
    forecast_on: dt.date | None = Field(None, title="测算日期")
    by_item_year: list[BudgetRowOut] = Field(title="按事项和年度")
    by_town: list[BudgetRowOut] = Field(title="按镇街")
    by_kind: list[BudgetRowOut] = Field(title="按受益类别")
    total: BudgetRowOut = Field(title="合计")
