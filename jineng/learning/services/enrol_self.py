"""A worker enrols themself in a class (issue 8 §4 "by a worker (with a voucher)", §7), and the
voucher that goes with it: bound to the enrolment, verified by the institution on the roster
(`voucher_verify`: designation on the enrolment day, region, occupation, validity), redeemed by
the training record at completion (`settle_voucher`, called by class completion), released when
the enrolment is withdrawn or the class cancelled (`voucher_release`: verified → claimed).

Every refusal is a `DomainError` with its Chinese reason: closed (not open, begun, other city),
full, overlapping, already enrolled (from `class_enrol`), and the voucher's own."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.states import transition
from jineng.identity.access import scope_of
from jineng.learning.access import parties_of
from jineng.learning.access_classes import worker_region_prefix
from jineng.learning.errors import ClassConflict, ClassInvalid, LearningForbidden
from jineng.learning.models import (
    ClassStatus,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    TrainingClass,
    TrainingRecord,
    TrainingResult,
    TrainingVoucher,
    VoucherStatus,
)
from jineng.learning.services.classes import class_enrol, class_reference
from jineng.learning.services.vouchers import (
    VoucherRefused,
    voucher_covers,
    voucher_redeem,
    voucher_verify,
)
from jineng.learning.states import Party

if TYPE_CHECKING:
    from jineng.identity.models import User


def first_start(klass: TrainingClass) -> dt.datetime | None:
    first: dt.datetime | None = klass.sessions.aggregate(m=Min("starts_at"))["m"]
    return first


def closed_reason(klass: TrainingClass, *, now: dt.datetime | None = None) -> str:
    """Why a worker cannot enrol in `klass` now ("" when open): the same rule as
    `access_classes.open_status_q`, said in Chinese."""
    now = now or timezone.now()
    name = f"培训班“{klass.name}”"
    if klass.status in (ClassStatus.COMPLETED, ClassStatus.CANCELLED, ClassStatus.REJECTED):
        return f"{name}{klass.get_status_display()}，不能报名"
    if klass.status in (ClassStatus.FILED, ClassStatus.TRAINING):
        return f"{name}花名册已备案或已开班，报名已截止"
    if klass.subsidised and klass.status == ClassStatus.PLANNED:
        return f"{name}的培训计划尚待人社局批准，批准后才开放报名"
    first = first_start(klass)
    if first is None:
        return f"{name}还没有安排课次，暂不开放报名"
    if first <= now:
        return f"{name}已于{timezone.localtime(first):%Y年%m月%d日 %H:%M}开课，报名已截止"
    return ""


def _check_voucher(voucher: TrainingVoucher, klass: TrainingClass, person_id: int) -> None:
    if voucher.person_id != person_id:
        raise VoucherRefused("voucher", "培训券不能转让：只能使用本人的培训券")
    if not klass.subsidised:
        raise VoucherRefused("voucher", f"培训班“{klass.name}”不是项目制培训班，不能使用培训券")
    if voucher.status == VoucherStatus.ISSUED:
        raise VoucherRefused("voucher", "请先在“我的培训券”中领取该培训券")
    if voucher.status != VoucherStatus.CLAIMED:
        raise VoucherRefused("voucher", f"培训券{voucher.get_status_display()}，不能用于报名")
    today = timezone.localdate()
    if not voucher.valid_from <= today <= voucher.valid_until:
        raise VoucherRefused(
            "voucher",
            f"今天不在培训券有效期（{voucher.valid_from:%Y年%m月%d日}至"
            f"{voucher.valid_until:%Y年%m月%d日}）内",
        )
    if not voucher_covers(voucher, klass.occupation):
        raise VoucherRefused("voucher", f"培训券不适用于“{klass.occupation.name}”")
    if Enrolment.objects.filter(voucher=voucher, status=EnrolmentStatus.ENROLLED).exists():
        raise VoucherRefused("voucher", "该培训券已用于报名另一个培训班")


@transaction.atomic
def class_self_enrol(
    *, actor: User, klass: TrainingClass, voucher: TrainingVoucher | None = None
) -> Enrolment:
    """The worker `actor` enrols themself (source 本人报名) in an open class of their city, with
    their claimed training voucher when the class is subsidised and they hold one. Audited
    (`class_enrol`, the voucher in `after`)."""
    person = actor.person
    if person is None:
        raise LearningForbidden("", "只有登记了个人信息的劳动者可以报名")
    klass = TrainingClass.objects.select_related("provider", "occupation").get(pk=klass.pk)
    reason = closed_reason(klass)
    if reason:
        raise ClassInvalid("klass", reason)
    prefix = worker_region_prefix(scope_of(actor))
    if prefix is None or not (klass.provider.region_id or "").startswith(prefix):
        raise ClassInvalid("klass", f"培训班“{klass.name}”不在您所在城市，不能报名")
    withdrawn = Enrolment.objects.filter(
        klass=klass, person=person, status=EnrolmentStatus.WITHDRAWN
    ).exists()
    if withdrawn:
        raise ClassConflict("person", "您已退出本班，如需重新报名请联系培训机构")
    if voucher is not None:
        voucher = (
            TrainingVoucher.objects.select_for_update().select_related("batch").get(pk=voucher.pk)
        )
        _check_voucher(voucher, klass, person.pk)
    enrolment = class_enrol(actor=actor, klass=klass, person=person, source=EnrolmentSource.WORKER)
    if voucher is not None:
        enrolment.voucher = voucher
        try:
            with transaction.atomic():
                enrolment.save(update_fields=["voucher"])
        except IntegrityError:  # a parallel enrolment bound the same voucher first
            raise VoucherRefused("voucher", "该培训券已用于报名另一个培训班") from None
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=AuditObject.ENROLMENT,
            object_id=enrolment.pk,
            after={"class": klass.pk, "voucher": voucher.pk},
            reason="报名使用培训券",
            region=klass.provider.region_id,
        )
    return enrolment


def _require_provider(actor: User | None, klass: TrainingClass) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.read_only or Party.PROVIDER not in parties_of(
        scope, provider_id=klass.provider_id, provider_region=klass.provider.region_id
    ):
        raise LearningForbidden("", "只有培训机构的管理员或教师可以核验学员的培训券")


@transaction.atomic
def enrolment_voucher_verify(*, actor: User | None, enrolment: Enrolment) -> TrainingVoucher:
    """The institution's clerk verifies the voucher a trainee enrolled with, on the roster:
    `voucher_verify` with the class's provider and occupation on the day of enrolment."""
    enrolment = Enrolment.objects.select_related(
        "klass__provider", "klass__occupation", "person", "voucher__batch__region"
    ).get(pk=enrolment.pk)
    klass = enrolment.klass
    _require_provider(actor, klass)
    voucher = enrolment.voucher
    if voucher is None:
        raise ClassInvalid("voucher", f"{enrolment.person.name}报名时没有使用培训券")
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ClassInvalid(
            "voucher", f"{enrolment.person.name}的报名{enrolment.get_status_display()}"
        )
    return voucher_verify(
        actor=actor,
        voucher=voucher,
        institution=klass.provider,
        occupation=klass.occupation,
        on=timezone.localdate(enrolment.enrolled_at),
        enrolment_ref=class_reference(klass, list(klass.sessions.all())),
        person=enrolment.person,
    )


@transaction.atomic
def voucher_release(*, actor: User | None, voucher: TrainingVoucher, reason: str) -> None:
    """Give a voucher back to its holder when the enrolment it was verified for ends without
    training (withdrawn, class cancelled, not completed): verified → claimed, the verification
    cleared. A claimed voucher is only unbound (nothing to undo). Audited `voucher_release`."""
    if voucher.status != VoucherStatus.VERIFIED:
        return
    transition(
        obj_or_queryset=voucher,
        to=VoucherStatus.CLAIMED,
        actor=actor,
        reason=reason[:200],
        audit_action=AuditAction.VOUCHER_RELEASE,
        verified_at=None,
        verified_on=None,
        verified_institution=None,
        verified_occupation=None,
        enrolment_ref="",
    )


@transaction.atomic
def enrolment_withdraw(
    *, actor: User | None, enrolment: Enrolment, reason: str = "", at: dt.datetime | None = None
) -> Enrolment:
    """The trainee (or the provider's staff) withdraws an enrolment before the class's first
    session: the seat is freed, the voucher released. Audited `class_withdraw`."""
    # Lock the enrolment row only: the voucher is a nullable (outer) join, which PostgreSQL
    # cannot lock, and the voucher's own move is locked by `transition`.
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("klass__provider", "person", "voucher")
        .get(pk=enrolment.pk)
    )
    klass = enrolment.klass
    if actor is not None and actor.person_id != enrolment.person_id:
        _require_provider(actor, klass)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ClassInvalid("enrolment", f"该报名{enrolment.get_status_display()}，不能退出")
    now = at or timezone.now()
    first = first_start(klass)
    if first is not None and first <= now:
        raise ClassInvalid("enrolment", f"培训班“{klass.name}”已开课，不能再退出")
    if klass.status in (ClassStatus.COMPLETED, ClassStatus.CANCELLED):
        raise ClassInvalid("enrolment", f"培训班“{klass.name}”{klass.get_status_display()}")
    reason = " ".join((reason or "").split())[:200] or "本人退出"
    Enrolment.objects.filter(pk=enrolment.pk).update(
        status=EnrolmentStatus.WITHDRAWN, withdrawn_at=now, withdraw_reason=reason
    )
    TrainingClass.objects.filter(pk=klass.pk, enrolled__gt=0).update(enrolled=F("enrolled") - 1)
    audit_record(
        actor=actor,
        action=AuditAction.CLASS_WITHDRAW,
        object_type=AuditObject.ENROLMENT,
        object_id=enrolment.pk,
        after={"class": klass.pk, "person": enrolment.person_id, "voucher": enrolment.voucher_id},
        reason=reason,
        region=klass.provider.region_id,
    )
    if enrolment.voucher is not None:
        voucher_release(actor=actor, voucher=enrolment.voucher, reason=f"退出培训班“{klass.name}”")
    enrolment.refresh_from_db()
    return enrolment


def release_class_vouchers(*, actor: User | None, klass: TrainingClass) -> int:
    """A cancelled class gives back every voucher bound to its enrolments (unbound, released)."""
    released = 0
    for enrolment in klass.enrolments.filter(voucher__isnull=False).select_related("voucher"):
        voucher = enrolment.voucher
        assert voucher is not None
        Enrolment.objects.filter(pk=enrolment.pk).update(voucher=None)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=AuditObject.ENROLMENT,
            object_id=enrolment.pk,
            before={"voucher": voucher.pk},
            after={"voucher": None},
            reason="培训班取消，培训券退回",
            region=klass.provider.region_id,
        )
        voucher_release(actor=actor, voucher=voucher, reason=f"培训班“{klass.name}”取消")
        released += 1
    return released


def settle_voucher(enrolment: Enrolment, record: TrainingRecord | None) -> None:
    """At completion: a verified voucher is redeemed by the passed training record; otherwise
    (not verified, not passed, no record) it is released for another class."""
    voucher = enrolment.voucher
    if voucher is None:
        return
    voucher.refresh_from_db()
    passed = record is not None and record.result == TrainingResult.PASSED
    if passed and voucher.status == VoucherStatus.VERIFIED:
        assert record is not None
        voucher_redeem(actor=None, voucher=voucher, training_record=record)
    else:
        voucher_release(actor=None, voucher=voucher, reason="培训未合格结业，培训券退回")
