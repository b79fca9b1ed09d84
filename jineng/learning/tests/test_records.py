"""The training ledger (issue 8 §6): a record once per source, its `training` fact in the dossier
read by the policy engine's facts document, the online-course hook, the PDF and the export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jineng.audit.models import AuditEntry
from jineng.dossier.models import Fact
from jineng.dossier.selectors import subject_facts_document
from jineng.identity.models import Role, User
from jineng.identity.testing import make_person, make_user
from jineng.learning.models import Course, Lesson, TrainingRecord
from jineng.learning.pdf import training_record_pdf
from jineng.learning.services import (
    TrainingRecordExists,
    TrainingRecordInvalid,
    learning_heartbeat,
    learning_stream_open,
    training_ledger_export,
    training_record_issue,
)
from jineng.learning.services.records import person_training_records
from jineng.learning.tests.conftest import T0, person_of
from jineng.learning.tests.training_helpers import OCCUPATION, class_record, designated_school
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_record_writes_a_training_fact_the_policy_engine_reads() -> None:
    school = designated_school(name="东莞市车工培训学校")
    person = make_person(name="李四")
    record = class_record(person, school)
    fact = Fact.objects.get(person=person, kind="training")
    assert record.fact_id == fact.pk
    assert (fact.code, fact.level, fact.issuer_id) == (OCCUPATION, "5", school.pk)
    assert fact.attrs == {
        "occupation": OCCUPATION,
        "hours": 40,
        "passed": True,
        "subsidised": True,
        "voucher": False,
        "institution": "东莞市车工培训学校",
        "class": "车工班 2026-01",
        "source": "class",
    }
    document = subject_facts_document(subject=person)
    trainings = [f for f in document["facts"] if f["kind"] == "training"]
    assert len(trainings) == 1 and trainings[0]["attrs"]["hours"] == 40
    assert AuditEntry.objects.filter(
        action="training_record_issue", object_id=str(record.pk)
    ).exists()


def test_a_source_is_recorded_once() -> None:
    school = designated_school()
    person = make_person()
    class_record(person, school)
    with pytest.raises(TrainingRecordExists) as refused:
        class_record(person, school)
    assert "已记入培训档案" in refused.value.message
    assert TrainingRecord.objects.count() == 1
    assert Fact.objects.filter(kind="training").count() == 1
    # another class of the same person is another record
    class_record(person, school, ref="车工班 2026-02")
    assert TrainingRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", 0, "学时"),
        ("level", "9", "等级"),
        ("result", "great", "培训结果"),
        ("completed_on", dt.date(2099, 1, 1), "结业日期"),
    ],
)
def test_bad_input_names_the_field(field: str, value: object, message: str) -> None:
    school = designated_school()
    kwargs: dict[str, object] = {
        "actor": None,
        "person": make_person(),
        "occupation": OCCUPATION,
        "level": "5",
        "hours": 8,
        "institution": school,
        "completed_on": timezone.localdate(),
        "result": "passed",
        "subsidised": False,
        "source": "class",
        "class_ref": "一班",
    }
    kwargs[field] = value
    with pytest.raises(TrainingRecordInvalid) as refused:
        training_record_issue(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field and message in refused.value.message
    assert not TrainingRecord.objects.exists()


def test_only_the_institutions_staff_record_it() -> None:
    school = designated_school()
    other = make_user(Role.ORG_ADMIN)
    auditor = make_user(Role.AUDITOR)
    person = make_person()
    for actor in (other, auditor):
        with pytest.raises(Exception) as refused:
            training_record_issue(
                actor=actor, person=person, occupation=OCCUPATION, level="5", hours=8,
                institution=school, completed_on=timezone.localdate(), result="passed",
                subsidised=False, source="class", class_ref="一班",
            )  # fmt: skip
        assert getattr(refused.value, "status", None) == 403
    assert not TrainingRecord.objects.exists()
    staff = make_user(Role.TEACHER, organisation=school)
    training_record_issue(
        actor=staff, person=person, occupation=OCCUPATION, level="5", hours=8,
        institution=school, completed_on=timezone.localdate(), result="failed",
        subsidised=False, source="class", class_ref="一班",
    )  # fmt: skip
    assert Fact.objects.get(kind="training").attrs["passed"] is False


def test_completing_every_lesson_of_an_online_course_records_it_once(
    worker: User, make_course: Callable[..., Course], provider: Organisation
) -> None:
    course = make_course(lessons=(100, 100), funding="subsidised")
    first, second = Lesson.objects.filter(chapter__course=course).order_by("order")
    person = person_of(worker)

    def watch(lesson: Lesson, start: float) -> None:
        stream = learning_stream_open(
            actor=worker, person=person, lesson=lesson, device="手机",
            at=T0 + dt.timedelta(seconds=start),
        )  # fmt: skip
        for t in (0, 50, 100):
            learning_heartbeat(
                person=person, lesson=lesson, stream=stream, position_seconds=t, visible=True,
                at=T0 + dt.timedelta(seconds=start + t),
            )  # fmt: skip

    watch(first, 0)
    assert not TrainingRecord.objects.exists()  # one lesson of two
    watch(second, 200)
    record = TrainingRecord.objects.get()
    assert (record.person_id, record.course_id, record.source) == (person.pk, course.pk, "online")
    # 200 s verified of a course planned at 8 学时: one 学时 (at least one, never more than planned)
    assert (record.institution_id, record.hours, record.subsidised) == (provider.pk, 1, True)
    assert record.completed_on == timezone.localtime(T0 + dt.timedelta(seconds=300)).date()
    # watching again completes nothing new
    watch(first, 1000)
    assert TrainingRecord.objects.count() == 1
    assert Fact.objects.filter(person=person, kind="training").count() == 1


def test_records_are_read_in_scope() -> None:
    school = designated_school()
    worker = make_user(Role.WORKER)
    other = make_user(Role.WORKER)
    class_record(person_of(worker), school)
    assert len(person_training_records(user=worker, person=person_of(worker))) == 1
    assert person_training_records(user=other, person=person_of(worker)) == []
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    far = make_user(Role.BUREAU_REVIEWER, region="330500")
    assert len(person_training_records(user=officer, person=person_of(worker))) == 1
    assert person_training_records(user=far, person=person_of(worker)) == []


def test_pdf_names_the_training_in_chinese() -> None:
    from pypdf import PdfReader

    school = designated_school(name="东莞市车工培训学校")
    worker = make_user(Role.WORKER)
    record = class_record(person_of(worker), school)
    data = training_record_pdf(person=person_of(worker), records=[record])
    pages = PdfReader(io.BytesIO(data)).pages
    text = "".join(page.extract_text() for page in pages).replace("\x00", "")
    assert "电子培训档案" in text and "东莞市车工培训学校" in text and "车工" in text
    assert person_of(worker).masked_id_number[:4] in text


def test_export_is_scoped_masked_and_audited() -> None:
    near = designated_school(name="东莞市近处培训学校")
    far_school = designated_school(name="湖州市远处培训学校", region="330502")
    here = make_person(name="王东莞")
    there = make_person(name="赵湖州", residence_region="330502")
    class_record(here, near)
    class_record(there, far_school)
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    before = AuditEntry.objects.filter(action="training_record_export").count()
    data = training_ledger_export(actor=officer)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 2
    assert rows[1][0] == "王东莞" and rows[1][1] == here.masked_id_number
    assert all("赵湖州" not in str(r) for r in rows)
    assert AuditEntry.objects.filter(action="training_record_export").count() == before + 1
    with pytest.raises(Exception) as refused:
        training_ledger_export(actor=make_user(Role.WORKER))
    assert getattr(refused.value, "status", None) == 403
