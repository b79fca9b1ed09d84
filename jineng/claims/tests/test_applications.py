"""Applications: a discretionary line is applied for by the worker on a form prefilled from the
engine, with attachments checked by their content and stored encrypted; the application becomes
a claim in 已受理 through claim_create; the attachment opens only for those who may see the claim,
audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from PIL import Image

from jineng.audit.models import AuditEntry
from jineng.claims.models import ClaimAttachment, ClaimSource, ClaimStatus
from jineng.claims.services.applications import (
    Upload,
    applicable_lines,
    application_submit,
    attachment_open,
    line_key,
)
from jineng.core.errors import Conflict, DomainError
from jineng.dossier.services import fact_append
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_person, make_user

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 6, 30)
LEADER = "dg.skill_leader.living_subsidy"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


def leader() -> tuple[Person, User]:
    person = make_person(name="郑领军", residence_region="441900")
    fact_append(
        actor=None,
        subject=person,
        kind="appointment",
        code="skill_leader_class1",
        date=dt.date(2024, 3, 1),
        region="441900",
        source="test",
    )
    return person, make_user(Role.WORKER, person=person)


def key_of(person: Person) -> str:
    (line,) = [n for n in applicable_lines(person, on=ON) if n.item.id == LEADER]
    assert line.entitlement.discretionary and line.entitlement.min_fen == 15_000_000
    return line_key(line)


def test_a_worker_applies_with_attachments_and_a_claim_is_accepted() -> None:
    person, worker = leader()
    application = application_submit(
        actor=worker,
        subject=person,
        key=key_of(person),
        statement="聘任为一类技能领军人才",
        requested_fen=30_000_000,
        on=ON,
        attachments=[
            Upload("聘任文件", "appointment.pdf", PDF),
            Upload("证书照片", "c.png", png()),
        ],
    )
    claim = application.claim
    assert (claim.status, claim.source, claim.item_id) == (
        ClaimStatus.ACCEPTED,
        ClaimSource.APPLICATION,
        LEADER,
    )
    assert claim.discretionary and claim.max_fen == 30_000_000
    stored = ClaimAttachment.objects.filter(application=application).order_by("pk")
    assert [a.kind for a in stored] == ["pdf", "png"]
    assert PDF not in bytes(stored[0].sealed)  # encrypted at rest
    opened = attachment_open(actor=worker, attachment_id=stored[0].pk)
    assert opened.data == PDF and opened.content_type == "application/pdf"
    assert AuditEntry.objects.filter(action="claim_attachment_view").count() == 1
    assert AuditEntry.objects.filter(action="claim_application_submit").count() == 1
    # the reviewer of the region opens it too; someone elsewhere gets 404 and no audit entry
    reviewer = make_user(Role.BUREAU_REVIEWER, region="441900")
    assert attachment_open(actor=reviewer, attachment_id=stored[1].pk).content_type == "image/png"
    with pytest.raises(Http404):
        attachment_open(
            actor=make_user(Role.BUREAU_REVIEWER, region="330500"), attachment_id=stored[1].pk
        )
    assert AuditEntry.objects.filter(action="claim_attachment_view").count() == 2
    with pytest.raises(Conflict):  # the same line again
        application_submit(
            actor=worker,
            subject=person,
            key=key_of(person),
            statement="",
            requested_fen=None,
            attachments=[],
            on=ON,
        )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.exe", b"MZ\x90\x00" + b"\x00" * 100, "不是 PDF、JPEG 或 PNG"),
        ("renamed.pdf", b"PK\x03\x04zip inside", "不是 PDF、JPEG 或 PNG"),
        (
            "script.pdf",
            b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF",
            "含有脚本",
        ),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj", "不是完整的 PDF"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "图片已损坏"),
        ("empty.jpg", b"", "空文件"),
    ],
)
def test_only_real_pdf_jpeg_png_without_active_content_are_accepted(
    name: str, data: bytes, message: str
) -> None:
    person, worker = leader()
    with pytest.raises(DomainError, match=message):
        application_submit(
            actor=worker,
            subject=person,
            key=key_of(person),
            statement="",
            requested_fen=None,
            attachments=[Upload("材料", name, data)],
            on=ON,
        )
    assert not ClaimAttachment.objects.exists() and not person.claims.exists()


def test_someone_else_cannot_apply_and_the_amount_must_be_in_range() -> None:
    person, worker = leader()
    other = make_user(Role.WORKER, person=make_person(name="冯旁人"))
    with pytest.raises(PermissionDenied):
        application_submit(
            actor=other,
            subject=person,
            key=key_of(person),
            statement="",
            requested_fen=None,
            attachments=[],
            on=ON,
        )
    with pytest.raises(DomainError, match="范围"):
        application_submit(
            actor=worker,
            subject=person,
            key=key_of(person),
            statement="",
            requested_fen=99_000_000,
            attachments=[],
            on=ON,
        )
    with pytest.raises(DomainError, match="无需申请"):
        application_submit(
            actor=worker,
            subject=person,
            key="nb.skill_upgrade~1",
            statement="",
            requested_fen=None,
            attachments=[],
            on=ON,
        )
    assert not person.claims.exists()
