"""Applications (issue 10 §2): what the engine finds but cannot pay by itself is applied for.

Which lines need an application: a discretionary amount (a range or a maximum, engine status
`discretionary`: "酌情给予…") for a person or an organisation, and every money line of an
organisation (enterprise and institution awards are granted on the unit's request). The 免申即享
run creates the `paid` lines by itself (AUTOMATIC_STATUSES), so an organisation's line the run
has already claimed is refused here as already claimed (the claim key is unique).

The form is prefilled from the engine's explanation of the subject's dossier today (item, trigger,
range, clause). The applicant is the worker (their own dossier) or an organisation's staff
(org_admin / org_hr of that organisation). On submit the line becomes a claim in 已受理 through
`claim_create` (source 依申请), with the application and its attachments beside it.

Attachments: PDF, JPEG or PNG only, decided by the content (magic bytes), not the name; an image
must decode (Pillow verifies it), a PDF must have its header and end-of-file marker and no active
content (JavaScript, launch actions, embedded files); at most `CLAIMS_ATTACHMENT_MAX_BYTES` each
and `CLAIMS_ATTACHMENT_MAX_FILES` per application. Stored as Fernet ciphertext under the purpose
key b"claim-attachment"; opened only through `attachment_open` (audited) by someone who may see
the claim."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import access_claim_by_id
from jineng.claims.models import (
    AttachmentKind,
    ClaimApplication,
    ClaimAttachment,
    ClaimSource,
)
from jineng.claims.services.claims import NewClaim, claim_create, claims_from_explanation
from jineng.core.errors import Conflict, DomainError
from jineng.identity.crypto import fernet_for
from jineng.identity.models import Person, Role, RoleAssignment, User
from jineng.organisations.models import Organisation
from jineng.policy.engine.outcome import Status

PURPOSE = b"claim-attachment"
STAFF_ROLES = (Role.ORG_ADMIN, Role.ORG_HR)
_ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
CONTENT_TYPES = {
    AttachmentKind.PDF: "application/pdf",
    AttachmentKind.JPEG: "image/jpeg",
    AttachmentKind.PNG: "image/png",
}


@dataclass(frozen=True)
class Upload:
    title: str
    file_name: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The attachment kind the content is, by its magic bytes (None: not accepted)."""
    if data.startswith(b"%PDF-"):
        return AttachmentKind.PDF
    if data.startswith(b"\xff\xd8\xff"):
        return AttachmentKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.PNG
    return None


def check_attachment(upload: Upload) -> str:
    """The kind of an acceptable file; DomainError naming the file otherwise."""
    name = upload.file_name or "未命名文件"
    if not upload.data:
        raise DomainError("attachments", f"材料「{name}」是空文件")
    if len(upload.data) > settings.CLAIMS_ATTACHMENT_MAX_BYTES:
        limit = settings.CLAIMS_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise DomainError("attachments", f"材料「{name}」超过 {limit} MB，请压缩后上传")
    kind = sniff(upload.data)
    if kind is None:
        raise DomainError("attachments", f"材料「{name}」不是 PDF、JPEG 或 PNG 文件")
    if kind == AttachmentKind.PDF:
        if b"%%EOF" not in upload.data[-2048:]:
            raise DomainError("attachments", f"材料「{name}」不是完整的 PDF 文件")
        if _ACTIVE_PDF.search(upload.data):
            raise DomainError("attachments", f"材料「{name}」含有脚本或嵌入文件，不能上传")
    else:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(upload.data)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise DomainError("attachments", f"材料「{name}」图片已损坏，无法识别") from exc
    return kind


def _may_apply_for(actor: User, subject: Person | Organisation) -> bool:
    if isinstance(subject, Person):
        return getattr(actor, "person_id", None) == subject.pk
    return RoleAssignment.objects.filter(
        user_id=actor.pk, role__in=STAFF_ROLES, organisation_id=subject.pk
    ).exists()


def _needs_application(new: NewClaim) -> bool:
    if new.entitlement.status == Status.DISCRETIONARY:
        return True
    return isinstance(new.subject, Organisation) and new.entitlement.status == Status.PAID


def applicable_lines(
    subject: Person | Organisation, *, on: dt.date | None = None
) -> list[NewClaim]:
    """The lines of the subject's explanation today that are applied for, first instalments only
    (an application covers the entitlement; later instalments follow its schedule)."""
    from jineng.policy.selectors.subjects import explain_facts, read_subject_facts

    day = on or timezone.localdate()
    explanation = explain_facts(read_subject_facts(subject, day), on=day)
    lines = claims_from_explanation(
        subject, explanation, statuses=frozenset({Status.DISCRETIONARY, Status.PAID})
    )
    return [n for n in lines if n.instalment == 1 and _needs_application(n)]


def line_key(new: NewClaim) -> str:
    """The line's key in a form or URL: item and trigger fact (no personal data)."""
    return f"{new.item.id}~{new.entitlement.fact_id}"


@transaction.atomic
def application_submit(
    *,
    actor: User,
    subject: Person | Organisation,
    key: str,
    statement: str,
    requested_fen: int | None,
    attachments: list[Upload],
    on: dt.date | None = None,
) -> ClaimApplication:
    """Apply for one line (found again in today's explanation by `key`); the claim is created in
    已受理. Refused: not the subject's own or its staff (403), a line that needs no application or
    is gone, a requested amount outside the range, a bad attachment, an already claimed line."""
    if actor is None or not _may_apply_for(actor, subject):
        raise PermissionDenied("您无权为该对象提交待遇申请")
    line = next((n for n in applicable_lines(subject, on=on) if line_key(n) == key), None)
    if line is None:
        raise DomainError("key", "该待遇无需申请或已不符合条件，请刷新后重试")
    ent = line.entitlement
    out_of_range = requested_fen is not None and not ent.min_fen <= requested_fen <= ent.max_fen
    if ent.discretionary and out_of_range:
        raise DomainError("requested_fen", "申请金额须在政策规定的范围内")
    if len(attachments) > settings.CLAIMS_ATTACHMENT_MAX_FILES:
        raise DomainError(
            "attachments", f"申请材料最多 {settings.CLAIMS_ATTACHMENT_MAX_FILES} 个文件"
        )
    kinds = [check_attachment(u) for u in attachments]
    claim = claim_create(actor=None, new=line, source=ClaimSource.APPLICATION)
    if claim is None:
        raise Conflict("key", "该待遇已经申领，请在“我的待遇申领”中查看")
    application = ClaimApplication.objects.create(
        claim=claim,
        applicant=actor,
        statement=statement.strip()[:2000],
        requested_fen=requested_fen if ent.discretionary else None,
    )
    sealer = fernet_for(PURPOSE)
    ClaimAttachment.objects.bulk_create(
        [
            ClaimAttachment(
                application=application,
                title=(u.title.strip() or "申请材料")[:100],
                file_name=u.file_name[:200],
                kind=kind,
                size=len(u.data),
                sha256=hashlib.sha256(u.data).hexdigest(),
                sealed=sealer.encrypt(u.data),
            )
            for u, kind in zip(attachments, kinds, strict=True)
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_APPLICATION_SUBMIT,
        object_type=AuditObject.CLAIM_APPLICATION,
        object_id=application.pk,
        after={"claim": claim.pk, "item": claim.item_id, "attachments": len(attachments)},
        region=claim.region,
    )
    return application


@dataclass(frozen=True)
class OpenedAttachment:
    attachment: ClaimAttachment
    content_type: str
    data: bytes


def attachment_open(*, actor: User, attachment_id: int | str) -> OpenedAttachment:
    """The plain file, for someone who may see the claim (Http404 otherwise); audited."""
    try:
        pk = int(str(attachment_id))
    except ValueError:
        raise Http404 from None
    attachment = ClaimAttachment.objects.select_related("application").filter(pk=pk).first()
    if attachment is None:
        raise Http404("材料不存在或不在您的查看范围内")
    claim = access_claim_by_id(actor, attachment.application.claim_id)
    data = fernet_for(PURPOSE).decrypt(bytes(attachment.sealed))
    audit_record(
        actor=actor,
        action=AuditAction.CLAIM_ATTACHMENT_VIEW,
        object_type=AuditObject.CLAIM_ATTACHMENT,
        object_id=attachment.pk,
        after={"claim": claim.pk},
        region=claim.region,
    )
    return OpenedAttachment(attachment, CONTENT_TYPES[AttachmentKind(attachment.kind)], data)


__all__ = [
    "OpenedAttachment",
    "Upload",
    "applicable_lines",
    "application_submit",
    "attachment_open",
    "check_attachment",
    "line_key",
    "sniff",
]
