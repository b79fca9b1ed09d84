"""Response types of the claims API (/api/v1/claims). Money is integer fen, with the formatted
yuan beside it for people reading the JSON."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class CitationOut(Schema):
    source: str = Field("", title="政策文件", description="《文件名》（文号）")
    section: str = Field("", title="章节")
    article: str = Field("", title="条款")
    quote: str = Field("", title="原文")


class ClaimOut(Schema):
    id: int = Field(title="申领编号")
    beneficiary: str = Field(title="受益人", description="人员姓名或单位名称")
    item_title: str = Field(title="事项")
    kind: str = Field(
        title="类别", description="original 原始申领 / difference 补差 / recovery 追回"
    )
    kind_label: str = Field(title="类别（中文）")
    status: str = Field(title="状态")
    status_label: str = Field(title="状态（中文）")
    amount_fen: int = Field(title="金额（分）", description="酌定事项为核定金额")
    amount: str = Field(title="金额（元）")
    due_on: dt.date = Field(title="应付日期")
    publicity_ends: dt.date | None = Field(None, title="公示截止")
    payee_account: str = Field("", title="收款账户（脱敏）")


class HistoryOut(Schema):
    at: dt.datetime = Field(title="时间")
    what: str = Field(title="办理事项")
    reason: str = Field("", title="理由")


class ClaimDetailOut(ClaimOut):
    citation: CitationOut = Field(title="政策依据")
    history: list[HistoryOut] = Field(title="办理记录")
