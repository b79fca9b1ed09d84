"""The bulk twin of organisation_create, for imports and seeding: the same checks, one
bulk_create and one audit entry per organisation (audit_record_batch), all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jineng.audit.services import audit_record_batch
from jineng.core.bulkload import TableWriter
from jineng.identity.access import scope_of
from jineng.identity.errors import ValidationFailed
from jineng.organisations.models import Organisation, Teacher, UsccStatus
from jineng.organisations.services import (
    SELF_EVALUATION_CODES,
    _kind,
    _name,
    _ownership,
    check_uscc,
    organisation_snapshot,
)
from jineng.reference.models import Region

if TYPE_CHECKING:
    from jineng.identity.models import User

BATCH_SIZE = 1000


@dataclass(frozen=True)
class NewOrganisation:
    """One organisation to register (field names as in organisation_create; region a code)."""

    kind: str
    name: str
    region: str
    uscc: str = ""
    ownership: str = ""
    designated_training: bool = False
    designated_from: dt.date | None = None
    designated_to: dt.date | None = None
    self_evaluation_filed: bool = False
    self_evaluation_filed_on: dt.date | None = None


def _build(number: int, row: NewOrganisation, known_regions: set[str]) -> Organisation:
    try:
        code, status, reason = check_uscc(row.uscc)
        if not row.region:
            raise ValidationFailed("region", "请填写所在地行政区划代码")
        if row.region not in known_regions:
            raise ValidationFailed("region", f"未知的行政区划代码：{row.region}", row.region)
        start, end = row.designated_from, row.designated_to
        if start is not None and end is not None and end < start:
            raise ValidationFailed("designated_to", "资质截止日期不能早于起始日期", end.isoformat())
        kind = _kind(row.kind)
        if row.self_evaluation_filed and kind not in SELF_EVALUATION_CODES:
            raise ValidationFailed(
                "self_evaluation_filed", "只有企业和社会培训评价组织可做评价备案"
            )
        return Organisation(
            kind=kind,
            name=_name(row.name),
            uscc=code,
            uscc_status=status,
            uscc_review_reason=reason[:200],
            region_id=row.region,
            ownership=_ownership(row.ownership),
            designated_training=row.designated_training,
            designated_from=start,
            designated_to=end,
            self_evaluation_filed=row.self_evaluation_filed,
            self_evaluation_filed_on=row.self_evaluation_filed_on,
        )
    except ValidationFailed as exc:
        raise ValidationFailed(exc.field, f"第{number}条记录：{exc.message}", exc.value) from None


@transaction.atomic
def organisations_bulk_create(
    *, actor: User | None, rows: Sequence[NewOrganisation], reason: str = ""
) -> list[Organisation]:
    """The bulk twin of organisation_create (all or nothing, audited `create` each, in the order
    of `rows`). ValidationFailed names the record (第N条) and field; PermissionDenied for a region
    outside the actor's. A held code is kept as one at a time; a valid code twice in the batch is
    refused, one already stored is the caller's to report first (the unique constraint refuses a
    late one: IntegrityError). A designation without a start date is stored as the import gives it."""
    codes = sorted({r.region for r in rows if r.region})
    known: set[str] = set()
    for start in range(0, len(codes), BATCH_SIZE):
        chunk = codes[start : start + BATCH_SIZE]
        known.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
    organisations = [_build(n, row, known) for n, row in enumerate(rows, start=1)]
    scope = None if actor is None else scope_of(actor)
    first: dict[str, int] = {}
    for number, organisation in enumerate(organisations, start=1):
        if scope is not None and not (
            scope.is_global or scope.covers_region(organisation.region_id, as_bureau=True)
        ):
            raise PermissionDenied(f"第{number}条记录：所在地不在您的管辖范围内")
        if organisation.uscc_status != UsccStatus.VALID:
            continue
        if organisation.uscc in first:
            raise ValidationFailed(
                "uscc",
                f"第{number}条记录：与第{first[organisation.uscc]}条记录统一社会信用代码重复",
                organisation.uscc,
            )
        first[organisation.uscc] = number
    Organisation.objects.bulk_create(organisations, batch_size=BATCH_SIZE)
    audit_record_batch(
        actor=actor,
        action="create",
        object_type="organisation",
        rows=[(o.pk, None, organisation_snapshot(o)) for o in organisations],
        reason=reason,
    )
    return organisations


def organisations_loader(columns: Sequence[str]) -> TableWriter:
    """A writer of Organisation rows built elsewhere and already checked (the synthetic city): the
    organisations app's door into its table for volumes beyond `organisations_bulk_create`. A
    USCC row must say its check status, so a failing code is never loaded as valid."""
    if "uscc" in columns and "uscc_status" not in columns:
        raise ValueError("机构批量写入：统一社会信用代码须同时给出校验状态")
    return TableWriter(Organisation, columns)


def teachers_loader(columns: Sequence[str]) -> TableWriter:
    """A writer of Teacher rows (a person teaching at an organisation) built elsewhere."""
    return TableWriter(Teacher, columns)
