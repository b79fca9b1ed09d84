"""Imported registers for the ghost-trainee checks (issue 10 §5): lists of people who cannot be
real trainees on a date — retired, deceased, full-time students, staff of public institutions.

A register is a generic list (.xlsx / CSV of ID numbers with dates) imported by the bureau. ID
numbers are never stored: only their keyed blind index (`jineng.identity.crypto.blind_index`,
the same index as `Person.id_number_index`), so a check joins the list to people without
decrypting anyone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterKind(models.TextChoices):
    RETIRED = "retired", _("退休人员名单")
    DECEASED = "deceased", _("死亡人员名单")
    STUDENT = "student", _("全日制在校学生名单")
    PUBLIC_STAFF = "public_staff", _("机关事业单位在编人员名单")


class RegisterList(models.Model):
    kind = models.CharField(_("名单类别"), max_length=16, choices=RegisterKind.choices)
    title = models.CharField(_("名单名称"), max_length=200)
    region = models.CharField(_("所属区域"), max_length=12, db_index=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("导入条数"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("比对名单")
        verbose_name_plural = _("比对名单")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.title)


class RegisterEntry(models.Model):
    """One person on a list, from `starts_on` (retirement, death, enrolment, appointment) to
    `ends_on` (graduation, leaving; empty = still on the list)."""

    register = models.ForeignKey(
        RegisterList, verbose_name=_("名单"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("名单类别"), max_length=16, choices=RegisterKind.choices)
    id_number_index = models.CharField(max_length=32, editable=False)
    starts_on = models.DateField(_("起始日期"), null=True, blank=True)
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("名单人员")
        verbose_name_plural = _("名单人员")
        indexes = [models.Index(fields=["kind", "id_number_index"], name="register_entry_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.starts_on or ''}）"
