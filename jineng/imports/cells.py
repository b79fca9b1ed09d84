"""Parsing spreadsheet cells into typed values, with the reason (Chinese) when a cell is wrong."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from jineng.imports.reading import Cell


class CellError(ValueError):
    """The cell's value is not acceptable; the message is the reason shown to the user."""


def text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def identifier(cell: Cell, what: str) -> str:
    """An identifier typed as text; Excel turns long digit strings into floats and loses digits."""
    if isinstance(cell, float):
        raise CellError(f"{what}被 Excel 存成了数字（已丢失位数），请把该列设为“文本”后重新填写")
    return "".join(text(cell).split()).upper()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def date(cell: Cell) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool) and 20000 < cell < 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(cell))  # an Excel serial date
    value = text(cell)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CellError(f"日期“{value}”无法识别（应为 2024-05-01 形式）")


_TRUE = {"是", "y", "yes", "true", "1", "已参保", "有", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "未参保", "无", "×"}


def boolean(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(f"“{value}”应填“是”或“否”")


_MONEY = re.compile(r"^\d+(\.\d{1,2})?$")


def yuan_to_fen(cell: Cell) -> int:
    """Yuan (up to two decimals) as exact integer fen; never through a float."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        if cell < 0:
            raise CellError("金额不能为负数")
        return cell * 100
    value = text(cell).replace(",", "").replace("，", "").removesuffix("元").strip()
    if isinstance(cell, float):
        value = repr(cell)
    if not _MONEY.match(value):
        raise CellError(f"金额“{value}”应为不小于0的数字，最多两位小数（单位：元）")
    try:
        return int(Decimal(value) * 100)
    except InvalidOperation as exc:
        raise CellError(f"金额“{value}”无法识别") from exc


def normalise_header(value: str) -> str:
    value = value.strip().replace("（", "(").replace("）", ")").replace("＊", "*")
    value = value.replace("(必填)", "").replace("*", "")
    return "".join(value.split())
