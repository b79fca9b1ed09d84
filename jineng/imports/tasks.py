"""Celery tasks of the imports. `import_job_task` runs one upload of the web page (an `ImportJob`,
enqueued after commit; see `jobs.py`); `import_file_task` imports a file on disk. Re-running either
is harmless: a job runs once (queued → running is claimed), and a second real run of a file finds
every row already present (people by the ID-number blind index, organisations by USCC, facts by
subject/kind/code/level/date/number) and writes nothing."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task

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


# Killed after an hour (jobs.JOB_TIME_LIMIT): the job page then reports it interrupted.
@shared_task(name="imports.import_job", time_limit=3600)  # type: ignore[untyped-decorator]
def import_job_task(job_id: str) -> None:
    """One upload of the import page (`jineng.imports.jobs`): its dry run, or its real run."""
    from jineng.imports.jobs import import_job_execute

    import_job_execute(job_id=job_id)
