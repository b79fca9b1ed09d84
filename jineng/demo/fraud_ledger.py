"""Planted fraud in the learning ledger, with known answers (issue 10 §5, for
jineng.claims.services.checks_ledger): each pattern once per case, beside a clean look-alike
that must not be flagged.

- overlapping classes: a trainee enrolled in two classes whose sessions overlap by two hours;
  look-alike: two classes whose sessions touch (12:00 ends one, 12:00 starts the next);
- faster than real time: two lessons credited over the same 30 minutes; look-alike: the second
  lesson watched right after the first;
- a part-time teacher at 4 institutions in a year (the 4th's trainee flagged, the first three's
  clean); look-alike: a part-time teacher at exactly 3;
- full-time teachers below 1/3 (1 of 4); look-alike: exactly 1 of 3;
- one device checking in 6 trainees of a session (also one network for 6 in a day); look-alike:
  one device for exactly 5; one network (6 phones behind one address) for 6 trainees;
- a certificate outside its agency's licence (another occupation; and one issued after the
  agency's filing ended); look-alike: one within the scope while the filing was valid.

The rows are written as another system's data would arrive (imported or legacy records): the
enrolment-time refusals of jineng.learning.services.class_checks are for the platform's own
writes, so these bypass them. The planted `training` facts carry no issuer, so the institution
volume statistic (checks.volume_outliers, planted on its own in jineng.demo.fraud) does not see
them and the answers stay independent."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from jineng.certificates.models import Certificate, Issuer, IssuerScope
from jineng.claims.models import Claim, FlagKind
from jineng.identity.models import Person
from jineng.learning.models import (
    Attendance,
    AttendanceKind,
    AttendanceMethod,
    Chapter,
    ClassSession,
    ClassStatus,
    ClassTeacher,
    Course,
    CourseStatus,
    CreditedSegment,
    Enrolment,
    EnrolmentStatus,
    LearningStream,
    Lesson,
    StreamState,
    TrainingClass,
    TrainingRecord,
    TrainingSource,
)
from jineng.organisations.models import Organisation, Teacher, TeacherKind

if TYPE_CHECKING:
    from jineng.demo.fraud import Planted, _Planter

OCCUPATION = "6-18-01-01"  # 车工
OTHER_OCCUPATION = "4-01-02-01"
LEVEL = "5"
TRAINING = "xx.training.subsidy"
UPGRADE = "nb.skill_upgrade"
UA = "Mozilla/5.0 (Linux; Android 13; planted) Mobile Safari/537.36"


def _at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


class LedgerPlanter:
    def __init__(self, p: _Planter, out: Planted, case: int) -> None:
        self.p, self.out, self.case = p, out, case
        self.year = 2023

    def institution(self, *, full: int = 1, part: int = 0) -> Organisation:
        inst = self.p.institution()
        for k in range(full + part):
            Teacher.objects.create(
                person=self.p.person(),
                organisation=inst,
                kind=TeacherKind.FULL_TIME if k < full else TeacherKind.PART_TIME,
                subject="车工",
            )
        return inst

    def course(self, inst: Organisation, *, lessons: int = 0) -> Course:
        course = Course.objects.create(
            title="核查样本车工课程",
            occupation_id=OCCUPATION,
            level=LEVEL,
            planned_hours=8,
            provider=inst,
            mode="online" if lessons else "classroom",
            funding="subsidised",
            status=CourseStatus.PUBLISHED,
        )
        if lessons:
            chapter = Chapter.objects.create(course=course, title="第一章", order=1)
            for k in range(lessons):
                Lesson.objects.create(
                    chapter=chapter,
                    title=f"第{k + 1}节",
                    kind="video",
                    duration_seconds=1800,
                    order=k,
                )
        return course

    def klass(
        self, inst: Organisation, times: list[tuple[dt.datetime, dt.datetime]]
    ) -> TrainingClass:
        klass = TrainingClass.objects.create(
            name=f"核查样本车工班{next(self.p.serial)}",
            course=self.course(inst),
            provider=inst,
            occupation_id=OCCUPATION,
            level=LEVEL,
            subsidised=True,
            capacity=50,
            attendance_threshold=80,
            status=ClassStatus.COMPLETED,
        )
        ClassSession.objects.bulk_create(
            ClassSession(klass=klass, starts_at=s, ends_at=e, venue="核查样本实训室")
            for s, e in times
        )
        return klass

    def record(
        self,
        person: Person,
        inst: Organisation,
        on: dt.date,
        *,
        klass: TrainingClass | None = None,
        course: Course | None = None,
    ) -> Claim:
        """The trainee's training record, its fact and the training-subsidy claim it triggers."""
        fact = self.p.fact(person, "training", OCCUPATION, LEVEL, on)
        TrainingRecord.objects.create(
            person=person,
            occupation_id=OCCUPATION,
            level=LEVEL,
            hours=8,
            institution=inst,
            completed_on=on,
            result="passed",
            subsidised=True,
            source=TrainingSource.ONLINE if course else TrainingSource.CLASS,
            source_ref=f"course:{course.pk}" if course else (klass.name if klass else "班"),
            course=course,
            class_ref=klass.name if klass else "",
            fact=fact,
        )
        return self.p.claim(
            person, TRAINING, code=OCCUPATION, level=LEVEL, on=on, trigger="training", fact=fact
        )

    def trainee(self, klass: TrainingClass, *, also: tuple[TrainingClass, ...] = ()) -> Claim:
        person = self.p.person()
        for k in [klass, *also]:
            Enrolment.objects.create(
                klass=k, person=person, source="roster_import", status=EnrolmentStatus.COMPLETED
            )
        last = klass.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
        on = timezone.localdate(last) if last else dt.date(self.year, 12, 1)
        return self.record(person, klass.provider, on, klass=klass)

    def expect(self, kind: str, claim: Claim) -> None:
        self.out.expected[kind].add(claim.pk)

    def clean(self, claim: Claim) -> None:
        self.out.clean.add(claim.pk)

    def plant(self) -> None:
        self.overlapping()
        self.faster()
        self.teachers()
        self.checkins()
        self.licence()

    def overlapping(self) -> None:
        day = dt.date(self.year, 6, 5)
        a = self.klass(self.institution(), [(_at(day, 9), _at(day, 12))])
        other = self.institution()
        b = self.klass(other, [(_at(day, 10), _at(day, 13))])
        touching = self.klass(other, [(_at(day, 12), _at(day, 15))])
        self.expect(FlagKind.OVERLAPPING_CLASSES, self.trainee(a, also=(b,)))
        self.clean(self.trainee(a, also=(touching,)))

    def faster(self) -> None:
        inst = self.institution()
        course = self.course(inst, lessons=2)
        first, second = course.chapters.get().lessons.order_by("order")
        day = dt.date(self.year, 7, 3)
        start = _at(day, 20)
        twice = self.p.person()
        self._watch(twice, first, start)
        self._watch(twice, second, start)  # the same 30 minutes credited again
        self.expect(FlagKind.FASTER_THAN_REAL, self.record(twice, inst, day, course=course))
        after = self.p.person()
        self._watch(after, first, start)
        self._watch(after, second, start + dt.timedelta(minutes=30))  # right after: touching
        self.clean(self.record(after, inst, day, course=course))

    def _watch(self, person: Person, lesson: Lesson, start: dt.datetime) -> None:
        """30 minutes of 30-second heartbeats credited for `lesson` from `start`."""
        stream = LearningStream.objects.create(
            person=person,
            lesson=lesson,
            device=f"planted-{lesson.pk}",
            state=StreamState.CLOSED,
            opened_at=start,
            closed_at=start + dt.timedelta(minutes=30),
        )
        CreditedSegment.objects.bulk_create(
            CreditedSegment(
                person=person,
                lesson=lesson,
                stream=stream,
                start_ms=k * 30_000,
                end_ms=(k + 1) * 30_000,
                at=start + dt.timedelta(seconds=30 * (k + 1)),
                day=timezone.localdate(start),
            )
            for k in range(60)
        )

    def _part_time_at(self, count: int) -> list[TrainingClass]:
        teacher = self.p.person()
        classes = []
        for k in range(count):
            inst = self.institution()
            appointment = Teacher.objects.create(
                person=teacher, organisation=inst, kind=TeacherKind.PART_TIME, subject="车工"
            )
            day = dt.date(self.year, 2 + k, 10)
            klass = self.klass(inst, [(_at(day, 9), _at(day, 12))])
            ClassTeacher.objects.create(klass=klass, teacher=appointment)
            classes.append(klass)
        return classes

    def teachers(self) -> None:
        *first_three, fourth = self._part_time_at(4)
        for klass in first_three:
            self.clean(self.trainee(klass))
        self.expect(FlagKind.PART_TIME_TEACHER, self.trainee(fourth))
        for klass in self._part_time_at(3):
            self.clean(self.trainee(klass))
        day = dt.date(self.year, 9, 12)
        low = self.klass(self.institution(full=1, part=3), [(_at(day, 9), _at(day, 12))])
        self.expect(FlagKind.FULL_TIME_RATIO, self.trainee(low))
        third = self.klass(self.institution(full=1, part=2), [(_at(day, 9), _at(day, 12))])
        self.clean(self.trainee(third))

    def _checked_in(self, trainees: int, *, ip: str, same_device: bool) -> list[Claim]:
        day = dt.date(self.year, 10, 9 + self.case % 15)
        klass = self.klass(self.institution(), [(_at(day, 9), _at(day, 12))])
        session = klass.sessions.get()
        claims = [self.trainee(klass) for _ in range(trainees)]
        enrolments = Enrolment.objects.filter(klass=klass).order_by("pk")
        Attendance.objects.bulk_create(
            Attendance(
                session=session,
                enrolment=e,
                kind=AttendanceKind.CHECK_IN,
                method=AttendanceMethod.QR_FACE,
                at=session.starts_at + dt.timedelta(minutes=2 + k),
                user_agent=UA if same_device else f"{UA} 设备{k}",
                ip=ip,
            )
            for k, e in enumerate(enrolments)
        )
        return claims

    def checkins(self) -> None:
        host = f"{self.case // 250}.{self.case % 250 + 1}"
        for claim in self._checked_in(6, ip=f"10.91.{host}", same_device=True):
            self.expect(FlagKind.SHARED_DEVICE, claim)
            self.expect(FlagKind.SHARED_NETWORK, claim)
        for claim in self._checked_in(6, ip=f"10.92.{host}", same_device=False):
            self.expect(FlagKind.SHARED_NETWORK, claim)
        for claim in self._checked_in(5, ip=f"10.93.{host}", same_device=True):
            self.clean(claim)

    def licence(self) -> None:
        agency = self.p.institution()
        issuer = Issuer.objects.create(
            organisation=agency,
            agency_code=f"{next(self.p.serial) % 10000:04d}",
            site_code=f"{next(self.p.serial) % 1000000:06d}",
            valid_from=dt.date(2020, 1, 1),
            valid_to=dt.date(self.year, 12, 31),
        )
        IssuerScope.objects.create(issuer=issuer, occupation_id=OCCUPATION, level="4")
        on = dt.date(self.year, 3, 1)
        cases = [
            (OTHER_OCCUPATION, on, True),  # not in the scope
            (OCCUPATION, dt.date(self.year + 1, 2, 1), True),  # after the filing ended
            (OCCUPATION, on, False),  # in the scope while the filing was valid
        ]
        for code, issued, outside in cases:
            person = self.p.person()
            fact = self.p.fact(person, "certificate", code, "4", issued)
            Certificate.objects.create(
                number=f"HC{self.case:04d}{next(self.p.serial):012d}"[:22],
                person=person,
                holder_name=person.name,
                occupation_id=code,
                level="4",
                issuer=agency,
                issuer_name=agency.name,
                issued_on=issued,
                fact=fact,
                token="planted",
                source="核查样本",
            )
            claim = self.p.claim(person, UPGRADE, code=code, level="4", on=issued, fact=fact)
            if outside:
                self.expect(FlagKind.OUTSIDE_LICENCE, claim)
            else:
                self.clean(claim)


def plant_ledger(p: _Planter, out: Planted, *, cases: int) -> None:
    """Every learning-ledger pattern `cases` times, with its clean look-alikes."""
    for case in range(cases):
        LedgerPlanter(p, out, case).plant()


__all__ = ["plant_ledger"]
