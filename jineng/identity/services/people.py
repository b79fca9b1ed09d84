"""People: register, change, find by document and reveal a sensitive field (always audited).

Permissions (see the package docstring): create — system administrator, bureau officer,
organisation admin or HR; update — system administrator, bureau officer covering the person's
residence, organisation admin or HR for a person they can see (not their identity document), the
person themself for phone, bank account and education; reveal — `can_reveal_person`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
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
from jineng.identity.models import Education, IdType, Person, Role, User
from jineng.identity.services._common import DENIED as _DENIED
from jineng.identity.services._common import region_from as _region
from jineng.reference.models import Region

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
