"""Every write to people, accounts and roles; each one audited with masked values.

Permissions (checked before anything is written; `actor=None` is the system itself — imports,
seeding, migrations):
- create a person: system administrator, bureau officer, organisation admin or HR;
- update a person: system administrator; bureau officer whose region covers the person's
  residence; organisation admin or HR for a person they can see (not their identity document);
  the person themself for phone, bank account and education;
- reveal a sensitive field: see `jineng.identity.access.can_reveal_person`;
- grant or revoke a role: system administrator; an organisation admin for teacher, assessor and HR
  roles at their own organisation.
The auditor never writes. `actor=None` has every permission: pages and API endpoints always pass
the logged-in user, never None.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.identity.access import can_reveal_person, people_visible_to, scope_of
from jineng.identity.crypto import blind_index
from jineng.identity.documents import (
    normalise_bank_account,
    normalise_number,
    normalise_phone,
    parse_document,
)
from jineng.identity.errors import ValidationFailed
from jineng.identity.masking import mask_bank_account, mask_id_number, mask_phone
from jineng.identity.models import (
    BUREAU_ROLES,
    ORG_ROLES,
    Education,
    Employment,
    IdType,
    Person,
    Role,
    RoleAssignment,
    User,
)
from jineng.organisations.models import Organisation
from jineng.reference.models import Occupation, Region

RevealableField = Literal["id_number", "phone", "bank_account"]
REVEALABLE_FIELDS: tuple[str, ...] = ("id_number", "phone", "bank_account")
PERSON_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "phone",
    "bank_account",
    "hukou_region",
    "residence_region",
    "education",
    "insured",
    "insured_since",
)
SELF_SERVICE_FIELDS = frozenset({"phone", "bank_account", "education"})
DOCUMENT_FIELDS = frozenset({"id_type", "id_number"})
ORG_GRANTABLE_ROLES = frozenset({Role.TEACHER, Role.ASSESSOR, Role.ORG_HR})

_DENIED = "无权执行此操作"


# --- snapshots for the audit trail (always masked) ---------------------------------------------


def person_snapshot(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": mask_id_number(person.id_number),
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "sex": person.sex,
        "phone": mask_phone(person.phone),
        "bank_account": mask_bank_account(person.bank_account),
        "hukou_region": person.hukou_region_id,
        "residence_region": person.residence_region_id,
        "education": person.education,
        "insured": person.insured,
        "insured_since": person.insured_since.isoformat() if person.insured_since else None,
    }


# --- input cleaning ---------------------------------------------------------------------------


def _region(field: str, value: Region | str | None) -> Region | None:
    if value is None or value == "":
        return None
    if isinstance(value, Region):
        return value
    code = str(value).strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed(field, f"未知的行政区划代码：{code}", code)
    return region


def _name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed("name", "姓名不能为空")
    if len(name) > 64:
        raise ValidationFailed("name", "姓名不能超过64个字符", name)
    return name


def _education(value: str) -> str:
    if value and value not in Education.values:
        raise ValidationFailed("education", f"未知的学历代码：{value}", value)
    return value or ""


def _insured_since(value: dt.date | None) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise ValidationFailed("insured_since", "参保起始日期不能晚于今天", value.isoformat())
    return value


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except ValidationFailed as exc:
        raise ValidationFailed("phone", exc.message, mask_phone(value)) from None


def _bank_account(value: str) -> str:
    try:
        return normalise_bank_account(value)
    except ValidationFailed as exc:
        raise ValidationFailed("bank_account", exc.message, mask_bank_account(value)) from None


def _duplicate_document(id_type: str, number: str, *, exclude_pk: int | None = None) -> bool:
    qs = Person.objects.filter(id_type=id_type, id_number_index=blind_index(number))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _save_person(person: Person) -> None:
    # The unique (id_type, id_number_index) constraint settles a race the lookup above missed.
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationFailed(
            "id_number", "该证件号码已登记", mask_id_number(person.id_number)
        ) from None


# --- permissions ------------------------------------------------------------------------------


def _can_create_person(actor: User | None) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_global or scope.bureau_region_prefixes:
        return True
    return any(roles & {Role.ORG_ADMIN, Role.ORG_HR} for roles in scope.organisation_roles.values())


def _can_update_person(actor: User | None, person: Person, fields: set[str]) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_global or scope.covers_region(person.residence_region_id, as_bureau=True):
        return True
    if scope.read_only:
        return False
    if scope.person_id == person.pk and fields <= SELF_SERVICE_FIELDS:
        return True
    org_staff = any(
        roles & {Role.ORG_ADMIN, Role.ORG_HR} for roles in scope.organisation_roles.values()
    )
    return (
        org_staff
        and not fields & DOCUMENT_FIELDS
        and people_visible_to(actor).filter(pk=person.pk).exists()
    )


# --- people -----------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: User | None,
    name: str,
    id_type: str = IdType.RESIDENT,
    id_number: str,
    phone: str = "",
    bank_account: str = "",
    hukou_region: Region | str | None = None,
    residence_region: Region | str | None = None,
    education: str = "",
    insured: bool = False,
    insured_since: dt.date | None = None,
) -> Person:
    """Register a real-name person. Birth date and sex come from the ID number where it has them."""
    if not _can_create_person(actor):
        raise PermissionDenied(_DENIED)
    document = parse_document(id_type, id_number)
    person = Person(
        name=_name(name),
        id_type=document.id_type,
        id_number=document.number,
        birth_date=document.birth_date,
        sex=document.sex,
        phone=_phone(phone),
        bank_account=_bank_account(bank_account),
        hukou_region=_region("hukou_region", hukou_region),
        residence_region=_region("residence_region", residence_region),
        education=_education(education),
        insured=bool(insured),
        insured_since=_insured_since(insured_since),
    )
    if _duplicate_document(document.id_type, document.number):
        raise ValidationFailed("id_number", "该证件号码已登记", mask_id_number(document.number))
    _save_person(person)
    audit_record(
        actor=actor,
        action="create",
        object_type="person",
        object_id=person.pk,
        after=person_snapshot(person),
    )
    return person


@transaction.atomic
def person_update(*, actor: User | None, person: Person, **fields: Any) -> Person:
    """Change some of a person's fields (names as in person_create). Returns the same object,
    refreshed from the database and updated; nothing is written (or audited) if nothing changed."""
    unknown = sorted(set(fields) - set(PERSON_FIELDS))
    if unknown:
        raise ValidationFailed(unknown[0], f"不能通过此操作修改字段：{unknown[0]}")
    Person.objects.select_for_update().filter(pk=person.pk).exists()  # lock the row first
    person.refresh_from_db()
    if not _can_update_person(actor, person, set(fields)):
        raise PermissionDenied(_DENIED)

    before = person_snapshot(person)
    raw_before = {f: getattr(person, f + ("_id" if f.endswith("region") else "")) for f in fields}
    if "name" in fields:
        person.name = _name(fields["name"])
    if DOCUMENT_FIELDS & set(fields):
        document = parse_document(
            fields.get("id_type", person.id_type), fields.get("id_number", person.id_number)
        )
        if _duplicate_document(document.id_type, document.number, exclude_pk=person.pk):
            raise ValidationFailed("id_number", "该证件号码已登记", mask_id_number(document.number))
        person.id_type, person.id_number = document.id_type, document.number
        person.birth_date, person.sex = document.birth_date, document.sex
    if "phone" in fields:
        person.phone = _phone(fields["phone"])
    if "bank_account" in fields:
        person.bank_account = _bank_account(fields["bank_account"])
    for region_field in ("hukou_region", "residence_region"):
        if region_field in fields:
            setattr(person, region_field, _region(region_field, fields[region_field]))
    if "education" in fields:
        person.education = _education(fields["education"])
    if "insured" in fields:
        person.insured = bool(fields["insured"])
    if "insured_since" in fields:
        person.insured_since = _insured_since(fields["insured_since"])

    raw_after = {f: getattr(person, f + ("_id" if f.endswith("region") else "")) for f in fields}
    changed = [f for f in fields if raw_before[f] != raw_after[f]]
    if not changed:
        return person
    _save_person(person)
    after = person_snapshot(person)
    keys = set(changed) | ({"birth_date", "sex"} & {k for k in after if before[k] != after[k]})
    audit_record(
        actor=actor,
        action="update",
        object_type="person",
        object_id=person.pk,
        before={k: before[k] for k in sorted(keys)},
        after={k: after[k] for k in sorted(keys)},
    )
    return person


def person_find_by_document(*, id_number: str, id_type: str = IdType.RESIDENT) -> Person | None:
    """Exact lookup through the blind index (no decryption, no scan). Not scoped: callers pass the
    result through an access helper before showing it."""
    number = normalise_number(id_number or "")
    if not number:
        return None
    return Person.objects.filter(id_type=id_type, id_number_index=blind_index(number)).first()


def people_find_by_number(*, id_number: str) -> list[Person]:
    """People holding this number under any document type (a search box does not ask the type)."""
    number = normalise_number(id_number or "")
    if not number:
        return []
    return list(Person.objects.filter(id_number_index=blind_index(number)).order_by("pk"))


@transaction.atomic
def person_reveal(
    *,
    actor: User,
    person: Person,
    field: RevealableField,
    reason: str = "",
) -> str:
    """The plaintext of one sensitive field, for an actor allowed to see it; always audited."""
    if field not in REVEALABLE_FIELDS:
        raise ValidationFailed("field", f"不能查看该字段：{field}", field)
    if not can_reveal_person(actor, person):
        raise PermissionDenied("无权查看该人员的完整信息")
    value: str = Person.objects.values_list(field, flat=True).get(pk=person.pk) or ""
    audit_record(
        actor=actor,
        action="reveal",
        object_type="person",
        object_id=person.pk,
        after={"field": field},
        reason=reason,
    )
    return value


# --- employment history -----------------------------------------------------------------------


def _can_record_employment(
    actor: User | None, person: Person, employer: Organisation | None
) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_global or scope.covers_region(person.residence_region_id, as_bureau=True):
        return True
    return employer is not None and bool(
        scope.roles_at(employer.pk) & {Role.ORG_ADMIN, Role.ORG_HR}
    )


def employment_snapshot(employment: Employment) -> dict[str, Any]:
    return {
        "person": employment.person_id,
        "employer": employment.employer_id,
        "employer_name": employment.employer_name,
        "occupation": employment.occupation_id,
        "region": employment.region_id,
        "start": employment.start.isoformat(),
        "end": employment.end.isoformat() if employment.end else None,
    }


@transaction.atomic
def employment_record(
    *,
    actor: User | None,
    person: Person,
    start: dt.date,
    employer: Organisation | None = None,
    employer_name: str = "",
    occupation: Occupation | str | None = None,
    region: Region | str | None = None,
    end: dt.date | None = None,
) -> Employment:
    """Add one entry to a person's employment history (employer, occupation, from–to)."""
    if not _can_record_employment(actor, person, employer):
        raise PermissionDenied(_DENIED)
    if employer is None and not employer_name.strip():
        raise ValidationFailed("employer", "请填写用人单位")
    if end is not None and end < start:
        raise ValidationFailed("end", "终止日期不能早于起始日期", end.isoformat())
    if isinstance(occupation, str) and occupation:
        found = Occupation.objects.filter(code=occupation).first()
        if found is None:
            raise ValidationFailed("occupation", f"未知的职业编码：{occupation}", occupation)
        occupation = found
    employment = Employment.objects.create(
        person=person,
        employer=employer,
        employer_name=employer_name.strip() or (employer.name if employer else ""),
        occupation=occupation or None,
        region=_region("region", region) or (employer.region if employer else None),
        start=start,
        end=end,
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="employment",
        object_id=employment.pk,
        after=employment_snapshot(employment),
    )
    return employment


@transaction.atomic
def employment_end(*, actor: User | None, employment: Employment, end: dt.date) -> Employment:
    employment = (
        Employment.objects.select_for_update().select_related("person").get(pk=employment.pk)
    )
    if not _can_record_employment(actor, employment.person, employment.employer):
        raise PermissionDenied(_DENIED)
    if end < employment.start:
        raise ValidationFailed("end", "终止日期不能早于起始日期", end.isoformat())
    before = employment_snapshot(employment)
    employment.end = end
    employment.save(update_fields=["end"])
    audit_record(
        actor=actor,
        action="update",
        object_type="employment",
        object_id=employment.pk,
        before={"end": before["end"]},
        after={"end": end.isoformat()},
    )
    return employment


# --- accounts and roles -----------------------------------------------------------------------


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    person: Person | None = None,
    display_name: str = "",
) -> User:
    """An account; the password must pass AUTH_PASSWORD_VALIDATORS (at least 12 characters…).
    `password=None` makes an account that cannot log in with a password."""
    if actor is not None and not scope_of(actor).is_global:
        raise PermissionDenied(_DENIED)
    username = username.strip()
    if not username:
        raise ValidationFailed("username", "用户名不能为空")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed("username", "用户名已被使用", username)
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationFailed("person", "该人员已有账号")
    user = User(username=username, person=person, display_name=display_name)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationFailed("password", "；".join(exc.messages)) from None
        user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.pk,
        after={"username": username, "person": person.pk if person else None},
    )
    return user


def _organisation(value: Organisation | int | None) -> Organisation | None:
    if value is None or isinstance(value, Organisation):
        return value
    organisation = Organisation.objects.filter(pk=value).first()
    if organisation is None:
        raise ValidationFailed("organisation", f"机构不存在：{value}", value)
    return organisation


def check_role_target(role: str, organisation: Organisation | None, region: Region | None) -> None:
    if role not in Role.values:
        raise ValidationFailed("role", f"未知的角色：{role}", role)
    if role in ORG_ROLES:
        if organisation is None:
            raise ValidationFailed("organisation", "机构角色必须指定所属机构")
        if region is not None:
            raise ValidationFailed("region", "机构角色不按区域授权")
    elif role in BUREAU_ROLES or role == Role.AUDITOR:
        if region is None:
            raise ValidationFailed("region", "人社局和审计角色必须指定管辖区域")
        if organisation is not None:
            raise ValidationFailed("organisation", "人社局和审计角色不按机构授权")
    elif organisation is not None or region is not None:
        raise ValidationFailed("role", "该角色不指定机构或区域")


def _can_manage_role(actor: User | None, role: str, organisation: Organisation | None) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_global:
        return True
    return (
        role in ORG_GRANTABLE_ROLES
        and organisation is not None
        and Role.ORG_ADMIN in scope.roles_at(organisation.pk)
    )


def _role_after(
    role: str, organisation: Organisation | None, region: Region | None
) -> dict[str, Any]:
    return {
        "role": role,
        "organisation": organisation.pk if organisation else None,
        "region": region.code if region else None,
    }


def _sync_staff_flags(user: User) -> None:
    # The Django admin is the system administrators' back office.
    is_admin = user.roles.filter(role=Role.SYSADMIN).exists()
    if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def role_grant(
    *,
    actor: User | None,
    user: User,
    role: str,
    organisation: Organisation | int | None = None,
    region: Region | str | None = None,
) -> RoleAssignment:
    """Give `user` a role, scoped to an organisation (org roles) or a region (bureau, auditor).
    Granting a role the user already holds returns the existing assignment and records nothing."""
    org = _organisation(organisation)
    reg = _region("region", region)
    check_role_target(role, org, reg)
    if not _can_manage_role(actor, role, org):
        raise PermissionDenied(_DENIED)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=org, region=reg
    )
    if created:
        audit_record(
            actor=actor,
            action="grant",
            object_type="user",
            object_id=user.pk,
            after=_role_after(role, org, reg),
        )
        if role == Role.SYSADMIN:
            _sync_staff_flags(user)
    return assignment


@transaction.atomic
def role_revoke(
    *,
    actor: User | None,
    user: User,
    role: str,
    organisation: Organisation | int | None = None,
    region: Region | str | None = None,
    reason: str = "",
) -> None:
    org = _organisation(organisation)
    reg = _region("region", region)
    if not _can_manage_role(actor, role, org):
        raise PermissionDenied(_DENIED)
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(user=user, role=role, organisation=org, region=reg)
        .first()
    )
    if assignment is None:
        raise ValidationFailed("role", "该账号没有这项角色授权", role)
    assignment.delete()
    audit_record(
        actor=actor,
        action="revoke",
        object_type="user",
        object_id=user.pk,
        before=_role_after(role, org, reg),
        reason=reason,
    )
    if role == Role.SYSADMIN:
        _sync_staff_flags(user)
