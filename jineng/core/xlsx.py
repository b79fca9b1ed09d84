"""The one spreadsheet writer: every .xlsx the platform produces goes through `workbook_bytes`.

A cell written from user input that begins with ``= + - @``, a tab or a carriage return would be
read by Excel or WPS as a formula (``=HYPERLINK("http://…","点我")``) — "CSV/formula injection"
(OWASP). Such strings are written as text: openpyxl's cell data type ``s`` with a leading
apostrophe-free quote prefix (``quotePrefix``), so the spreadsheet shows exactly what was typed
and never evaluates it. Numbers, dates and booleans are written as themselves.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CellValue = str | int | Decimal | date | datetime | bool | None


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


@dataclass
class Sheet:
    """One sheet: a title, a header row and data rows (any iterable, streamed)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[CellValue]] = field(default_factory=list)


def _cell(sheet: WriteOnlyWorksheet, value: CellValue, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, float):  # money is never float; a float here is a bug upstream
        raise TypeError("spreadsheet cells take int, Decimal or str, never float")
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; callers pass local time
    if isinstance(value, str):
        # Control characters cannot be stored in the file's XML; show where they were.
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Always a string cell: openpyxl would otherwise store "=…" as a formula.
        cell.data_type = "s"
        if is_formula_like(value):
            cell.style = "Normal"
            cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def _value(sheet: WriteOnlyWorksheet, value: CellValue) -> CellValue | WriteOnlyCell:
    """A value openpyxl stores as it is (a plain string, a number, a date) goes in bare — the
    write-only sheet then reuses one cell for it, which is several times faster on 100,000-row
    files; anything that needs a decision (a formula-like or dirty string, a float, a datetime
    with a zone) goes through `_cell`."""
    if value is None or (isinstance(value, int | Decimal) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        if is_formula_like(value) or ILLEGAL_CHARACTERS_RE.search(value):
            return _cell(sheet, value)
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return _cell(sheet, value)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Write the sheets (streamed, write-only mode) and return the .xlsx file's bytes."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])  # Excel's limit on sheet names
        sheet.append([_cell(sheet, h, bold=True) for h in spec.header])
        for row in spec.rows:
            sheet.append([_value(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
