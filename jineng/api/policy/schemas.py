"""Request and response types of the policy API (/api/v1/policy). Money is integer fen, with the
formatted yuan beside it for people reading the JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

StatusOut = Literal[
    "paid",
    "discretionary",
    "unstated",
    "waiting",
    "granted",
    "condition_failed",
    "excluded",
    "superseded",
    "quota_full",
    "not_in_force",
    "expired",
    "once_already",
    "yearly_cap",
    "lower_after_higher",
]
RunStatusOut = Literal["queued", "running", "done", "failed"]

FACTS_HELP = "事实 JSON 格式（docs/policy-schema.md；`jineng policy schema` 输出其 JSON Schema）"


class AdjustmentIn(Schema):
    item: str = Field(max_length=100, description="条目编号，如 hz.worldskills.medal")
    parameter: str = Field(max_length=100, description="参数，如 table.gold（见条目的参数列表）")
    value: str = Field(max_length=40, description="调整后的数值（金额以元为单位）")
    valid_from: dt.date | None = Field(default=None, description="生效日期；不填则对所有版本生效")


class ParameterOut(Schema):
    path: str
    label: str
    current: str
    unit: Literal["yuan", "percent", "ratio", "months", "count"]


class AdjustableItemOut(Schema):
    id: str
    title: str
    document_title: str
    parameters: list[ParameterOut]


class SubjectRefIn(Schema):
    type: Literal["person", "organisation"]
    id: int


class ExplainIn(Schema):
    subject: SubjectRefIn | dict[str, Any] = Field(
        description="档案中的对象 {type, id}；或与 facts 一起给出的完整事实文档的 subject"
    )
    facts: list[dict[str, Any]] | None = Field(
        default=None, description=f"给出时按完整事实文档解释：{FACTS_HELP}"
    )
    on: dt.date | None = Field(default=None, description="评估日期，默认今天")
    policy: str | None = Field(
        default=None, max_length=100, description="只看一份政策文件（id 或前缀）"
    )
    params: dict[str, str] = Field(default_factory=dict, description="文件参数，如 {city: 441900}")
    overrides: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="假设调整 ITEM.PARAM=VALUE@DATE（元），如 hz.worldskills.medal.table.gold=1500000@2024-01-01；未知的条目或参数答 422",
    )
    adjustments: list[AdjustmentIn] = Field(
        default_factory=list, max_length=50, description="假设调整（结构化写法，与 overrides 合并）"
    )


class CitationOut(Schema):
    file: str = Field(description="原文文件名（内部编号）；给人看的出处见 source")
    section: str
    article: str
    quote: str
    source: str = Field(description="出处：《文件标题》（文号）")


class PaymentOut(Schema):
    date: dt.date
    amount_fen: int
    amount: str


class EntitlementOut(Schema):
    fact_id: str
    trigger: str
    trigger_date: dt.date
    status: StatusOut
    status_label: str
    amount_fen: int
    amount: str
    min_fen: int
    max_fen: int
    discretionary: bool
    branch: str
    reason: str
    version_from: dt.date | None
    schedule: list[PaymentOut]


class ExplainedItemOut(Schema):
    id: str = Field(description="条目编号（代码）；名称见 title")
    title: str
    document: str
    document_title: str
    kind: str
    kind_label: str
    beneficiary: str
    beneficiary_label: str
    status: StatusOut
    status_label: str
    amount_fen: int = Field(description="计入的金额（分）：应发、待酌定、待满足期限三种状态之和")
    amount: str
    min_fen: int
    max_fen: int
    schedule: list[PaymentOut]
    schedule_text: str
    citation: CitationOut
    branch: str
    reading: str | None = Field(description="条文解读（按请求的语言：中文，英文时为 reading_en）")
    reading_en: str | None
    reason: str
    group: Literal["gets", "pending", "nearly", "other"] = Field(
        description="可享受 / 待定 / 差一项条件 / 其他"
    )
    group_label: str
    next_step: str = Field(description="下一步怎么做（一句话；其他条目为空）")
    missing: str = Field(description="差一项条件时，所差的条件")
    entitlements: list[EntitlementOut]


class DocumentApplicabilityOut(Schema):
    id: str
    title: str
    applicable: bool
    reason: str
    jurisdiction: str = Field(description="适用地区代码前缀（空为全国）；名称见 jurisdiction_label")
    jurisdiction_label: str
    status: Literal["in_force", "expired", "draft", "not_yet"] = Field(
        description="评估日期当日的状态：现行有效 / 已失效 / 征求意见稿 / 尚未施行"
    )
    status_label: str


class ExplainOut(Schema):
    subject_id: str
    subject_kind: str
    subject_kind_label: str
    region: str = Field(description="地区代码；名称见 region_label")
    region_label: str
    on: dt.date
    total_fen: int
    total: str
    documents: list[DocumentApplicabilityOut]
    items: list[ExplainedItemOut]
    notes: list[str]


class SimulationIn(Schema):
    on: dt.date | None = Field(default=None, description="测算日期，默认今天")
    overrides: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="假设调整 ITEM.PARAM=VALUE@DATE（元）；未知的条目或参数答 422",
    )
    adjustments: list[AdjustmentIn] = Field(
        default_factory=list, max_length=50, description="假设调整（结构化写法，与 overrides 合并）"
    )
    population: Literal["city", "file"] = Field(
        default="city", description="city：本人管辖范围内的档案；file：随请求给出的 facts 列表"
    )
    facts: list[dict[str, Any]] | None = Field(
        default=None, description=f"population 为 file 时的事实文档列表：{FACTS_HELP}"
    )
    params: dict[str, str] = Field(default_factory=dict)


class SimulationStartedOut(Schema):
    id: int
    status: RunStatusOut


class BudgetRowOut(Schema):
    item_id: str
    title: str
    document: str
    year: int
    baseline_count: int
    baseline_fen: int
    scenario_count: int
    scenario_fen: int
    delta_fen: int
    discretionary_count: int
    discretionary_min_fen: int
    discretionary_max_fen: int
    unstated_count: int = 0


class YearTotalOut(Schema):
    year: int
    baseline_count: int
    baseline_fen: int
    scenario_count: int
    scenario_fen: int
    delta_fen: int


class ItemTotalOut(Schema):
    item_id: str
    title: str
    document: str
    baseline_count: int
    baseline_fen: int
    scenario_count: int
    scenario_fen: int
    delta_fen: int


class SimulationResultOut(Schema):
    on: dt.date
    overrides: list[str]
    subjects: int
    facts: int
    population_loader: str
    baseline_fen: int
    scenario_fen: int
    delta_fen: int
    rows: list[BudgetRowOut]
    years: list[YearTotalOut]
    items: list[ItemTotalOut]
    elapsed_ms: int


class SimulationOut(Schema):
    id: int
    status: RunStatusOut
    status_label: str
    progress: int
    on: dt.date
    overrides: list[str]
    population: Literal["city", "file"]
    population_file_name: str
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    subject_count: int | None
    error: str
    result: SimulationResultOut | None
