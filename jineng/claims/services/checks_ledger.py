"""The integrity checks over the learning ledger (issue 10 §5, issue 8): classes, sessions,
teachers, check-ins and credited learning segments, read for the claims they trigger. Each is
set-based SQL over the whole region (window functions, `Exists` subqueries, `GROUP BY`), never a
loop over rows through the ORM; what comes back is only the findings (and, for the teacher rules,
the small table of classes with their teachers, ranked in Python as checks.py ranks volumes).
Each returns findings `(flag kind, claim pk, evidence)` like services/checks.py;
`region_findings` there collects them.

The seed clauses: the XX city text 002 (七) "专职教师不少于教师总数的 1/3", (八) "兼职教师每年最多在
3 家机构任教", (十九) "加强培训监管和信息比对，避免多头、重复申领培训补贴" (overlapping classes,
time credited twice, one phone checking in a roomful), and the 2022 national audit's fake
training (plug-ins that click through online courses, rented teachers, invented class records).
The enrolment-time refusals of jineng.learning.services.class_checks guard the platform's own
writes; these checks find the same patterns in records that came another way (imports, legacy
systems, edits behind the services).

A class training record names its class in words (`TrainingRecord.class_ref`), so a record is
tied to its class by the trainee's enrolment in a class of the same institution, occupation and
level (`_record_class`). Claims are those triggered by the record's `training` fact.

- overlapping_classes: the record's class has a session overlapping (strictly: one starts before
  the other ends; back-to-back sessions that touch do not) a session of another class, not
  cancelled or rejected, the same person is enrolled in.
- faster_than_real: the person's credited online segments (`CreditedSegment`) each cover the wall
  clock [received − length, received] (`at` is the server's receive time); ordered by receive
  time, a segment starting before the previous one was received was credited over minutes already
  credited. Beyond the platform's own tolerance (LEARNING_RATE_CAP, LEARNING_RATE_TOLERANCE(_SECONDS))
  such overlaps summed per person and day above CLAIMS_LEDGER_OVERLAP_SECONDS flag the claims of
  the person's online records of the courses involved. Two lessons credited over the same
  minutes, and more credited in a day than the day's elapsed time (which needs such overlaps),
  both read this way.
- part_time_teacher: a part-time (兼职) teacher's classes per year (the year of a class's first
  session, as class_checks reads it): the institutions ranked by the teacher's first session
  there; from the (CLASSES_PART_TIME_MAX_INSTITUTIONS + 1)-th on, the claims of the trainees of
  the teacher's classes there that year. A teacher at exactly 3 institutions is not flagged.
- full_time_ratio: per institution and year with classes, its teachers whose appointment (start,
  end; open when empty) overlaps the year; full-time ones below CLASSES_FULL_TIME_MIN_RATIO (1/3)
  flag the claims of that year's classes' trainees. Exactly 1/3 is not flagged; an institution
  with no teachers on file has nothing to count.
- shared_device / shared_network: one device (the same user agent from the same address, as
  attendance stores them) checking in more than CLAIMS_CHECKIN_DEVICE_MAX distinct trainees in
  one session; one network address more than CLAIMS_CHECKIN_NETWORK_MAX in one day (a venue's
  shared Wi-Fi behind one address would reach it too: the officer clears such a flag with the
  reason). The claims of those trainees' records of those classes.
- outside_licence: certificate-triggered claims whose certificate's occupation and level were
  not in the issuing organisation's licence scope, or its filing was not valid, on the issue
  date (jineng.certificates.integrity.licence_covers, the agency page's query with the date)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Cast, Lag, TruncDate
from django.utils import timezone

from jineng.claims.models import Claim, FlagKind
from jineng.claims.services.checks import UNPAID, Finding
from jineng.learning.models import (
    Attendance,
    ClassSession,
    ClassStatus,
    ClassTeacher,
    CreditedSegment,
    Enrolment,
    Lesson,
    TrainingClass,
    TrainingRecord,
    TrainingSource,
)
from jineng.organisations.models import Teacher, TeacherKind

INACTIVE = (ClassStatus.CANCELLED, ClassStatus.REJECTED)
Evidence = dict[str, object]


class EpochMs(Func):
    """A datetime as milliseconds since 1970 (float), on SQLite and PostgreSQL."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400000.0)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000.0)", **extra
        )


def _claims_of_facts(
    kind: str, trigger: str, by_fact: dict[int, Evidence], chunk: int = 5000
) -> list[Finding]:
    """The unpaid claims triggered by these facts, each with its fact's evidence."""
    found: list[Finding] = []
    keys = sorted(by_fact)
    for start in range(0, len(keys), chunk):
        part = [str(k) for k in keys[start : start + chunk]]
        rows = Claim.objects.filter(UNPAID, trigger_kind=trigger, fact_id__in=part).values_list(
            "pk", "fact_id"
        )
        found.extend((kind, pk, by_fact[int(fact)]) for pk, fact in rows)
    return found


def _record_class() -> Subquery:
    """The class a class training record comes from: the trainee's enrolment in a class of the
    record's institution, occupation and level (the latest, should there be several)."""
    return Subquery(
        Enrolment.objects.filter(
            person_id=OuterRef("person_id"),
            klass__provider_id=OuterRef("institution_id"),
            klass__occupation_id=OuterRef("occupation_id"),
            klass__level=OuterRef("level"),
        )
        .exclude(klass__status__in=INACTIVE)
        .order_by("-klass_id")
        .values("klass_id")[:1]
    )


def _records_of(
    kind: str, pairs: dict[tuple[int, int], Evidence], chunk: int = 5000
) -> list[Finding]:
    """Claims of the class training records of these (person, class) pairs."""
    people = sorted({p for p, _ in pairs})
    by_fact: dict[int, Evidence] = {}
    for start in range(0, len(people), chunk):
        rows = (
            TrainingRecord.objects.filter(source=TrainingSource.CLASS, fact__isnull=False)
            .filter(person_id__in=people[start : start + chunk])
            .annotate(klass=_record_class())
            .values_list("person_id", "klass", "fact_id")
        )
        by_fact.update({fact: pairs[(p, k)] for p, k, fact in rows if (p, k) in pairs})
    return _claims_of_facts(kind, "training", by_fact)


def _records_of_classes(kind: str, classes: dict[int, Evidence]) -> list[Finding]:
    """Claims of every trainee's class training record of these classes."""
    if not classes:
        return []
    pairs = {
        (person, klass): classes[klass]
        for person, klass in Enrolment.objects.filter(klass_id__in=list(classes)).values_list(
            "person_id", "klass_id"
        )
    }
    return _records_of(kind, pairs)


def _local(when: dt.datetime) -> dt.datetime:
    return timezone.localtime(when) if timezone.is_aware(when) else when


def overlapping_classes() -> list[Finding]:
    mine = ClassSession.objects.filter(
        klass_id=OuterRef(OuterRef("klass_id")),
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    other = (
        ClassSession.objects.filter(klass__enrolments__person_id=OuterRef("person_id"))
        .exclude(klass_id=OuterRef("klass_id"))
        .exclude(klass__status__in=INACTIVE)
        .filter(Exists(mine))
        .order_by("starts_at")
    )
    rows = (
        Enrolment.objects.exclude(klass__status__in=INACTIVE)
        .annotate(clash_at=Subquery(other.values("starts_at")[:1]))
        .filter(clash_at__isnull=False)
        .annotate(clash_class=Subquery(other.values("klass__name")[:1]))
        .values_list("person_id", "klass_id", "clash_class", "clash_at")
    )
    pairs: dict[tuple[int, int], Evidence] = {
        (person, klass): {"other_class": name, "at": f"{_local(at):%Y-%m-%d %H:%M}"}
        for person, klass, name, at in rows
    }
    return _records_of(FlagKind.OVERLAPPING_CLASSES, pairs)


def faster_than_real() -> list[Finding]:
    cap = float(settings.LEARNING_RATE_CAP) * (1 + float(settings.LEARNING_RATE_TOLERANCE))
    slack_ms = 1000.0 * float(settings.LEARNING_RATE_TOLERANCE_SECONDS)
    order = [F("at").asc(), F("pk").asc()]
    length = F("end_ms") - F("start_ms")
    ranked = (
        CreditedSegment.objects.annotate(received=EpochMs("at"))
        .annotate(
            previous=Window(Lag("received"), partition_by=[F("person_id")], order_by=order),
            previous_lesson=Window(Lag("lesson_id"), partition_by=[F("person_id")], order_by=order),
        )
        .annotate(overlap=F("previous") - (F("received") - length))
        # Beyond what the platform itself credits: up to cap × the elapsed time, plus the slack.
        .filter(overlap__gt=length * Value(1 - 1 / cap) + Value(slack_ms))
        .values_list("person_id", "day", "lesson_id", "previous_lesson", "overlap")
    )
    per_day: dict[tuple[int, dt.date], list[float]] = defaultdict(lambda: [0.0])
    lessons: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for person, day, lesson, previous_lesson, overlap in ranked:
        per_day[(person, day)][0] += float(overlap)
        lessons[(person, day)].update({lesson, previous_lesson})
    limit_ms = 1000 * int(settings.CLAIMS_LEDGER_OVERLAP_SECONDS)
    days = {key: ms[0] for key, ms in per_day.items() if ms[0] > limit_ms}
    if not days:
        return []
    course_of = dict(
        Lesson.objects.filter(
            pk__in={lesson for key in days for lesson in lessons[key]}
        ).values_list("pk", "chapter__course_id")
    )
    by_person_course: dict[tuple[int, int], Evidence] = {}
    for (person, day), ms in sorted(days.items()):
        for course in {course_of[lesson] for lesson in lessons[(person, day)] if lesson}:
            by_person_course.setdefault(
                (person, course), {"day": str(day), "overlap_seconds": int(ms // 1000)}
            )
    rows = TrainingRecord.objects.filter(
        source=TrainingSource.ONLINE,
        fact__isnull=False,
        person_id__in={p for p, _ in by_person_course},
        course_id__in={c for _, c in by_person_course},
    ).values_list("person_id", "course_id", "fact_id")
    by_fact = {fact: by_person_course[(p, c)] for p, c, fact in rows if (p, c) in by_person_course}
    return _claims_of_facts(FlagKind.FASTER_THAN_REAL, "training", by_fact)


def _class_years() -> dict[int, tuple[int, int, dt.datetime]]:
    """Every active class with sessions: provider, year and time of its first session."""
    rows = (
        TrainingClass.objects.exclude(status__in=INACTIVE)
        .annotate(first=Min("sessions__starts_at"))
        .filter(first__isnull=False)
        .values_list("pk", "provider_id", "first")
    )
    return {pk: (provider, _local(first).year, first) for pk, provider, first in rows}


def teacher_rules() -> list[Finding]:
    classes = _class_years()
    limit = int(settings.CLASSES_PART_TIME_MAX_INSTITUTIONS)
    taught = _part_time_teaching()
    # Part-time: per (teacher, year) the institutions by the teacher's first session there.
    first_at: dict[tuple[int, int], dict[int, dt.datetime]] = defaultdict(dict)
    for person, klass in taught:
        provider, year, first = classes[klass]
        seen = first_at[(person, year)]
        seen[provider] = min(first, seen.get(provider, first))
    beyond: dict[tuple[int, int, int], Evidence] = {}
    for (person, year), providers in first_at.items():
        ranked = sorted(providers, key=lambda p: (providers[p], p))
        for rank, provider in enumerate(ranked[limit:], start=limit + 1):
            beyond[(person, year, provider)] = {
                "year": year,
                "institutions": len(ranked),
                "rank": rank,
                "limit": limit,
            }
    part_classes = {
        klass: beyond[(person, classes[klass][1], classes[klass][0])]
        for person, klass in taught
        if (person, classes[klass][1], classes[klass][0]) in beyond
    }
    return [
        *_records_of_classes(FlagKind.PART_TIME_TEACHER, part_classes),
        *_records_of_classes(FlagKind.FULL_TIME_RATIO, _ratio_classes(classes)),
    ]


def _part_time_teaching() -> list[tuple[int, int]]:
    """(teacher's person, class) of every part-time teacher's active class with sessions."""
    return list(
        ClassTeacher.objects.filter(teacher__kind=TeacherKind.PART_TIME)
        .exclude(klass__status__in=INACTIVE)
        .filter(klass__sessions__isnull=False)
        .values_list("teacher__person_id", "klass_id")
        .distinct()
    )


def _ratio_classes(classes: dict[int, tuple[int, int, dt.datetime]]) -> dict[int, Evidence]:
    num, den = settings.CLASSES_FULL_TIME_MIN_RATIO
    years: dict[int, set[int]] = defaultdict(set)
    for provider, year, _first in classes.values():
        years[provider].add(year)
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])  # (all, full-time)
    appointments = Teacher.objects.filter(
        organisation_id__in=Subquery(
            TrainingClass.objects.exclude(status__in=INACTIVE).values("provider_id")
        )
    ).values_list("organisation_id", "kind", "start", "end")
    for org, kind, start, end in appointments:
        for year in years.get(org, ()):
            if (start is None or start.year <= year) and (end is None or end.year >= year):
                counts[(org, year)][0] += 1
                counts[(org, year)][1] += kind == TeacherKind.FULL_TIME
    low = {
        key: {"year": key[1], "teachers": total, "full_time": full, "ratio": f"{num}/{den}"}
        for key, (total, full) in counts.items()
        if total and full * den < total * num
    }
    return {
        klass: low[(provider, year)]
        for klass, (provider, year, _f) in classes.items()
        if (provider, year) in low
    }


def _crowded(
    partition: list[str], limit: int, narrow: str, chunk: int = 5000
) -> dict[tuple[int, int], tuple[int, tuple[Any, ...]]]:
    """(person, class) → (trainees, group) for the check-ins whose partition (session and device,
    or address and day) counts more than `limit` distinct trainees: one `GROUP BY … HAVING` over
    every check-in, then the check-ins of the groups found (narrowed by `narrow`, in chunks)."""
    base = Attendance.objects.filter(ip__isnull=False).annotate(day=TruncDate("at"))
    if "user_agent" in partition:
        base = base.exclude(user_agent="")
    groups = {
        tuple(row[f] for f in partition): row["n"]
        for row in base.values(*partition)
        .annotate(n=Count("enrolment__person_id", distinct=True))
        .filter(n__gt=limit)
        .order_by()
    }
    keys = sorted({str(g[partition.index(narrow)]) for g in groups})
    found: dict[tuple[int, int], tuple[int, tuple[Any, ...]]] = {}
    for start in range(0, len(keys), chunk):
        rows = base.filter(**{f"{narrow}__in": keys[start : start + chunk]}).values_list(
            "enrolment__person_id", "enrolment__klass_id", "session__starts_at", *partition
        )
        for person, klass, at, *group in rows:
            n = groups.get(tuple(group))
            if n is not None:
                found.setdefault((person, klass), (n, (at, *group)))
    return found


def shared_checkins() -> list[Finding]:
    device_limit = int(settings.CLAIMS_CHECKIN_DEVICE_MAX)
    network_limit = int(settings.CLAIMS_CHECKIN_NETWORK_MAX)
    devices = _crowded(["session_id", "user_agent", "ip"], device_limit, "session_id")
    by_device: dict[tuple[int, int], Evidence] = {
        key: {"trainees": n, "limit": device_limit, "at": f"{_local(group[0]):%Y-%m-%d %H:%M}"}
        for key, (n, group) in devices.items()
    }
    networks = _crowded(["ip", "day"], network_limit, "ip")
    by_network: dict[tuple[int, int], Evidence] = {
        key: {"trainees": n, "limit": network_limit, "day": str(group[2])}
        for key, (n, group) in networks.items()
    }
    return [
        *_records_of(FlagKind.SHARED_DEVICE, by_device),
        *_records_of(FlagKind.SHARED_NETWORK, by_network),
    ]


def outside_licence() -> list[Finding]:
    from jineng.certificates.integrity import licence_covers
    from jineng.certificates.models import Certificate

    rows = (
        Certificate.objects.filter(fact__isnull=False)
        .annotate(licensed=Exists(licence_covers(on="issued_on")))
        .filter(licensed=False)
        .annotate(
            claimed=Exists(
                Claim.objects.filter(
                    UNPAID,
                    trigger_kind="certificate",
                    fact_id=Cast(OuterRef("fact_id"), output_field=CharField()),
                )
            )
        )
        .filter(claimed=True)
        .values_list("fact_id", "issuer_id", "occupation_id", "level", "issued_on")
    )
    by_fact: dict[int, Evidence] = {
        fact: {"institution": issuer, "code": code, "level": level, "date": str(on)}
        for fact, issuer, code, level, on in rows
    }
    return _claims_of_facts(FlagKind.OUTSIDE_LICENCE, "certificate", by_fact)


def ledger_findings() -> list[Finding]:
    """Every finding of every check in this module."""
    return [
        *overlapping_classes(),
        *faster_than_real(),
        *teacher_rules(),
        *shared_checkins(),
        *outside_licence(),
    ]


__all__ = ["EpochMs", "ledger_findings"]
