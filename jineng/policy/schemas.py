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
        description="假设调整 ITEM.PARAM=VALUE@DATE（元），如 hz.worldskills.medal.table.gold=1500000@2024-01-01",
    )


class CitationOut(Schema):
    file: str
    section: str
    article: str
    quote: str


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
    id: str
    title: str
    document: str
    document_title: str
    kind: str
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
    reading: str | None
    reason: str
    entitlements: list[EntitlementOut]


class DocumentApplicabilityOut(Schema):
    id: str
    title: str
    applicable: bool
    reason: str


class ExplainOut(Schema):
    subject_id: str
    subject_kind: str
    region: str
    on: dt.date
    total_fen: int
    total: str
    documents: list[DocumentApplicabilityOut]
    items: list[ExplainedItemOut]
    notes: list[str]


class SimulationIn(Schema):
    on: dt.date | None = Field(default=None, description="测算日期，默认今天")
    overrides: list[str] = Field(default_factory=list, max_length=50)
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
