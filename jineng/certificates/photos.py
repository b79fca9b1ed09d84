"""The certificate photo (证书照片, a field of the national template): uploaded by the issuer or
the bureau, checked to be a JPEG or PNG image, re-encoded as a small JPEG (which drops its
metadata: place, device, time), and stored encrypted like face images — Fernet under a key
derived from FIELD_KEY for this purpose only (`identity.crypto.fernet_for`). The audit holds its
size and digest, never the image.

It is shown on the public verification page once the record is found (number and full name, or
the signed QR), as issue 9, 7 lists it among what the page shows; never for a wrong name, an
unknown number or an unverifiable code."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from jineng.audit.services import audit_record
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.certificates import cache as verify_cache
from jineng.certificates.models import Certificate
from jineng.certificates.services.common import may_revoke
from jineng.core.errors import DomainError
from jineng.faces.crypto import digest
from jineng.identity.crypto import fernet_for

if TYPE_CHECKING:
    from jineng.identity.models import User

PURPOSE = b"certificate-photo"
MAX_BYTES = 5 * 1024 * 1024
BOX = (300, 400)  # 3:4, a one-inch photo at about 250 dpi


class PhotoInvalid(DomainError):
    """Not an image we accept (400)."""


def _normalise(data: bytes) -> bytes:
    if not data:
        raise PhotoInvalid("photo", "请上传照片")
    if len(data) > MAX_BYTES:
        raise PhotoInvalid("photo", "照片不能超过5MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise PhotoInvalid("photo", "照片应为 JPG 或 PNG 格式")
            image.load()
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PhotoInvalid("photo", "无法读取该照片，请上传 JPG 或 PNG 格式的图片") from exc
    picture.thumbnail(BOX)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


@transaction.atomic
def certificate_photo_set(
    *, actor: User | None, certificate: Certificate, image: bytes
) -> Certificate:
    """Store (or replace) the certificate's photo; audited with size and digest only."""
    if not may_revoke(actor, certificate):
        raise PermissionDenied("无权更换该证书的照片")
    jpeg = _normalise(image)
    before = certificate.photo_digest
    certificate.photo = fernet_for(PURPOSE).encrypt(jpeg)
    certificate.photo_digest = digest(jpeg)
    Certificate.objects.filter(pk=certificate.pk).update(
        photo=certificate.photo, photo_digest=certificate.photo_digest
    )
    verify_cache.forget(certificate.number)
    audit_record(
        actor=actor,
        action=AuditAction.CERTIFICATE_PHOTO_SET,
        object_type=AuditObject.CERTIFICATE,
        object_id=certificate.pk,
        before={"photo": before} if before else None,
        after={"photo": certificate.photo_digest, "bytes": len(jpeg)},
    )
    return certificate


def photo_jpeg(certificate: Certificate) -> bytes | None:
    if not certificate.photo:
        return None
    return fernet_for(PURPOSE).decrypt(bytes(certificate.photo))


def photo_data_uri(certificate: Certificate) -> str:
    """`data:image/jpeg;base64,…` for the page (CSP allows data: images), or ""."""
    jpeg = photo_jpeg(certificate)
    if jpeg is None:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
