"""Integrity checks before money leaves (issue 10), each one set-based SQL over the claims given
(never row by row through the ORM), producing flags with their evidence:

- duplicate: another live original claim of the same beneficiary for the same item on a trigger
  fact with the same kind, code, level and date (the same certificate recorded twice);
- exclusive: the same person paid (or being paid) for the same occupation and level under another
  item of a group that forbids both (`CLAIMS_EXCLUSIVE_ITEMS`: the skill-upgrade subsidy and the
  training subsidies);
- foreign account: the payee account is not the person's own account on file.

The region-wide checks (repeat level, per year, lower after higher, ghost trainees, shared
account or phone, institution volume) are in services/checks.py; `integrity_check` runs them all.

A flagged claim cannot be approved or paid until an officer clears or upholds the flag with a
reason (`flag_decide`, audited); open flags are their own queue (`claim_flags_visible_to`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from jineng.audit.services import audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import holds_role_for
from jineng.claims.models import (
    CLOSED_STATUSES,
    Claim,
    ClaimFlag,
    ClaimKind,
    ClaimStatus,
    FlagKind,
    FlagStatus,
)
from jineng.claims.services.checks import Finding, region_findings
from jineng.core.errors import DomainError, Forbidden
from jineng.core.states import transition
from jineng.identity.models import Role, User

LIVE = ~Q(status__in=[*CLOSED_STATUSES, ClaimStatus.RECOVERED])


def _others(outer_pk: str = "pk") -> QuerySet[Claim]:
    return Claim.objects.filter(LIVE, subject_key=OuterRef("subject_key")).exclude(
        pk=OuterRef(outer_pk)
    )


def _duplicates(claims: QuerySet[Claim]) -> list[tuple[int, dict[str, object]]]:
    same = _others().filter(
        kind=ClaimKind.ORIGINAL,
        item_id=OuterRef("item_id"),
        instalment=OuterRef("instalment"),
        trigger_kind=OuterRef("trigger_kind"),
        trigger_code=OuterRef("trigger_code"),
        trigger_level=OuterRef("trigger_level"),
        trigger_date=OuterRef("trigger_date"),
    )
    rows = (
        claims.filter(LIVE, kind=ClaimKind.ORIGINAL)
        .exclude(trigger_kind="")  # a trigger not read from the dossier has nothing to compare
        .annotate(dup=Exists(same))
        .filter(dup=True)
        .values_list("pk", "item_id", "trigger_code", "trigger_level", "trigger_date")
    )
    return [
        (pk, {"item": item, "code": code, "level": level, "date": str(day)})
        for pk, item, code, level, day in rows
    ]


def _exclusive(claims: QuerySet[Claim]) -> list[tuple[int, dict[str, object]]]:
    found: dict[int, dict[str, object]] = {}
    for group in settings.CLAIMS_EXCLUSIVE_ITEMS:
        other = (
            _others()
            .filter(item_id__in=group, trigger_code=OuterRef("trigger_code"))
            .filter(trigger_level=OuterRef("trigger_level"))
            .exclude(item_id=OuterRef("item_id"))
            .exclude(trigger_code="")
        )
        rows = (
            claims.filter(LIVE, item_id__in=group)
            .exclude(trigger_code="")
            .annotate(clash=Exists(other))
            .filter(clash=True)
            .values_list("pk", "item_id", "trigger_code", "trigger_level")
        )
        for pk, item, code, level in rows:
            found.setdefault(pk, {"item": item, "code": code, "level": level, "group": list(group)})
    return list(found.items())


def _foreign_accounts(claims: QuerySet[Claim]) -> list[tuple[int, dict[str, object]]]:
    # One join on the blind indexes (the claim's payee account, the person's own account on
    # file): no account is decrypted.
    rows = (
        claims.filter(LIVE, person__isnull=False)
        .exclude(payee_account_index="")
        .exclude(payee_account_index=F("person__bank_account_index"))
        .values_list("pk", "person__bank_account_index")
    )
    return [(pk, {"person_has_account": bool(own)}) for pk, own in rows]


def _among(claims: QuerySet[Claim], pks: set[int], chunk: int = 5000) -> set[int]:
    ordered = sorted(pks)
    keep: set[int] = set()
    for start in range(0, len(ordered), chunk):
        part = ordered[start : start + chunk]
        keep.update(claims.filter(pk__in=part).values_list("pk", flat=True))
    return keep


def _canonical(evidence: object) -> str:
    """Evidence compared as data (PostgreSQL's jsonb hands keys back in its own order)."""
    return json.dumps(evidence, sort_keys=True, ensure_ascii=False, default=str)


@contextmanager
def _working_memory() -> Iterator[None]:
    """On PostgreSQL, `CLAIMS_CHECKS_WORK_MEM` for this transaction only (SET LOCAL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('work_mem', %s, true)", [settings.CLAIMS_CHECKS_WORK_MEM]
            )
    yield


@transaction.atomic
def integrity_check(*, actor: User | None, claims: QuerySet[Claim] | None = None) -> int:
    """Run every check over `claims` (all claims not yet paid, by default); store a flag for each
    finding that has no open flag of its kind yet. Returns how many flags were added."""
    given = claims is not None
    with _working_memory():
        return _check(actor, claims, given=given)


def _check(actor: User | None, claims: QuerySet[Claim] | None, *, given: bool) -> int:
    if claims is None:
        claims = Claim.objects.exclude(status__in=[ClaimStatus.PAID, ClaimStatus.RECOVERED])
    findings: list[Finding] = [
        *[(FlagKind.DUPLICATE, pk, ev) for pk, ev in _duplicates(claims)],
        *[(FlagKind.EXCLUSIVE, pk, ev) for pk, ev in _exclusive(claims)],
        *[(FlagKind.FOREIGN_ACCOUNT, pk, ev) for pk, ev in _foreign_accounts(claims)],
    ]
    wide = region_findings()  # over the whole region; kept for the claims checked
    if given and wide:
        keep = _among(claims, {pk for _, pk, _ in wide})
        wide = [f for f in wide if f[1] in keep]
    findings.extend(wide)
    open_now = set(
        ClaimFlag.objects.filter(
            status=FlagStatus.OPEN, claim_id__in={pk for _, pk, _ in findings}
        ).values_list("claim_id", "kind")
    )
    # A finding already decided (cleared or upheld) with the same evidence is not raised again.
    decided = {
        (c, k, _canonical(e))
        for c, k, e in ClaimFlag.objects.exclude(status=FlagStatus.OPEN)
        .filter(claim_id__in={pk for _, pk, _ in findings})
        .values_list("claim_id", "kind", "evidence")
    }
    new = [
        ClaimFlag(claim_id=pk, kind=kind, evidence=ev)
        for kind, pk, ev in findings
        if (pk, kind) not in open_now and (pk, kind, _canonical(ev)) not in decided
    ]
    # One flag per (claim, kind) per run (a claim on two crowded accounts is one finding).
    new = list({(f.claim_id, f.kind): f for f in new}.values())
    if not new:
        return 0
    try:
        with transaction.atomic():
            ClaimFlag.objects.bulk_create(new)
    except IntegrityError:  # another check run raised the same flags meanwhile
        return 0
    stored = ClaimFlag.objects.filter(
        status=FlagStatus.OPEN, claim_id__in={f.claim_id for f in new}
    ).values_list("pk", "kind", "claim_id")
    audit_record_batch(
        actor=actor,
        action=AuditAction.CLAIM_FLAG_RAISE,
        object_type=AuditObject.CLAIM_FLAG,
        rows=[(pk, None, {"kind": kind, "claim": claim}) for pk, kind, claim in stored],
    )
    return len(new)


@transaction.atomic
def flag_decide(*, actor: User, flag: ClaimFlag, upheld: bool, reason: str) -> ClaimFlag:
    """An officer (a reviewer or an approver in the claim's region) clears or upholds a flag, with
    a reason. An upheld flag does not move the claim by itself: the approver refuses or recovers
    it through its own service."""
    if actor is None:
        raise Forbidden("actor", "核查疑点须由工作人员本人处理")
    region = flag.claim.region
    if not (
        holds_role_for(actor, Role.BUREAU_REVIEWER, region)
        or holds_role_for(actor, Role.BUREAU_APPROVER, region)
    ):
        raise PermissionDenied("您无权处理该核查疑点")
    if not reason.strip():
        raise DomainError("reason", "处理核查疑点须填写理由")
    # The flag's own `reason` column is written beside the move (transition's `reason` is the
    # audit entry's).
    transition(
        obj_or_queryset=flag,
        to=FlagStatus.UPHELD if upheld else FlagStatus.CLEARED,
        actor=actor,
        reason=reason.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    ClaimFlag.objects.filter(pk=flag.pk).update(reason=reason.strip())
    flag.reason = reason.strip()
    return flag


__all__ = ["flag_decide", "integrity_check"]
