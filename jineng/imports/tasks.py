"""Celery wrapper for large imports: the web page stores the upload and enqueues this task (after
commit). Re-running it is harmless: a second real run finds every row already present (people by
the ID-number blind index, organisations by USCC, facts by subject/kind/code/level/date/number)
and writes nothing."""

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
