"""Celery tasks of the certificates app."""

from __future__ import annotations

from celery import shared_task

from jineng.core.jobs import TASK_TIME_LIMIT


@shared_task(name="certificates.issue_batch", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def issue_batch_task(batch_id: int) -> None:
    from jineng.certificates.batches import certificate_batch_execute

    certificate_batch_execute(batch_id=batch_id)
