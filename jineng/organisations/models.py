"""Organisations: bureaus, training institutions, colleges, enterprises, evaluation organisations,
associations; and teachers attached to institutions."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    BUREAU = "bureau", _("人社部门")
    TRAINING_INSTITUTION = "institution", _("职业培训机构")
    COLLEGE = "college", _("职业（技工）院校")
    ENTERPRISE = "enterprise", _("企业")
    EVALUATION_ORG = "evaluation_org", _("社会培训评价组织")
    ASSOCIATION = "association", _("行业协会")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class UsccStatus(models.TextChoices):
    VALID = "valid", _("校验通过")
    HELD = "held", _("待人工核验")  # failed its check digit: held with a reason, never dropped
    MISSING = "missing", _("未提供")


class Organisation(models.Model):
    kind = models.CharField(_("机构类型"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    # Longer than 18: a held code is kept exactly as given, even when its length is the problem.
    uscc = models.CharField(_("统一社会信用代码"), max_length=40, blank=True, db_index=True)
    uscc_status = models.CharField(
        _("代码状态"), max_length=10, choices=UsccStatus.choices, default=UsccStatus.MISSING
    )
    uscc_review_reason = models.CharField(_("待核验原因"), max_length=200, blank=True)
    region = models.ForeignKey(
        "reference.Region", verbose_name=_("所在地"), on_delete=models.PROTECT
    )
    ownership = models.CharField(_("性质"), max_length=10, choices=Ownership.choices, blank=True)
    designated_training = models.BooleanField(_("定点培训资质"), default=False)
    designated_from = models.DateField(_("资质起始"), null=True, blank=True)
    designated_to = models.DateField(_("资质截止"), null=True, blank=True)
    self_evaluation_filed = models.BooleanField(_("自主评价备案"), default=False)
    self_evaluation_filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            # Only valid codes are unique: held codes are typos awaiting review and may repeat.
            models.UniqueConstraint(
                fields=["uscc"],
                condition=models.Q(uscc_status="valid"),
                name="organisation_unique_uscc",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_designated_on(self, day: dt.date) -> bool:
        """Whether the designated-training qualification (定点培训资质) is in force on `day`."""
        if not self.designated_training:
            return False
        if self.designated_from is not None and day < self.designated_from:
            return False
        return self.designated_to is None or day <= self.designated_to


class TeacherKind(models.TextChoices):
    FULL_TIME = "full", _("专职")
    PART_TIME = "part", _("兼职")


class Teacher(models.Model):
    person = models.ForeignKey("identity.Person", verbose_name=_("人员"), on_delete=models.PROTECT)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="teachers"
    )
    kind = models.CharField(_("专兼职"), max_length=4, choices=TeacherKind.choices)
    subject = models.CharField(_("任教职业/专业"), max_length=100, blank=True)
    start = models.DateField(_("聘任起始"), null=True, blank=True)
    end = models.DateField(_("聘任截止"), null=True, blank=True)

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="teacher_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.organisation_id}"
