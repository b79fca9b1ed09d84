"""Background what-if runs of the policy engine (预算测算).

A run is started by `services.simulation_start` and carried out by the Celery task
`tasks.simulation_execute_task`; its status moves queued → running → done | failed, declared as
data in `SIMULATION_RUN_STATES` and moved only through those two (on `jineng.core.jobs`). The result is aggregate only (counts and amounts by item and year, baseline beside the
what-if): no per-subject line is stored, so viewing a run shows nobody's entitlements.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.core.jobs import job_transitions
from jineng.core.states import StateMachine


class SimulationStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class PopulationSource(models.TextChoices):
    CITY = "city", _("辖区档案")  # the starter's scope in the dossier
    FILE = "file", _("上传的事实文件")


class SimulationRun(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    on = models.DateField(_("测算日期"))
    overrides = models.JSONField(_("参数调整"), default=list, blank=True)
    params = models.JSONField(_("文件参数"), default=dict, blank=True)
    population = models.CharField(_("测算人群"), max_length=10, choices=PopulationSource.choices)
    # The region prefix the run belongs to (the common prefix of the starter's regions; "" for a
    # global starter). Who may view a run is decided on it, like people by residence region.
    region = models.CharField(_("所属区域"), max_length=12, blank=True, db_index=True)
    population_file_name = models.CharField(_("上传文件名"), max_length=200, blank=True)
    # Uploaded facts documents (file runs only), kept so the run can be reproduced.
    population_facts = models.JSONField(_("上传的事实"), null=True, blank=True)
    subject_count = models.PositiveIntegerField(_("对象数"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=SimulationStatus.choices,
        default=SimulationStatus.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("预算测算")
        verbose_name_plural = _("预算测算")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="simulation_run_progress_lte_100"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.on} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (SimulationStatus.DONE, SimulationStatus.FAILED)


# The job lifecycle's moves (`jineng.core.jobs`). Not audited: starting a run is (simulation_start);
# its progress to done or failed is recorded on the run itself.
SIMULATION_RUN_STATES: StateMachine[SimulationRun] = StateMachine(
    SimulationRun,
    job_transitions(),
    SimulationStatus,
    describe=lambda run: f"预算测算（测算日期 {run.on}）",
)
