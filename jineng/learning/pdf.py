"""The electronic training record (电子培训档案, issue 8 §6; 004 §5) as a PDF: the person (number
masked, as on the page) and every training record, A4 portrait. The CJK font and its embedding
are `jineng.core.pdf`'s, shared with the certificates."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from jineng.core.pdf import add_cjk_font
from jineng.identity.models import Person
from jineng.learning.models import TrainingRecord

HEADER = ("结业日期", "职业（工种）", "等级", "学时", "培训机构", "形式", "结果", "培训券")
WIDTHS = (24, 38, 20, 12, 46, 18, 14, 14)


def _row(r: TrainingRecord) -> tuple[str, ...]:
    redeemed = getattr(r, "voucher", None) is not None
    return (
        f"{r.completed_on:%Y-%m-%d}",
        r.occupation.name,
        r.get_level_display(),
        str(r.hours),
        r.institution.name,
        r.get_source_display(),
        r.get_result_display(),
        "是" if redeemed else "否",
    )


def training_record_pdf(*, person: Person, records: Sequence[TrainingRecord]) -> bytes:
    """The PDF of `person`'s records (the caller has read them through the access helpers)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"电子培训档案 {person.name}")
    pdf.set_creator("技能")
    pdf.add_page()
    font = add_cjk_font(pdf)
    pdf.set_font(font, size=20)
    pdf.cell(0, 14, "电子培训档案", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=11)
    pdf.cell(0, 8, f"姓名：{person.name}　证件号码：{person.masked_id_number}",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    total = sum(r.hours for r in records)
    pdf.cell(0, 8, f"培训记录 {len(records)} 条，合计 {total} 学时（1 学时 = 45 分钟）",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(2)
    pdf.set_font(font, size=9)
    if records:
        # The font has one style: headings in it as the rest (the default is bold).
        headings = FontFace(emphasis="")
        with pdf.table(
            col_widths=WIDTHS, text_align="LEFT", line_height=6, headings_style=headings
        ) as table:
            table.row(HEADER)
            for record in records:
                table.row(_row(record))
    else:
        pdf.cell(0, 8, "暂无培训记录", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(font, size=8)
    pdf.multi_cell(
        0,
        5,
        f"本档案由平台根据培训机构的结业记录和核实的在线学习时间生成，"
        f"生成时间 {timezone.localtime():%Y年%m月%d日 %H:%M}。",
    )
    return bytes(pdf.output())
