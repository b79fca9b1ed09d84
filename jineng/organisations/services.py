"""Every write to organisations and teachers, audited.

A unified social credit code (统一社会信用代码) that fails its GB 32100 check is never rejected and
never dropped: the organisation is stored with `uscc_status=held` and the reason, for a bureau
officer to review (the admin lists them with the 代码状态 filter). A valid code already used by
another organisation is refused.

Permissions: the system (`actor=None`), a system administrator, or a bureau officer whose region
covers the organisation's region. An organisation's own admin may attach and detach its teachers.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from jineng.audit.services import audit_record
from jineng.identity.access import scope_of
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, Role
from jineng.organisations.models import (
    Organisation,
    OrgKind,
    Ownership,
    Teacher,
    TeacherKind,
    UsccStatus,
)
from jineng.reference.models import Region

if TYPE_CHECKING:
    from jineng.identity.models import User

_DENIED = "无权执行此操作"
USCC_MAX_LENGTH = 40
EXTRA_FIELDS = (
    "designated_training",
    "designated_from",
    "designated_to",
    "self_evaluation_filed",
    "self_evaluation_filed_on",
)
UPDATABLE_FIELDS = ("kind", "name", "uscc", "region", "ownership", *EXTRA_FIELDS)
# Kinds that may hold the designated-training qualification (定点培训资质) and employ teachers.
TRAINING_KINDS = frozenset(
    {OrgKind.TRAINING_INSTITUTION, OrgKind.COLLEGE, OrgKind.ENTERPRISE, OrgKind.EVALUATION_ORG}
)
# Self-evaluation filing (自主评价备案) and the dossier code it appends.
SELF_EVALUATION_CODES = {
    OrgKind.ENTERPRISE: "enterprise_self_evaluation",
    OrgKind.EVALUATION_ORG: "social_evaluation_org",
}


def organisation_snapshot(organisation: Organisation) -> dict[str, Any]:
    return {
        "kind": organisation.kind,
        "name": organisation.name,
        "uscc": organisation.uscc,
        "uscc_status": organisation.uscc_status,
        "uscc_review_reason": organisation.uscc_review_reason,
        "region": organisation.region_id,
        "ownership": organisation.ownership,
        "designated_training": organisation.designated_training,
        "designated_from": organisation.designated_from,
        "designated_to": organisation.designated_to,
        "self_evaluation_filed": organisation.self_evaluation_filed,
        "self_evaluation_filed_on": organisation.self_evaluation_filed_on,
    }


# --- checks -----------------------------------------------------------------------------------


def check_uscc(value: str) -> tuple[str, str, str]:
    """(normalised code, status, reason to review). Empty → missing; failing GB 32100 → held."""
    from jineng.identity.validators import IdentifierError, validate_uscc

    code = "".join((value or "").split()).upper()
    if not code:
        return "", UsccStatus.MISSING, ""
    if len(code) > USCC_MAX_LENGTH:
        raise ValidationFailed("uscc", f"统一社会信用代码过长（{len(code)}位），无法保存", code)
    try:
        return validate_uscc(code), UsccStatus.VALID, ""
    except IdentifierError as exc:
        return code, UsccStatus.HELD, str(exc)


def _kind(value: str) -> str:
    if value not in OrgKind.values:
        raise ValidationFailed("kind", f"未知的机构类型：{value}", value)
    return value


def _name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed("name", "机构名称不能为空")
    if len(name) > 200:
        raise ValidationFailed("name", "机构名称不能超过200个字符", name)
    return name


def _region(value: Region | str | None) -> Region:
    if isinstance(value, Region):
        return value
    code = str(value or "").strip()
    if not code:
        raise ValidationFailed("region", "请填写所在地行政区划代码")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed("region", f"未知的行政区划代码：{code}", code)
    return region


def _ownership(value: str) -> str:
    if value and value not in Ownership.values:
        raise ValidationFailed("ownership", f"未知的机构性质：{value}", value)
    return value or ""


def _check_designation(organisation: Organisation) -> None:
    if not organisation.designated_training:
        return
    if organisation.kind not in TRAINING_KINDS:
        raise ValidationFailed("designated_training", "该类型机构不能取得定点培训资质")
    start, end = organisation.designated_from, organisation.designated_to
    if start is None:
        raise ValidationFailed("designated_from", "请填写定点培训资质的起始日期")
    if end is not None and end < start:
        raise ValidationFailed("designated_to", "资质截止日期不能早于起始日期", end.isoformat())


def _check_unique_uscc(organisation: Organisation) -> None:
    if organisation.uscc_status != UsccStatus.VALID:
        return
    other = (
        Organisation.objects.filter(uscc=organisation.uscc, uscc_status=UsccStatus.VALID)
        .exclude(pk=organisation.pk)
        .first()
    )
    if other is not None:
        raise ValidationFailed("uscc", f"统一社会信用代码已被“{other.name}”使用", organisation.uscc)


def _save(organisation: Organisation) -> None:
    _check_unique_uscc(organisation)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:  # a concurrent writer took the code between check and insert
        raise ValidationFailed(
            "uscc", "统一社会信用代码已被其他机构使用", organisation.uscc
        ) from None


def _can_manage(actor: User | None, region_code: str) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    return scope.is_global or scope.covers_region(region_code, as_bureau=True)


def _require_manage(actor: User | None, region_code: str) -> None:
    if not _can_manage(actor, region_code):
        raise PermissionDenied(_DENIED)


# --- organisations ----------------------------------------------------------------------------


def organisation_check(
    *,
    kind: str,
    name: str,
    uscc: str = "",
    region: Region | str,
    ownership: str = "",
    exclude_pk: int | None = None,
    **extra: Any,
) -> Organisation:
    """Validate without writing: an unsaved Organisation, or ValidationFailed naming the field.
    Forms call it to show errors beside the field; the services call it before writing."""
    unknown = sorted(set(extra) - set(EXTRA_FIELDS))
    if unknown:
        raise ValidationFailed(unknown[0], f"未知的字段：{unknown[0]}")
    code, status, reason = check_uscc(uscc)
    organisation = Organisation(
        kind=_kind(kind),
        name=_name(name),
        uscc=code,
        uscc_status=status,
        uscc_review_reason=reason,
        region=_region(region),
        ownership=_ownership(ownership),
        **extra,
    )
    organisation.pk = exclude_pk
    _check_designation(organisation)
    _check_unique_uscc(organisation)
    return organisation


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    uscc: str = "",
    region: Region | str,
    ownership: str = "",
    **extra: Any,
) -> Organisation:
    """Register an organisation. `extra`: designated_training, designated_from, designated_to,
    self_evaluation_filed, self_evaluation_filed_on."""
    organisation = organisation_check(
        kind=kind, name=name, uscc=uscc, region=region, ownership=ownership, **extra
    )
    _require_manage(actor, organisation.region_id)
    _save(organisation)
    audit_record(
        actor=actor,
        action="create",
        object_type="organisation",
        object_id=organisation.pk,
        after=organisation_snapshot(organisation),
        reason=organisation.uscc_review_reason and f"代码待核验：{organisation.uscc_review_reason}",
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: User | None, organisation: Organisation, **fields: Any
) -> Organisation:
    """Change some fields (names as in organisation_create). A new uscc is checked again: a
    corrected code clears the hold. Returns the same object, refreshed and updated."""
    unknown = sorted(set(fields) - set(UPDATABLE_FIELDS))
    if unknown:
        raise ValidationFailed(unknown[0], f"不能通过此操作修改字段：{unknown[0]}")
    Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()
    organisation.refresh_from_db()
    _require_manage(actor, organisation.region_id)
    before = organisation_snapshot(organisation)
    current = {f: getattr(organisation, f) for f in UPDATABLE_FIELDS if f != "region"}
    merged = {**current, "region": organisation.region_id, **fields}
    checked = organisation_check(exclude_pk=organisation.pk, **merged)
    _require_manage(actor, checked.region_id)  # moving it into a region is a write there too
    for field in (*UPDATABLE_FIELDS, "uscc_status", "uscc_review_reason"):
        setattr(organisation, field, getattr(checked, field))
    after = organisation_snapshot(organisation)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return organisation
    _save(organisation)
    audit_record(
        actor=actor,
        action="update",
        object_type="organisation",
        object_id=organisation.pk,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return organisation


def organisation_designate(
    *,
    actor: User | None,
    organisation: Organisation,
    valid_from: dt.date,
    valid_to: dt.date | None,
) -> Organisation:
    """Grant (or renew) the designated-training qualification for [valid_from, valid_to]."""
    return organisation_update(
        actor=actor,
        organisation=organisation,
        designated_training=True,
        designated_from=valid_from,
        designated_to=valid_to,
    )


def organisation_undesignate(
    *, actor: User | None, organisation: Organisation, valid_to: dt.date
) -> Organisation:
    """End the qualification on `valid_to` (kept as history: is_designated_on answers for the past)."""
    return organisation_update(actor=actor, organisation=organisation, designated_to=valid_to)


# --- teachers ---------------------------------------------------------------------------------


def _can_manage_teachers(actor: User | None, organisation: Organisation) -> bool:
    if _can_manage(actor, organisation.region_id):
        return True
    assert actor is not None
    return Role.ORG_ADMIN in scope_of(actor).roles_at(organisation.pk)


def teacher_snapshot(teacher: Teacher) -> dict[str, Any]:
    return {
        "person": teacher.person_id,
        "organisation": teacher.organisation_id,
        "kind": teacher.kind,
        "subject": teacher.subject,
        "start": teacher.start,
        "end": teacher.end,
    }


@transaction.atomic
def teacher_attach(
    *,
    actor: User | None,
    organisation: Organisation,
    person: Person,
    kind: str,
    subject: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Teacher:
    """Attach a person to an institution as a full-time (专职) or part-time (兼职) teacher."""
    if not _can_manage_teachers(actor, organisation):
        raise PermissionDenied(_DENIED)
    if kind not in TeacherKind.values:
        raise ValidationFailed("kind", f"未知的专兼职类型：{kind}", kind)
    if organisation.kind not in TRAINING_KINDS:
        raise ValidationFailed("organisation", "该类型机构不聘任教师")
    if start is not None and end is not None and end < start:
        raise ValidationFailed("end", "聘任截止日期不能早于起始日期", end.isoformat())
    if Teacher.objects.filter(person=person, organisation=organisation).exists():
        raise ValidationFailed("person", "该人员已是本机构教师")
    teacher = Teacher(
        person=person,
        organisation=organisation,
        kind=kind,
        subject=(subject or "").strip()[:100],
        start=start,
        end=end,
    )
    try:
        with transaction.atomic():
            teacher.save()
    except IntegrityError:
        raise ValidationFailed("person", "该人员已是本机构教师") from None
    audit_record(
        actor=actor,
        action="create",
        object_type="teacher",
        object_id=teacher.pk,
        after=teacher_snapshot(teacher),
    )
    return teacher


@transaction.atomic
def teacher_detach(*, actor: User | None, teacher: Teacher, end: dt.date) -> Teacher:
    """End a teacher's appointment on `end` (the row stays, as history)."""
    teacher = Teacher.objects.select_for_update().select_related("organisation").get(pk=teacher.pk)
    if not _can_manage_teachers(actor, teacher.organisation):
        raise PermissionDenied(_DENIED)
    if teacher.start is not None and end < teacher.start:
        raise ValidationFailed("end", "聘任截止日期不能早于起始日期", end.isoformat())
    before = teacher.end
    teacher.end = end
    teacher.save(update_fields=["end"])
    audit_record(
        actor=actor,
        action="update",
        object_type="teacher",
        object_id=teacher.pk,
        before={"end": before},
        after={"end": end},
    )
    return teacher
