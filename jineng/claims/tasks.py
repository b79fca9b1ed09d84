"""Celery tasks of the claims app (eager, in-process, when REDIS_URL is unset). Re-running a
task is harmless: the service claims only a queued run."""

from __future__ import annotations

from celery import shared_task

from jineng.core.jobs import TASK_TIME_LIMIT


@shared_task(name="claims.claim_run_execute", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def claim_run_execute_task(run_id: int) -> None:
    from jineng.claims.services.runs import claim_run_execute  # services import this module

    claim_run_execute(run_id=run_id)


@shared_task(name="claims.publicity_close_due", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def publicity_close_due_task() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): 公示 periods that are over close through the review service."""
    from jineng.claims.deadlines import publicity_close_due

    result = publicity_close_due()
    return {"closed": result.closed, "held": result.held}


@shared_task(name="claims.integrity_checks", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def integrity_checks_task() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): every integrity check over every claim not yet paid."""
    from jineng.claims.services.integrity import integrity_check

    return integrity_check(actor=None)


@shared_task(name="claims.instalments_release_daily", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def instalments_release_daily_task() -> None:
    """Celery beat, once a day: the due instalments and monthly allowances become payable
    (services/schedule.py; a second delivery the same day moves nothing)."""
    from jineng.claims.services.schedule import instalments_release

    instalments_release()
