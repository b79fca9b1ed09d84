"""Request and response types of the assessment write API (/api/v1/assessment/manage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class BankIn(Schema):
    organisation: int = Field(title="开发机构编号")
    occupation: str = Field(title="职业编码", description="2022 年版职业分类大典的编码")
    level: str = Field(title="等级代码", description="新八级工：5 4 3 2 1 S C")
    name: str = Field(title="题库名称", max_length=100)


class BankCreatedOut(Schema):
    id: int = Field(title="题库编号")
    name: str = Field(title="题库名称")
    level_label: str = Field(title="等级")
    filing_status_label: str = Field(title="备案状态")


class PointIn(Schema):
    code: str = Field(title="要素代码", max_length=30)
    name: str = Field(title="要素名称", max_length=100)
    parent: int | None = Field(None, title="上级要素编号")


class PointRenameIn(Schema):
    name: str = Field(title="新名称", max_length=100)


class PointOut(Schema):
    id: int = Field(title="鉴定要素编号")
    code: str = Field(title="要素代码")
    name: str = Field(title="要素名称")
    parent: int | None = Field(None, title="上级要素编号")


class DeductionIn(Schema):
    reason: str = Field(title="扣分说明")
    points: Decimal = Field(title="扣分")


class CriterionIn(Schema):
    criterion: str = Field(title="评分内容")
    points: Decimal = Field(title="配分")
    deductions: list[DeductionIn] = Field(default_factory=list, title="扣分项")


Answer = int | bool | list[int] | list[list[str]] | None


class ItemIn(Schema):
    point: int = Field(title="鉴定要素编号")
    kind: str = Field(
        title="题型代码",
        description="single / multiple / true_false / fill_in / short_answer / practical",
    )
    difficulty: int = Field(title="难度", description="1 易 … 5 难")
    stem: str = Field(title="题干")
    options: list[str] = Field(default_factory=list, title="选项", description="选择题填写")
    answer: Answer = Field(
        None,
        title="标准答案",
        description="单选：选项序号（从 0 起）；多选：序号列表；判断：true/false；"
        "填空：每空一个可接受答案列表；简答题、操作技能题不填",
    )
    reference_answer: str = Field("", title="参考答案", description="简答题必填")
    sheet: list[CriterionIn] = Field(
        default_factory=list, title="评分表", description="操作技能题必填"
    )


class ItemVersionIn(Schema):
    point: int | None = Field(None, title="鉴定要素编号")
    difficulty: int | None = Field(None, title="难度")
    stem: str | None = Field(None, title="题干")
    options: list[str] | None = Field(None, title="选项")
    answer: Answer = Field(None, title="标准答案")
    reference_answer: str | None = Field(None, title="参考答案")
    sheet: list[CriterionIn] | None = Field(None, title="评分表")


class ItemOut(Schema):
    id: int = Field(title="试题编号")
    kind_label: str = Field(title="题型")
    version: int = Field(title="版本")
    status: str = Field(title="状态代码")
    status_label: str = Field(title="状态")
    supersedes: int | None = Field(None, title="替代的版本编号")


class ReviewIn(Schema):
    approve: bool = Field(title="是否通过")
    reason: str = Field("", title="审核意见", description="驳回时必填", max_length=200)


class FilingIn(Schema):
    filed_on: dt.date = Field(title="备案日期")
    reference: str = Field("", title="备案文号", max_length=60)


class BlueprintIn(Schema):
    name: str = Field(title="组卷规则名称", max_length=100)
    pass_line: Decimal | None = Field(None, title="合格分数线", description="不填时为默认 60 分")
    fixed: bool = Field(False, title="固定试卷")


class BlueprintOut(Schema):
    id: int = Field(title="组卷规则编号")
    name: str = Field(title="组卷规则名称")
    status_label: str = Field(title="状态")
    ok: bool = Field(title="题库能否满足")
    problems: list[str] = Field(
        title="不满足之处", description="每条一句，指明部分、鉴定要素和难度"
    )


class SectionIn(Schema):
    title: str = Field(title="部分名称", max_length=60)
    kind: str = Field(title="题型代码")


class SectionOut(Schema):
    id: int = Field(title="试卷部分编号")
    name: str = Field(title="部分")


class RuleIn(Schema):
    section: int = Field(title="试卷部分编号")
    point: int = Field(title="鉴定要素编号")
    difficulty: int = Field(title="难度")
    count: int = Field(title="题数")
    points: Decimal = Field(title="每题分值")


class RuleOut(Schema):
    id: int = Field(title="抽题规则编号")


class SessionIn(Schema):
    organisation: int = Field(title="评价机构编号")
    occupation: str = Field(title="职业编码")
    level: str = Field(title="等级代码")
    parts: list[str] = Field(title="考核环节代码", description="theory / practical / panel")
    starts_at: dt.datetime = Field(title="开考时间")
    venue: str = Field(title="考点", max_length=200)
    capacity: int = Field(title="容量（人）")
    rooms: int = Field(1, title="考场数")


class SessionOut(Schema):
    id: int = Field(title="考试批次编号")
    status: str = Field(title="状态代码")
    status_label: str = Field(title="状态")
    staffing_problems: list[str] = Field(title="考务人员配备不足之处")


class StaffIn(Schema):
    part: str = Field(title="考核环节代码")
    person: int = Field(title="人员编号", description="持该职业有效资格的考评员，或本机构人员")


class RegistrationOut(Schema):
    id: int = Field(title="报名编号")
    session: int = Field(title="考试批次编号")
    condition: str = Field(title="符合的申报条件", description="该等级不设条件时为空")


class ItemImportOut(Schema):
    total_rows: int = Field(title="表格行数")
    written: int = Field(title="已写入试题数", description="试导入（dry_run）时为 0")
    dry_run: bool = Field(title="试导入")
    warnings: list[str] = Field(title="提示", description="如未知的列（已忽略）")
