"""Types of the exam, marking and results operations of the assessment API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class RegistrationOut(Schema):
    id: int = Field(title="报名编号")
    occupation_name: str = Field(title="职业")
    level_label: str = Field(title="等级")
    starts_at: dt.datetime = Field(title="开考时间")
    venue: str = Field(title="考点")
    session_status_label: str = Field(title="考试批次状态")
    attempt_label: str = Field(title="理论考试状态")


class ItemOut(Schema):
    entry_id: int = Field(title="试卷试题编号")
    number: int = Field(title="题号")
    section: str = Field(title="部分")
    kind: str = Field(title="题型代码")
    kind_label: str = Field(title="题型")
    stem: str = Field(title="题干")
    options: list[str] = Field(title="选项（显示顺序）")
    blanks: int = Field(title="填空数")
    points: str = Field(title="分值")
    response: Any = Field(None, title="已保存的作答")
    seq: int = Field(title="已保存作答的序号", description="0：尚未作答")


class AttemptOut(Schema):
    status: str = Field(title="状态代码", description="none / admitted / started / submitted")
    status_label: str = Field(title="状态")
    remaining_seconds: int = Field(title="剩余秒数", description="由服务器计时")
    deadline: dt.datetime | None = Field(None, title="结束时间")
    items: list[ItemOut] = Field(title="试题", description="作答中时给出")


class AnswerIn(Schema):
    response: Any = Field(
        None,
        title="作答",
        description="单选：选项位置；多选：位置列表；判断：true/false；填空：各空文字；简答：文字",
    )
    seq: int = Field(title="客户端序号", ge=1, description="序号更大的保存覆盖较小的")


class AnswerOut(Schema):
    entry_id: int = Field(title="试卷试题编号")
    seq: int = Field(title="本次序号")
    stored_seq: int = Field(title="已保存的序号")
    applied: bool = Field(title="本次是否生效")
    remaining_seconds: int = Field(title="剩余秒数")


class EventIn(Schema):
    kind: str = Field(title="异常类型", description="tab_hidden / copy / paste / fullscreen_exit")


class RecordedOut(Schema):
    detail: str


class PartOut(Schema):
    part_label: str = Field(title="考核环节")
    score: str = Field(title="成绩（百分制）")
    pass_mark: str = Field(title="合格分数")
    passed: bool = Field(title="合格")


class ResultOut(Schema):
    registration_id: int = Field(title="报名编号")
    occupation_name: str = Field(title="职业")
    level_label: str = Field(title="等级")
    publication_label: str = Field(title="公示状态")
    objection_until: dt.date | None = Field(None, title="公示截止日")
    passed: bool = Field(title="各环节均合格")
    parts: list[PartOut]


class TaskOut(Schema):
    id: int = Field(title="评分任务编号")
    candidate_code: str = Field(title="考生密号")
    part_label: str = Field(title="考核环节")
    kind_label: str = Field(title="题型")
    stem: str = Field(title="题干")
    points: str = Field(title="分值")
    marks: int = Field(title="已有评分数")


class MarkIn(Schema):
    score: str | None = Field(None, title="得分", description="简答题")
    criteria: list[str] | None = Field(None, title="评分表各项得分", description="操作技能考核")


class MarkOut(Schema):
    round: int = Field(title="评次")
    score: str = Field(title="得分")
    settled: str | None = Field(None, title="评定得分", description="尚需评分时为空")
