"""An upload from the import page, checked and written in the background (`jobs.py`).

A job is created by `jobs.import_job_create` (the file is stored under MEDIA_ROOT/imports/) and
carried out by the Celery task `tasks.import_job_task`: first a dry run (every row checked, the
report stored), then, when its owner confirms, the real run on the same file. Its status moves
queued → running → done | failed (and done → queued for the real run), declared as data in
`IMPORT_JOB_STATES` and moved only through `jobs.py` (on `jineng.core.jobs`). The stored report
holds masked values only. The file is encrypted at rest (`storage.py`) and deleted once the rows are imported, when
nothing in it can be imported, on cancel, and 24 hours after the upload (`discarded`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.jobs import QUEUED, job_transitions
from jineng.core.states import StateMachine


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("人员")
    ORGANISATIONS = "organisations", _("机构")
    FACTS = "facts", _("档案事实")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Discarded(models.TextChoices):
    """Why a job's upload was deleted before it was imported."""

    KEPT = "", _("保留")
    EXPIRED = "expired", _("已过期")
    CANCELLED = "cancelled", _("已取消")


def _upload_to(job: ImportJob, filename: str) -> str:
    # Fernet ciphertext (storage.py): the name says so, and never carries the user's file name.
    return f"imports/{job.pk}.fernet"


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    kind = models.CharField(_("导入类型"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=200, blank=True)
    dry_run = models.BooleanField(_("试导入"), default=True)
    skip_bad = models.BooleanField(_("跳过错误行"), default=False)
    update_existing = models.BooleanField(_("更新已有人员"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ImportStatus.choices,
        default=ImportStatus.QUEUED,
        db_index=True,
    )
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("已校验行数"), default=0)
    report = models.JSONField(_("报告"), null=True, blank=True)
    imported = models.BooleanField(_("已导入"), default=False)
    error = models.TextField(_("错误"), blank=True)
    discarded = models.CharField(
        _("文件处理"), max_length=10, choices=Discarded.choices, default=Discarded.KEPT, blank=True
    )
    discarded_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def state(self) -> str:
        """What the list of jobs says about it: queued, running, failed, unreadable, imported,
        expired, cancelled, nothing (no row can be imported), awaiting (may be confirmed),
        refused (a real run refused by bad rows)."""
        if self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.FAILED):
            return str(self.status)
        report = self.report or {}
        if report.get("file_error"):
            return "unreadable"
        if self.imported:
            return "imported"
        if self.discarded:
            return str(self.discarded)
        total = int(report.get("total_rows") or 0)
        rejected = len(report.get("rejected_rows") or [])
        if total - rejected <= 0:
            return "nothing"
        return "awaiting" if self.dry_run else "refused"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_checked * 100 // self.rows_total)


# The job lifecycle's moves (`jineng.core.jobs`), and done → queued: a checked upload confirmed for
# its real run. Not audited: the job row is its own history, and a dry run writes nothing else.
IMPORT_JOB_STATES: StateMachine[ImportJob] = StateMachine(
    ImportJob,
    job_transitions(done=frozenset({QUEUED})),
    ImportStatus,
    describe=lambda job: f"导入任务「{job.file_name}」",
)
