"""Celery task of the assessment app: `attempts_sweep_task` submits every exam attempt whose time
is up (`services.attempts_sweep`); Celery beat runs it every minute (`BEAT_SCHEDULE`, added to the
app's schedule when the app starts). Every read of an attempt also submits it when due, so the
sweep only catches attempts nobody looks at any more."""

from __future__ import annotations

from celery import shared_task

SWEEP_EVERY_SECONDS = 60.0
BEAT_SCHEDULE = {
    "assessment.attempts_sweep": {
        "task": "assessment.attempts_sweep",
        "schedule": SWEEP_EVERY_SECONDS,
    },
}


@shared_task(name="assessment.attempts_sweep")  # type: ignore[untyped-decorator]
def attempts_sweep_task() -> int:
    from jineng.assessment.services import attempts_sweep

    return attempts_sweep()
