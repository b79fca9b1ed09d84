"""Admission tickets (准考证, issue 9 §3): a PDF per registration whose QR code carries a signed
reference (django.core.signing under `ASSESSMENT_TICKET_SALT`) that the invigilator's page checks
— an edited or made-up ticket does not verify. Font and QR from `jineng.core.pdf`."""

from __future__ import annotations

import io

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from jineng.assessment.models import AssessmentPart, Registration
from jineng.core.errors import NotFound
from jineng.core.pdf import add_cjk_font, qr_png


def ticket_number(registration: Registration) -> str:
    """The number printed on the ticket: session and registration, zero-padded."""
    return f"{registration.session_id:06d}{registration.pk:08d}"


def ticket_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=settings.ASSESSMENT_TICKET_SALT)


def ticket_registration_id(token: str) -> int:
    """The registration a ticket's QR names; NotFound for anything not signed by us."""
    try:
        data = signing.loads(token, salt=settings.ASSESSMENT_TICKET_SALT)
    except signing.BadSignature:
        raise NotFound("ticket", "准考证二维码无效（不是本平台签发或已被改动）") from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise NotFound("ticket", "准考证二维码无效（不是本平台签发或已被改动）")
    return int(data["r"])


def ticket_check_path(registration: Registration) -> str:
    return reverse("assessment:ticket_check") + "?t=" + ticket_token(registration)


def _rows(registration: Registration) -> list[tuple[str, str]]:
    session = registration.session
    person = registration.person
    starts = timezone.localtime(session.starts_at)
    parts = "、".join(str(AssessmentPart(p).label) for p in session.parts)
    return [
        ("准考证号", ticket_number(registration)),
        ("姓　　名", person.name),
        ("证件号码", person.masked_id_number),
        ("职业（工种）", session.occupation.name),
        ("申报等级", session.get_level_display()),
        ("考核环节", parts),
        ("开考时间", f"{starts:%Y年%m月%d日 %H:%M}"),
        ("考　　点", session.venue),
        ("评价机构", session.organisation.name),
    ]


def ticket_pdf(registration: Registration, *, base_url: str = "") -> bytes:
    """The ticket as an A5 PDF; the QR holds `base_url` + the check page with the signed token."""
    pdf = FPDF(orientation="P", unit="mm", format="A5")
    pdf.set_title(f"准考证 {ticket_number(registration)}")
    pdf.set_creator("技能")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    font = add_cjk_font(pdf)
    pdf.set_font(font, size=20)
    pdf.set_xy(10, 12)
    pdf.cell(128, 12, "职业技能等级认定准考证", align="C")
    pdf.set_font(font, size=11)
    y = 32.0
    for label, value in _rows(registration):
        pdf.set_xy(14, y)
        pdf.cell(30, 8, label)
        pdf.multi_cell(94, 8, value)
        y = max(y + 10, pdf.get_y() + 2)
    qr = qr_png(base_url.rstrip("/") + ticket_check_path(registration))
    pdf.image(io.BytesIO(qr), x=49, y=y + 4, w=50, h=50)
    pdf.set_font(font, size=9)
    pdf.set_xy(14, y + 57)
    pdf.multi_cell(
        120, 5, "请携带本证和身份证件按时入场；监考员扫描二维码核对考生信息。", align="C"
    )
    return bytes(pdf.output())
