"""The dossier: an append-only ledger of facts about a person or an organisation.

Every domain that records something (a certificate, a medal, a title, an appointment, a studio's
approval, an employment, insurance) appends a Fact here. Facts are never updated or deleted; a
correction is a new Fact whose `supersedes` points at the one it replaces. The policy engine,
claims, integrity checks and analytics read only this ledger (see docs/policy-schema.md for kinds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jineng.identity.models import Person
    from jineng.organisations.models import Organisation


class FactKind(models.TextChoices):
    CERTIFICATE = "certificate", _("职业技能等级证书")
    COMPETITION_RESULT = "competition_result", _("竞赛成绩")
    TITLE = "title", _("称号")
    APPOINTMENT = "appointment", _("聘任")
    STUDIO = "studio", _("技能大师工作室")
    TRAINING_BASE = "training_base", _("培训基地")
    TRAINING = "training", _("培训记录")
    APPRENTICESHIP = "apprenticeship", _("学徒培养")
    EVALUATION_FILING = "evaluation_filing", _("评价备案")
    EMPLOYMENT = "employment", _("就业")
    INSURANCE = "insurance", _("参保")
    EVENT = "event", _("其他事项")


class SubjectType(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("机构")


class FactIsAppendOnly(Exception):
    """Raised on any attempt to change or remove a recorded fact: correct it with a new fact."""


class FactQuerySet(models.QuerySet["Fact"]):
    def current(self) -> FactQuerySet:
        """Facts not superseded by a later correction."""
        return self.exclude(superseded_by__isnull=False)

    def update(self, **kwargs: object) -> int:
        raise FactIsAppendOnly("档案事实只能追加，不能修改；请用更正（fact_correct）")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise FactIsAppendOnly("档案事实只能追加，不能删除")


class Fact(models.Model):
    subject_type = models.CharField(_("主体类型"), max_length=12, choices=SubjectType.choices)
    # Indexes are few and partial where a column is mostly empty (see Meta): the ledger holds
    # millions of rows, and every index entry is paid for on each bulk load (seed_city, imports).
    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facts",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facts",
        db_index=False,
    )
    kind = models.CharField(_("类别"), max_length=24, choices=FactKind.choices)
    code = models.CharField(_("代码"), max_length=64, blank=True)  # occupation, competition, title…
    level = models.CharField(_("等级"), max_length=24, blank=True)
    date = models.DateField(_("日期"))
    amount_fen = models.BigIntegerField(_("金额（分）"), null=True, blank=True)
    region = models.CharField(_("行政区划"), max_length=9, blank=True)
    issuer = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("发证/认定机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_facts",
        db_index=False,
    )
    issuer_name = models.CharField(_("发证/认定机构名称"), max_length=200, blank=True)
    attrs = models.JSONField(_("其他属性"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=40)  # e.g. "import", "certificates", "seed"
    source_ref = models.CharField(_("来源记录"), max_length=100, blank=True)
    # A correction is a new fact pointing at the one it replaces. A fact is corrected at most once
    # (a partial unique index, fact_supersedes_once), so the chain of corrections is linear.
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("更正的事实"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        db_index=False,
    )
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        "identity.User",
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never searched by; who recorded what is in the audit trail
    )

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = _("档案事实")
        verbose_name_plural = _("档案事实")
        ordering = ["date", "id"]
        indexes = [
            models.Index(
                fields=["person", "date"],
                name="fact_person_date",
                condition=models.Q(person__isnull=False),
            ),
            models.Index(
                fields=["organisation", "date"],
                name="fact_org_date",
                condition=models.Q(organisation__isnull=False),
            ),
            models.Index(fields=["kind", "code", "level"], name="fact_kind_code_level"),
            models.Index(
                fields=["issuer"], name="fact_issuer", condition=models.Q(issuer__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=models.Q(supersedes__isnull=False),
                name="fact_supersedes_once",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(subject_type="person", person__isnull=False, organisation__isnull=True)
                    | models.Q(
                        subject_type="organisation", person__isnull=True, organisation__isnull=False
                    )
                ),
                name="fact_exactly_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}:{self.level}@{self.date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: a row that exists is never written again (bulk loads bypass save() but only
        # ever insert). `_state.adding` is False for any instance loaded from or saved to the DB.
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise FactIsAppendOnly("档案事实只能追加，不能修改；请用更正（fact_correct）")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FactIsAppendOnly("档案事实只能追加，不能删除")

    @property
    def subject(self) -> Person | Organisation:
        subject = self.person if self.subject_type == SubjectType.PERSON else self.organisation
        assert subject is not None  # the check constraint guarantees exactly one subject
        return subject
