"""Request and response types of the learning API (/api/v1/learning). Codes come with their
Chinese names beside them (level and level_label); times are integer milliseconds."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class CourseOut(Schema):
    id: int = Field(title="课程编号")
    title: str = Field(title="课程名称")
    description: str = Field(title="课程简介")
    occupation: str = Field(title="职业编码", description="2022 年版职业分类大典的编码")
    occupation_name: str = Field(title="职业名称")
    level: str = Field(title="等级代码")
    level_label: str = Field(title="等级")
    planned_hours: int = Field(title="计划学时", description="每学时 45 分钟")
    provider: int = Field(title="开课机构编号")
    provider_name: str = Field(title="开课机构")
    mode: str = Field(title="授课方式代码")
    mode_label: str = Field(title="授课方式")
    funding: str = Field(title="费用代码")
    funding_label: str = Field(title="费用")
    status: str = Field(title="状态代码")
    status_label: str = Field(title="状态")
    published_at: dt.datetime | None = Field(title="发布时间")


class CoursePageOut(Schema):
    items: list[CourseOut] = Field(title="课程")
    total: int = Field(title="符合条件的课程数")
    page: int = Field(title="页码")
    per_page: int = Field(title="每页条数")
    pages: int = Field(title="总页数")
    terms: list[str] = Field(title="检索词", description="查询词经中文分词后的检索词")


class StreamIn(Schema):
    lesson: int = Field(title="课时编号")
    device: str = Field(
        min_length=1, max_length=64, title="设备标识", description="同一设备固定不变"
    )


class StreamOut(Schema):
    stream: int = Field(title="学习记录编号")
    lesson: int = Field(title="课时编号")
    state: str = Field(title="状态代码")
    state_label: str = Field(title="状态")
    token: str = Field(
        title="学习凭证",
        description="发送到 /learning/stream-heartbeats 的心跳凭证，限本人、本课时、本学习记录，短期有效",
    )


class StreamHeartbeatIn(Schema):
    token: str = Field(max_length=300, title="学习凭证", description="开始学习时得到的凭证")
    position_seconds: float = Field(ge=0, title="播放位置（秒）")
    visible: bool = Field(title="页面是否在前台", description="document.visibilityState 为 visible")


class HeartbeatIn(Schema):
    stream: int = Field(title="学习记录编号")
    lesson: int = Field(title="课时编号")
    position_seconds: float = Field(ge=0, title="播放位置（秒）")
    visible: bool = Field(title="页面是否在前台", description="document.visibilityState 为 visible")


class HeartbeatOut(Schema):
    outcome: str = Field(title="结果代码")
    label: str = Field(title="结果", description="中文说明，如“快进或倍速播放，未计时”")
    credited_ms: int = Field(title="本次认定（毫秒）")
    lesson_credited_ms: int = Field(title="本课时累计认定（毫秒）")
    lesson_credited: str = Field(title="本课时累计认定")
    completed: bool = Field(title="本次是否完成课时")
    check: int | None = Field(
        default=None,
        title="待完成的人脸核验编号",
        description="有值时播放器暂停并打开摄像头，拍照提交到 /learning/checks/{编号}/answer",
    )
    token: str | None = Field(
        default=None, title="续期的学习凭证", description="有值时之后的心跳改用此凭证"
    )


class CheckAnswerOut(Schema):
    check: int = Field(title="人脸核验编号")
    status: str = Field(title="结果代码")
    status_label: str = Field(title="结果", description="核验通过、核验未通过或超时未核验")
    passed: bool = Field(title="是否通过")
    message: str = Field(title="说明", description="给学员看的中文说明")
    voided_ms: int = Field(
        title="作废时长（毫秒）", description="未通过或超时：上次通过后的学习时长作废"
    )


class SegmentOut(Schema):
    start_ms: int = Field(title="起点（毫秒）")
    end_ms: int = Field(title="终点（毫秒）")
    at: dt.datetime = Field(title="认定时间")


class LessonLedgerOut(Schema):
    lesson: int = Field(title="课时编号")
    lesson_title: str = Field(title="课时名称")
    course: int = Field(title="课程编号")
    course_title: str = Field(title="课程名称")
    duration_ms: int = Field(title="课时长度（毫秒）")
    credited_ms: int = Field(title="已认定（毫秒）")
    completed_at: dt.datetime | None = Field(title="完成时间")
    segments: list[SegmentOut] = Field(title="认定区间")


class LedgerOut(Schema):
    person: int = Field(title="人员编号")
    credited_ms: int = Field(title="合计已认定（毫秒）")
    lessons: list[LessonLedgerOut] = Field(title="各课时")
