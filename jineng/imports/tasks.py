"""Celery tasks of the imports. `import_job_task` runs one upload of the web page (an `ImportJob`,
enqueued after commit; see `jobs.py`); `import_file_task` imports a file on disk. Re-running either
is harmless: a job runs once (queued → running is claimed), and a second real run of a file finds
every row already present (people by the ID-number blind index, organisations by USCC, facts by
subject/kind/code/level/date/number) and writes nothing.

`purge_uploads_task` deletes uploads left unconfirmed for 24 hours (`jobs.import_uploads_purge`);
Celery beat runs it every hour (`BEAT_SCHEDULE`, added to the app's schedule when the app starts;
a deployment runs `celery -A config beat` beside the worker, or cron runs `jineng imports purge`)."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task

from jineng.core.jobs import TASK_TIME_LIMIT
from jineng.identity.models import User
from jineng.imports.services import IMPORTS


@shared_task(name="imports.import_file")  # type: ignore[untyped-decorator]
def import_file_task(
    *,
    kind: str,
    path: str,
    actor_id: int | None,
    dry_run: bool = False,
    skip_bad: bool = False,
    filename: str = "",
    errors_xlsx_path: str = "",
) -> dict[str, object]:
    """Run one import and return the report as JSON; write the .xlsx report when asked."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    report = IMPORTS[kind](
        actor=actor, file=path, dry_run=dry_run, skip_bad=skip_bad, filename=filename
    )
    if errors_xlsx_path:
        Path(errors_xlsx_path).write_bytes(report.to_xlsx())
    return report.as_dict()


# Killed after the one job time limit (an hour, `jineng.core.jobs`): the page then reports it
# interrupted.
@shared_task(name="imports.import_job", time_limit=TASK_TIME_LIMIT)  # type: ignore[untyped-decorator]
def import_job_task(job_id: str) -> None:
    """One upload of the import page (`jineng.imports.jobs`): its dry run, or its real run."""
    from jineng.imports.jobs import import_job_execute

    import_job_execute(job_id=job_id)


PURGE_EVERY_SECONDS = 3600.0
BEAT_SCHEDULE = {
    "imports.purge_uploads": {"task": "imports.purge_uploads", "schedule": PURGE_EVERY_SECONDS},
}


@shared_task(name="imports.purge_uploads")  # type: ignore[untyped-decorator]
def purge_uploads_task() -> int:
    """Delete uploads awaiting confirmation for more than 24 hours; returns how many."""
    from jineng.imports.jobs import import_uploads_purge

    return import_uploads_purge()
