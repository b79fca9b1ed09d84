"""What the platform's PDFs share (certificates, electronic training records): the CJK font
(Debian's fonts-noto-cjk, setting CERTIFICATES_PDF_FONT; fpdf2 embeds only the glyphs used) and
a QR code as PNG bytes.

Speed: embedding subsets the font, and fontTools reads the whole 65,000-glyph CFF of the
collection member to do it (most of a certificate's 0.45 s; parsing the font once per process
saved nothing measurable, because the subsetter re-reads the tables it edits). So the font is
first reduced, once per font file, to the characters of GB 2312 (7,445 characters: the names,
occupations and organisations of nearly every certificate) plus ASCII and CJK punctuation, without
subroutines, and cached under VAR_DIR/certificates/fonts/; a document whose text needs a character
outside it uses the full font (`font_for`; `add_cjk_font(pdf, text=…)`). docs/benchmarks.md,
"Certificates (issue 9)"."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

import qrcode
from django.conf import settings
from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF

FONT = "cjk"
# fontTools' subsetter logs every table and glyph list at INFO for every document fpdf2 embeds a
# font in: dozens of lines per PDF into the workers' logs (and their CPU), none of them useful.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def qr_image(data: str, *, box_size: int = 10, mask_pattern: int | None = None) -> Any:
    """A QR code of `data` (error correction M) as a PIL image, for fpdf2 to embed directly.
    `mask_pattern` (0–7) skips the scoring of all eight masks (most of the encoder's time; every
    mask is valid, the score only avoids patterns that some scanners find harder)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        box_size=box_size,
        mask_pattern=mask_pattern,
    )
    qr.add_data(data)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image()


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    """A QR code of `data` (error correction M) as PNG bytes."""
    out = io.BytesIO()
    qr_image(data, box_size=box_size).save(out, format="PNG")
    return out.getvalue()


_REDUCE_LOCK = threading.Lock()
REDUCTION_VERSION = "gb2312-1"


@cache
def _reduced_charset() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0x3000, 0x3040)}
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(chars))


def _reduce(source: Path, index: int, target: Path) -> None:
    font = ttLib.TTFont(source, fontNumber=index, lazy=True, recalcTimestamp=False)
    options = ftsubset.Options(
        notdef_outline=True, recommended_glyphs=True, name_IDs=["*"], desubroutinize=True
    )
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "vmtx", "vhea", "VORG"]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(text=_reduced_charset())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    font.save(partial)
    os.replace(partial, target)  # atomic: a concurrent process sees the whole file or none


@cache
def _reduced_font(source: str, index: int) -> tuple[str, frozenset[str]] | None:
    """The reduced font's path and its characters (built on first use), or None when disabled."""
    if not getattr(settings, "CERTIFICATES_PDF_FONT_REDUCE", True):
        return None
    path = Path(source)
    stat = path.stat()
    key = f"{path.resolve()}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{REDUCTION_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    target = Path(settings.VAR_DIR) / "certificates" / "fonts" / f"cjk-{digest}.otf"
    with _REDUCE_LOCK:
        if not target.is_file():
            _reduce(path, index, target)
    return str(target), frozenset(_reduced_charset())


def font_for(text: str) -> tuple[str, int]:
    """The font file (and collection index) to embed for a document with this text."""
    source = str(settings.CERTIFICATES_PDF_FONT)
    index = int(settings.CERTIFICATES_PDF_FONT_INDEX)
    reduced = _reduced_font(source, index)
    if reduced is not None and set(text) <= reduced[1]:
        return reduced[0], 0
    return source, index


def add_cjk_font(pdf: FPDF, *, text: str | None = None) -> str:
    """Register the CJK font on `pdf` and return its family name (`FONT`). With `text` (every
    character the document prints), the reduced font when it covers them all."""
    if text is None:
        path, index = str(settings.CERTIFICATES_PDF_FONT), int(settings.CERTIFICATES_PDF_FONT_INDEX)
    else:
        path, index = font_for(text)
    pdf.add_font(FONT, "", path, collection_font_number=index)
    # fpdf2 saves the embedded subset with fontTools, which would recompute every kept glyph's
    # bounding box by running its outline (a third of a certificate's time); the font's own
    # boxes stay (the PDF's font descriptor carries the bounding box the viewer uses).
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.recalcBBoxes = False
    return FONT
