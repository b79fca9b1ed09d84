"""Imports as background jobs, for the web page: store the upload, check it in a Celery task
(`tasks.import_job_task`; in-process when REDIS_URL is unset), show progress and the report, and on
confirmation write it in a second task run on the same file.

Who sees a job: only the account that uploaded it, and only while it may still import that kind
(`jineng.imports.access`); anyone else gets 404 for it, as for an unknown id. Nothing is written
before the confirmation, and the real run is one transaction (`machinery.run_import`): a job that
fails, however it fails, leaves no rows.

The upload is stored encrypted (`storage.py`) and deleted as soon as it is no longer needed: once
its rows are written, when no row of it can be imported, when its owner cancels, and at the latest
24 hours after the upload (`import_uploads_purge`, run hourly by Celery beat and by
`jineng imports purge`); the job then says "已过期，请重新上传".
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from jineng.core.jobs import JOB_TIME_LIMIT as JOB_TIME_LIMIT  # the job page and tests read it here
from jineng.core.jobs import JobLifecycle
from jineng.core.states import transition
from jineng.identity.errors import ValidationFailed
from jineng.identity.masking import mask_text
from jineng.imports.access import ImportScope
from jineng.imports.models import IMPORT_JOB_STATES, Discarded, ImportJob, ImportStatus
from jineng.imports.report import ImportReport
from jineng.imports.services import IMPORTS
from jineng.imports.storage import UploadUnreadable, seal, unseal

if TYPE_CHECKING:
    from jineng.identity.models import User

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "导入过程中发生意外错误，未写入任何数据"
# Claim, progress, finish, failure and stale detection (`jineng.core.jobs`). A task still running
# after JOB_TIME_LIMIT is killed by Celery (tasks.import_job_task's time_limit); a job left
# "running" past it lost its worker (killed, or the machine restarted).
LIFECYCLE = JobLifecycle(IMPORT_JOB_STATES)
STALE_MESSAGE = (
    f"处理中断（超过 {int(JOB_TIME_LIMIT.total_seconds()) // 60} 分钟未完成，后台进程可能已退出），"
    "未写入任何数据，请重新上传"
)
# An upload not imported within this time is deleted (it holds full ID numbers and phones).
UPLOAD_LIFETIME = timedelta(hours=24)
EXPIRED_MESSAGE = "已过期，请重新上传"


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
    LIFECYCLE.fail_if_stale(job, STALE_MESSAGE)
    return job


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


def can_cancel(job: ImportJob) -> bool:
    """A finished job whose upload is still stored and not imported: its owner may drop it."""
    return (
        job.status in (ImportStatus.DONE, ImportStatus.FAILED)
        and not job.imported
        and bool(job.file)
    )


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *, actor: User, kind: str, upload: UploadedFile, update_existing: bool = False
) -> ImportJob:
    """Store the upload (encrypted) and queue its dry run. `update_existing` (people only): rows
    of people already registered and in the actor's scope become updates, listed before writing."""
    if kind not in IMPORTS:
        raise ValidationFailed("kind", f"未知的导入类型：{kind}", kind)
    if update_existing and kind != "people":
        raise ValidationFailed("update_existing", "只有人员导入可以更新已有记录")
    ImportScope(actor).require(kind)
    name = (upload.name or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    job = ImportJob(created_by=actor, kind=kind, file_name=name, update_existing=update_existing)
    upload.seek(0)
    job.file.save(name, ContentFile(seal(upload.read())), save=False)
    job.save()
    _enqueue(job)
    return job


def _discard_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)


@transaction.atomic
def import_job_cancel(*, actor: User, job: ImportJob) -> ImportJob:
    """Drop a checked upload its owner does not want imported: the file is deleted now."""
    job = access_import_job(actor, job.pk)
    if not can_cancel(job):
        raise ValidationFailed("job", "该导入任务当前不能取消")
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=(ImportStatus.DONE, ImportStatus.FAILED), imported=False
    ).update(file="", discarded=Discarded.CANCELLED, discarded_at=timezone.now())
    if not claimed:
        raise ValidationFailed("job", "该导入任务当前不能取消")
    _discard_file(job)
    job.refresh_from_db()
    return job


def import_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete every upload older than UPLOAD_LIFETIME that is still on disk (not imported, not
    cancelled); its job says "已过期，请重新上传". A job still waiting for its worker is failed
    with that message; one running now (within the time limit) is left to finish. Returns how
    many files were deleted. Idempotent: a second run finds nothing."""
    now = now or timezone.now()
    cutoff = now - UPLOAD_LIFETIME
    purged = 0
    alive = LIFECYCLE.alive(now=now)
    candidates = ImportJob.objects.filter(created_at__lt=cutoff).exclude(file="").exclude(alive)
    for job in candidates.iterator():
        with transaction.atomic():
            claimed = (
                ImportJob.objects.filter(pk=job.pk, file=job.file.name)
                .exclude(alive)
                .update(file="", discarded=Discarded.EXPIRED, discarded_at=now)
            )
            if not claimed:
                continue
            LIFECYCLE.fail(job.pk, EXPIRED_MESSAGE, now=now)  # when it is queued or running
        _discard_file(job)
        purged += 1
    if purged:
        logger.info("import uploads purged: %d", purged)
    return purged


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob, skip_bad: bool = False) -> ImportJob:
    """Queue the real run of a checked upload (all or nothing, or only the good rows)."""
    job = access_import_job(actor, job.pk)
    if not can_confirm(job):
        raise ValidationFailed("job", "该导入任务当前不能确认")
    claimed = transition(
        obj_or_queryset=ImportJob.objects.filter(
            pk=job.pk, status=ImportStatus.DONE, imported=False
        ),
        to=ImportStatus.QUEUED,
        actor=actor,
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
    if not LIFECYCLE.claim(job_id, rows_checked=0):
        return  # unknown, or already taken (a redelivered task)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)

    def progress(checked: int, total: int) -> None:
        LIFECYCLE.progress(job_id, rows_checked=checked, rows_total=total)

    if not job.file:  # deleted (expired) after the job was queued
        _fail(job_id, EXPIRED_MESSAGE)
        return
    try:
        with job.file.open("rb") as fh:
            data = unseal(fh.read())
        options = {"update_existing": True} if job.update_existing else {}
        report = IMPORTS[job.kind](
            actor=job.created_by,
            file=data,
            filename=job.file_name,
            dry_run=job.dry_run,
            skip_bad=job.skip_bad,
            progress=progress,
            **options,
        )
    except FileNotFoundError:
        _fail(job_id, EXPIRED_MESSAGE)
        return
    except UploadUnreadable as exc:
        _fail(job_id, str(exc))
        return
    except PermissionDenied as exc:
        _fail(job_id, str(exc) or FAILED_MESSAGE)
        return
    except Exception as exc:
        # The real run's writes are one transaction, already rolled back: nothing is half-written.
        logger.exception("import job %s failed", job_id)
        _fail(job_id, f"{FAILED_MESSAGE}（{type(exc).__name__}: {mask_text(str(exc))[:200]}）")
        return
    imported = _succeeded(report)
    LIFECYCLE.finish(
        job_id,
        report=report.as_dict(),
        rows_total=report.total_rows,
        rows_checked=report.total_rows,
        imported=imported,
    )
    # The file is kept only while it may still be confirmed (or confirmed again with "skip the
    # bad rows"): once imported, or when nothing in it can be imported, it is deleted.
    if imported or report.file_error or report.good_rows <= 0:
        _discard_file(job)
        ImportJob.objects.filter(pk=job_id).update(file="")


def _fail(job_id: str, message: str) -> None:
    LIFECYCLE.fail(job_id, message)  # stored masked, at most 1,000 characters
