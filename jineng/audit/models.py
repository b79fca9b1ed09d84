"""The audit trail: append-only and hash-chained, so any edit of a past row is detectable.

Each entry's `hash` is sha256(prev_hash + canonical JSON of its content) and `prev_hash` is the hash
of the entry before it (GENESIS_HASH for the first). Appends are serialised through the one-row
`AuditHead`, which also remembers the last hash and the length, so cutting rows off the end of the
chain is detected too. The application never updates or deletes an entry (save, delete and the
queryset's update/delete refuse); on PostgreSQL a trigger refuses it in the database as well.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditAppendOnly(Exception):
    """An attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnly("审计记录只能追加，不能修改")

    def delete(self) -> NoReturn:
        raise AuditAppendOnly("审计记录只能追加，不能删除")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnly("审计记录只能追加，不能修改")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        "identity.User",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人标识"), max_length=150)  # kept even if the account goes
    action = models.CharField(
        _("操作"), max_length=40, db_index=True
    )  # create / update / reveal / grant…
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象ID"), max_length=40)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    # unique: two entries can never claim the same predecessor, so the chain cannot fork.
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, unique=True)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditAppendOnly("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnly("审计记录只能追加，不能删除")


class AuditHead(models.Model):
    """The one row (pk=1) that every append locks: the chain's last hash and its length."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_id = models.BigIntegerField(null=True, blank=True)
    length = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.length} @ {self.last_hash[:12]}"
