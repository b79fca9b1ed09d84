"""The daily release of instalments and monthly allowances: one run per day (a job on
`jineng.core.jobs`), so the scheduled task started twice on one day releases nothing twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.claims.models.runs import RunStatus
from jineng.core.jobs import job_transitions
from jineng.core.states import StateMachine


class InstalmentRun(models.Model):
    on = models.DateField(_("发放日期"), unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    scheduled = models.PositiveIntegerField(_("转入待到期"), default=0)
    released = models.PositiveIntegerField(_("到期转待拨付"), default=0)

    class Meta:
        verbose_name = _("分期发放批次")
        verbose_name_plural = _("分期发放批次")
        ordering = ["-on"]

    def __str__(self) -> str:
        return str(f"分期发放（{self.on}）")


# A failed day may be run again (queued), and picks up where it stopped: its moves are
# status-checked, so what it already moved is not moved again.
INSTALMENT_RUN_STATES: StateMachine[InstalmentRun] = StateMachine(
    InstalmentRun,
    job_transitions(failed=frozenset({RunStatus.QUEUED})),
    RunStatus,
    describe=lambda run: f"分期发放（{run.on}）",
)
