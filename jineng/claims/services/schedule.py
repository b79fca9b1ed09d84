"""Instalments and monthly allowances, paid as their dates come.

The policy engine expresses a schedule on the item (`schedule: {form: instalments, parts: …}`,
`{form: monthly, months: 36}`, `{form: yearly, years: 3}`; docs/policy-schema.md "Schedule") and
plans it into dated payments (`jineng.policy.engine.schedule.plan`); `claims_from_explanation`
turns payment *n* into the claim with `instalment = n` and `due_on` its date, the plan frozen on
each (`Claim.schedule`). The key (beneficiary, item, trigger fact, instalment) is unique in the
database (`claim_unique_key`), so no instalment exists twice, and one live payout line per claim
(`payout_line_one_live_per_claim`) means none is paid twice.

Four eyes approve the entitlement once: the first instalment goes through 初审, 复审 and 公示
like any claim, and what they approved includes the schedule. The daily run (`InstalmentRun`,
one per day, on the `jineng.core.jobs` lifecycle) then

1. moves every later instalment whose first instalment has been approved (待拨付 or beyond) from
   已受理 to 待到期, recording the first instalment's reviewer and approver on it (so finance
   still cannot pay what they approved);
2. moves every 待到期 instalment whose date has come to 待拨付, where finance's next batch takes it.

Both moves are status-checked UPDATEs through the claim's state machine, so a second run the same
day (or a re-delivered task) moves nothing again. Celery beat (deployment, config/celery.py):

    app.conf.beat_schedule["claims-instalments-daily"] = {
        "task": "claims.instalments_release_daily",
        "schedule": crontab(hour=1, minute=0),   # from celery.schedules import crontab
    }
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jineng.audit.vocabulary import AuditAction
from jineng.claims.models import (
    INSTALMENT_RUN_STATES,
    Claim,
    ClaimKind,
    ClaimStatus,
    InstalmentRun,
    RunStatus,
)
from jineng.core.jobs import JobLifecycle
from jineng.core.states import transition

LIFECYCLE = JobLifecycle(INSTALMENT_RUN_STATES)
APPROVED = (ClaimStatus.PAYABLE, ClaimStatus.PAYING, ClaimStatus.PAID)
CHUNK = 5000


def _first_approved() -> Exists:
    return Exists(
        Claim.objects.filter(
            kind=ClaimKind.ORIGINAL,
            subject_key=OuterRef("subject_key"),
            item_id=OuterRef("item_id"),
            fact_id=OuterRef("fact_id"),
            instalment=1,
            status__in=APPROVED,
        )
    )


def _schedule_followers(*, region: str = "") -> int:
    """Later instalments of approved entitlements: 已受理 → 待到期 (with the approvers)."""
    followers = (
        Claim.objects.filter(
            kind=ClaimKind.ORIGINAL,
            instalment__gt=1,
            status=ClaimStatus.ACCEPTED,
            discretionary=False,
        )
        .filter(_first_approved())
        .filter(region__startswith=region)
    )
    moved = 0
    groups: dict[tuple[int | None, int | None], list[int]] = {}
    firsts = {
        (c.subject_key, c.item_id, c.fact_id): (c.reviewer_id, c.approver_id)
        for c in Claim.objects.filter(
            kind=ClaimKind.ORIGINAL,
            instalment=1,
            status__in=APPROVED,
            subject_key__in=followers.values("subject_key"),
        ).only("subject_key", "item_id", "fact_id", "reviewer_id", "approver_id")
    }
    for pk, key, item, fact in followers.values_list("pk", "subject_key", "item_id", "fact_id"):
        groups.setdefault(firsts.get((key, item, fact), (None, None)), []).append(pk)
    for (reviewer, approver), pks in groups.items():
        for i in range(0, len(pks), CHUNK):
            moved += transition(
                obj_or_queryset=Claim.objects.filter(pk__in=pks[i : i + CHUNK]),
                to=ClaimStatus.SCHEDULED,
                actor=None,
                reason="首期已复审通过，后续各期按发放安排待到期",
                reviewer_id=reviewer,
                approver_id=approver,
            )
    return moved


def _release_due(*, today: dt.date, region: str = "") -> int:
    """待到期 instalments whose date has come: → 待拨付."""
    due = list(
        Claim.objects.filter(
            status=ClaimStatus.SCHEDULED, due_on__lte=today, region__startswith=region
        ).values_list("pk", flat=True)
    )
    moved = 0
    for i in range(0, len(due), CHUNK):
        moved += transition(
            obj_or_queryset=Claim.objects.filter(pk__in=due[i : i + CHUNK]),
            to=ClaimStatus.PAYABLE,
            actor=None,
            reason=f"分期待遇到期（{today}），转入待拨付",
            audit_action=AuditAction.INSTALMENT_RELEASE,
        )
    return moved


def instalments_release(*, today: dt.date | None = None, region: str = "") -> InstalmentRun:
    """Today's run: created once (the date is unique), claimed once (a queued → running
    status-checked update); a run already done returns as it is and moves nothing."""
    day = today or timezone.localdate()
    try:
        with transaction.atomic():
            run, _ = InstalmentRun.objects.get_or_create(on=day)
    except IntegrityError:  # another worker created today's run at the same moment
        run = InstalmentRun.objects.get(on=day)
    if run.status == RunStatus.FAILED:
        transition(obj_or_queryset=run, to=RunStatus.QUEUED, actor=None, reason="重新发放")
    if not LIFECYCLE.claim(run.pk):
        run.refresh_from_db()
        return run
    try:
        with transaction.atomic():
            scheduled = _schedule_followers(region=region)
            released = _release_due(today=day, region=region)
    except Exception as exc:
        LIFECYCLE.fail(run.pk, str(exc))
        raise
    LIFECYCLE.finish(run.pk, scheduled=scheduled, released=released)
    run.refresh_from_db()
    return run


def instalment_claims(claim: Claim) -> list[Claim]:
    """Every instalment of the same entitlement, in order (the schedule as claims)."""
    return list(
        Claim.objects.filter(
            Q(kind=ClaimKind.ORIGINAL),
            subject_key=claim.subject_key,
            item_id=claim.item_id,
            fact_id=claim.fact_id,
        ).order_by("instalment")
    )


__all__ = ["LIFECYCLE", "instalment_claims", "instalments_release"]
