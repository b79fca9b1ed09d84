"""The demo city's skill-level assessment (issue 9 §3–§5), small and fast, so every page of it has
something to show: at the demo organisation (the demo worker's employer, where the demo staff
accounts work),

- a session held last month: the demo worker and three colleagues sat the theory exam, two
  assessors marked short answers and practical sheets (one with a third mark), the results were
  reviewed and published (公示), with an objection and a correction awaiting review;
- a session under way now: the demo worker admitted and sitting the exam, a colleague who has
  submitted (their short answer and the practical sheets wait in the marking queue), and its
  room record (seals opened, workstations drawn by lot, an incident; not yet signed).

Through the services, once (skipped when the organisation already has sessions)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import (
    Attempt,
    ExamSession,
    IdentityMethod,
    ItemKind,
    MarkingTask,
    PartResult,
    Registration,
)
from jineng.assessment.seed import seed_exam
from jineng.identity.models import Employment, Person, Role, User
from jineng.identity.services import account_create, role_grant
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation

VENUE_PAST = "东莞市技能人才评价中心第一考场"
VENUE_NOW = "东莞市技能人才评价中心第二考场"


def _colleagues(organisation: Organisation, demo_person: Person, n: int) -> list[Person]:
    ids = (
        Employment.objects.filter(employer=organisation, end=None)
        .exclude(person=demo_person)
        .order_by("person_id")
        .values_list("person_id", flat=True)[:n]
    )
    return list(Person.objects.filter(pk__in=list(ids)).order_by("pk"))


def _second_assessor(organisation: Organisation) -> User:
    user = User.objects.filter(username="demo_assessor_2").first()
    if user is None:
        user = account_create(
            actor=None, username="demo_assessor_2", password=None, display_name="示范考评员（二）"
        )
    role_grant(actor=None, user=user, role=Role.ASSESSOR, organisation=organisation)
    return user


def _sit(registration: Registration, *, right: bool, at: dt.datetime, submit: bool) -> None:
    attempt = services.attempt_admit(
        actor=None, registration=registration, method=IdentityMethod.INVIGILATOR, at=at
    )
    attempt = services.attempt_start(actor=None, registration=registration, at=at)
    assert attempt.paper is not None
    for n, entry in enumerate(attempt.paper.entries.select_related("item"), start=1):
        item = entry.item
        if item.kind == ItemKind.SINGLE:
            shown = entry.option_order.index(item.answer)
            response: object = shown if right else (shown + 1) % len(entry.option_order)
        elif item.kind == ItemKind.TRUE_FALSE:
            response = item.answer if right else not item.answer
        else:
            response = "检查防护罩、润滑情况，取下卡盘扳手，夹紧工件后再开机。"
        services.answer_save(
            actor=None, attempt=attempt, entry_id=entry.pk, response=response, seq=n, at=at
        )
    if submit:
        services.attempt_submit(actor=None, attempt=Attempt(pk=attempt.pk), at=at)


def _mark(tasks: list[MarkingTask], first: User, second: User, third: User | None) -> None:
    for n, task in enumerate(tasks):
        if task.part == "practical":
            services.mark_record(actor=first, task=task, criteria=["52", "36"])
            far = n == 0 and third is not None
            services.mark_record(
                actor=second, task=task, criteria=["30", "30"] if far else ["50", "35"]
            )
            if far and third is not None:
                services.mark_record(actor=third, task=task, criteria=["50", "36"])
        else:
            services.mark_record(actor=first, task=task, score="24")
            services.mark_record(actor=second, task=task, score="26")


@transaction.atomic
def seed_demo_assessment(*, organisation: Organisation, demo_person: Person) -> None:
    if ExamSession.objects.filter(organisation=organisation).exists():
        return
    occupation = Occupation.objects.order_by("code").first()
    assessor = User.objects.filter(username="demo_assessor").first()
    admin = User.objects.filter(username="demo_org_admin").first()
    if occupation is None or assessor is None or admin is None:
        return
    second = _second_assessor(organisation)
    colleagues = _colleagues(organisation, demo_person, 4)
    now = timezone.now()
    held = now - dt.timedelta(days=30)
    past = seed_exam(
        organisation=organisation,
        occupation=occupation,
        candidates=[demo_person, *colleagues[:3]],
        starts_at=held,
        minutes=90,
        venue=VENUE_PAST,
    )
    for n, registration in enumerate(past.registrations):
        _sit(registration, right=n != 2, at=held + dt.timedelta(minutes=5), submit=True)
    services.practical_tasks_create(actor=None, session=past.session)
    _mark(
        list(MarkingTask.objects.filter(registration__session=past.session)),
        assessor,
        second,
        admin,
    )
    services.results_compile(actor=None, session=past.session)
    services.results_review(actor=admin, session=past.session)
    publication = services.results_publish(actor=admin, session=past.session)
    demo_user = User.objects.filter(person=demo_person).first()
    if demo_user is not None:
        services.objection_raise(
            actor=demo_user,
            publication=publication,
            registration=past.registrations[0],
            text="操作技能考核成绩与现场表现不符，申请复核。",
        )
    result = PartResult.objects.filter(registration=past.registrations[2], part="practical").first()
    if result is not None:
        services.correction_request(
            actor=assessor, result=result, new_score="91", reason="评分表第一项登记时漏记6分"
        )
    current = seed_exam(
        organisation=organisation,
        occupation=occupation,
        candidates=[demo_person, *colleagues[3:4]],
        starts_at=now - dt.timedelta(minutes=10),
        minutes=600,
        venue=VENUE_NOW,
        bank=past.bank,
    )
    _sit(current.registrations[0], right=True, at=now, submit=False)
    if len(current.registrations) > 1:
        _sit(current.registrations[1], right=False, at=now, submit=True)
    services.practical_tasks_create(actor=None, session=current.session)
    _room_record(admin, current.session, current.registrations)


def _room_record(admin: User, session: ExamSession, registrations: list[Registration]) -> None:
    """The session under way: its room's seals opened before a candidate, the workstations drawn
    by lot from a recorded seed, one incident (issue 9 §3); not yet signed."""
    witness = registrations[-1].person
    services.seal_open_record(
        actor=admin,
        session=session,
        room=1,
        seal_numbers="DG-2026-0417、DG-2026-0418",
        witness=witness,
    )
    services.workstations_draw(
        actor=admin, session=session, room=1, stations=len(registrations) + 4, seed="20261204"
    )
    services.incident_record(
        actor=admin,
        session=session,
        room=1,
        registration=registrations[0],
        description="考生入场时携带手机",
        action_taken="手机交由监考员统一保管，考试正常进行",
    )
