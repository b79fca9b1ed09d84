"""The training ledger (issue 8 §6): one row per completed training of a person — an online
course whose lessons are all complete, or (wired by the classes work) a class — each also a
`training` fact in the dossier, which is what the policy engine and claims read.

"Never twice" is the database's: one record per (person, source, source_ref), and a voucher pays
for at most one record (`TrainingVoucher.redeemed_record` is one-to-one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.reference.models import SkillLevel


class TrainingResult(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class TrainingSource(models.TextChoices):
    ONLINE = "online", _("在线课程")
    CLASS = "class", _("培训班")


class TrainingRecord(models.Model):
    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("学员"),
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("等级"), max_length=2, choices=SkillLevel.choices)
    hours = models.PositiveIntegerField(_("学时"))  # 学时 of LEARNING_HOUR_MINUTES minutes
    institution = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("培训机构"),
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    completed_on = models.DateField(_("结业日期"))
    result = models.CharField(_("培训结果"), max_length=10, choices=TrainingResult.choices)
    subsidised = models.BooleanField(_("补贴性培训"), default=False)
    source = models.CharField(_("培训形式"), max_length=10, choices=TrainingSource.choices)
    # What was completed: "course:<id>" for an online course, the class's reference for a class.
    source_ref = models.CharField(_("来源记录"), max_length=100)
    course = models.ForeignKey(
        "learning.Course",
        verbose_name=_("课程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    class_ref = models.CharField(_("培训班"), max_length=100, blank=True)
    fact = models.OneToOneField(
        "dossier.Fact",
        verbose_name=_("档案事实"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_record",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source", "source_ref"], name="training_record_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(source_ref=""), name="training_record_source_ref"
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "completed_on"], name="training_record_inst"),
            models.Index(fields=["occupation", "completed_on"], name="training_record_occ"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.occupation_id} {self.completed_on}"
