"""Training vouchers (职业培训券, issue 8 §7): issue by rule or by roster import, claim, verify at
enrolment, redeem on completion, expire, cancel. Every move goes through
`jineng.core.states.transition` with `VOUCHER_STATES` (status-checked, locked, audited), so a
voucher is redeemed once however many requests race for it; the one-active-per-person partial
unique constraint and the one-to-one record link are the database's guard behind the checks.

"Insured unemployed" (参保失业人员) is derived from identity: `Person.insured` (参加社会保险) and no
employment in force today while at least one has ended (a job lost, not someone who never
worked). There is no registered-unemployment (失业登记) record in the platform yet; a bureau that
issues by that register imports it as a roster (`voucher_batch_import`)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jineng.audit.services import audit_record, audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.regioncodes import region_prefix
from jineng.core.states import transition
from jineng.identity.access import scope_of
from jineng.identity.models import Employment, Person
from jineng.learning.access_training import INSTITUTION_ROLES, VOUCHER_BUREAU_ROLES
from jineng.learning.models import (
    ACTIVE_VOUCHER_STATUSES,
    TrainingRecord,
    TrainingResult,
    TrainingVoucher,
    VoucherBatch,
    VoucherBatchKind,
    VoucherStatus,
)
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, Region

if TYPE_CHECKING:
    from jineng.identity.models import User

# Unambiguous on a phone screen and when read aloud (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
MAX_VALUE_FEN = 10_000_000  # ¥100,000: far above any voucher; a typo guard, not a policy figure
RULE_INSURED_UNEMPLOYED = "本地区参保失业人员（参加社会保险、目前无在职就业记录且曾有就业记录）"


class VoucherInvalid(DomainError):
    """Bad input for a voucher or batch (400, field named)."""


class VoucherRefused(Conflict):
    """The voucher cannot be used so (409): wrong holder, institution, occupation or date."""


def validity_days_max() -> int:
    return int(getattr(settings, "LEARNING_VOUCHER_VALIDITY_DAYS", 90))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def voucher_snapshot(v: TrainingVoucher) -> dict[str, object]:
    return {
        "batch": v.batch_id,
        "person": v.person_id,
        "value_fen": v.value_fen,
        "valid_from": v.valid_from.isoformat(),
        "valid_until": v.valid_until.isoformat(),
        "status": v.status,
    }


def _require_bureau(actor: User | None, region: Region) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.is_global and not scope.read_only:
        return
    if scope.read_only or not scope.roles & VOUCHER_BUREAU_ROLES:
        raise Forbidden("", "只有人社局工作人员可以发放或作废培训券")
    if not scope.covers_region(region.code, as_bureau=True):
        raise Forbidden("region", f"“{region.name}”不在您的管辖区域内")


def _region(value: Region | str) -> Region:
    if isinstance(value, Region):
        return value
    found = Region.objects.filter(pk=value).first()
    if found is None:
        raise VoucherInvalid("region", "未知的地区", value)
    return found


def _occupations(values: Sequence[Occupation | str]) -> list[Occupation]:
    codes = [v.pk if isinstance(v, Occupation) else str(v) for v in values]
    found = {o.pk: o for o in Occupation.objects.filter(pk__in=codes)}
    for code in codes:
        if code not in found:
            raise VoucherInvalid("occupations", "不是 2022 年版职业分类大典中的职业编码", code)
    return [found[c] for c in dict.fromkeys(codes)]


@dataclass(frozen=True)
class BatchTerms:
    region: Region
    name: str
    value_fen: int
    occupations: list[Occupation]
    valid_from: dt.date
    valid_until: dt.date


def _terms(
    *,
    region: Region | str,
    name: str,
    value_fen: int,
    occupations: Sequence[Occupation | str],
    validity_days: int | None,
    on: dt.date | None,
) -> BatchTerms:
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise VoucherInvalid("name", "请填写批次名称（不超过100字）", name)
    if isinstance(value_fen, bool) or not isinstance(value_fen, int):
        raise VoucherInvalid("value_fen", "面额应为整数（分）", value_fen)
    if not 1 <= value_fen <= MAX_VALUE_FEN:
        raise VoucherInvalid("value_fen", "面额应在 0.01 元到 10 万元之间", value_fen)
    longest = validity_days_max()
    days = longest if validity_days is None else validity_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
        raise VoucherInvalid("validity_days", f"有效期应为 1 到 {longest} 天", days)
    start = on or timezone.localdate()
    return BatchTerms(
        region=_region(region),
        name=name,
        value_fen=value_fen,
        occupations=_occupations(occupations),
        valid_from=start,
        valid_until=start + dt.timedelta(days=days - 1),
    )


def _write_batch(
    *,
    actor: User | None,
    terms: BatchTerms,
    kind: str,
    rule: str,
    people: Sequence[Person],
    reason: str,
) -> VoucherBatch:
    batch = VoucherBatch.objects.create(
        name=terms.name,
        kind=kind,
        region=terms.region,
        value_fen=terms.value_fen,
        valid_from=terms.valid_from,
        valid_until=terms.valid_until,
        rule=rule[:200],
        created_by=actor,
    )
    batch.occupations.set(terms.occupations)
    vouchers = [
        TrainingVoucher(
            batch=batch,
            person=p,
            code=new_code(),
            value_fen=terms.value_fen,
            valid_from=terms.valid_from,
            valid_until=terms.valid_until,
        )
        for p in people
    ]
    try:
        with transaction.atomic():
            TrainingVoucher.objects.bulk_create(vouchers, batch_size=1000)
    except IntegrityError as exc:  # another batch gave one of them a voucher meanwhile
        raise Conflict("person", "名单中有人刚刚领到了另一张培训券，请重新发放") from exc
    region = terms.region.code
    audit_record(
        actor=actor,
        action=AuditAction.VOUCHER_BATCH_ISSUE,
        object_type=AuditObject.VOUCHER_BATCH,
        object_id=batch.pk,
        after={
            "name": batch.name,
            "kind": kind,
            "value_fen": batch.value_fen,
            "occupations": [o.pk for o in terms.occupations],
            "valid_until": batch.valid_until.isoformat(),
            "vouchers": len(vouchers),
        },
        reason=reason,
        region=region,
    )
    audit_record_batch(
        actor=actor,
        action=AuditAction.CREATE,
        object_type=AuditObject.TRAINING_VOUCHER,
        rows=[(v.pk, None, voucher_snapshot(v)) for v in vouchers],
        reason=reason,
        region=region,
    )
    return batch


def insured_unemployed(region: Region, *, on: dt.date | None = None) -> QuerySet[Person]:
    """People living under `region` who are insured, hold no employment in force on `on` and have
    held one that ended (module docstring), without an active voucher."""
    day = on or timezone.localdate()
    in_force = Employment.objects.filter(Q(start__lte=day) | Q(start__isnull=True)).filter(
        Q(end__isnull=True) | Q(end__gte=day)
    )
    ended = Employment.objects.filter(end__lt=day)
    active = TrainingVoucher.objects.filter(status__in=ACTIVE_VOUCHER_STATUSES)
    return (
        Person.objects.filter(
            residence_region__code__startswith=region_prefix(region.code), insured=True
        )
        .filter(pk__in=ended.values("person_id"))
        .exclude(pk__in=in_force.values("person_id"))
        .exclude(pk__in=active.values("person_id"))
        .order_by("pk")
    )


@transaction.atomic
def voucher_batch_issue_by_rule(
    *,
    actor: User | None,
    region: Region | str,
    name: str,
    value_fen: int,
    occupations: Sequence[Occupation | str] = (),
    validity_days: int | None = None,
    on: dt.date | None = None,
) -> VoucherBatch:
    """Issue a voucher to every insured unemployed person living under `region`
    (`insured_unemployed`) who has no active voucher. A bureau officer of that region, or the
    system. An empty result still records the batch (0 vouchers: the rule found nobody)."""
    terms = _terms(
        region=region,
        name=name,
        value_fen=value_fen,
        occupations=occupations,
        validity_days=validity_days,
        on=on,
    )
    _require_bureau(actor, terms.region)
    people = list(insured_unemployed(terms.region, on=terms.valid_from).select_for_update())
    return _write_batch(
        actor=actor,
        terms=terms,
        kind=VoucherBatchKind.RULE,
        rule=RULE_INSURED_UNEMPLOYED,
        people=people,
        reason=f"按条件发放：{RULE_INSURED_UNEMPLOYED}",
    )


@transaction.atomic
def voucher_batch_issue_to_people(
    *,
    actor: User | None,
    region: Region | str,
    name: str,
    value_fen: int,
    people: Sequence[Person],
    occupations: Sequence[Occupation | str] = (),
    validity_days: int | None = None,
    on: dt.date | None = None,
    rule: str = "名单发放",
) -> VoucherBatch:
    """Issue a voucher to each of `people` (a roster already read and checked: the import, a
    class's roster, the demo). Each must live under `region` and hold no active voucher, else
    VoucherRefused naming the person and nothing is issued."""
    terms = _terms(
        region=region,
        name=name,
        value_fen=value_fen,
        occupations=occupations,
        validity_days=validity_days,
        on=on,
    )
    _require_bureau(actor, terms.region)
    prefix = region_prefix(terms.region.code)
    for person in people:
        if not (person.residence_region_id or "").startswith(prefix):
            raise VoucherRefused("people", f"“{person.name}”不在{terms.region.name}居住")
    holders = TrainingVoucher.objects.filter(
        person__in=list(people), status__in=ACTIVE_VOUCHER_STATUSES
    ).select_related("person")
    for held in holders[:1]:
        raise VoucherRefused("people", f"“{held.person.name}”已有一张未使用的培训券")
    return _write_batch(
        actor=actor, terms=terms, kind=VoucherBatchKind.ROSTER, rule=rule, people=people,
        reason=rule,
    )  # fmt: skip


def _holder_only(actor: User | None, voucher: TrainingVoucher) -> None:
    if actor is None:
        return
    if actor.person_id is None or actor.person_id != voucher.person_id:
        raise Forbidden("", "培训券只能由持券人本人领取")


@transaction.atomic
def voucher_claim(*, actor: User | None, voucher: TrainingVoucher) -> TrainingVoucher:
    """The holder claims the voucher on the phone (issued → claimed); from then the phone shows it
    as a QR code to present at enrolment. Only the holder (not transferable)."""
    _holder_only(actor, voucher)
    today = timezone.localdate()
    if voucher.valid_until < today:
        raise VoucherRefused("valid_until", f"培训券已于{voucher.valid_until:%Y年%m月%d日}过期")
    transition(
        obj_or_queryset=voucher,
        to=VoucherStatus.CLAIMED,
        actor=actor,
        audit_action=AuditAction.VOUCHER_CLAIM,
        claimed_at=timezone.now(),
    )
    return voucher


def _require_staff(actor: User | None, institution: Organisation) -> None:
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.read_only:
        raise Forbidden("", "审计员只能查看")
    if scope.is_global or scope.roles_at(institution.pk) & INSTITUTION_ROLES:
        return
    raise Forbidden("institution", f"只有“{institution.name}”的工作人员可以为该机构核验培训券")


def voucher_covers(voucher: TrainingVoucher, occupation: Occupation | str) -> bool:
    """Whether `occupation` is in the voucher's scope (its batch's occupations; none: any)."""
    code = occupation.pk if isinstance(occupation, Occupation) else occupation
    scope = list(voucher.batch.occupations.values_list("pk", flat=True))
    return not scope or code in scope


@transaction.atomic
def voucher_verify(
    *,
    actor: User | None,
    voucher: TrainingVoucher,
    institution: Organisation,
    occupation: Occupation | str,
    on: dt.date,
    enrolment_ref: str = "",
    person: Person | None = None,
) -> TrainingVoucher:
    """Verify a claimed voucher at enrolment (claimed → verified): `institution` must hold the
    designated-training qualification (定点培训资质) on `on` (`Organisation.is_designated_on`,
    granted by `organisation_designate(valid_from, valid_to)`), `on` must be within the voucher's
    validity and `occupation` within its scope. `person` (the one enrolling), when given, must be
    the holder. Actor: the institution's staff, or the system."""
    _require_staff(actor, institution)
    occupation = _occupations([occupation])[0]
    if person is not None and person.pk != voucher.person_id:
        raise VoucherRefused("person", "培训券不能转让：报名人不是持券人本人")
    if voucher.status == VoucherStatus.ISSUED:
        raise VoucherRefused("status", "持券人尚未领取该培训券，请先在手机上领取")
    if not (institution.region_id or "").startswith(region_prefix(voucher.batch.region_id)):
        raise VoucherRefused(
            "institution", f"培训券只能在{voucher.batch.region.name}的定点培训机构使用"
        )
    if not institution.is_designated_on(on):
        raise VoucherRefused(
            "institution", f"“{institution.name}”在{on:%Y年%m月%d日}不是定点培训机构"
        )
    if not voucher.valid_from <= on <= voucher.valid_until:
        raise VoucherRefused(
            "on",
            f"报名日期不在培训券有效期（{voucher.valid_from:%Y年%m月%d日}至"
            f"{voucher.valid_until:%Y年%m月%d日}）内",
        )
    if not voucher_covers(voucher, occupation):
        raise VoucherRefused("occupation", f"培训券不适用于“{occupation.name}”")
    transition(
        obj_or_queryset=voucher,
        to=VoucherStatus.VERIFIED,
        actor=actor,
        reason=f"{institution.name} 报名{occupation.name}"[:200],
        audit_action=AuditAction.VOUCHER_VERIFY,
        verified_at=timezone.now(),
        verified_on=on,
        verified_institution=institution,
        verified_occupation=occupation,
        enrolment_ref=enrolment_ref[:100],
    )
    return voucher


@transaction.atomic
def voucher_redeem(
    *, actor: User | None, voucher: TrainingVoucher, training_record: TrainingRecord
) -> TrainingVoucher:
    """Redeem a verified voucher by the holder's completed training (verified → redeemed): the
    record must be the holder's, at the verifying institution, in the verified occupation, and
    passed (合格). Single use: the locked, status-checked move lets one of any number of racing
    requests through (the others get TransitionRefused, 409), and a record redeems one voucher
    (one-to-one). The record's `training` fact is marked `voucher: true`."""
    from jineng.learning.services.records import record_mark_voucher

    institution = voucher.verified_institution
    if institution is not None:
        _require_staff(actor, institution)
    if training_record.person_id != voucher.person_id:
        raise VoucherRefused("training_record", "培训券不能转让：培训记录不是持券人本人的")
    if voucher.status == VoucherStatus.VERIFIED:
        if training_record.institution_id != voucher.verified_institution_id:
            raise VoucherRefused("training_record", "培训记录的培训机构不是核验培训券的机构")
        if training_record.occupation_id != voucher.verified_occupation_id:
            raise VoucherRefused("training_record", "培训记录的职业与报名时核验的职业不符")
        if training_record.result != TrainingResult.PASSED:
            raise VoucherRefused("training_record", "培训结果不合格，培训券不能兑付")
    try:
        with transaction.atomic():
            transition(
                obj_or_queryset=voucher,
                to=VoucherStatus.REDEEMED,
                actor=actor,
                reason=f"培训记录 {training_record.pk}",
                audit_action=AuditAction.VOUCHER_REDEEM,
                redeemed_at=timezone.now(),
                redeemed_record=training_record,
                ended_at=timezone.now(),
            )
    except IntegrityError as exc:  # the record already redeemed another voucher
        raise VoucherRefused("training_record", "该培训记录已兑付过另一张培训券") from exc
    record_mark_voucher(actor=actor, record=training_record)
    return voucher


@transaction.atomic
def voucher_cancel(*, actor: User | None, voucher: TrainingVoucher, reason: str) -> TrainingVoucher:
    """Cancel an unused voucher (issued, claimed or verified → cancelled) with a reason: a bureau
    officer of the batch's region, or the system."""
    _require_bureau(actor, voucher.batch.region)
    reason = " ".join(reason.split())
    if not reason:
        raise VoucherInvalid("reason", "作废培训券须说明原因")
    transition(
        obj_or_queryset=voucher,
        to=VoucherStatus.CANCELLED,
        actor=actor,
        reason=reason[:200],
        audit_action=AuditAction.VOUCHER_CANCEL,
        cancel_reason=reason[:200],
        ended_at=timezone.now(),
    )
    return voucher


def vouchers_expire(*, today: dt.date | None = None) -> int:
    """Expire every issued or claimed voucher whose validity ended before `today` (a verified one
    does not: its holder enrolled in time). Safe to run twice (a status-checked move; the second
    run moves nothing). Scheduled daily: the Celery task `learning.vouchers_expire` (`jineng.learning.tasks`)."""
    day = today or timezone.localdate()
    return transition(
        obj_or_queryset=TrainingVoucher.objects.filter(valid_until__lt=day),
        to=VoucherStatus.EXPIRED,
        actor=None,
        reason="超过有效期未使用",
        audit_action=AuditAction.VOUCHER_EXPIRE,
        ended_at=timezone.now(),
    )
