"""Celery tasks of the learning app.

`learning.vouchers_expire` expires training vouchers past their validity (idempotent: a second
run moves nothing). A deployment schedules it daily with Celery beat:

    app.conf.beat_schedule["learning-vouchers-expire"] = {
        "task": "learning.vouchers_expire",
        "schedule": crontab(hour=0, minute=30),  # from celery.schedules import crontab
    }
"""

from __future__ import annotations

from celery import shared_task

from jineng.core.jobs import TASK_TIME_LIMIT


@shared_task(name="learning.vouchers_expire", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def vouchers_expire_task() -> int:
    from jineng.learning.services.vouchers import vouchers_expire

    return vouchers_expire()
