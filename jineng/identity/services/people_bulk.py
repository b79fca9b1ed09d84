"""The bulk twin of person_create (imports and seeding): many people, each with their current job.

The same checks as one person at a time (name, identity document with birth date and sex derived,
phone, bank account, regions, education, insurance date), then one `bulk_create` per table and one
audit entry per record through `audit_record_batch` (values masked). Numbers are encrypted and
blind-indexed as `Person.save` does, because `bulk_create` does not call it.

Duplicates within the batch are refused here (naming both records). Duplicates against the
database are the caller's to report row by row before writing (the import does, one blind-index
query per chunk); one that slips through (a concurrent writer) is refused by the unique constraint
as an IntegrityError, rolling back the whole batch.

Permission: whoever may create a person (system administrator, bureau officer, organisation admin
or HR) may register them with their current job; organisation staff only at one of their own
organisations (the import's rule, `jineng.imports.access`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jineng.audit.services import audit_record_batch
from jineng.identity.access import scope_of
from jineng.identity.crypto import blind_index
from jineng.identity.documents import parse_document
from jineng.identity.errors import ValidationFailed
from jineng.identity.masking import mask_id_number
from jineng.identity.models import Employment, IdType, Person, Role, User, organisation_model
from jineng.identity.services._common import DENIED
from jineng.identity.services.employment import employment_snapshot
from jineng.identity.services.people import (
    _bank_account,
    _education,
    _insured_since,
    _name,
    _phone,
    person_snapshot,
)
from jineng.reference.models import Occupation, Region

if TYPE_CHECKING:
    from jineng.organisations.models import Organisation

BATCH_SIZE = 1000
_ORG_STAFF = frozenset({Role.ORG_ADMIN, Role.ORG_HR})


@dataclass(frozen=True)
class NewEmployment:
    """A person's current job, as registered with them. `region`: the work place (a region
    code); empty → the employer's region."""

    start: dt.date
    employer_id: int | None = None
    employer_name: str = ""
    occupation: str | None = None  # 职业编码, 2022 classification
    region: str | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class NewPerson:
    """One person to register (field names as in person_create; regions as codes)."""

    name: str
    id_number: str
    id_type: str = IdType.RESIDENT
    phone: str = ""
    bank_account: str = ""
    hukou_region: str | None = None
    residence_region: str | None = None
    education: str = ""
    insured: bool = False
    insured_since: dt.date | None = None
    employment: NewEmployment | None = None


def _in_record(number: int, exc: ValidationFailed) -> ValidationFailed:
    return ValidationFailed(exc.field, f"第{number}条记录：{exc.message}", exc.value)


def _known(model: type[Region] | type[Occupation], codes: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(codes)
    for start in range(0, len(ordered), BATCH_SIZE):
        chunk = ordered[start : start + BATCH_SIZE]
        found.update(model.objects.filter(code__in=chunk).values_list("code", flat=True))
    return found


def _employers(ids: set[int]) -> dict[int, Organisation]:
    found: dict[int, Organisation] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH_SIZE):
        chunk = ordered[start : start + BATCH_SIZE]
        found.update(
            (o.pk, o)
            for o in organisation_model().objects.filter(pk__in=chunk).only("id", "name", "region")
        )
    return found


def _staff_organisations(actor: User | None) -> frozenset[int] | None:
    """None: the actor may register people with any employer; else the organisations they may
    name. PermissionDenied when they may not create people at all (as person_create)."""
    if actor is None:
        return None
    scope = scope_of(actor)
    if scope.is_global or scope.bureau_region_prefixes:
        return None
    own = frozenset(org for org, roles in scope.organisation_roles.items() if roles & _ORG_STAFF)
    if not own:
        raise PermissionDenied(DENIED)
    return own


def _build_person(number: int, row: NewPerson) -> Person:
    try:
        document = parse_document(row.id_type, row.id_number)
        return Person(
            name=_name(row.name),
            id_type=document.id_type,
            id_number=document.number,
            id_number_index=blind_index(document.number),
            birth_date=document.birth_date,
            sex=document.sex,
            phone=(phone := _phone(row.phone)),
            phone_index=blind_index(phone) if phone else "",
            bank_account=(account := _bank_account(row.bank_account)),
            bank_account_index=blind_index(account) if account else "",
            hukou_region_id=row.hukou_region or None,
            residence_region_id=row.residence_region or None,
            education=_education(row.education),
            insured=bool(row.insured),
            insured_since=_insured_since(row.insured_since),
        )
    except ValidationFailed as exc:
        raise _in_record(number, exc) from None


def _build_employment(
    number: int,
    person: Person,
    job: NewEmployment,
    employers: dict[int, Organisation],
    own: frozenset[int] | None,
) -> Employment:
    employer = employers.get(job.employer_id) if job.employer_id is not None else None
    if job.employer_id is not None and employer is None:
        raise ValidationFailed(
            "employer", f"第{number}条记录：机构不存在：{job.employer_id}", job.employer_id
        )
    if own is not None and (employer is None or employer.pk not in own):
        raise PermissionDenied(f"第{number}条记录：单位须为您所在的机构")
    if employer is None and not job.employer_name.strip():
        raise ValidationFailed("employer", f"第{number}条记录：请填写用人单位")
    if job.end is not None and job.end < job.start:
        raise ValidationFailed(
            "end", f"第{number}条记录：终止日期不能早于起始日期", job.end.isoformat()
        )
    return Employment(
        person=person,
        employer=employer,
        employer_name=job.employer_name.strip() or (employer.name if employer else ""),
        occupation_id=job.occupation or None,
        region_id=job.region or (employer.region_id if employer else None),
        start=job.start,
        end=job.end,
    )


def _check_codes(rows: Sequence[NewPerson]) -> None:
    regions: set[str] = set()
    occupations: set[str] = set()
    for row in rows:
        regions.update(c for c in (row.hukou_region, row.residence_region) if c)
        if row.employment is not None:
            regions.update([row.employment.region] if row.employment.region else [])
            occupations.update([row.employment.occupation] if row.employment.occupation else [])
    known_regions = _known(Region, regions)
    known_occupations = _known(Occupation, occupations)
    for number, row in enumerate(rows, start=1):
        job = row.employment
        for field, code in (
            ("hukou_region", row.hukou_region),
            ("residence_region", row.residence_region),
            ("region", job.region if job else None),
        ):
            if code and code not in known_regions:
                raise ValidationFailed(field, f"第{number}条记录：未知的行政区划代码：{code}", code)
        if job is not None and job.occupation and job.occupation not in known_occupations:
            raise ValidationFailed(
                "occupation",
                f"第{number}条记录：未知的职业编码：{job.occupation}",
                job.occupation,
            )


@transaction.atomic
def people_bulk_create(
    *, actor: User | None, rows: Sequence[NewPerson], reason: str = ""
) -> list[Person]:
    """Register every row (all or nothing) and audit each person and employment (`create`,
    `reason` on every entry). Returns the people in the order of `rows`. Raises ValidationFailed
    naming the record (第N条, from 1) and the field, PermissionDenied as person_create does."""
    own = _staff_organisations(actor)
    people = [_build_person(number, row) for number, row in enumerate(rows, start=1)]
    first: dict[tuple[str, str], int] = {}
    for number, person in enumerate(people, start=1):
        key = (person.id_type, person.id_number_index)
        if key in first:
            raise ValidationFailed(
                "id_number",
                f"第{number}条记录：与第{first[key]}条记录证件号码重复",
                mask_id_number(person.id_number),
            )
        first[key] = number
    _check_codes(rows)
    employers = _employers(
        {r.employment.employer_id for r in rows if r.employment and r.employment.employer_id}
    )
    employments = [
        _build_employment(number, person, row.employment, employers, own)
        for number, (person, row) in enumerate(zip(people, rows, strict=True), start=1)
        if row.employment is not None
    ]
    Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
    audit_record_batch(
        actor=actor,
        action="create",
        object_type="person",
        rows=[(p.pk, None, person_snapshot(p)) for p in people],
        reason=reason,
    )
    for employment in employments:
        employment.person_id = employment.person.pk  # assigned by bulk_create above
    Employment.objects.bulk_create(employments, batch_size=BATCH_SIZE)
    audit_record_batch(
        actor=actor,
        action="create",
        object_type="employment",
        rows=[(e.pk, None, employment_snapshot(e)) for e in employments],
        reason=reason,
    )
    return people
