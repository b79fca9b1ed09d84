"""People (real-name workers), accounts and role assignments with their scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.identity.crypto import blind_index
from jineng.identity.fields import EncryptedTextField
from jineng.identity.masking import mask_bank_account, mask_id_number, mask_phone

if TYPE_CHECKING:
    from jineng.organisations.models import Organisation


class IdType(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAU = "hk_macau", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    HMT_RESIDENCE = "hmt_residence", _("港澳台居民居住证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专/技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Person(models.Model):
    """A real-name worker. ID number, phone and bank account are stored encrypted; `*_index` are
    keyed blind indexes (HMAC) for exact lookup and uniqueness."""

    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT
    )
    id_number = EncryptedTextField(_("证件号码"))
    id_number_index = models.CharField(max_length=32, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    bank_account = EncryptedTextField(_("银行账号"), blank=True)
    bank_account_index = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    hukou_region = models.ForeignKey(
        "reference.Region",
        verbose_name=_("户籍地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    residence_region = models.ForeignKey(
        "reference.Region",
        verbose_name=_("常住地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    insured = models.BooleanField(_("参加社会保险"), default=False)
    insured_since = models.DateField(_("参保起始日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number_index"], name="person_unique_document"
            ),
        ]
        indexes = [models.Index(fields=["id_number_index"], name="person_id_index")]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    def save(self, *args: object, **kwargs: object) -> None:
        self.id_number_index = blind_index(self.id_number)
        self.phone_index = blind_index(self.phone) if self.phone else ""
        self.bank_account_index = blind_index(self.bank_account) if self.bank_account else ""
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_bank_account(self) -> str:
        return mask_bank_account(self.bank_account)


class Employment(models.Model):
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="employments"
    )
    employer = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("用人单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    employer_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    occupation = models.ForeignKey(
        "reference.Occupation",
        verbose_name=_("职业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    region = models.ForeignKey(
        "reference.Region",
        verbose_name=_("工作地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作经历")
        verbose_name_plural = _("工作经历")
        ordering = ["person", "-start"]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.employer_name or self.employer_id}"


class User(AbstractUser):
    """An account. A worker's account points to their Person; staff accounts act through roles."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("对应人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    display_name = models.CharField(_("显示名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")


class Role(models.TextChoices):
    WORKER = "worker", _("劳动者")
    ORG_ADMIN = "org_admin", _("机构管理员")
    TEACHER = "teacher", _("教师")
    ASSESSOR = "assessor", _("考评员")
    ORG_HR = "org_hr", _("人力资源专员")
    BUREAU_REVIEWER = "bureau_reviewer", _("人社局审核员")
    BUREAU_APPROVER = "bureau_approver", _("人社局审批人")
    BUREAU_FINANCE = "bureau_finance", _("人社局财务")
    AUDITOR = "auditor", _("审计员")
    SYSADMIN = "sysadmin", _("系统管理员")


ORG_ROLES = frozenset({Role.ORG_ADMIN, Role.TEACHER, Role.ASSESSOR, Role.ORG_HR})
BUREAU_ROLES = frozenset({Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER, Role.BUREAU_FINANCE})
# Roles that must log in with a TOTP second factor.
TWO_FACTOR_ROLES = BUREAU_ROLES | {Role.SYSADMIN}


class RoleAssignment(models.Model):
    """A role held by an account, scoped to one organisation (org roles) or one region and
    everything under it (bureau roles, auditor)."""

    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    region = models.ForeignKey(
        "reference.Region",
        verbose_name=_("管辖区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "region"], name="role_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


def organisation_model() -> type[Organisation]:
    """The Organisation model. Identity's rows point at organisations' (a job at an employer, a role
    at an organisation) through Django's lazy model reference ("organisations.Organisation"); its
    code names the model the same way, so identity never imports the organisations app, which sits
    above it (docs/architecture.md, "Layers")."""
    model: type[Organisation] = apps.get_model("organisations", "Organisation")
    return model
