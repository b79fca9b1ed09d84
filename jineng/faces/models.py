"""Face enrolments (the approved photo a person is compared with) and face checks (one live
capture compared with it). Images and encodings are encrypted at rest (`EncryptedBytesField`) and
deferred by the default managers, so a list of checks never loads or decrypts an image; they are
emptied at the end of their retention (`faces_purge`), the rows stay as the evidence of what was
decided."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jineng.faces.fields import EncryptedBytesField


class EnrolmentStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("已驳回")


class EnrolmentSource(models.TextChoices):
    LIVE_CAPTURE = "live_capture", _("现场采集")
    IMPORTED = "imported", _("批量导入")


class CheckPurpose(models.TextChoices):
    LEARNING_CHECK = "learning_check", _("学习过程抽查")
    ATTENDANCE = "attendance", _("考勤签到")


class CheckOutcome(models.TextChoices):
    MATCHED = "matched", _("本人")
    MISMATCH = "mismatch", _("非本人")
    NO_FACE = "no_face", _("未检测到人脸")
    MANY_FACES = "many_faces", _("多张人脸")
    BAD_IMAGE = "bad_image", _("照片无法识别")


_M = TypeVar("_M", bound=models.Model)


class _DeferImages(models.Manager[_M]):
    """Leaves the encrypted columns unread until asked for (`.only(...)` or attribute access)."""

    deferred: tuple[str, ...] = ()

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().defer(*self.deferred)


class EnrolmentManager(_DeferImages["FaceEnrolment"]):
    deferred = ("image", "encoding")


class CheckManager(_DeferImages["FaceCheck"]):
    deferred = ("capture",)


class FaceEnrolment(models.Model):
    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("人员"),
        on_delete=models.PROTECT,
        related_name="face_enrolments",
    )
    image = EncryptedBytesField(_("照片"), blank=True, editable=False)
    image_digest = models.CharField(_("照片摘要"), max_length=52, editable=False)
    image_size = models.PositiveIntegerField(_("照片大小（字节）"), default=0)
    encoding = EncryptedBytesField(_("人脸特征"), blank=True, editable=False)
    model = models.CharField(_("识别模型"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.PENDING
    )
    source = models.CharField(_("来源"), max_length=20, choices=EnrolmentSource.choices)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("采集人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_reason = models.CharField(_("审核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("采集时间"), auto_now_add=True)
    retain_until = models.DateTimeField(_("保存期限"))
    purged_at = models.DateTimeField(_("照片删除时间"), null=True, blank=True)

    objects = EnrolmentManager()

    class Meta:
        verbose_name = _("人脸注册照片")
        verbose_name_plural = _("人脸注册照片")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One photo awaiting review per person: a second capture waits for the decision.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="faces_one_pending_enrolment_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="faces_enrol_person_status"),
            models.Index(fields=["retain_until"], name="faces_enrol_retain_until"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_status_display()}"


class FaceCheck(models.Model):
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.ForeignKey(
        FaceEnrolment,
        verbose_name=_("比对的注册照片"),
        on_delete=models.PROTECT,
        related_name="checks",
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=CheckPurpose.choices)
    capture = EncryptedBytesField(_("现场照片"), blank=True, editable=False)
    capture_digest = models.CharField(_("照片摘要"), max_length=52, editable=False)
    capture_size = models.PositiveIntegerField(_("照片大小（字节）"), default=0)
    outcome = models.CharField(_("结果"), max_length=12, choices=CheckOutcome.choices)
    matched = models.BooleanField(_("是否本人"))
    distance = models.FloatField(_("特征距离"), null=True, blank=True)
    threshold = models.FloatField(_("判定阈值"))
    reason = models.CharField(_("说明"), max_length=200)
    context = models.CharField(_("关联业务"), max_length=100, blank=True)
    at = models.DateTimeField(_("核验时间"), auto_now_add=True)
    retain_until = models.DateTimeField(_("保存期限"))
    purged_at = models.DateTimeField(_("照片删除时间"), null=True, blank=True)

    objects = CheckManager()

    class Meta:
        verbose_name = _("人脸核验记录")
        verbose_name_plural = _("人脸核验记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["person", "at"], name="faces_check_person_at"),
            models.Index(fields=["retain_until"], name="faces_check_retain_until"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_purpose_display()} {self.get_outcome_display()}"
