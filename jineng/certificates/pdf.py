"""The certificate as a PDF (A4 landscape): the fields of the national template in Chinese, and
the QR code carrying the verification link with the signed token. fpdf2 embeds a subset of the
CJK font (Debian's fonts-noto-cjk, setting CERTIFICATES_PDF_FONT), so the file is small and opens
anywhere without the font installed."""

from __future__ import annotations

import io

from fpdf import FPDF

from jineng.certificates.models import Certificate
from jineng.certificates.photos import photo_jpeg
from jineng.certificates.selectors import verification_url
from jineng.certificates.signing import mask_name
from jineng.core.pdf import FONT, add_cjk_font, qr_image
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS

LEVEL_NAMES = {"5": "五级/初级工", "4": "四级/中级工", "3": "三级/高级工", "2": "二级/技师",
               "1": "一级/高级技师", "S": "特级技师"}  # fmt: skip


# One fixed QR mask: scoring all eight was a fifth of a certificate's time (docs/benchmarks.md).
QR_MASK = 4
TITLE = "职业技能等级证书"
QR_HINT = "扫描二维码或在查询页输入证书编号和姓名核验本证书"
FOOTER = "　本证书信息以查询结果为准"
FIXED_TEXT = TITLE + QR_HINT + FOOTER + "持证人：*"


def _document(certificate: Certificate) -> list[tuple[str, str]]:
    person = certificate.person
    return [
        ("姓　　名", certificate.holder_name),
        ("证件类型", person.get_id_type_display()),
        ("证件号码", person.masked_id_number),
        ("职业（工种）", certificate.occupation.name),
        ("职业编码", certificate.occupation_id),
        ("等　　级", LEVEL_NAMES.get(certificate.level)
         or CERTIFICATE_LEVELS.get(certificate.level, certificate.level)),
        ("证书编号", certificate.number),
        ("发证机构", certificate.issuer_name),
        ("发证日期", f"{certificate.issued_on:%Y年%m月%d日}"),
    ]  # fmt: skip


def certificate_pdf(certificate: Certificate) -> bytes:
    """The PDF of one certificate (the holder's number masked, as on the public view)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"职业技能等级证书 {certificate.number}")
    pdf.set_author(certificate.issuer_name)
    pdf.set_creator("技能")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    fields = _document(certificate)
    add_cjk_font(pdf, text="".join(label + value for label, value in fields) + FIXED_TEXT)
    pdf.set_draw_color(150, 110, 40)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font(FONT, size=30)
    pdf.set_xy(10, 24)
    pdf.cell(277, 14, TITLE, align="C")
    pdf.set_font(FONT, size=13)
    y = 55.0
    for label, value in fields:
        pdf.set_xy(30, y)
        pdf.cell(42, 10, label)
        pdf.cell(140, 10, value)
        y += 14
    qr = qr_image(verification_url(certificate), mask_pattern=QR_MASK)
    pdf.image(qr, x=212, y=60, w=60, h=60)
    photo = photo_jpeg(certificate)
    if photo is not None:
        pdf.image(io.BytesIO(photo), x=227, y=142, w=30)
    pdf.set_font(FONT, size=10)
    pdf.set_xy(200, 124)
    pdf.multi_cell(84, 6, QR_HINT, align="C")
    pdf.set_xy(30, 186)
    pdf.cell(240, 6, f"持证人：{mask_name(certificate.holder_name)}{FOOTER}")
    return bytes(pdf.output())
