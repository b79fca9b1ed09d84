"""Learning time the server verifies (issue 8 §2): streams and heartbeats.

The player sends a heartbeat every few seconds with its position and whether the page is visible;
the server — never the client — decides what is credited. The interval from the previous
heartbeat's position to this one's is credited only when

- the stream is the person's active one (opening a second device or lesson pauses the first),
- both heartbeats were sent with the page visible,
- the position moved forward by no more than the wall time elapsed × LEARNING_RATE_CAP, with a
  little tolerance for jitter (LEARNING_RATE_TOLERANCE, …_SECONDS); what is credited never exceeds
  elapsed × cap, so jitter cannot add up to more than real time,
- the two heartbeats are at most LEARNING_HEARTBEAT_MAX_GAP_SECONDS apart;

and only the part of it not credited before, up to what is left of the person's daily cap
(LEARNING_DAILY_CAP_HOURS 学时 per local day). A skip ahead credits nothing; the next heartbeat
continues from the new position. Open Edx counts a video complete when the browser says 95 % was
played and PlayEdu accepts the client's duration (issue 8): both trust the client; this does not.

The heartbeat path is built for throughput (issue 8 "Measured": ≥ 1,500/s): it locks and updates
the stream's one row, and only when something is credited touches the progress row, the day's row
and appends the segments; it writes no audit entry (opening, closing and completion are audited).
On PostgreSQL that is two statements (`learning_time_pg`: read-and-move, then one fused write);
on SQLite the ORM path below (`_credit`). Both make the same decisions with the same functions
(`_measure`, `segments`) and run the same tests (tests/test_heartbeat_queries.py counts them).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.identity.models import Person
from jineng.learning import segments as seg
from jineng.learning.errors import HeartbeatInvalid, LearningForbidden
from jineng.learning.models import (
    CourseStatus,
    CreditedSegment,
    DailyLearning,
    LearningStream,
    Lesson,
    LessonProgress,
    StreamState,
)
from jineng.learning.services import checks
from jineng.learning.services import learning_time_pg as pg
from jineng.learning.services.records import online_course_completed

if TYPE_CHECKING:
    from jineng.identity.models import User


# A reported position beyond the lesson's end is kept up to this much past it (then cut).
POSITION_SLACK_MS = 24 * 3600 * 1000


class Outcome(StrEnum):
    CREDITED = "credited"
    STARTED = "started"  # first heartbeat after opening or resuming: nothing to measure yet
    INACTIVE = "inactive"
    STALE = "stale"
    HIDDEN = "hidden"
    GAP = "gap"
    NOT_PLAYING = "not_playing"
    BACKWARD = "backward"
    TOO_FAST = "too_fast"
    ALREADY_CREDITED = "already_credited"
    DAILY_CAP = "daily_cap"
    PAST_END = "past_end"
    CHECK_PENDING = "check_pending"
    CHECK_MISSED = "check_missed"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.CREDITED: _("已计入学习时长"),
    Outcome.STARTED: _("开始计时"),
    Outcome.INACTIVE: _("已在其他设备或课时继续学习，本页面不再计时"),
    Outcome.STALE: _("心跳时间早于上一次，未计时"),
    Outcome.HIDDEN: _("页面不在前台，未计时"),
    Outcome.GAP: _("间隔过长，未计时"),
    Outcome.NOT_PLAYING: _("未播放，未计时"),
    Outcome.BACKWARD: _("回看已学内容，未计时"),
    Outcome.TOO_FAST: _("快进或倍速播放，未计时"),
    Outcome.ALREADY_CREDITED: _("该段内容已计过时长"),
    Outcome.DAILY_CAP: _("今日学习时长已达上限"),
    Outcome.PAST_END: _("已播放到结尾"),
    Outcome.CHECK_PENDING: _("请先完成人脸核验，核验前不计时"),
    Outcome.CHECK_MISSED: _("人脸核验超时，上次核验后的学习时长已作废"),
}


@dataclass(frozen=True)
class HeartbeatResult:
    outcome: Outcome
    credited_ms: int  # newly credited by this heartbeat
    lesson_credited_ms: int | None  # the lesson's total for the person, when it was read
    completed: bool  # this heartbeat completed the lesson
    check_id: int | None = None  # a real-name check waits: the player opens the camera

    @property
    def message(self) -> str:
        return self.outcome.label


def hour_ms() -> int:
    """One 学时 in milliseconds."""
    return int(settings.LEARNING_HOUR_MINUTES) * 60_000


def daily_cap_ms() -> int:
    return int(settings.LEARNING_DAILY_CAP_HOURS) * hour_ms()


def complete_threshold_ms(lesson: Lesson) -> int:
    return math.ceil(lesson.duration_seconds * 1000 * float(settings.LEARNING_COMPLETE_RATIO))


def _require_self(actor: User | None, person: Person) -> None:
    if actor is not None and actor.person_id != person.pk:
        raise LearningForbidden("", "只能为本人开始或结束学习")


@transaction.atomic
def learning_stream_open(
    *,
    actor: User | None,
    person: Person,
    lesson: Lesson,
    device: str,
    at: datetime | None = None,
) -> LearningStream:
    """Start (or resume) learning `lesson` on `device`; any other active stream of the person is
    paused. A resumed stream measures from its next heartbeat, never across the pause."""
    _require_self(actor, person)
    device = (device or "").strip()[:64]
    if not device:
        raise HeartbeatInvalid("device", "缺少设备标识")
    status = (
        Lesson.objects.filter(pk=lesson.pk)
        .values_list("chapter__course__status", flat=True)
        .first()
    )
    if status != CourseStatus.PUBLISHED:
        raise LearningForbidden("lesson", f"课时“{lesson.title}”所属课程未发布，不能学习")
    if checks.course_failed(person=person, course_id=lesson.chapter.course_id):
        raise LearningForbidden("lesson", "人脸抽查多次未通过，本课程学习已判为不合格")
    at = at or timezone.now()
    # Serialise a person's opens: the partial unique constraint is the guard, this the queue.
    Person.objects.select_for_update().filter(pk=person.pk).exists()
    paused = list(
        LearningStream.objects.filter(person=person, state=StreamState.ACTIVE)
        .exclude(lesson=lesson, device=device)
        .values_list("pk", flat=True)
    )
    if paused:
        LearningStream.objects.filter(pk__in=paused).update(state=StreamState.PAUSED)
    stream, _created = LearningStream.objects.select_for_update().get_or_create(
        person=person, lesson=lesson, device=device, defaults={"opened_at": at}
    )
    stream.state = StreamState.ACTIVE
    stream.opened_at = at
    stream.closed_at = None
    stream.last_position_ms = None
    stream.last_at = None
    stream.last_visible = False
    stream.save()
    audit_record(
        actor=actor,
        action=AuditAction.LEARNING_STREAM_OPEN,
        object_type=AuditObject.LEARNING_STREAM,
        object_id=stream.pk,
        after={"person": person.pk, "lesson": lesson.pk, "device": device, "paused": paused},
        region=person.residence_region_id or "",
    )
    return stream


@transaction.atomic
def learning_stream_close(
    *, actor: User | None, stream: LearningStream, at: datetime | None = None
) -> LearningStream:
    stream = LearningStream.objects.select_for_update().select_related("person").get(pk=stream.pk)
    _require_self(actor, stream.person)
    if stream.state == StreamState.CLOSED:
        return stream
    before = stream.state
    stream.state = StreamState.CLOSED
    stream.closed_at = at or timezone.now()
    stream.save(update_fields=["state", "closed_at"])
    audit_record(
        actor=actor,
        action=AuditAction.LEARNING_STREAM_CLOSE,
        object_type=AuditObject.LEARNING_STREAM,
        object_id=stream.pk,
        before={"state": before},
        after={"state": stream.state, "position_ms": stream.last_position_ms},
        region=stream.person.residence_region_id or "",
    )
    return stream


def _measure(
    *,
    prev_pos: int | None,
    prev_at: datetime | None,
    prev_visible: bool,
    pos: int,
    visible: bool,
    at: datetime,
) -> tuple[Outcome, seg.Interval | None]:
    """What the step from the previous heartbeat to this one may credit (before dedup and cap)."""
    if prev_at is None or prev_pos is None:
        return Outcome.STARTED, None
    if not (visible and prev_visible):
        return Outcome.HIDDEN, None
    elapsed_ms = int((at - prev_at).total_seconds() * 1000)
    if elapsed_ms > int(settings.LEARNING_HEARTBEAT_MAX_GAP_SECONDS) * 1000:
        return Outcome.GAP, None
    advance = pos - prev_pos
    if advance < 0:
        return Outcome.BACKWARD, None
    if advance == 0:
        return Outcome.NOT_PLAYING, None
    cap = float(settings.LEARNING_RATE_CAP)
    allowed = (
        elapsed_ms * cap * (1 + float(settings.LEARNING_RATE_TOLERANCE))
        + float(settings.LEARNING_RATE_TOLERANCE_SECONDS) * 1000
    )
    if advance > allowed:
        return Outcome.TOO_FAST, None
    creditable = min(advance, math.floor(elapsed_ms * cap))
    if creditable <= 0:
        return Outcome.TOO_FAST, None
    return Outcome.CREDITED, (prev_pos, prev_pos + creditable)


def learning_heartbeat(
    *,
    person: Person,
    lesson: Lesson,
    stream: LearningStream | int,
    position_seconds: float,
    visible: bool,
    at: datetime,
) -> HeartbeatResult:
    """Record one heartbeat of `person`'s `stream` on `lesson` and credit what it proves was
    watched (module docstring). The caller has established that `person` is the signed-in
    learner; a stream of another person or lesson is refused (HeartbeatInvalid). `at` is the
    server's time of receipt (`timezone.now()` in the view), never a time the client sent: the
    wall time between two heartbeats is what bounds the credit."""
    if not isinstance(position_seconds, int | float) or not math.isfinite(position_seconds):
        raise HeartbeatInvalid("position_seconds", "播放位置无效", position_seconds)
    if position_seconds < 0:
        raise HeartbeatInvalid("position_seconds", "播放位置不能为负数", position_seconds)
    stream_id = stream if isinstance(stream, int) else stream.pk
    duration_ms = lesson.duration_seconds * 1000
    # The reported position is measured as reported (clamping it to the length first would hide
    # a skip or 2× speed in the last stretch); only the credited interval is cut to the length.
    pos = min(round(position_seconds * 1000), duration_ms + POSITION_SLACK_MS)
    if connection.vendor == "postgresql":
        return _heartbeat_pg(
            person=person, lesson=lesson, stream_id=stream_id, pos=pos, visible=visible, at=at
        )
    with transaction.atomic():
        return _heartbeat_orm(
            person=person, lesson=lesson, stream_id=stream_id, pos=pos, visible=visible, at=at
        )


def _heartbeat_orm(
    *, person: Person, lesson: Lesson, stream_id: int, pos: int, visible: bool, at: datetime
) -> HeartbeatResult:
    """`learning_heartbeat` through the ORM (SQLite), in one transaction holding the stream."""
    duration_ms = lesson.duration_seconds * 1000
    row = (
        LearningStream.objects.select_for_update()
        .filter(pk=stream_id, person_id=person.pk, lesson_id=lesson.pk)
        .values_list("state", "last_position_ms", "last_at", "last_visible", "pending_check_id")
        .first()
    )
    if row is None:
        raise HeartbeatInvalid("stream", "学习记录与学员或课时不符")
    state, prev_pos, prev_at, prev_visible, pending = row
    if state != StreamState.ACTIVE:
        return HeartbeatResult(Outcome.INACTIVE, 0, None, False)
    if pending is not None:
        return _pending(stream_id, pending, at=at, lesson_credited_ms=None)
    if prev_at is not None and at <= prev_at:
        return HeartbeatResult(Outcome.STALE, 0, None, False)
    LearningStream.objects.filter(pk=stream_id).update(
        last_position_ms=pos, last_at=at, last_visible=visible
    )
    outcome, interval = _measure(
        prev_pos=prev_pos,
        prev_at=prev_at,
        prev_visible=prev_visible,
        pos=pos,
        visible=visible,
        at=at,
    )
    if interval is None:
        return HeartbeatResult(outcome, 0, None, False)
    interval = (interval[0], min(interval[1], duration_ms))
    if interval[1] <= interval[0]:
        return HeartbeatResult(Outcome.PAST_END, 0, None, False)
    return _credit(person=person, lesson=lesson, stream_id=stream_id, interval=interval, at=at)


def _pending(
    stream_id: int, pending: int, *, at: datetime, lesson_credited_ms: int | None
) -> HeartbeatResult:
    """A real-name check waits (services/checks.py): nothing is credited until it is answered;
    past its time it is settled as missed and measuring starts again from here."""
    with transaction.atomic():
        return _pending_settle(stream_id, pending, at=at, lesson_credited_ms=lesson_credited_ms)


def _pending_settle(
    stream_id: int, pending: int, *, at: datetime, lesson_credited_ms: int | None
) -> HeartbeatResult:
    LearningStream.objects.filter(pk=stream_id).update(last_at=None, last_position_ms=None)
    if checks.check_missed(pending, at=at) is not None:
        return HeartbeatResult(Outcome.CHECK_MISSED, 0, None, False)
    return HeartbeatResult(Outcome.CHECK_PENDING, 0, lesson_credited_ms, False, check_id=pending)


def _heartbeat_pg(
    *, person: Person, lesson: Lesson, stream_id: int, pos: int, visible: bool, at: datetime
) -> HeartbeatResult:
    """`learning_heartbeat` on PostgreSQL: the same decisions, two autocommitted statements
    (services/learning_time_pg.py says how and why it stays correct under concurrency); the rare
    steps — a completion with its audit entry, a check issued or settled — in a transaction."""
    day = timezone.localtime(at).date()
    read = pg.read_and_move(
        stream_id=stream_id,
        person_id=person.pk,
        lesson_id=lesson.pk,
        pos=pos,
        visible=visible,
        at=at,
        day=day,
    )
    if read is None:
        raise HeartbeatInvalid("stream", "学习记录与学员或课时不符")
    shown = read.standing.progress_ms or 0
    if read.state != StreamState.ACTIVE:
        return HeartbeatResult(Outcome.INACTIVE, 0, shown, False)
    if read.pending_check_id is not None:
        return _pending(stream_id, read.pending_check_id, at=at, lesson_credited_ms=shown)
    if not read.moved:
        return HeartbeatResult(Outcome.STALE, 0, shown, False)
    outcome, interval = _measure(
        prev_pos=read.prev_pos,
        prev_at=read.prev_at,
        prev_visible=read.prev_visible,
        pos=pos,
        visible=visible,
        at=at,
    )
    if interval is None:
        return HeartbeatResult(outcome, 0, shown, False)
    interval = (interval[0], min(interval[1], lesson.duration_seconds * 1000))
    if interval[1] <= interval[0]:
        return HeartbeatResult(Outcome.PAST_END, 0, shown, False)
    standing = read.standing
    checks_on = checks.checks_per_day() > 0
    # Compare-and-swap: the write applies only to the standing it was computed from; when a
    # concurrent write or a void changed it, read it again and decide again (few rounds: each
    # failed round means another heartbeat's write succeeded).
    for _attempt in range(8):
        merged = seg.merge(standing.segments)
        shown = standing.progress_ms or 0
        parts = seg.uncovered(interval, merged)
        if not parts:
            return HeartbeatResult(Outcome.ALREADY_CREDITED, 0, shown, False)
        parts = seg.truncate(parts, daily_cap_ms() - (standing.day_ms or 0))
        if not parts:
            return HeartbeatResult(Outcome.DAILY_CAP, 0, shown, False)
        gained = seg.total(parts)
        merged = seg.merge([*merged, *parts])
        total = seg.total(merged)
        completed = standing.completed_at is None and total >= complete_threshold_ms(lesson)
        with transaction.atomic() if completed else contextlib.nullcontext():
            written = pg.credit(
                stream_id=stream_id,
                person_id=person.pk,
                lesson_id=lesson.pk,
                standing=standing,
                parts=parts,
                merged=merged,
                total=total,
                gained=gained,
                completed_at=at if completed else None,
                at=at,
                day=day,
                checks=checks_on,
                draw=checks.draw_next_check_after_ms() if checks_on else None,
            )
            if written is not None and completed:
                _audit_complete(
                    person=person, lesson=lesson, progress_id=written.progress_id, total=total
                )
                # The course's last lesson completed: the training ledger records it (once).
                online_course_completed(person=person, lesson=lesson, at=at)
        if written is not None:
            break
        standing = pg.reread(person_id=person.pk, lesson_id=lesson.pk, day=day)
    else:  # pragma: no cover - needs eight concurrent writers on one person's lesson
        raise HeartbeatInvalid("stream", "学习进度正被同时更新，请稍后重试")
    check = None
    if written.credit_since_check_ms is not None:
        with transaction.atomic():
            check = checks.issue_check_if_due(
                stream_id=stream_id,
                person_id=person.pk,
                lesson_id=lesson.pk,
                region=person.residence_region_id or "",
                credit_since_ms=written.credit_since_check_ms,
                next_after_ms=written.next_check_after_ms,
                at=at,
            )
    return HeartbeatResult(
        Outcome.CREDITED, gained, total, completed, check_id=None if check is None else check.pk
    )


def _audit_complete(*, person: Person, lesson: Lesson, progress_id: int, total: int) -> None:
    audit_record(
        actor=None,
        actor_label="在线学习计时",
        action=AuditAction.LESSON_COMPLETE,
        object_type=AuditObject.LESSON_PROGRESS,
        object_id=progress_id,
        after={
            "person": person.pk,
            "lesson": lesson.pk,
            "credited_ms": total,
            "duration_ms": lesson.duration_seconds * 1000,
        },
        region=person.residence_region_id or "",
    )


def _credit(
    *, person: Person, lesson: Lesson, stream_id: int, interval: seg.Interval, at: datetime
) -> HeartbeatResult:
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(
        person=person, lesson=lesson
    )
    merged = seg.merge(progress.segments)
    parts = seg.uncovered(interval, merged)
    if not parts:
        return HeartbeatResult(Outcome.ALREADY_CREDITED, 0, progress.credited_ms, False)
    day = timezone.localtime(at).date()
    daily, _created = DailyLearning.objects.select_for_update().get_or_create(
        person=person, day=day
    )
    parts = seg.truncate(parts, daily_cap_ms() - daily.credited_ms)
    if not parts:
        return HeartbeatResult(Outcome.DAILY_CAP, 0, progress.credited_ms, False)
    gained = seg.total(parts)
    CreditedSegment.objects.bulk_create(
        [
            CreditedSegment(
                person=person,
                lesson=lesson,
                stream_id=stream_id,
                start_ms=a,
                end_ms=b,
                at=at,
                day=day,
            )
            for a, b in parts
        ]
    )
    DailyLearning.objects.filter(pk=daily.pk).update(credited_ms=F("credited_ms") + gained)
    merged = seg.merge([*merged, *parts])
    progress.segments = [list(p) for p in merged]
    progress.credited_ms = seg.total(merged)
    completed = progress.completed_at is None and progress.credited_ms >= complete_threshold_ms(
        lesson
    )
    fields = ["segments", "credited_ms"]
    if completed:
        progress.completed_at = at
        fields.append("completed_at")
    progress.save(update_fields=fields)
    if completed:
        _audit_complete(
            person=person, lesson=lesson, progress_id=progress.pk, total=progress.credited_ms
        )
        # The course's last lesson completed: the training ledger records it (once).
        online_course_completed(person=person, lesson=lesson, at=at)
    check = checks.maybe_issue_check(stream_id=stream_id, gained_ms=gained, at=at)
    return HeartbeatResult(
        Outcome.CREDITED,
        gained,
        progress.credited_ms,
        completed,
        check_id=None if check is None else check.pk,
    )
