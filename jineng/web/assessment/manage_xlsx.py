"""The .xlsx template for importing items: the importer's own columns, with an example row."""

from __future__ import annotations

import io

from jineng.assessment.importing import COLUMNS

EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "point": "1.1",
        "kind": "单选",
        "difficulty": "中等",
        "stem": "车床主轴转速的选择依据是什么？",
        "option_A": "工件材料",
        "option_B": "机床颜色",
        "option_C": "操作者身高",
        "answer": "A",
    },
    {
        "point": "1.1",
        "kind": "判断",
        "difficulty": "易",
        "stem": "操作车床时可以戴手套。",
        "answer": "错误",
    },
    {
        "point": "2",
        "kind": "操作",
        "difficulty": "较难",
        "stem": "按图样车削阶梯轴。",
        "sheet": "尺寸精度|60|超差一处:10\n安全文明生产|40|未戴护目镜:10",
    },
)


def items_template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "试题"
    sheet.append([f"{c.header}（必填）" if c.required else c.header for c in COLUMNS])
    for row in EXAMPLES:
        sheet.append([row.get(c.key, "") for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
