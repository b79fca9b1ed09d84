"""Response types of the assessment API (/api/v1/assessment)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class BankOut(Schema):
    id: int = Field(title="题库编号")
    name: str = Field(title="题库名称")
    occupation: str = Field(title="职业编码")
    occupation_name: str = Field(title="职业名称")
    level: str = Field(title="等级代码", description="新八级工：5 4 3 2 1 S C")
    level_label: str = Field(title="等级")
    organisation_name: str = Field(title="开发机构")
    filing_status: str = Field(
        title="备案状态代码", description="unfiled / requested / filed / withdrawn"
    )
    filing_status_label: str = Field(title="备案状态")
    filed_on: dt.date | None = Field(None, title="备案日期")


class PointOut(Schema):
    name: str = Field(title="鉴定要素")
    depth: int = Field(title="层级", description="0 为最上层")
    approved: int = Field(title="审核通过的试题数")


class StatusCountOut(Schema):
    status_label: str = Field(title="状态")
    items: int = Field(title="试题数")


class BlueprintCheckOut(Schema):
    id: int = Field(title="组卷规则编号")
    name: str = Field(title="组卷规则名称")
    status_label: str = Field(title="状态")
    pass_line: str = Field(title="合格分数线")
    ok: bool = Field(title="题库能否满足")
    problems: list[str] = Field(
        title="不满足之处", description="每条一句，指明部分、鉴定要素和难度"
    )


class BankDetailOut(BankOut):
    points: list[PointOut] = Field(title="鉴定要素")
    status_counts: list[StatusCountOut] = Field(title="各状态试题数")
    blueprints: list[BlueprintCheckOut] = Field(title="组卷规则")
