"""免申即享: the bureau starts a run over its region on a date; a job (`jineng.core.jobs`) explains
every subject in the region with the policy app's own explain path and turns each eligible line
not yet claimed into a claim, without an application, telling the beneficiary in the inbox (and
by SMS through the provider).

Not everyone is explained: the policy engine's vectorised `evaluate` over the region's dossier
(one Polars pass) names the subjects with at least one line that would be claimed, and only those
are explained and frozen one by one — explain and evaluate agree by test, so the claims are the
same as explaining everyone (`CLAIMS_RUN_PREFILTER = False` does that, for comparison; both are
tested to create the same claims, and bench/bench_claims_run.py times both).

Restartable: subjects are processed in key order (people, then organisations) and the last one
finished is kept on the run (`cursor`); a failed run queued again resumes after it. Idempotent:
a line already claimed is skipped (the database's unique key decides, so two runs at the same
time create each claim once); a line whose amount the engine now states differently gets a
difference claim or a recovery (`claim_adjust`), once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import islice
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.models import Claim, ClaimKind, ClaimRun, RunStatus
from jineng.claims.services.claims import (
    AUTOMATIC_STATUSES,
    claim_adjust,
    claim_create,
    claims_from_explanation,
    owed_fen,
    root_fact_id,
    subject_fact_rows,
)
from jineng.claims.services.messages import message_send
from jineng.claims.services.runs_chunk import Subject, process_chunk, run_notice, subject_key
from jineng.claims.services.runs_shards import (
    LIFECYCLE,
    STALE_RUN_MESSAGE,
    shard_regions,
    shards_execute,
    shards_settle,
)
from jineng.core.errors import DomainError
from jineng.core.regioncodes import region_prefix
from jineng.core.states import transition
from jineng.identity.access import scope_of
from jineng.identity.models import BUREAU_ROLES, Person, User
from jineng.organisations.models import Organisation
from jineng.policy.engine.evaluate import evaluate
from jineng.policy.population import load_population_from_dossier
from jineng.policy.selectors.documents import policies
from jineng.policy.selectors.subjects import explain_facts, read_subject_facts

PROGRESS_EVERY = 50
CHUNK = 500


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


def _in_region(region: str, exact: bool = False) -> tuple[QuerySet[Person], QuerySet[Organisation]]:
    """The subjects under `region`; `exact`: only those registered at the region itself (the
    shard of a split run that is not a town's, `runs_shards`)."""
    if exact:
        return (
            Person.objects.filter(residence_region_id=region).order_by("pk"),
            Organisation.objects.filter(region_id=region).order_by("pk"),
        )
    prefix = region_prefix(region)
    return (
        Person.objects.filter(residence_region__code__startswith=prefix).order_by("pk"),
        Organisation.objects.filter(region__code__startswith=prefix).order_by("pk"),
    )


def _candidates(region: str, on: dt.date, exact: bool = False) -> tuple[list[int], list[int]]:
    """The people and organisations of the region with a line the run would claim, in key order,
    from one vectorised evaluation of their dossier."""
    people, orgs = _in_region(region, exact)
    population = load_population_from_dossier(on=on, people=people, organisations=orgs)
    lines = evaluate(population, on, policies()).lines
    claimed = {str(status) for status in AUTOMATIC_STATUSES}
    ids = lines.filter(pl.col("status").cast(pl.String).is_in(sorted(claimed)))
    keys = ids.get_column("subject_id").unique().to_list()
    person_ids = sorted(int(k[1:]) for k in keys if k.startswith("P"))
    org_ids = sorted(int(k[1:]) for k in keys if k.startswith("O"))
    return person_ids, org_ids


def _after(ids: list[int], cursor: str, kind: str) -> list[int]:
    if cursor.startswith("O"):
        return [] if kind == "P" else [i for i in ids if i > int(cursor[1:])]
    if cursor.startswith("P") and kind == "P":
        return [i for i in ids if i > int(cursor[1:])]
    return ids


def _by_ids(queryset: QuerySet[Any], ids: list[int]) -> Iterator[Any]:
    for start in range(0, len(ids), CHUNK):
        yield from queryset.filter(pk__in=ids[start : start + CHUNK])


def _subjects(
    region: str,
    cursor: str,
    candidates: tuple[list[int], list[int]] | None = None,
    exact: bool = False,
) -> Iterator[Person | Organisation]:
    """The region's subjects after `cursor`, people then organisations, in key order; only the
    `candidates` when given."""
    people, orgs = _in_region(region, exact)
    if candidates is not None:
        yield from _by_ids(people, _after(candidates[0], cursor, "P"))
        yield from _by_ids(orgs, _after(candidates[1], cursor, "O"))
        return
    if cursor.startswith("O"):
        people = people.none()
        orgs = orgs.filter(pk__gt=int(cursor[1:]))
    elif cursor.startswith("P"):
        people = people.filter(pk__gt=int(cursor[1:]))
    yield from people.iterator(chunk_size=CHUNK)
    yield from orgs.iterator(chunk_size=CHUNK)


def _subject_total(region: str, exact: bool = False) -> int:
    people, orgs = _in_region(region, exact)
    return people.count() + orgs.count()


def _originals(subject: Person | Organisation) -> dict[tuple[str, str, int], Claim]:
    """The subject's original claims by key (item, root fact, instalment), read once."""
    key = f"P{subject.pk}" if isinstance(subject, Person) else f"O{subject.pk}"
    return {
        (c.item_id, c.fact_id, c.instalment): c
        for c in Claim.objects.filter(kind=ClaimKind.ORIGINAL, subject_key=key)
    }


@transaction.atomic
def _process(run: ClaimRun, subject: Person | Organisation) -> list[Claim]:
    """One subject: explain, create what is not yet claimed, adjust what the engine now states
    differently, notify. One transaction: a crash leaves the subject wholly done or not."""
    explanation = explain_facts(
        read_subject_facts(subject, run.on), on=run.on, statuses=AUTOMATIC_STATUSES
    )
    created: list[Claim] = []
    news = list(claims_from_explanation(subject, explanation))
    if not news:
        return created
    rows, originals = subject_fact_rows(subject), _originals(subject)
    for new in news:
        key = (new.item.id, root_fact_id(new.entitlement.fact_id, rows), new.instalment)
        existing = originals.get(key)
        if existing is None:
            claim = claim_create(actor=None, new=new, run=run, fact_rows=rows)
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
        notice = run_notice(subject, created)
        message_send(to=subject, title=notice.title, body=notice.body, claim=notice.claim)
    return created


def _chunks(subjects: Iterator[Subject], size: int) -> Iterator[list[Subject]]:
    while chunk := list(islice(subjects, size)):
        yield chunk


def _one_by_one(run: ClaimRun, subjects: Iterator[Subject]) -> None:
    """The run as first built, subject by subject (`CLAIMS_RUN_CHUNK = 0`: the reference the
    set-based path is tested equal to and timed against)."""
    pending = pending_claims = 0
    last = run.cursor
    for subject in subjects:
        created = _process(run, subject)
        last = subject_key(subject)
        pending += 1
        pending_claims += len(created)
        if pending >= PROGRESS_EVERY or created:
            if not LIFECYCLE.progress(
                run.pk,
                cursor=last,
                subjects_done=F("subjects_done") + pending,
                claims_created=F("claims_created") + pending_claims,
            ):
                return  # failed meanwhile (stale): stop, a restart resumes at the cursor
            pending = pending_claims = 0
    LIFECYCLE.finish(
        run.pk,
        cursor=last,
        subjects_done=F("subjects_done") + pending,
        claims_created=F("claims_created") + pending_claims,
    )


def _by_chunk(run: ClaimRun, subjects: Iterator[Subject], size: int) -> None:
    """Set-based (`runs_chunk`): each chunk in one transaction with the cursor moved past it, so
    a run killed mid-way resumes at the first chunk not committed."""
    last = run.cursor
    for chunk in _chunks(subjects, size):  # read outside the chunk's transaction
        with transaction.atomic():
            created = process_chunk(run, chunk)
            last = subject_key(chunk[-1])
            if not LIFECYCLE.progress(
                run.pk,
                cursor=last,
                subjects_done=F("subjects_done") + len(chunk),
                claims_created=F("claims_created") + len(created),
            ):
                transaction.set_rollback(True)  # failed meanwhile (stale): the chunk is undone
                return
        if run.parent_id is not None:
            shards_settle(run.parent_id)  # the parent's progress, summed over its children
    LIFECYCLE.finish(run.pk, cursor=last)


def claim_run_execute(*, run_id: int) -> None:
    """The task's body: claim the queued run, process the subjects after the cursor, finish."""
    run = ClaimRun.objects.select_related("parent").filter(pk=run_id).first()
    if run is None:
        return
    if run.parent is None and (shards := shard_regions(run.region)):
        shards_execute(run, shards)  # the parent: one child run per town, each its own task
        return
    # a child run whose region is its parent's: the subjects registered at the region itself
    exact = run.parent is not None and run.region == run.parent.region
    try:
        _execute(run, exact)
    finally:
        if run.parent_id is not None:
            shards_settle(run.parent_id)


def _execute(run: ClaimRun, exact: bool) -> None:
    run_id = run.pk
    if not LIFECYCLE.claim(run_id, subject_total=_subject_total(run.region, exact)):
        return
    run.refresh_from_db()
    try:
        candidates = None
        if getattr(settings, "CLAIMS_RUN_PREFILTER", True):
            candidates = _candidates(run.region, run.on, exact)
            # progress counts the subjects explained: those the evaluation named
            if not LIFECYCLE.progress(
                run_id, subject_total=len(candidates[0]) + len(candidates[1])
            ):
                return
        subjects = _subjects(run.region, run.cursor, candidates, exact)
        size = int(getattr(settings, "CLAIMS_RUN_CHUNK", CHUNK))
        if size > 0:
            _by_chunk(run, subjects, size)
        else:
            _one_by_one(run, subjects)
    except Exception as exc:  # the run records what failed; a restart resumes at the cursor
        LIFECYCLE.fail(run_id, f"处理中断：{exc}")
        raise
