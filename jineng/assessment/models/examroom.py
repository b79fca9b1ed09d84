"""Exam-room records (考场记录, issue 9 §3): per session and room, the seals opened, the
workstations drawn by lot (a recorded seed, reproducible), incidents, video references and the
staff's signatures. Signed by every staff member of the session, the record is closed: nothing
in it changes any more, an addendum may still be added."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jineng.assessment.models.sessions import ExamSession, Registration


class RoomRecord(models.Model):
    session = models.ForeignKey(
        ExamSession, verbose_name=_("考试批次"), on_delete=models.PROTECT, related_name="rooms_kept"
    )
    room = models.PositiveSmallIntegerField(_("考场号"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Set when the last staff member signs; then every write but an addendum is refused.
    closed_at = models.DateTimeField(_("签名完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考场记录")
        verbose_name_plural = _("考场记录")
        ordering = ["session_id", "room"]
        constraints = [
            models.UniqueConstraint(fields=["session", "room"], name="assessment_room_record_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.room}"


class SealOpening(models.Model):
    """试卷袋/试题密封袋 opened before the candidates: its seal numbers, when, who and the witness."""

    record = models.ForeignKey(
        RoomRecord, verbose_name=_("考场记录"), on_delete=models.PROTECT, related_name="seals"
    )
    seal_numbers = models.CharField(_("密封编号"), max_length=200)
    opened_at = models.DateTimeField(_("启封时间"))
    opened_by = models.ForeignKey(
        "identity.User", verbose_name=_("启封人"), on_delete=models.PROTECT, related_name="+"
    )
    witness = models.ForeignKey(
        "identity.Person", verbose_name=_("见证人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("启封记录")
        verbose_name_plural = _("启封记录")
        ordering = ["record_id", "opened_at", "pk"]

    def __str__(self) -> str:
        return self.seal_numbers


class WorkstationDraw(models.Model):
    """One draw by lot of the room's workstations; the seed is kept so anyone can redo it
    (`jineng.assessment.workstations.draw`) and get the same stations."""

    record = models.OneToOneField(
        RoomRecord, verbose_name=_("考场记录"), on_delete=models.PROTECT, related_name="draw"
    )
    seed = models.CharField(_("抽签种子"), max_length=64)
    stations = models.PositiveSmallIntegerField(_("工位数"))
    drawn_by = models.ForeignKey(
        "identity.User", verbose_name=_("抽签人"), on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽签时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工位抽签")
        verbose_name_plural = _("工位抽签")

    def __str__(self) -> str:
        return f"{self.record_id} {self.seed}"


class WorkstationSeat(models.Model):
    draw = models.ForeignKey(
        WorkstationDraw, verbose_name=_("工位抽签"), on_delete=models.PROTECT, related_name="seats"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("考生"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.PositiveSmallIntegerField(_("工位号"))

    class Meta:
        verbose_name = _("考生工位")
        verbose_name_plural = _("考生工位")
        ordering = ["draw_id", "station"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw", "station"], name="assessment_seat_station_once"
            ),
            models.UniqueConstraint(
                fields=["draw", "registration"], name="assessment_seat_candidate_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id} {self.station}"


class RoomIncident(models.Model):
    record = models.ForeignKey(
        RoomRecord, verbose_name=_("考场记录"), on_delete=models.PROTECT, related_name="incidents"
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("所涉考生"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("情况说明"), max_length=500)
    action_taken = models.CharField(_("处理措施"), max_length=500)
    recorded_by = models.ForeignKey(
        "identity.User", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("考场情况")
        verbose_name_plural = _("考场情况")
        ordering = ["record_id", "occurred_at", "pk"]

    def __str__(self) -> str:
        return self.description[:40]


class VideoReference(models.Model):
    record = models.ForeignKey(
        RoomRecord, verbose_name=_("考场记录"), on_delete=models.PROTECT, related_name="videos"
    )
    reference = models.CharField(_("摄像头或录像位置"), max_length=300)
    starts_at = models.DateTimeField(_("录像起"))
    ends_at = models.DateTimeField(_("录像止"))
    recorded_by = models.ForeignKey(
        "identity.User", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("录像索引")
        verbose_name_plural = _("录像索引")
        ordering = ["record_id", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="assessment_video_range_order",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class RoomSignature(models.Model):
    """A staff member's signature with their own account (the audit trail holds the entry too)."""

    record = models.ForeignKey(
        RoomRecord, verbose_name=_("考场记录"), on_delete=models.PROTECT, related_name="signatures"
    )
    person = models.ForeignKey(
        "identity.Person", verbose_name=_("签名人"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        "identity.User", verbose_name=_("签名账号"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考场记录签名")
        verbose_name_plural = _("考场记录签名")
        ordering = ["record_id", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "person"], name="assessment_room_sign_once")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.person_id}"


class RoomAddendum(models.Model):
    """补充说明 to a record, also once it is closed."""

    record = models.ForeignKey(
        RoomRecord, verbose_name=_("考场记录"), on_delete=models.PROTECT, related_name="addenda"
    )
    text = models.CharField(_("补充说明"), max_length=500)
    written_by = models.ForeignKey(
        "identity.User", verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考场记录补充说明")
        verbose_name_plural = _("考场记录补充说明")
        ordering = ["record_id", "written_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class RetainedPart(models.Model):
    """单科成绩保留: a retake registration keeps an earlier passed part's result instead of
    sitting it again (within `ASSESSMENT_PART_RETENTION_DAYS`)."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("报名"), on_delete=models.PROTECT, related_name="retained"
    )
    part = models.CharField(_("考核环节"), max_length=10)
    result = models.ForeignKey(
        "assessment.PartResult",
        verbose_name=_("保留的成绩"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("保留的单科成绩")
        verbose_name_plural = _("保留的单科成绩")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "part"], name="assessment_retained_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.part}"
