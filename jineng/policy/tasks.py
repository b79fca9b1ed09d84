"""Celery tasks of the policy app. Enqueued after commit by `services.simulation_start`; eager
(in-process) when REDIS_URL is unset. Re-running a task is harmless: the service claims only a
queued run (`jineng.core.jobs.JobLifecycle.claim`)."""

from __future__ import annotations

from celery import shared_task

from jineng.core.jobs import TASK_TIME_LIMIT


@shared_task(name="policy.simulation_execute", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def simulation_execute_task(run_id: int) -> None:
    from jineng.policy.services import simulation_execute  # services import this module

    simulation_execute(run_id=run_id)
