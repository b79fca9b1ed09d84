"""免申即享 runs, the in-app inbox and the recording SMS provider's messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.claims.models.claims import Claim
from jineng.core.jobs import job_transitions
from jineng.core.states import StateMachine

# --- 免申即享 runs ------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ClaimRun(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    region = models.CharField(_("区域"), max_length=12, db_index=True)
    on = models.DateField(_("测算日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    subject_total = models.PositiveIntegerField(_("对象总数"), default=0)
    subjects_done = models.PositiveIntegerField(_("已处理对象"), default=0)
    # The restart point: subjects are processed in key order, the last one finished is kept.
    cursor = models.CharField(_("续跑位置"), max_length=24, blank=True)
    claims_created = models.PositiveIntegerField(_("新建申领"), default=0)
    # A run over a region with towns is split into one child run per town (and one for the
    # subjects registered at the region itself: the child whose region is the parent's); the
    # parent sums their progress and is done when they all are.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属批次"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )

    class Meta:
        verbose_name = _("免申即享批次")
        verbose_name_plural = _("免申即享批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(f"免申即享批次（{self.on}）")

    @property
    def progress(self) -> int:
        if not self.subject_total:
            return 100 if self.status == RunStatus.DONE else 0
        return min(100, self.subjects_done * 100 // self.subject_total)


# The job lifecycle plus a restart: a failed run (its worker died, or an error) is queued again
# and resumes after its cursor.
CLAIM_RUN_STATES: StateMachine[ClaimRun] = StateMachine(
    ClaimRun,
    job_transitions(failed=frozenset({RunStatus.QUEUED})),
    RunStatus,
    describe=lambda run: f"免申即享批次（{run.on}）",
)


# --- messages -----------------------------------------------------------------------------------


class Message(models.Model):
    """An in-app inbox message to a person or an organisation."""

    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("收件人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("收件单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("相关申领"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.title)


class SmsRecord(models.Model):
    """What the recording SMS provider would have sent (no real SMS leaves the system)."""

    person = models.ForeignKey(
        "identity.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    phone_masked = models.CharField(_("手机号"), max_length=20)
    text = models.TextField(_("短信内容"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(f"短信（{self.phone_masked}）")
