"""A worker enrols themself in an open class of their city with their training voucher: the
voucher is bound to the enrolment, verified by the institution on the roster, redeemed by the
training record at completion, and released by a withdrawal or a cancelled class."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db.models import F
from django.utils import timezone

from jineng.audit.models import AuditEntry
from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.learning.access_classes import access_open_class_by_id, classes_open_to
from jineng.learning.errors import ClassConflict, ClassInvalid, LearningForbidden
from jineng.learning.models import (
    EnrolmentStatus,
    TrainingClass,
    TrainingRecord,
    TrainingVoucher,
    VoucherStatus,
)
from jineng.learning.services import VoucherRefused, voucher_claim
from jineng.learning.services.attendance import attendance_mark
from jineng.learning.services.classes import class_transition
from jineng.learning.services.enrol_self import (
    class_self_enrol,
    enrolment_voucher_verify,
    enrolment_withdraw,
)
from jineng.learning.tests.class_helpers import assign, make_class, make_teacher, young
from jineng.learning.tests.conftest import build_course
from jineng.learning.tests.training_helpers import batch_for, designated_school, make_unemployed
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@dataclass
class World:
    school: Organisation
    clerk: User
    reviewer: User
    worker: User
    voucher: TrainingVoucher
    klass: TrainingClass


def _days(start: int, n: int = 2) -> list[dt.date]:
    today = timezone.localdate()
    return [today + dt.timedelta(days=start + i) for i in range(n)]


def _approved(school: Organisation, reviewer: User, *, name: str, start: int) -> TrainingClass:
    course = build_course(provider=school, title=f"{name}课程", mode="classroom")
    klass = make_class(course, days=_days(start), name=name, capacity=2)
    assign(klass, make_teacher(school))
    return class_transition(actor=reviewer, klass=klass, to="approved")


def build_world() -> World:
    """A designated school with an approved subsidised class 40 days out (2 seats), its clerk,
    the bureau reviewer, and an insured unemployed worker holding a claimed voucher."""
    school = designated_school(name="东莞市定点技工学校")
    worker = make_user(Role.WORKER, person=young("持券工人"))
    assert worker.person is not None
    make_unemployed(worker.person, make_organisation(name="原单位"))
    batch_for()
    voucher = TrainingVoucher.objects.get(person=worker.person)
    voucher_claim(actor=worker, voucher=voucher)
    reviewer = make_user(Role.BUREAU_REVIEWER, region="441900")
    klass = _approved(school, reviewer, name="项目制车工班", start=40)
    return World(
        school=school,
        clerk=make_user(Role.ORG_ADMIN, organisation=school),
        reviewer=reviewer,
        worker=worker,
        voucher=voucher,
        klass=klass,
    )


@pytest.fixture
def world() -> World:
    return build_world()


def test_an_open_class_is_offered_to_workers_of_its_city_only(world: World) -> None:
    assert list(classes_open_to(world.worker)) == [world.klass]
    elsewhere = make_user(Role.WORKER)
    assert elsewhere.person is not None
    type(elsewhere.person).objects.filter(pk=elsewhere.person.pk).update(
        residence_region="330100", hukou_region=None
    )
    assert list(classes_open_to(elsewhere)) == []
    with pytest.raises(Exception, match="培训班不存在"):
        access_open_class_by_id(elsewhere, world.klass.pk)
    plan = build_course(provider=world.school, title="待批课程", mode="classroom")
    waiting = make_class(plan, days=_days(50), name="待批班")  # not approved yet: not open
    assert waiting not in classes_open_to(world.worker)
    with pytest.raises(ClassInvalid, match="尚待人社局批准"):
        class_self_enrol(actor=world.worker, klass=waiting)


def complete_with_voucher(world: World) -> TrainingRecord:
    """The worker enrols with the voucher, the clerk verifies it, the class is filed, held (its
    sessions moved to last month, every one attended) and completed: the training record."""
    enrolment = class_self_enrol(actor=world.worker, klass=world.klass, voucher=world.voucher)
    assert enrolment.source == "worker" and enrolment.voucher == world.voucher
    world.voucher.refresh_from_db()
    assert world.voucher.status == VoucherStatus.CLAIMED  # the clerk verifies it on the roster
    enrolment_voucher_verify(actor=world.clerk, enrolment=enrolment)
    world.voucher.refresh_from_db()
    assert world.voucher.status == VoucherStatus.VERIFIED
    assert world.voucher.verified_institution == world.school
    klass = world.klass
    class_transition(actor=world.clerk, klass=klass, to="filed")
    klass.sessions.update(
        starts_at=F("starts_at") - dt.timedelta(days=70),
        ends_at=F("ends_at") - dt.timedelta(days=70),
    )
    sessions = list(klass.sessions.order_by("starts_at"))
    class_transition(actor=world.clerk, klass=klass, to="training", at=sessions[0].starts_at)
    for session in sessions:
        attendance_mark(
            actor=world.clerk,
            session=session,
            enrolment=enrolment,
            reason="学员手机故障",
            at=session.starts_at,
        )
    class_transition(actor=world.clerk, klass=klass, to="completed")
    return TrainingRecord.objects.get(person=world.worker.person)


def test_the_voucher_is_bound_verified_and_redeemed_by_the_training_record(world: World) -> None:
    record = complete_with_voucher(world)
    world.voucher.refresh_from_db()
    assert world.voucher.status == VoucherStatus.REDEEMED
    assert world.voucher.redeemed_record == record
    assert record.fact is not None and record.fact.attrs["voucher"] is True


def test_every_refusal_is_in_chinese(world: World) -> None:
    other = make_user(Role.WORKER, person=young("另一个工人"))
    with pytest.raises(VoucherRefused, match="不能转让"):
        class_self_enrol(actor=other, klass=world.klass, voucher=world.voucher)
    plain_course = build_course(provider=world.school, title="普通班课程", mode="classroom")
    plain = make_class(plain_course, days=_days(40), name="普通车工班", subsidised=False)
    with pytest.raises(VoucherRefused, match="不是项目制培训班"):
        class_self_enrol(actor=world.worker, klass=plain, voucher=world.voucher)
    # Overlapping: the plain class has the same days and hours.
    class_self_enrol(actor=world.worker, klass=world.klass, voucher=world.voucher)
    with pytest.raises(ClassConflict, match="时间重叠"):
        class_self_enrol(actor=world.worker, klass=plain)
    with pytest.raises(ClassConflict, match="已在本班花名册中"):
        class_self_enrol(actor=world.worker, klass=world.klass)
    class_self_enrol(actor=other, klass=world.klass)
    third = make_user(Role.WORKER, person=young("第三个工人"))
    with pytest.raises(ClassConflict, match="已满"):
        class_self_enrol(actor=third, klass=world.klass)
    staff = make_user(Role.ORG_ADMIN, organisation=make_organisation(name="别的学校"))
    enrolment = world.klass.enrolments.get(person=world.worker.person)
    with pytest.raises(LearningForbidden, match="只有培训机构"):
        enrolment_voucher_verify(actor=staff, enrolment=enrolment)


def test_withdrawing_frees_the_seat_and_releases_the_voucher(world: World) -> None:
    enrolment = class_self_enrol(actor=world.worker, klass=world.klass, voucher=world.voucher)
    enrolment_voucher_verify(actor=world.clerk, enrolment=enrolment)
    withdrawn = enrolment_withdraw(actor=world.worker, enrolment=enrolment, reason="时间冲突")
    assert withdrawn.status == EnrolmentStatus.WITHDRAWN
    world.klass.refresh_from_db()
    world.voucher.refresh_from_db()
    assert world.klass.enrolled == 0
    assert world.voucher.status == VoucherStatus.CLAIMED
    assert world.voucher.verified_institution is None
    assert AuditEntry.objects.filter(action="class_withdraw", reason="时间冲突").count() == 1
    assert AuditEntry.objects.filter(action="voucher_release").count() == 1
    # The released voucher serves another class.
    second = _approved(world.school, world.reviewer, name="第二期车工班", start=60)
    again = class_self_enrol(actor=world.worker, klass=second, voucher=world.voucher)
    assert again.voucher == world.voucher
    with pytest.raises(ClassInvalid, match="不能退出"):
        enrolment_withdraw(actor=world.worker, enrolment=withdrawn)


def test_no_withdrawal_once_the_class_began_and_a_cancelled_class_releases(world: World) -> None:
    enrolment = class_self_enrol(actor=world.worker, klass=world.klass, voucher=world.voucher)
    enrolment_voucher_verify(actor=world.clerk, enrolment=enrolment)
    first = world.klass.sessions.order_by("starts_at").first()
    assert first is not None
    with pytest.raises(ClassInvalid, match="已开课，不能再退出"):
        enrolment_withdraw(actor=world.worker, enrolment=enrolment, at=first.starts_at)
    class_transition(actor=world.clerk, klass=world.klass, to="cancelled", reason="报名人数不足")
    world.voucher.refresh_from_db()
    enrolment.refresh_from_db()
    assert world.voucher.status == VoucherStatus.CLAIMED
    assert enrolment.voucher is None
