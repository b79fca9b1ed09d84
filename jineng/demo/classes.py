"""The demo city's classes (issue 8 §4, §5), small and fast: at the demo organisation, a course
with four classes — one in training now (the demo worker enrolled, past sessions with
attendance, one session today), one completed last month with results, one subsidised plan
awaiting the bureau, whose roster raises flags (a trainee past retirement age, a student), and
one approved subsidised class open for the worker's own enrolment — and
four teachers, one full-time (below the 1/3 ratio: flagged). Once, into a database without
classes; everything through the services except the past attendance rows, written directly as
seeded evidence (a seeded check-in has no live face capture)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.identity.models import Person
from jineng.learning.models import (
    Attendance,
    AttendanceKind,
    AttendanceMethod,
    CourseStatus,
    TrainingClass,
)
from jineng.learning.services import chapter_add, course_create, course_transition, lesson_add
from jineng.learning.services.attendance import session_evidence_add
from jineng.learning.services.classes import (
    class_create,
    class_enrol,
    class_transition,
    session_add,
    teacher_assign,
)
from jineng.organisations.models import Organisation, Teacher, TeacherKind

DEMO_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
VENUE = (22.9236, 113.8806)  # 松山湖


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _sessions(klass: TrainingClass, days: list[dt.date], hours: tuple[int, int]) -> None:
    for day in days:
        session_add(
            actor=None,
            klass=klass,
            starts_at=_at(day, hours[0]),
            ends_at=_at(day, hours[1]),
            venue="松山湖职业技能实训中心 3 楼实训室",
            lat=VENUE[0],
            lng=VENUE[1],
        )


def _attend(klass: TrainingClass, upto: dt.datetime, skip_every: int) -> None:
    """Seeded check-ins of the sessions before `upto`: every trainee except every
    `skip_every`-th one of each session."""
    rows = []
    enrolments = list(klass.enrolments.order_by("pk"))
    for s_index, session in enumerate(klass.sessions.filter(ends_at__lte=upto)):
        for e_index, enrolment in enumerate(enrolments):
            if skip_every and (e_index + s_index) % skip_every == 0 and e_index:
                continue
            rows.append(
                Attendance(
                    session=session,
                    enrolment=enrolment,
                    kind=AttendanceKind.CHECK_IN,
                    method=AttendanceMethod.QR_FACE,
                    at=session.starts_at + dt.timedelta(minutes=3 + e_index % 7),
                    distance_m=20 + (e_index * 13) % 90,
                    user_agent=DEMO_UA,
                    ip=f"10.20.{s_index}.{10 + e_index}",
                )
            )
    Attendance.objects.bulk_create(rows)


@transaction.atomic
def seed_demo_classes(*, organisation: Organisation, person: Person) -> int:
    """Seed the demo classes once; returns how many classes were created."""
    if TrainingClass.objects.exists():
        return 0
    people = list(
        Person.objects.exclude(pk=person.pk).filter(birth_date__isnull=False).order_by("pk")[:40]
    )
    if len(people) < 16:
        return 0
    course = course_create(
        actor=None,
        provider=organisation,
        title="数控车工（初级）线下实训课程",
        occupation="6-18-01-01",
        level="5",
        planned_hours=24,
        mode="classroom",
        funding="subsidised",
        description="车床操作、量具使用与安全生产，线下实训",
    )
    chapter = chapter_add(actor=None, course=course, title="第一章 车床基础")
    lesson_add(
        actor=None, chapter=chapter, title="第1节 安全生产", kind="document", duration_seconds=600
    )
    course_transition(actor=None, course=course, to=CourseStatus.SUBMITTED)
    course = course_transition(actor=None, course=course, to=CourseStatus.PUBLISHED)

    teachers = [
        Teacher.objects.create(
            person=people[0], organisation=organisation, kind=TeacherKind.FULL_TIME, subject="车工"
        ),  # fmt: skip
        *(
            Teacher.objects.create(
                person=p, organisation=organisation, kind=TeacherKind.PART_TIME, subject="车工"
            )
            for p in people[1:4]
        ),  # fmt: skip
    ]
    trainees = [p for p in people[4:] if p.birth_date and p.birth_date.year >= 1975]
    elders = list(
        Person.objects.exclude(pk__in=[person.pk, *(p.pk for p in people)])
        .filter(birth_date__lt=dt.date(1964, 1, 1), sex="M")
        .order_by("pk")[:1]
    )
    today = timezone.localdate()

    # 1. In training now: the demo worker and eight others; three past sessions, one today.
    now_class = class_create(
        actor=None, course=course, name="数控车工初级班（第一期）", subsidised=False, capacity=30
    )
    _sessions(now_class, [today - dt.timedelta(days=d) for d in (3, 2, 1, 0)], (14, 17))
    _sessions(now_class, [today + dt.timedelta(days=1)], (14, 17))
    teacher_assign(actor=None, klass=now_class, teacher=teachers[0])
    teacher_assign(actor=None, klass=now_class, teacher=teachers[1])
    for p in [person, *trainees[:8]]:
        class_enrol(actor=None, klass=now_class, person=p)
    class_transition(actor=None, klass=now_class, to="training", reason="开班")
    _attend(now_class, upto=_at(today, 0), skip_every=4)
    first = now_class.sessions.order_by("starts_at").first()
    if first is not None:
        session_evidence_add(
            actor=None,
            session=first,
            kind="recording",
            reference="实训室 3 号摄像机 全程录像",
            note="培训机构视频监控平台",
        )

    # 2. Completed last month: results stored (合格 / 不合格 by attendance).
    done = class_create(
        actor=None, course=course, name="数控车工初级班（试点期）", subsidised=False, capacity=20
    )
    _sessions(done, [today - dt.timedelta(days=d) for d in (40, 39, 38)], (9, 12))
    teacher_assign(actor=None, klass=done, teacher=teachers[0])
    for p in trainees[8:14]:
        class_enrol(actor=None, klass=done, person=p)
    class_transition(actor=None, klass=done, to="training", reason="开班")
    _attend(done, upto=_at(today, 0), skip_every=7)
    class_transition(actor=None, klass=done, to="completed", reason="培训结束")

    # 3. A subsidised plan awaiting the bureau, 5 weeks out; its roster raises flags.
    plan = class_create(
        actor=None, course=course, name="数控车工初级项目制培训班", subsidised=True, capacity=50
    )
    start = today + dt.timedelta(days=35)
    _sessions(plan, [start + dt.timedelta(days=d) for d in range(3)], (9, 12))
    teacher_assign(actor=None, klass=plan, teacher=teachers[2])
    for p in trainees[14:18] + elders[:1]:
        class_enrol(actor=None, klass=plan, person=p)
    if len(trainees) > 18:
        class_enrol(actor=None, klass=plan, person=trainees[18], full_time_student=True)

    # 4. A subsidised class the bureau approved, open for enrolment (报名培训班), 4 weeks out.
    open_class = class_create(
        actor=None, course=course, name="数控车工初级项目制培训班（第二期）", subsidised=True,
        capacity=40,
    )  # fmt: skip
    start = today + dt.timedelta(days=28)
    _sessions(open_class, [start + dt.timedelta(days=d) for d in range(3)], (14, 17))
    teacher_assign(actor=None, klass=open_class, teacher=teachers[3])
    for p in trainees[20:23]:
        class_enrol(actor=None, klass=open_class, person=p)
    class_transition(actor=None, klass=open_class, to="approved")
    return 4
