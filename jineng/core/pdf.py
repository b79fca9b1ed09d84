"""What the platform's PDFs share (certificates, electronic training records): the CJK font
(Debian's fonts-noto-cjk, setting CERTIFICATES_PDF_FONT; fpdf2 embeds only the glyphs used) and
a QR code as PNG bytes."""

from __future__ import annotations

import io

import qrcode
from django.conf import settings
from fpdf import FPDF

FONT = "cjk"


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    """A QR code of `data` (error correction M) as PNG bytes."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=box_size
    )
    qr.add_data(data)
    qr.make(fit=True)
    image = qr.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def add_cjk_font(pdf: FPDF) -> str:
    """Register the CJK font on `pdf` and return its family name (`FONT`)."""
    pdf.add_font(
        FONT,
        "",
        str(settings.CERTIFICATES_PDF_FONT),
        collection_font_number=int(settings.CERTIFICATES_PDF_FONT_INDEX),
    )
    return FONT
