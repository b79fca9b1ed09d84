"""The audit trail: append-only and hash-chained, so any edit of a past row is detectable.

The trail is `CHAIN_COUNT` chains side by side, each with its own head (`AuditHead`, pk = chain
number). An append locks one head — on PostgreSQL the first one no other transaction holds
(`SKIP LOCKED`), so a long import holding one head never blocks the writers behind it — and links
the entry to that chain's last entry: `seq` is its position in the chain, `prev_hash` the hash of
the entry before it (GENESIS_HASH for the first), and `hash` an HMAC-SHA256, under the chain key
named by `key_id` (not stored in the database, see `jineng.audit.keys`), of the entry's whole
content, the chain, the position, the region and the previous hash. The head remembers each
chain's length and last hash under a MAC of its own, so cutting rows off the end of a chain is
detected too; anchors (`jineng audit anchor`) keep the heads outside the database as well.

The application never updates or deletes an entry (save, delete and the queryset's update/delete
refuse); on PostgreSQL a trigger refuses it in the database as well.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.audit.chain import GENESIS_HASH as GENESIS_HASH
from jineng.audit.vocabulary import action_label, object_label

# Chains side by side (heads 1..CHAIN_COUNT are created together on the first append and must all
# be there). More chains than writers that hold one for long means no writer waits.
CHAIN_COUNT = 16


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
    action = models.CharField(_("操作"), max_length=40, db_index=True)  # jineng.audit.vocabulary
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象ID"), max_length=40)
    # GB/T 2260 code of what the entry concerns (the person's residence, the organisation's region,
    # the fact's region, the actor's scope); "" for nationwide. Audit reads are scoped by it.
    region = models.CharField(_("所属区域"), max_length=12, blank=True, default="", db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    chain = models.PositiveSmallIntegerField(_("链"), default=1)
    seq = models.BigIntegerField(_("链上序号"))
    key_id = models.CharField(_("密钥标识"), max_length=8, blank=True, default="")
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        constraints = [
            # A chain cannot fork: one entry per position and per predecessor.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq"),
            models.UniqueConstraint(fields=["chain", "prev_hash"], name="audit_chain_prev"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditAppendOnly("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnly("审计记录只能追加，不能删除")

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def object_label(self) -> str:
        return object_label(self.object_type)

    @property
    def actor_display(self) -> str:
        """Who acted, as a page shows it: 系统 for the platform itself (no account)."""
        if self.actor_id is None:
            return str(_("系统"))
        return self.actor_label


class AuditHead(models.Model):
    """One row per chain (pk = chain number): its last hash, last entry and length, under a MAC."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_id = models.BigIntegerField(null=True, blank=True)
    length = models.BigIntegerField(default=0)
    key_id = models.CharField(max_length=8, blank=True, default="")
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.pk}: {self.length} @ {self.last_hash[:12]}"


class AuditAnchor(models.Model):
    """An anchor written by `jineng audit anchor`: the heads at a moment, signed (Ed25519). The
    signed file is the copy that matters (kept outside the database); this row is for the page."""

    at = models.DateTimeField(_("时间"))
    length = models.BigIntegerField(_("记录数"))
    heads = models.JSONField(_("链头"))
    public_key = models.CharField(_("签名公钥"), max_length=64)
    signature = models.CharField(_("签名"), max_length=128)
    file_name = models.CharField(_("锚点文件"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("审计锚点")
        verbose_name_plural = _("审计锚点")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.length}"


class AuditVerificationRun(models.Model):
    """The outcome of each `jineng audit verify` (shown on the audit page)."""

    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("完整"))
    checked = models.BigIntegerField(_("已校验条数"))
    first_bad_id = models.BigIntegerField(_("第一条异常记录"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    against_anchor = models.BooleanField(_("对照锚点"), default=False)
    anchor_at = models.DateTimeField(_("锚点时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {'ok' if self.ok else 'broken'}"
