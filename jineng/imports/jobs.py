"""Imports as background jobs, for the web page: store the upload, check it in a Celery task
(`tasks.import_job_task`; in-process when REDIS_URL is unset), show progress and the report, and on
confirmation write it in a second task run on the same file.

Who sees a job: only the account that uploaded it, and only while it may still import that kind
(`jineng.imports.access`); anyone else gets 404 for it, as for an unknown id. Nothing is written
before the confirmation, and the real run is one transaction (`machinery.run_import`): a job that
fails, however it fails, leaves no rows.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from jineng.identity.errors import ValidationFailed
from jineng.identity.masking import mask_text
from jineng.imports.access import ImportScope
from jineng.imports.models import ImportJob, ImportStatus
from jineng.imports.report import ImportReport
from jineng.imports.services import IMPORTS

if TYPE_CHECKING:
    from jineng.identity.models import User

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "导入过程中发生意外错误，未写入任何数据"
# A task still running after this long is killed by Celery (tasks.import_job_task's time_limit); a
# job left "running" past it lost its worker (killed, or the machine restarted).
JOB_TIME_LIMIT = timedelta(hours=1)
STALE_MESSAGE = "处理中断（超过 60 分钟未完成，后台进程可能已退出），未写入任何数据，请重新上传"


def _may_import(user: User, kind: str) -> bool:
    try:
        ImportScope(user).require(kind)
    except PermissionDenied:
        return False
    return True


def _enqueue(job: ImportJob) -> None:
    from jineng.imports.tasks import import_job_task  # tasks import this module

    job_id = str(job.pk)
    transaction.on_commit(lambda: import_job_task.delay(job_id))


# --- selectors --------------------------------------------------------------------------------


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    """The user's own uploads, newest first."""
    return ImportJob.objects.filter(created_by=user).order_by("-created_at")


def access_import_job(user: User, job_id: uuid.UUID | str) -> ImportJob:
    """The job if `user` uploaded it (else 404) and may still import its kind (else 403)."""
    job = ImportJob.objects.filter(pk=job_id, created_by=user).first()
    if job is None:
        raise Http404
    if not _may_import(user, job.kind):
        raise PermissionDenied
    if _stale(job):
        _fail(str(job.pk), STALE_MESSAGE)
        job.refresh_from_db()
    return job


def _stale(job: ImportJob) -> bool:
    return (
        job.status == ImportStatus.RUNNING
        and job.started_at is not None
        and job.started_at < timezone.now() - JOB_TIME_LIMIT
    )


def job_report(job: ImportJob) -> ImportReport | None:
    return None if job.report is None else ImportReport.from_dict(job.report)


def can_confirm(job: ImportJob) -> bool:
    """A finished dry run (or a refused real run) with good rows, on a file still stored."""
    report = job_report(job)
    return (
        job.status == ImportStatus.DONE
        and not job.imported
        and bool(job.file)
        and report is not None
        and not report.file_error
        and report.good_rows > 0
    )


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor: User, kind: str, upload: UploadedFile) -> ImportJob:
    """Store the upload and queue its dry run."""
    if kind not in IMPORTS:
        raise ValidationFailed("kind", f"未知的导入类型：{kind}", kind)
    ImportScope(actor).require(kind)
    name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
    job = ImportJob(created_by=actor, kind=kind, file_name=name)
    job.file.save(name, upload, save=False)
    job.save()
    _enqueue(job)
    return job


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob, skip_bad: bool = False) -> ImportJob:
    """Queue the real run of a checked upload (all or nothing, or only the good rows)."""
    job = access_import_job(actor, job.pk)
    if not can_confirm(job):
        raise ValidationFailed("job", "该导入任务当前不能确认")
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.DONE, imported=False).update(
        status=ImportStatus.QUEUED,
        dry_run=False,
        skip_bad=skip_bad,
        rows_checked=0,
        started_at=None,
        finished_at=None,
        error="",
    )
    if not claimed:  # confirmed twice at once
        raise ValidationFailed("job", "该导入任务当前不能确认")
    job.refresh_from_db()
    _enqueue(job)
    return job


def _succeeded(report: ImportReport) -> bool:
    return not (
        report.dry_run
        or report.file_error
        or report.write_error
        or (report.rejected_rows and not report.skip_bad)
    )


def import_job_execute(*, job_id: str) -> None:
    """Carry out a queued job (the task's body). Failures are recorded on the job, not raised."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), rows_checked=0
    )
    if not claimed:
        return  # unknown, or already taken (a redelivered task)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(checked: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_checked=checked, rows_total=total)

    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        report = IMPORTS[job.kind](
            actor=job.created_by,
            file=data,
            filename=job.file_name,
            dry_run=job.dry_run,
            skip_bad=job.skip_bad,
            progress=progress,
        )
    except PermissionDenied as exc:
        _fail(job_id, str(exc) or FAILED_MESSAGE)
        return
    except Exception as exc:
        # The real run's writes are one transaction, already rolled back: nothing is half-written.
        logger.exception("import job %s failed", job_id)
        _fail(job_id, f"{FAILED_MESSAGE}（{type(exc).__name__}: {mask_text(str(exc))[:200]}）")
        return
    imported = _succeeded(report)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE,
        finished_at=timezone.now(),
        report=report.as_dict(),
        rows_total=report.total_rows,
        rows_checked=report.total_rows,
        imported=imported,
    )
    if imported:  # the rows are in the database now; the uploaded file is not kept
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(file="")


def _fail(job_id: str, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportStatus.DONE).update(
        status=ImportStatus.FAILED, finished_at=timezone.now(), error=message[:1000]
    )
