"""The certificate photo: stored encrypted (never the plain image in the row), re-encoded without
metadata, audited by digest only, printed on the PDF and shown on the verification page once the
record is found — never for a wrong name."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from jineng.audit.models import AuditEntry
from jineng.certificates.models import Certificate
from jineng.certificates.pdf import certificate_pdf
from jineng.certificates.photos import PhotoInvalid, certificate_photo_set, photo_jpeg
from jineng.certificates.selectors import verify_by_number, verify_by_token
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_user, otp_login

pytestmark = pytest.mark.django_db
VISITOR = "198.51.100.30"


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (600, 800), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_the_photo_is_encrypted_stripped_audited_and_shown_when_found(
    certificate: Certificate,
) -> None:
    original = _jpeg_with_exif()
    certificate_photo_set(actor=None, certificate=certificate, image=original)
    row = Certificate.objects.get(pk=certificate.pk)
    assert row.photo is not None and b"JFIF" not in bytes(row.photo)  # ciphertext, not a JPEG
    jpeg = photo_jpeg(row)
    assert jpeg is not None and b"SecretCameraMaker" not in jpeg
    with Image.open(io.BytesIO(jpeg)) as shown:
        assert shown.size == (300, 400)
    entry = AuditEntry.objects.get(action="certificate_photo_set")
    assert entry.after == {"photo": row.photo_digest, "bytes": len(jpeg)}
    found = verify_by_number(number=row.number, name="邓志明", visitor=VISITOR)
    assert found.photo.startswith("data:image/jpeg;base64,")
    assert verify_by_token(token=row.token, visitor=VISITOR).photo == found.photo
    wrong = verify_by_number(number=row.number, name="邓志", visitor=VISITOR)
    assert wrong.photo == "" and wrong.outcome == "not_found"
    html = Client().post("/verify/", {"number": row.number, "name": "邓志明"}).content.decode()
    assert 'data-testid="verify-photo"' in html
    reader = PdfReader(io.BytesIO(certificate_pdf(row)))
    assert len(reader.pages[0].images) == 2  # the QR code and the photo


def test_not_an_image_or_not_allowed_is_refused(certificate: Certificate, holder: Person) -> None:
    with pytest.raises(PhotoInvalid) as err:
        certificate_photo_set(actor=None, certificate=certificate, image=b"GIF89a not really")
    assert "JPG" in err.value.message
    with pytest.raises(PermissionDenied):
        certificate_photo_set(
            actor=make_user(Role.WORKER, person=holder),
            certificate=certificate,
            image=_jpeg_with_exif(),
        )
    assert not Certificate.objects.get(pk=certificate.pk).photo


def test_the_issuer_uploads_on_the_page(certificate: Certificate) -> None:
    client = Client()
    otp_login(client, make_user(Role.ORG_ADMIN, organisation=certificate.issuer))
    assert client.get(f"/certificates/{certificate.number}/photo/").status_code == 200
    upload = SimpleUploadedFile("photo.jpg", _jpeg_with_exif(), content_type="image/jpeg")
    resp = client.post(f"/certificates/{certificate.number}/photo/", {"photo": upload})
    assert resp.status_code == 302
    assert Certificate.objects.get(pk=certificate.pk).photo_digest
