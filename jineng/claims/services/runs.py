"""免申即享: the bureau starts a run over its region on a date; a job (`jineng.core.jobs`) explains
every subject in the region with the policy app's own explain path and turns each eligible line
not yet claimed into a claim, without an application, telling the beneficiary in the inbox (and
by SMS through the provider).

Restartable: subjects are processed in key order (people, then organisations) and the last one
finished is kept on the run (`cursor`); a failed run queued again resumes after it. Idempotent:
a line already claimed is skipped (the database's unique key decides, so two runs at the same
time create each claim once); a line whose amount the engine now states differently gets a
difference claim or a recovery (`claim_adjust`), once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.models import CLAIM_RUN_STATES, Claim, ClaimKind, ClaimRun, RunStatus
from jineng.claims.services.claims import (
    NewClaim,
    claim_adjust,
    claim_create,
    claims_from_explanation,
    owed_fen,
    root_fact_id,
)
from jineng.claims.services.messages import message_send
from jineng.core.errors import DomainError
from jineng.core.jobs import JobLifecycle
from jineng.core.regioncodes import region_prefix
from jineng.core.states import transition
from jineng.identity.access import scope_of
from jineng.identity.models import BUREAU_ROLES, Person, User
from jineng.organisations.models import Organisation
from jineng.policy.engine.money import format_yuan
from jineng.policy.selectors.subjects import explain_facts, read_subject_facts

LIFECYCLE = JobLifecycle(CLAIM_RUN_STATES, heartbeat_field="heartbeat_at")
STALE_RUN_MESSAGE = "免申即享批次超时未完成，已停止；可重新启动，将从中断处继续"
PROGRESS_EVERY = 50


@transaction.atomic
def claim_run_start(*, actor: User, region: str, on: dt.date) -> ClaimRun:
    """Queue a 免申即享 run over `region` (within the actor's bureau regions) on `on`."""
    scope = scope_of(actor)
    if not (scope.is_global or scope.has_role(*BUREAU_ROLES)) or scope.read_only:
        raise PermissionDenied("无权发起免申即享")
    if not region or not region.isdigit():
        raise DomainError("region", "请选择区域")
    if not scope.covers_region(region, as_bureau=True):
        raise PermissionDenied("该区域不在您的管辖范围内")
    run = ClaimRun.objects.create(created_by=actor, region=region, on=on)
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_RUN_START,
        object_type=AuditObject.CLAIM_RUN,
        object_id=run.pk,
        after={"region": region, "on": on.isoformat()},
        region=region,
    )
    _enqueue(run.pk)
    return run


def _enqueue(run_id: int) -> None:
    from jineng.claims.tasks import claim_run_execute_task

    transaction.on_commit(lambda: claim_run_execute_task.delay(run_id))


@transaction.atomic
def claim_run_restart(*, actor: User, run: ClaimRun) -> ClaimRun:
    """Queue a failed run again (it resumes after its cursor); a stale one is failed first."""
    scope = scope_of(actor)
    if not (scope.is_global or scope.covers_region(run.region, as_bureau=True)):
        raise PermissionDenied("无权重新启动该批次")
    LIFECYCLE.fail_if_stale(run, STALE_RUN_MESSAGE)
    transition(obj_or_queryset=run, to=RunStatus.QUEUED, actor=actor, error="", finished_at=None)
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_RUN_RESTART,
        object_type=AuditObject.CLAIM_RUN,
        object_id=run.pk,
        after={"cursor": run.cursor, "subjects_done": run.subjects_done},
        region=run.region,
    )
    _enqueue(run.pk)
    return run


def _subjects(region: str, cursor: str) -> Iterator[Person | Organisation]:
    prefix = region_prefix(region)
    people = Person.objects.filter(residence_region__code__startswith=prefix).order_by("pk")
    orgs = Organisation.objects.filter(region__code__startswith=prefix).order_by("pk")
    if cursor.startswith("O"):
        people = people.none()
        orgs = orgs.filter(pk__gt=int(cursor[1:]))
    elif cursor.startswith("P"):
        people = people.filter(pk__gt=int(cursor[1:]))
    yield from people.iterator(chunk_size=500)
    yield from orgs.iterator(chunk_size=500)


def _subject_total(region: str) -> int:
    prefix = region_prefix(region)
    return (
        Person.objects.filter(residence_region__code__startswith=prefix).count()
        + Organisation.objects.filter(region__code__startswith=prefix).count()
    )


def _existing(new: NewClaim) -> Claim | None:
    return Claim.objects.filter(
        kind=ClaimKind.ORIGINAL,
        subject_key=new.subject_key,
        item_id=new.item.id,
        fact_id=root_fact_id(new.entitlement.fact_id),
        instalment=new.instalment,
    ).first()


@transaction.atomic
def _process(run: ClaimRun, subject: Person | Organisation) -> list[Claim]:
    """One subject: explain, create what is not yet claimed, adjust what the engine now states
    differently, notify. One transaction: a crash leaves the subject wholly done or not."""
    explanation = explain_facts(read_subject_facts(subject, run.on), on=run.on)
    created: list[Claim] = []
    for new in claims_from_explanation(subject, explanation):
        existing = _existing(new)
        if existing is None:
            claim = claim_create(actor=None, new=new, run=run)
        elif owed_fen(existing) != new.amount_fen:
            claim = claim_adjust(
                actor=None,
                original=existing,
                amount_fen=new.amount_fen,
                reason=f"{run.on} 免申即享重新测算金额变化",
                on=run.on,
            )
        else:
            claim = None
        if claim is not None:
            created.append(claim)
    if created:
        lines = "；".join(f"{c.item_title} {format_yuan(c.amount_fen)}" for c in created)
        message_send(
            to=subject,
            title="您有新的待遇申领（免申即享）",
            body=f"根据政策规定，已为您生成待遇申领：{lines}。无需申请，请在“我的待遇”中核对收款账户。",
            claim=created[0],
        )
    return created


def claim_run_execute(*, run_id: int) -> None:
    """The task's body: claim the queued run, process the subjects after the cursor, finish."""
    run = ClaimRun.objects.filter(pk=run_id).first()
    if run is None or not LIFECYCLE.claim(run_id, subject_total=_subject_total(run.region)):
        return
    run.refresh_from_db()
    try:
        pending = 0
        pending_claims = 0
        last = run.cursor
        for subject in _subjects(run.region, run.cursor):
            created = _process(run, subject)
            last = f"P{subject.pk}" if isinstance(subject, Person) else f"O{subject.pk}"
            pending += 1
            pending_claims += len(created)
            if pending >= PROGRESS_EVERY or created:
                if not LIFECYCLE.progress(
                    run_id,
                    cursor=last,
                    subjects_done=F("subjects_done") + pending,
                    claims_created=F("claims_created") + pending_claims,
                ):
                    return  # failed meanwhile (stale): stop, a restart resumes at the cursor
                pending = pending_claims = 0
        LIFECYCLE.finish(
            run_id,
            cursor=last,
            subjects_done=F("subjects_done") + pending,
            claims_created=F("claims_created") + pending_claims,
        )
    except Exception as exc:  # the run records what failed; a restart resumes at the cursor
        LIFECYCLE.fail(run_id, f"处理中断：{exc}")
        raise
