"""Every write of face data, and every read of a face image.

- `face_enrol`: a photo becomes a pending enrolment (refused when it shows no face, several
  faces, or is not an image); `face_enrolment_approve` / `face_enrolment_reject`: an officer in
  scope decides. The active enrolment of a person is their latest approved one whose image has not
  been purged.
- `face_check`: a live capture compared with the active enrolment; refused (NoApprovedEnrolment,
  with the reason) when there is none. A capture without a usable face is not refused: it is a
  check that did not match, recorded with its reason (`outcome`), because a learning check or a
  check-in that shows no face is a failed check, and the evidence is kept.
- `face_image_view`: the image for an officer in scope, audited every time.
- `faces_purge`: images and encodings past FACES_RETENTION_DAYS are deleted (the rows remain).

Images never reach a log or an audit entry: the audit holds their size and SHA-256 only. The slow
part (finding and encoding the face, ~0.2–0.5 s) runs before the transaction opens.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jineng.audit.services import audit_record, audit_record_batch
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.faces.access import can_review_faces, can_view_face_images
from jineng.faces.crypto import digest
from jineng.faces.errors import BadImage, ManyFaces, NoApprovedEnrolment, NoFaceFound
from jineng.faces.models import (
    CheckOutcome,
    CheckPurpose,
    EnrolmentSource,
    EnrolmentStatus,
    FaceCheck,
    FaceEnrolment,
)
from jineng.faces.providers import FaceEncoding, face_provider, threshold

if TYPE_CHECKING:
    from jineng.identity.models import Person, User

logger = logging.getLogger(__name__)

__all__ = [
    "active_enrolment",
    "face_check",
    "face_enrol",
    "face_enrolment_approve",
    "face_enrolment_reject",
    "face_image_view",
    "faces_purge",
]

PENDING_EXISTS = "该人员已有一张待审核的人脸照片，请等待审核结果"
MATCHED_REASON = "人脸比对通过"
MISMATCH_REASON = "现场照片与注册照片不是同一人"
_REFUSED_OUTCOME: dict[type[DomainError], str] = {
    NoFaceFound: CheckOutcome.NO_FACE,
    ManyFaces: CheckOutcome.MANY_FACES,
    BadImage: CheckOutcome.BAD_IMAGE,
}


def _retain_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=int(settings.FACES_RETENTION_DAYS))


def _image_facts(image: bytes) -> dict[str, object]:
    """What the audit may say about an image: its size and hash, never its bytes."""
    return {"image_size": len(image), "image_digest": digest(image)}


def _region(person: Person) -> str:
    return person.residence_region_id or ""


# --- enrolment ---------------------------------------------------------------------------------


def _check_may_enrol(actor: User | None, person: Person, source: str) -> None:
    if source not in EnrolmentSource.values:
        raise DomainError("source", "人脸照片来源只能是现场采集或批量导入")
    if actor is None:  # the system itself (a kiosk flow, the seed)
        return
    if can_view_face_images(actor, person):  # an officer in scope, either source
        return
    if source == EnrolmentSource.LIVE_CAPTURE and actor.person_id == person.pk:
        return  # the worker at their own first check-in
    raise Forbidden("person", "无权为该人员采集人脸照片")


def face_enrol(
    *, actor: User | None, person: Person, image: bytes, source: str = EnrolmentSource.LIVE_CAPTURE
) -> FaceEnrolment:
    """A pending enrolment from `image` (exactly one face); Conflict when one already awaits
    review. The worker may enrol themself by live capture; an officer in scope may enrol or
    import anyone's."""
    _check_may_enrol(actor, person, source)
    # The friendly check before the slow encoding; the constraint settles a race (below).
    if FaceEnrolment.objects.filter(person=person, status=EnrolmentStatus.PENDING).exists():
        raise Conflict("person", PENDING_EXISTS)
    provider = face_provider()
    encoding = provider.encode(image)  # BadImage / NoFaceFound / ManyFaces: nothing is stored
    now = timezone.now()
    try:
        with transaction.atomic():
            enrolment = FaceEnrolment.objects.create(
                person=person,
                image=image,
                image_digest=digest(image),
                image_size=len(image),
                encoding=encoding.to_bytes(),
                model=encoding.model,
                source=source,
                enrolled_by=actor,
                retain_until=_retain_until(now),
            )
            audit_record(
                actor=actor,
                action=AuditAction.FACE_ENROL,
                object_type=AuditObject.FACE_ENROLMENT,
                object_id=enrolment.pk,
                after={"person": person.pk, "source": source, **_image_facts(image)},
                region=_region(person),
            )
    except IntegrityError:
        raise Conflict("person", PENDING_EXISTS) from None
    return enrolment


def _review(
    *, actor: User, enrolment: FaceEnrolment, status: str, action: str, reason: str
) -> FaceEnrolment:
    person = enrolment.person
    if not can_review_faces(actor, person):
        raise Forbidden("enrolment", "无权审核该人员的人脸照片")
    if enrolment.enrolled_by_id is not None and enrolment.enrolled_by_id == actor.pk:
        raise Forbidden("enrolment", "不能审核本人采集或导入的人脸照片，请由其他工作人员审核")
    if actor.person_id is not None and actor.person_id == person.pk:
        raise Forbidden("enrolment", "不能审核自己的人脸照片，请由其他工作人员审核")
    now = timezone.now()
    with transaction.atomic():
        # Claimed by a status-checked update: two officers deciding at once, one wins.
        claimed = FaceEnrolment.objects.filter(
            pk=enrolment.pk, status=EnrolmentStatus.PENDING, purged_at__isnull=True
        ).update(status=status, reviewed_by=actor, reviewed_at=now, review_reason=reason)
        if not claimed:
            raise Conflict("enrolment", "该人脸照片已审核或已过保存期限，不能再次审核")
        audit_record(
            actor=actor,
            action=action,
            object_type=AuditObject.FACE_ENROLMENT,
            object_id=enrolment.pk,
            before={"status": EnrolmentStatus.PENDING},
            after={"status": status, "person": person.pk},
            reason=reason,
            region=_region(person),
        )
    enrolment.refresh_from_db()
    return enrolment


def face_enrolment_approve(
    *, actor: User, enrolment: FaceEnrolment, reason: str = ""
) -> FaceEnrolment:
    return _review(
        actor=actor,
        enrolment=enrolment,
        status=EnrolmentStatus.APPROVED,
        action=AuditAction.FACE_APPROVE,
        reason=reason,
    )


def face_enrolment_reject(*, actor: User, enrolment: FaceEnrolment, reason: str) -> FaceEnrolment:
    """A rejection says why (the person sees it and captures again)."""
    if not reason.strip():
        raise DomainError("reason", "驳回人脸照片时请填写原因")
    return _review(
        actor=actor,
        enrolment=enrolment,
        status=EnrolmentStatus.REJECTED,
        action=AuditAction.FACE_REJECT,
        reason=reason.strip(),
    )


def active_enrolment(person: Person) -> FaceEnrolment | None:
    """The latest approved enrolment whose image and encoding are still kept."""
    return (
        FaceEnrolment.objects.filter(
            person=person, status=EnrolmentStatus.APPROVED, purged_at__isnull=True
        )
        .defer(None)
        .defer("image")  # the encoding is what is compared
        .order_by("-reviewed_at", "-pk")
        .first()
    )


def _why_no_enrolment(person: Person) -> NoApprovedEnrolment:
    latest = FaceEnrolment.objects.filter(person=person).order_by("-created_at", "-pk").first()
    if latest is None:
        return NoApprovedEnrolment()
    if latest.status == EnrolmentStatus.PENDING:
        return NoApprovedEnrolment(
            message="人脸照片正在等待工作人员审核，审核通过后才能进行人脸核验。"
        )
    if latest.status == EnrolmentStatus.REJECTED:
        why = f"（{latest.review_reason}）" if latest.review_reason else ""
        return NoApprovedEnrolment(message=f"人脸照片未通过审核{why}，请重新采集本人照片。")
    return NoApprovedEnrolment(message="人脸照片已超过保存期限并已删除，请重新采集本人照片。")


# --- checks ------------------------------------------------------------------------------------


def face_check(
    *,
    person: Person,
    image: bytes,
    purpose: str,
    context: str = "",
    actor: User | None = None,
) -> FaceCheck:
    """Compare a live capture with the person's active enrolment and record the result.
    NoApprovedEnrolment (with why: none yet, awaiting review, rejected, expired) when there is
    nothing to compare with. `actor`: the account checking in, for the audit (None: the system,
    e.g. a learning check of the player)."""
    if purpose not in CheckPurpose.values:
        raise DomainError("purpose", "人脸核验用途只能是学习过程抽查或考勤签到")
    if len(context) > 100:
        raise DomainError("context", "关联业务标识不能超过100个字符")
    enrolment = active_enrolment(person)
    if enrolment is None:
        raise _why_no_enrolment(person)
    provider = face_provider()
    limit = threshold()
    distance: float | None = None
    try:
        capture = provider.encode(image)
    except (BadImage, NoFaceFound, ManyFaces) as refused:
        outcome, matched, reason = _REFUSED_OUTCOME[type(refused)], False, refused.message
    else:
        enrolled = FaceEncoding.from_bytes(enrolment.model, enrolment.encoding)
        if capture.model != enrolled.model:
            raise _why_no_enrolment_model()
        match = provider.compare(enrolled, capture)
        distance, matched = match.distance, match.matched
        outcome = CheckOutcome.MATCHED if matched else CheckOutcome.MISMATCH
        reason = MATCHED_REASON if matched else MISMATCH_REASON
    kept = image if outcome != CheckOutcome.BAD_IMAGE else b""  # unreadable bytes are not evidence
    now = timezone.now()
    with transaction.atomic():
        check = FaceCheck.objects.create(
            person=person,
            enrolment=enrolment,
            purpose=purpose,
            capture=kept,
            capture_digest=digest(image),
            capture_size=len(image),
            outcome=outcome,
            matched=matched,
            distance=distance,
            threshold=limit,
            reason=reason,
            context=context,
            retain_until=_retain_until(now),
        )
        audit_record(
            actor=actor,
            action=AuditAction.FACE_CHECK,
            object_type=AuditObject.FACE_CHECK,
            object_id=check.pk,
            after={
                "person": person.pk,
                "purpose": purpose,
                "outcome": outcome,
                "distance": None if distance is None else round(distance, 4),
                "context": context,
                **_image_facts(image),
            },
            region=_region(person),
        )
    return check


def _why_no_enrolment_model() -> NoApprovedEnrolment:
    return NoApprovedEnrolment(
        message="人脸照片由另一种识别模型登记，无法比对，请重新采集本人照片并等待审核。"
    )


# --- viewing -----------------------------------------------------------------------------------


def face_image_view(
    *, actor: User, enrolment_or_check: FaceEnrolment | FaceCheck, reason: str = ""
) -> bytes:
    """The image of an enrolment or the capture of a check, for an officer in scope; every view
    is audited (who, which record, the image's hash). Forbidden out of scope (nothing audited, no
    bytes); Conflict when the image has been deleted at the end of its retention."""
    record = enrolment_or_check
    person = record.person
    if not can_view_face_images(actor, person):
        raise Forbidden("image", "无权查看该人员的人脸照片")
    if isinstance(record, FaceEnrolment):
        object_type, column = AuditObject.FACE_ENROLMENT, "image"
        manager = FaceEnrolment.objects
    else:
        object_type, column = AuditObject.FACE_CHECK, "capture"
        manager = FaceCheck.objects  # type: ignore[assignment]
    row = manager.filter(pk=record.pk).values_list(column, "purged_at").get()
    image = bytes(row[0] or b"")
    if row[1] is not None or not image:
        raise Conflict("image", "该照片已超过保存期限并已删除")
    audit_record(
        actor=actor,
        action=AuditAction.FACE_VIEW,
        object_type=object_type,
        object_id=record.pk,
        after={"person": person.pk, **_image_facts(image)},
        reason=reason,
        region=_region(person),
    )
    return image


# --- retention ---------------------------------------------------------------------------------


def faces_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the images (and enrolment encodings) whose retention has passed; returns how many
    records were emptied. The rows remain (status, outcome, distance, hashes), so what was decided
    stays on record; an enrolment emptied this way can no longer be compared with. Idempotent."""
    now = now or timezone.now()
    purged = 0
    for model, fields, object_type in (
        (FaceEnrolment, {"image": b"", "encoding": b""}, AuditObject.FACE_ENROLMENT),
        (FaceCheck, {"capture": b""}, AuditObject.FACE_CHECK),
    ):
        due = model.objects.filter(retain_until__lte=now, purged_at__isnull=True)
        while True:
            with transaction.atomic():
                rows = list(
                    due.select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", "person__residence_region_id")
                    .order_by("pk")[:500]
                )
                if not rows:
                    break
                ids = [pk for pk, _ in rows]
                model.objects.filter(pk__in=ids, purged_at__isnull=True).update(
                    purged_at=now, **fields
                )
                for region in sorted({r or "" for _, r in rows}):
                    audit_record_batch(
                        actor=None,
                        action=AuditAction.FACE_PURGE,
                        object_type=object_type,
                        rows=[
                            (pk, None, {"purged": True}) for pk, r in rows if (r or "") == region
                        ],
                        region=region,
                    )
            purged += len(rows)
    if purged:
        logger.info("face images purged: %d", purged)
    return purged
