"""A 免申即享 run over a region with towns is sharded: its task creates one child run per town
(and one for the subjects registered at the region itself, the child whose region is the
parent's) and enqueues each as its own Celery task, so several workers share the city. Without a
broker (CELERY_TASK_ALWAYS_EAGER, the tests) the children run in process, one after the other.

The parent is a job like any (`jineng.core.jobs`): running while its children work, its
progress the sum of theirs (`shards_settle`, called by each child after each chunk and at its
end), done when all of them are, failed when one failed and none is left to run. Restarting the
failed parent queues again only its failed children (each resumes after its own cursor); a
child restarted on its own settles the parent when it ends. `CLAIMS_RUN_SHARDS = False` runs a
region in one job."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import Count, Q, Sum

from jineng.claims.models import CLAIM_RUN_STATES, ClaimRun, RunStatus
from jineng.core.jobs import JobLifecycle
from jineng.core.states import transition
from jineng.reference.models import Region

logger = logging.getLogger(__name__)
LIFECYCLE = JobLifecycle(CLAIM_RUN_STATES, heartbeat_field="heartbeat_at")
STALE_RUN_MESSAGE = "免申即享批次超时未完成，已停止；可重新启动，将从中断处继续"


def shard_regions(region: str) -> list[str]:
    """The regions a run over `region` is split into: its towns (the regions directly under it)
    and the region itself; none when it has no region under it (the run is not split)."""
    if not getattr(settings, "CLAIMS_RUN_SHARDS", True):
        return []
    towns = list(
        Region.objects.filter(parent_id=region).order_by("code").values_list("pk", flat=True)
    )
    return [*towns, region] if towns else []


def shards_execute(parent: ClaimRun, regions: list[str]) -> None:
    """The parent's task: claim it, create its children once (a restart finds them), queue again
    the failed ones (and stale ones, failed first), enqueue those queued, each its own task."""
    from jineng.claims.tasks import claim_run_execute_task  # the tasks import the services

    if not LIFECYCLE.claim(parent.pk):
        return
    children = {c.region: c for c in parent.children.all()}
    missing = [code for code in regions if code not in children]
    if missing:
        made = ClaimRun.objects.bulk_create(
            [
                ClaimRun(parent=parent, region=code, on=parent.on, created_by=parent.created_by)
                for code in missing
            ]
        )
        children.update({c.region: c for c in made})
    to_run = []
    for child in sorted(children.values(), key=lambda c: c.region):
        LIFECYCLE.fail_if_stale(child, STALE_RUN_MESSAGE)
        if child.status == RunStatus.FAILED:
            transition(
                obj_or_queryset=child, to=RunStatus.QUEUED, actor=None, error="", finished_at=None
            )
        if child.status == RunStatus.QUEUED:
            to_run.append(child.pk)
    shards_settle(parent.pk)
    for pk in to_run:
        try:
            claim_run_execute_task.delay(pk)
        except Exception:  # in process (no broker): the child failed and recorded it; go on
            logger.exception("claim run %s failed", pk)


def shards_settle(parent_id: int) -> None:
    """The parent's counts summed over its children (and a heartbeat); done when every child
    is, failed when one failed and none is queued or running."""
    children = ClaimRun.objects.filter(parent_id=parent_id)
    sums = children.aggregate(
        total=Sum("subject_total"),
        done=Sum("subjects_done"),
        claims=Sum("claims_created"),
        n=Count("pk"),
        finished=Count("pk", filter=Q(status=RunStatus.DONE)),
        failed=Count("pk", filter=Q(status=RunStatus.FAILED)),
    )
    fields: dict[str, int] = {
        "subject_total": sums["total"] or 0,
        "subjects_done": sums["done"] or 0,
        "claims_created": sums["claims"] or 0,
    }
    if sums["n"] and sums["finished"] == sums["n"]:
        LIFECYCLE.finish(parent_id, now=None, **fields)
        return
    LIFECYCLE.progress(parent_id, **fields)
    if sums["failed"] and sums["finished"] + sums["failed"] == sums["n"]:
        LIFECYCLE.fail(
            parent_id, f"{sums['failed']} 个镇街批次处理中断，可重新启动，将从中断处继续"
        )
