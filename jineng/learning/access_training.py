"""Who sees which training records, vouchers and voucher batches (issue 8 §6, §7).

- a worker: their own records and vouchers;
- organisation staff: the records of people they reach (jineng.identity.access.people_q) and the
  records their institution issued; the vouchers verified at their institution;
- bureau officers and auditors: people living under their region, and the batches issued there;
- a system administrator: everything.
Out of scope answers 404, never 403, so an id cannot be probed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from jineng.core.regioncodes import region_prefix
from jineng.identity.access import Scope, people_q, resolve_scope, to_pk
from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Person, Role
from jineng.learning.models import TrainingRecord, TrainingVoucher, VoucherBatch
from jineng.organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jineng.identity.models import User

# Organisation roles that verify a voucher at enrolment and record a completion.
INSTITUTION_ROLES = frozenset({Role.ORG_ADMIN, Role.TEACHER, Role.ORG_HR})
# Bureau roles that issue and cancel vouchers (in their own region).
VOUCHER_BUREAU_ROLES = frozenset(BUREAU_ROLES)
# Who reads the bureau's voucher and ledger pages (auditors read only).
VOUCHER_READ_ROLES = frozenset(BUREAU_ROLES | {Role.AUDITOR, Role.SYSADMIN})
assert ORG_ROLES >= INSTITUTION_ROLES


def _institutions(scope: Scope) -> list[int]:
    return [o for o in scope.organisation_ids if scope.roles_at(o) & INSTITUTION_ROLES]


def training_records_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[TrainingRecord]:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return TrainingRecord.objects.all()
    parts: list[Q] = []
    people = people_q(scope)
    if people is not None:
        parts.append(Q(person_id__in=Person.objects.filter(people).values("pk")))
    institutions = _institutions(scope)
    if institutions:
        parts.append(Q(institution_id__in=institutions))
    if not parts:
        return TrainingRecord.objects.none()
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return TrainingRecord.objects.filter(q)


def access_training_record_by_id(
    user: User | AnonymousUser | None, record_id: int | str, *, scope: Scope | None = None
) -> TrainingRecord:
    record = (
        training_records_visible_to(user, scope=scope)
        .select_related("person", "occupation", "institution")
        .filter(pk=to_pk(record_id))
        .first()
    )
    if record is None:
        raise Http404("培训记录不存在或不在您的查看范围内")
    return record


def vouchers_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[TrainingVoucher]:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return TrainingVoucher.objects.all()
    parts: list[Q] = []
    if scope.person_id is not None:
        parts.append(Q(person_id=scope.person_id))
    institutions = _institutions(scope)
    if institutions:
        parts.append(Q(verified_institution_id__in=institutions))
    parts.extend(Q(person__residence_region__code__startswith=p) for p in scope.region_prefixes)
    if not parts:
        return TrainingVoucher.objects.none()
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return TrainingVoucher.objects.filter(q)


def access_voucher_by_id(
    user: User | AnonymousUser | None, voucher_id: int | str, *, scope: Scope | None = None
) -> TrainingVoucher:
    voucher = (
        vouchers_visible_to(user, scope=scope)
        .select_related("person", "batch")
        .filter(pk=to_pk(voucher_id))
        .first()
    )
    if voucher is None:
        raise Http404("培训券不存在或不在您的查看范围内")
    return voucher


def can_verify_vouchers(scope: Scope) -> bool:
    """Staff of an institution (or a system administrator) may look a voucher up by its code."""
    return scope.is_global or bool(_institutions(scope))


def verifying_institutions(scope: Scope) -> list[int]:
    """The organisations at which `scope` verifies vouchers (its staff roles)."""
    return _institutions(scope)


def voucher_by_code(scope: Scope, code: str) -> TrainingVoucher | None:
    """The voucher a holder shows at an institution, found by its code (the code is what the holder
    hands over: the QR or the typed number). Only for institution staff, and only a voucher usable
    at one of their institutions — issued by the bureau of a region the institution lies in, and
    claimed (or verified there). Anything else is None, the same as an unknown code."""
    if not can_verify_vouchers(scope):
        return None
    code = "".join(code.split()).upper()
    if not code or len(code) > 16:
        return None
    voucher = (
        TrainingVoucher.objects.select_related("person", "batch", "verified_institution")
        .filter(code=code, status__in=["claimed", "verified"])
        .first()
    )
    if voucher is None or scope.is_global:
        return voucher
    institutions = _institutions(scope)
    if voucher.status == "verified":
        return voucher if voucher.verified_institution_id in institutions else None
    prefix = region_prefix(voucher.batch.region_id)
    regions = Organisation.objects.filter(pk__in=institutions).values_list("region_id", flat=True)
    return voucher if any((r or "").startswith(prefix) for r in regions) else None


def voucher_batches_visible_to(
    user: User | AnonymousUser | None, *, scope: Scope | None = None
) -> QuerySet[VoucherBatch]:
    scope = resolve_scope(user, scope)
    if scope.is_global:
        return VoucherBatch.objects.all()
    if not scope.roles & VOUCHER_READ_ROLES or not scope.region_prefixes:
        return VoucherBatch.objects.none()
    q = Q(region__code__startswith=scope.region_prefixes[0])
    for prefix in scope.region_prefixes[1:]:
        q |= Q(region__code__startswith=prefix)
    return VoucherBatch.objects.filter(q)


def access_voucher_batch_by_id(
    user: User | AnonymousUser | None, batch_id: int | str, *, scope: Scope | None = None
) -> VoucherBatch:
    batch = (
        voucher_batches_visible_to(user, scope=scope)
        .select_related("region")
        .filter(pk=to_pk(batch_id))
        .first()
    )
    if batch is None:
        raise Http404("发放批次不存在或不在您的查看范围内")
    return batch
