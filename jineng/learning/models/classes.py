"""Classes (培训班, issue 8 §4) and their attendance (§5): a provider's class of a course with
planned sessions, teachers and a roster; the check-ins of each session with their evidence; the
flags the checks raise for the bureau.

Subsidised classes (项目制培训) move plan → bureau approval → roster filed → training →
completion (jineng.learning.services.classes, `CLASS_STATES`); every move is audited with its
reason and appended to `ClassStatusChange`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.learning.models.records import TrainingResult
from jineng.reference.models import SkillLevel


class ClassStatus(models.TextChoices):
    PLANNED = "planned", _("计划待审批")
    REJECTED = "rejected", _("计划未通过")
    APPROVED = "approved", _("计划已批准")
    FILED = "filed", _("花名册已备案")
    TRAINING = "training", _("培训中")
    COMPLETED = "completed", _("已结业")
    CANCELLED = "cancelled", _("已取消")


class TrainingClass(models.Model):
    name = models.CharField(_("班级名称"), max_length=200)
    course = models.ForeignKey(
        "learning.Course", verbose_name=_("课程"), on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("培训机构"),
        on_delete=models.PROTECT,
        related_name="training_classes",
    )
    occupation = models.ForeignKey(
        "reference.Occupation", verbose_name=_("职业"), on_delete=models.PROTECT
    )
    level = models.CharField(_("等级"), max_length=2, choices=SkillLevel.choices)
    subsidised = models.BooleanField(_("项目制培训（政府补贴）"), default=False)
    capacity = models.PositiveSmallIntegerField(_("计划人数"))
    # Counted with a conditional UPDATE (…WHERE enrolled < capacity), so parallel enrolments can
    # never overfill the class; the check constraint is the last guard.
    enrolled = models.PositiveSmallIntegerField(_("已报名人数"), default=0)
    attendance_threshold = models.PositiveSmallIntegerField(_("结业出勤率（%）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ClassStatus.choices, default=ClassStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    filed_at = models.DateTimeField(_("花名册备案时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("结业时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolled__lte=F("capacity")), name="class_not_overfilled"
            ),
        ]
        indexes = [models.Index(fields=["provider", "status"], name="class_provider_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.enrolled, 0)


class ClassStatusChange(models.Model):
    """One step of a class through its pipeline (append-only history)."""

    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=ClassStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ClassStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("培训班状态变更")
        verbose_name_plural = _("培训班状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.klass_id}: {self.from_status} → {self.to_status}"


class ClassSession(models.Model):
    """One planned session (课次): when and where. `lat`/`lng` (WGS-84) is the venue's point; when
    set, a check-in must come from within CLASSES_CHECKIN_MAX_DISTANCE_M of it."""

    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    venue = models.CharField(_("上课地点"), max_length=200)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        verbose_name = _("课次")
        verbose_name_plural = _("课次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends")
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="session_time")]

    def __str__(self) -> str:
        return f"{self.klass_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def local_start(self) -> dt.datetime:
        return timezone.localtime(self.starts_at)

    @property
    def local_end(self) -> dt.datetime:
        return timezone.localtime(self.ends_at)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lng is not None


class ClassTeacher(models.Model):
    """A teacher of the class: an `organisations.Teacher` (a person's appointment at the provider,
    full- or part-time, 专职/兼职) assigned to teach it."""

    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="teachers"
    )
    teacher = models.ForeignKey(
        "organisations.Teacher", verbose_name=_("教师"), on_delete=models.PROTECT
    )
    assigned_at = models.DateTimeField(_("安排时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("授课教师")
        verbose_name_plural = _("授课教师")
        constraints = [
            models.UniqueConstraint(fields=["klass", "teacher"], name="class_teacher_unique")
        ]

    def __str__(self) -> str:
        return f"{self.klass_id}: {self.teacher_id}"


class EnrolmentSource(models.TextChoices):
    INSTITUTION = "institution", _("机构录入")
    ROSTER_IMPORT = "roster_import", _("花名册导入")
    WORKER = "worker", _("本人报名")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("在读")
    COMPLETED = "completed", _("已结业")
    NOT_COMPLETED = "not_completed", _("未结业")
    WITHDRAWN = "withdrawn", _("已退出")


class Enrolment(models.Model):
    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="enrolments"
    )
    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("学员"),
        on_delete=models.PROTECT,
        related_name="class_enrolments",
    )
    source = models.CharField(_("报名方式"), max_length=16, choices=EnrolmentSource.choices)
    full_time_student = models.BooleanField(_("全日制在校学生"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    enrolled_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    # Set at completion: minutes of the sessions attended, the rate in per mille (整数, never a
    # float), the result.
    minutes_attended = models.PositiveIntegerField(_("出勤分钟"), null=True, blank=True)
    attendance_permille = models.PositiveSmallIntegerField(_("出勤率（‰）"), null=True, blank=True)
    result = models.CharField(
        _("培训结果"), max_length=8, choices=TrainingResult.choices, blank=True
    )
    completed_at = models.DateTimeField(_("结业时间"), null=True, blank=True)
    # The training voucher the worker enrolled with (a subsidised class): verified by the
    # institution on the roster, redeemed by the training record at completion, released when the
    # enrolment is withdrawn or the class cancelled (jineng.learning.services.enrol_self).
    voucher = models.ForeignKey(
        "learning.TrainingVoucher",
        verbose_name=_("培训券"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    withdrawn_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("退出原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学员报名")
        verbose_name_plural = _("学员报名")
        constraints = [
            models.UniqueConstraint(fields=["klass", "person"], name="enrolment_unique"),
            # A voucher is bound to one enrolment in progress at a time.
            models.UniqueConstraint(
                fields=["voucher"],
                condition=Q(status="enrolled", voucher__isnull=False),
                name="enrolment_voucher_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.klass_id}: {self.person_id}"

    @property
    def attendance_percent(self) -> str:
        if self.attendance_permille is None:
            return ""
        return f"{self.attendance_permille / 10:.1f}%"


class FlagKind(models.TextChoices):
    DUPLICATE = "duplicate", _("重复参加补贴性培训")
    RETIRED = "retired", _("学员已超过法定退休年龄")
    STUDENT = "student", _("学员为全日制在校学生")
    FULL_TIME_RATIO = "full_time_ratio", _("专职教师不足三分之一")


class ClassFlag(models.Model):
    """A finding of the checks for the bureau (it does not block): what, why, and the evidence
    (ids and dates the finding rests on)."""

    klass = models.ForeignKey(
        TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="flags"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("学员报名"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=FlagKind.choices)
    reason = models.CharField(_("说明"), max_length=500)
    evidence = models.JSONField(_("依据"), default=dict)
    raised_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训班预警")
        verbose_name_plural = _("培训班预警")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.klass_id}: {self.kind}"


class AttendanceKind(models.TextChoices):
    CHECK_IN = "in", _("签到")
    CHECK_OUT = "out", _("签退")


class AttendanceMethod(models.TextChoices):
    QR_FACE = "qr_face", _("扫码人脸签到")
    TEACHER = "teacher", _("教师代为登记")


class Attendance(models.Model):
    """A check-in or check-out of one trainee at one session, with its evidence: the face check,
    the position and its distance to the venue, the device (user agent) and network (IP)."""

    session = models.ForeignKey(
        ClassSession, verbose_name=_("课次"), on_delete=models.CASCADE, related_name="attendance"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("学员报名"), on_delete=models.CASCADE, related_name="attendance"
    )
    kind = models.CharField(_("类型"), max_length=3, choices=AttendanceKind.choices)
    method = models.CharField(_("方式"), max_length=8, choices=AttendanceMethod.choices)
    at = models.DateTimeField(_("时间"))
    face_check = models.ForeignKey(
        "faces.FaceCheck",
        verbose_name=_("人脸核验"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("距上课地点（米）"), null=True, blank=True)
    user_agent = models.CharField(_("设备"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("网络地址"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记教师"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("代登记理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("考勤记录")
        verbose_name_plural = _("考勤记录")
        ordering = ["at", "id"]
        constraints = [
            # One check-in and one check-out per trainee and session, whatever races.
            models.UniqueConstraint(
                fields=["session", "enrolment", "kind"], name="attendance_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id} {self.kind}"


class TokenUse(models.Model):
    """A check-in QR token used by one trainee: a token is single use per trainee and session
    (a replay of the same window answers 二维码已使用)."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("identity.Person", on_delete=models.CASCADE, related_name="+")
    window = models.BigIntegerField()
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("签到码使用记录")
        verbose_name_plural = _("签到码使用记录")
        constraints = [
            models.UniqueConstraint(fields=["session", "person", "window"], name="token_use_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.person_id}@{self.window}"


class CheckInRefusal(models.Model):
    """A refused check-in, kept as evidence (a forwarded screenshot shows here, with why)."""

    session = models.ForeignKey(
        ClassSession, on_delete=models.CASCADE, null=True, blank=True, related_name="refusals"
    )
    person = models.ForeignKey(
        "identity.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code = models.CharField(_("原因代码"), max_length=16)
    reason = models.CharField(_("原因"), max_length=300)
    at = models.DateTimeField(_("时间"))
    user_agent = models.CharField(_("设备"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("网络地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到失败记录")
        verbose_name_plural = _("签到失败记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.person_id}: {self.code}"


class EvidenceKind(models.TextChoices):
    SNAPSHOT = "snapshot", _("现场抓拍")
    RECORDING = "recording", _("监控录像")


class SessionEvidence(models.Model):
    """Monitoring evidence (全过程视频监控) of a session: a venue camera's snapshot or a recording,
    as an uploaded file or a reference (the video platform's address)."""

    session = models.ForeignKey(
        ClassSession, verbose_name=_("课次"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="learning/evidence/", blank=True)
    reference = models.CharField(_("录像地址或编号"), max_length=500, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("添加人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("监控证据")
        verbose_name_plural = _("监控证据")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.kind}"
