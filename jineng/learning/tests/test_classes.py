"""Classes (issue 8 §4): the pipeline with its parties and the roster deadline, capacity, and
every check with its Chinese reason — overlapping classes, duplicate subsidised training, the
part-time teacher at a 4th institution, the full-time ratio, overlapping teaching, retirees and
students — and completion with the attendance threshold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import override_settings

from jineng.audit.models import AuditEntry
from jineng.dossier.models import Fact
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.learning.errors import ClassConflict, ClassInvalid, LearningForbidden
from jineng.learning.models import (
    ClassFlag,
    ClassStatus,
    ClassStatusChange,
    Course,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    FlagKind,
    TrainingRecord,
    TrainingResult,
    TrainingSource,
)
from jineng.learning.services.attendance import attendance_mark
from jineng.learning.services.classes import (
    class_create,
    class_enrol,
    class_transition,
    session_add,
    working_days_between,
)
from jineng.learning.tests.class_helpers import (
    assign,
    local,
    make_class,
    make_teacher,
    person_born,
    young,
)
from jineng.organisations.models import Organisation, TeacherKind

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 6, 1)  # a Monday
FILED_AT = local(dt.date(2026, 5, 1), 10)  # 20 working days before MON


@pytest.fixture
def course(make_course: Callable[..., Course]) -> Course:
    return make_course()


def test_working_days_count_mondays_to_fridays_strictly_between() -> None:
    assert working_days_between(dt.date(2026, 6, 5), dt.date(2026, 6, 8)) == 0  # Fri → Mon
    assert working_days_between(dt.date(2026, 6, 1), dt.date(2026, 6, 8)) == 4  # Tue..Fri
    assert working_days_between(dt.date(2026, 6, 1), dt.date(2026, 6, 15)) == 9


def test_capacity_of_a_subsidised_class_is_at_most_the_setting(course: Course) -> None:
    with pytest.raises(ClassInvalid, match="项目制培训班计划人数应为 1 到 50 人"):
        class_create(actor=None, course=course, name="大班", subsidised=True, capacity=51)
    klass = class_create(actor=None, course=course, name="大班", subsidised=False, capacity=51)
    assert klass.capacity == 51


def test_a_class_is_not_opened_on_an_unpublished_course(
    make_course: Callable[..., Course],
) -> None:
    draft = make_course(publish=False)
    with pytest.raises(ClassInvalid, match="尚未发布"):
        class_create(actor=None, course=draft, name="班", subsidised=False, capacity=5)


def test_subsidised_pipeline_plan_approval_roster_training_completion(
    course: Course, provider: Organisation, staff: User, reviewer: User
) -> None:
    klass = make_class(course, days=[MON, MON + dt.timedelta(days=1)])
    assign(klass, make_teacher(provider))
    # The provider cannot approve its own plan; the bureau can, and only with sessions+teachers.
    with pytest.raises(LearningForbidden, match="只能由人社局审核人员操作"):
        class_transition(actor=staff, klass=klass, to=ClassStatus.APPROVED)
    with pytest.raises(ClassInvalid, match="须填写理由"):
        class_transition(actor=reviewer, klass=klass, to=ClassStatus.REJECTED)
    class_transition(actor=reviewer, klass=klass, to=ClassStatus.APPROVED, reason="计划合规")
    # Straight to training skips the roster filing: not an edge of a subsidised class.
    with pytest.raises(Exception, match="不能改为「培训中」"):
        class_transition(actor=staff, klass=klass, to=ClassStatus.TRAINING)
    with pytest.raises(ClassInvalid, match="花名册为空"):
        class_transition(actor=staff, klass=klass, to=ClassStatus.FILED, at=FILED_AT)
    trainees = [young() for _ in range(3)]
    for person in trainees:
        class_enrol(actor=staff, klass=klass, person=person)
    late = local(MON - dt.timedelta(days=7), 10)
    with pytest.raises(ClassInvalid, match="至少 10 个工作日备案.*只有 4 个工作日"):
        class_transition(actor=staff, klass=klass, to=ClassStatus.FILED, at=late)
    class_transition(actor=staff, klass=klass, to=ClassStatus.FILED, at=FILED_AT)
    with pytest.raises(ClassInvalid, match="不能再修改计划或花名册"):
        class_enrol(actor=staff, klass=klass, person=young())
    class_transition(actor=staff, klass=klass, to=ClassStatus.TRAINING, at=local(MON, 8))
    with pytest.raises(ClassInvalid, match="最后一个课次结束后才能结业"):
        class_transition(actor=staff, klass=klass, to=ClassStatus.COMPLETED, at=local(MON, 13))
    class_transition(
        actor=staff, klass=klass, to=ClassStatus.COMPLETED, at=local(MON + dt.timedelta(2), 9)
    )
    klass.refresh_from_db()
    assert klass.status == ClassStatus.COMPLETED
    steps = list(
        ClassStatusChange.objects.filter(klass=klass)
        .order_by("id")
        .values_list("to_status", flat=True)
    )
    assert steps == ["approved", "filed", "training", "completed"]
    audited = AuditEntry.objects.filter(action="class_transition", object_id=str(klass.pk))
    assert audited.count() == 4
    assert audited.filter(reason="计划合规").exists()


def test_plain_class_opens_without_approval(course: Course, provider: Organisation) -> None:
    klass = make_class(course, days=[MON], subsidised=False)
    assign(klass, make_teacher(provider))
    with pytest.raises(Exception, match="不能改为「计划已批准」"):
        class_transition(actor=None, klass=klass, to=ClassStatus.APPROVED)
    klass = class_transition(actor=None, klass=klass, to=ClassStatus.TRAINING)
    assert klass.status == ClassStatus.TRAINING


def test_completion_stores_hours_rate_result_and_writes_the_training_records(
    course: Course, provider: Organisation
) -> None:
    days = [MON + dt.timedelta(days=i) for i in range(5)]
    klass = make_class(course, days=days, subsidised=False)  # 5 × 3 h
    teacher_user = make_user(Role.TEACHER, organisation=provider)
    assign(klass, make_teacher(provider))
    good, poor = young("勤学"), young("缺课")
    e_good = class_enrol(actor=None, klass=klass, person=good)
    e_poor = class_enrol(actor=None, klass=klass, person=poor)
    class_transition(actor=None, klass=klass, to=ClassStatus.TRAINING)
    sessions = list(klass.sessions.order_by("starts_at"))
    for s in sessions[:4]:  # 80 %: the threshold
        attendance_mark(actor=teacher_user, session=s, enrolment=e_good, reason="手机没电")
    for s in sessions[:3]:  # 60 %
        attendance_mark(actor=teacher_user, session=s, enrolment=e_poor, reason="手机没电")
    class_transition(actor=None, klass=klass, to=ClassStatus.COMPLETED, at=local(days[-1], 18))
    e_good.refresh_from_db()
    e_poor.refresh_from_db()
    assert (e_good.minutes_attended, e_good.attendance_permille) == (720, 800)
    assert (e_good.result, e_good.status) == (TrainingResult.PASSED, EnrolmentStatus.COMPLETED)
    assert (e_poor.minutes_attended, e_poor.attendance_permille) == (540, 600)
    assert (e_poor.result, e_poor.status) == (TrainingResult.FAILED, EnrolmentStatus.NOT_COMPLETED)
    # and each trainee's electronic training record holds the 学时 attended and the result, with
    # the `training` fact the policy engine reads
    records = {r.person_id: r for r in TrainingRecord.objects.filter(source=TrainingSource.CLASS)}
    assert (records[good.pk].hours, records[good.pk].result) == (16, TrainingResult.PASSED)
    assert (records[poor.pk].hours, records[poor.pk].result) == (12, TrainingResult.FAILED)
    assert records[good.pk].class_ref.endswith("（2026年06月01日开班）")
    facts = Fact.objects.filter(kind="training", person__in=[good, poor])
    assert sorted(f.attrs["hours"] for f in facts) == [12, 16]
    assert {f.attrs["passed"] for f in facts if f.person_id == good.pk} == {True}


def test_a_trainee_who_attended_less_than_one_hour_gets_no_record(
    course: Course, provider: Organisation
) -> None:
    klass = make_class(course, days=[MON], subsidised=False)
    assign(klass, make_teacher(provider))
    absent = young("缺席")
    class_enrol(actor=None, klass=klass, person=absent)
    class_transition(actor=None, klass=klass, to=ClassStatus.TRAINING)
    class_transition(actor=None, klass=klass, to=ClassStatus.COMPLETED, at=local(MON, 18))
    assert not TrainingRecord.objects.filter(person=absent).exists()


def test_capacity_refuses_the_seat_past_it(course: Course) -> None:
    klass = make_class(course, days=[MON], capacity=2)
    class_enrol(actor=None, klass=klass, person=young())
    class_enrol(actor=None, klass=klass, person=young())
    with pytest.raises(ClassConflict, match="已满（2 人）"):
        class_enrol(actor=None, klass=klass, person=young())
    klass.refresh_from_db()
    assert klass.enrolled == 2 == Enrolment.objects.filter(klass=klass).count()


def test_the_same_person_twice_is_refused(course: Course) -> None:
    klass = make_class(course, days=[MON])
    person = young("王五")
    class_enrol(actor=None, klass=klass, person=person)
    with pytest.raises(ClassConflict, match="王五已在本班花名册中"):
        class_enrol(actor=None, klass=klass, person=person)


def test_a_worker_enrols_only_themself(course: Course) -> None:
    klass = make_class(course, days=[MON])
    me, other = young(), young()
    account = make_user(Role.WORKER, person=me)
    with pytest.raises(LearningForbidden, match="只能为本人报名"):
        class_enrol(actor=account, klass=klass, person=other, source=EnrolmentSource.WORKER)
    enrolment = class_enrol(actor=account, klass=klass, person=me, source=EnrolmentSource.WORKER)
    assert enrolment.source == EnrolmentSource.WORKER


def test_a_person_in_two_overlapping_classes_is_refused(course: Course) -> None:
    morning = make_class(course, days=[MON], hours=(9, 12), name="上午班")
    overlapping = make_class(course, days=[MON], hours=(11, 14), name="中午班")
    afternoon = make_class(course, days=[MON], hours=(12, 15), name="下午班")
    person = young("李四")
    class_enrol(actor=None, klass=morning, person=person)
    with pytest.raises(ClassConflict, match="李四已报名培训班“上午班”.*时间重叠"):
        class_enrol(actor=None, klass=overlapping, person=person)
    class_enrol(actor=None, klass=afternoon, person=person)  # touching, not overlapping
    # A session added later that overlaps a trainee's other class is refused too.
    with pytest.raises(ClassConflict, match="李四已报名培训班“下午班”"):
        session_add(
            actor=None,
            klass=morning,
            starts_at=local(MON, 14),
            ends_at=local(MON, 16),
            venue="二楼",
        )


def test_a_teacher_cannot_teach_two_overlapping_sessions(
    course: Course, provider: Organisation
) -> None:
    a = make_class(course, days=[MON], hours=(9, 12), name="甲班")
    b = make_class(course, days=[MON], hours=(10, 11), name="乙班")
    teacher = make_teacher(provider)
    assign(a, teacher)
    with pytest.raises(ClassConflict, match="已在培训班“甲班”任教.*不能同时讲授"):
        assign(b, teacher)


def test_a_part_time_teacher_at_three_institutions_is_refused_at_a_fourth(
    make_course: Callable[..., Course],
) -> None:
    person = young("兼职张老师")
    schools = [make_organisation(name=f"第{i}培训学校", region="441900003") for i in range(4)]
    for i, school in enumerate(schools[:3]):
        course = make_course(provider=school)
        klass = make_class(course, days=[MON + dt.timedelta(days=i)], name=f"班{i}")
        assign(klass, make_teacher(school, kind=TeacherKind.PART_TIME, person=person))
    fourth = make_class(make_course(provider=schools[3]), days=[MON + dt.timedelta(days=5)])
    teacher = make_teacher(schools[3], kind=TeacherKind.PART_TIME, person=person)
    with pytest.raises(ClassConflict, match="2026 年已在 3 家培训机构任教.*最多在 3 家"):
        assign(fourth, teacher)
    # Another year is another count.
    next_year = make_class(
        make_course(provider=schools[3]), days=[dt.date(2027, 6, 1)], name="明年班"
    )
    assign(next_year, teacher)


def test_an_institution_below_one_third_full_time_is_flagged(
    course: Course, provider: Organisation
) -> None:
    klass = make_class(course, days=[MON])
    full = make_teacher(provider, kind=TeacherKind.FULL_TIME)
    part = [make_teacher(provider, kind=TeacherKind.PART_TIME) for _ in range(2)]
    assign(klass, part[0])
    assert not ClassFlag.objects.filter(kind=FlagKind.FULL_TIME_RATIO).exists()  # 1 of 3: ok
    make_teacher(provider, kind=TeacherKind.PART_TIME)  # now 1 of 4
    assign(klass, full)
    flag = ClassFlag.objects.get(klass=klass, kind=FlagKind.FULL_TIME_RATIO)
    assert "现有教师 4 名，其中专职教师 1 名，不足教师总数的 1/3" in flag.reason
    assert flag.evidence == {"teachers": 4, "full_time": 1}


def test_a_second_subsidised_training_of_same_occupation_and_level_is_flagged(
    course: Course,
) -> None:
    first = make_class(course, days=[MON], name="春季班")
    later = make_class(course, days=[MON + dt.timedelta(days=60)], name="夏季班")
    plain = make_class(course, days=[MON + dt.timedelta(days=90)], name="自费班", subsidised=False)
    person = young("赵六")
    class_enrol(actor=None, klass=first, person=person)
    assert not ClassFlag.objects.exists()
    class_enrol(actor=None, klass=later, person=person)
    flag = ClassFlag.objects.get(klass=later, kind=FlagKind.DUPLICATE)
    assert "赵六已参加同职业同等级的补贴性培训“春季班”" in flag.reason
    assert flag.evidence["other_class"] == first.pk
    class_enrol(actor=None, klass=plain, person=person)  # not subsidised: no flag
    assert ClassFlag.objects.filter(klass=plain).count() == 0


@override_settings(CLASSES_DUPLICATE_PERIOD_DAYS=30)
def test_outside_the_period_is_not_a_duplicate(course: Course) -> None:
    first = make_class(course, days=[MON], name="春季班")
    later = make_class(course, days=[MON + dt.timedelta(days=60)], name="夏季班")
    person = young()
    class_enrol(actor=None, klass=first, person=person)
    class_enrol(actor=None, klass=later, person=person)
    assert not ClassFlag.objects.exists()


def test_retirees_and_students_are_flagged_in_subsidised_classes(course: Course) -> None:
    subsidised = make_class(course, days=[MON], name="补贴班")
    plain = make_class(course, days=[MON + dt.timedelta(days=1)], name="自费班", subsidised=False)
    retired = person_born(dt.date(1965, 3, 1), male=True, name="老刘")  # 61 on MON
    woman = person_born(dt.date(1971, 1, 1), male=False, name="老陈")  # 55 on MON
    almost = person_born(dt.date(1966, 7, 1), male=True, name="小孙")  # 59
    student = young("学生甲")
    for person in (retired, woman, almost):
        class_enrol(actor=None, klass=subsidised, person=person)
    class_enrol(actor=None, klass=subsidised, person=student, full_time_student=True)
    reasons = {
        f.enrolment.person.name: (f.kind, f.reason)
        for f in ClassFlag.objects.filter(klass=subsidised).select_related("enrolment__person")
        if f.enrolment is not None
    }
    assert reasons["老刘"] == (
        FlagKind.RETIRED,
        "老刘开班时 61 周岁，已达到法定退休年龄（60 周岁）",
    )
    assert reasons["老陈"][0] == FlagKind.RETIRED
    assert "小孙" not in reasons
    assert reasons["学生甲"] == (
        FlagKind.STUDENT,
        "学生甲为全日制在校学生，不属于补贴性职业培训对象",
    )
    class_enrol(actor=None, klass=plain, person=retired)
    assert not ClassFlag.objects.filter(klass=plain).exists()


def test_only_the_provider_enrols_and_plans(course: Course) -> None:
    klass = make_class(course, days=[MON])
    outsider = make_user(Role.ORG_ADMIN, organisation=make_organisation(name="别家学校"))
    with pytest.raises(LearningForbidden):
        class_enrol(actor=outsider, klass=klass, person=young())
    with pytest.raises(LearningForbidden):
        session_add(
            actor=outsider, klass=klass, starts_at=local(MON, 14), ends_at=local(MON, 15), venue="x"
        )
    assert Enrolment.objects.count() == 0
