"""The training-record API (issue 8 §6), mounted in the learning router: one's own electronic
training record, and a person's for officers in scope (404 out of scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from jineng.api.schemas import ErrorOut
from jineng.identity.access import access_person_by_id, request_scope
from jineng.identity.models import Person, User
from jineng.learning.errors import LearningForbidden
from jineng.learning.models import TrainingRecord
from jineng.learning.services.records import person_training_records

router = Router(tags=["learning"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TrainingRecordOut(Schema):
    id: int = Field(title="培训记录编号")
    occupation: str = Field(title="职业编码")
    occupation_name: str = Field(title="职业名称")
    level: str = Field(title="等级代码")
    level_label: str = Field(title="等级")
    hours: int = Field(title="学时", description="每学时 45 分钟")
    institution: int = Field(title="培训机构编号")
    institution_name: str = Field(title="培训机构")
    completed_on: dt.date = Field(title="结业日期")
    result: str = Field(title="培训结果代码")
    result_label: str = Field(title="培训结果")
    subsidised: bool = Field(title="补贴性培训")
    source: str = Field(title="培训形式代码")
    source_label: str = Field(title="培训形式")
    course: int | None = Field(title="课程编号")
    class_ref: str = Field(title="培训班")
    voucher: bool = Field(title="使用职业培训券")


class TrainingRecordListOut(Schema):
    person: int = Field(title="人员编号")
    total_hours: int = Field(title="合计学时")
    records: list[TrainingRecordOut] = Field(title="培训记录")


def record_out(r: TrainingRecord) -> TrainingRecordOut:
    return TrainingRecordOut(
        id=r.pk,
        occupation=r.occupation_id,
        occupation_name=r.occupation.name,
        level=r.level,
        level_label=r.get_level_display(),
        hours=r.hours,
        institution=r.institution_id,
        institution_name=r.institution.name,
        completed_on=r.completed_on,
        result=r.result,
        result_label=r.get_result_display(),
        subsidised=r.subsidised,
        source=r.source,
        source_label=r.get_source_display(),
        course=r.course_id,
        class_ref=r.class_ref,
        voucher=getattr(r, "voucher", None) is not None,
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _list(request: HttpRequest, person: Person) -> TrainingRecordListOut:
    records = person_training_records(
        user=_user(request), person=person, scope=request_scope(request)
    )
    return TrainingRecordListOut(
        person=person.pk,
        total_hours=sum(r.hours for r in records),
        records=[record_out(r) for r in records],
    )


@router.get(
    "/training-records",
    response={200: TrainingRecordListOut, **ERRORS},
    summary="本人的电子培训档案",
)
def my_training_records(request: HttpRequest) -> Any:
    person = _user(request).person
    if person is None:
        raise LearningForbidden("", "只有劳动者本人可以查看自己的培训档案")
    return _list(request, person)


@router.get(
    "/people/{person_id}/training-records",
    response={200: TrainingRecordListOut, **ERRORS},
    summary="某人的电子培训档案（限查看范围）",
)
def person_training_record_list(request: HttpRequest, person_id: int) -> Any:
    person = access_person_by_id(_user(request), person_id, scope=request_scope(request))
    return _list(request, person)
