"""Reading a spreadsheet (.xlsx) or a CSV into a header and numbered rows.

Row numbers are those a person sees when opening the file (the header is row 1), so an error report
can be checked against the sheet. Cells keep their type from .xlsx (numbers, dates) so that the
column parsers can say when Excel has mangled a value (an 18-digit ID number stored as a number).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

Cell = str | int | float | bool | dt.date | dt.datetime | None
FileInput = str | Path | bytes | IO[bytes]

MAX_ROWS = 2_000_000


class UnreadableFile(Exception):
    """The file cannot be read as a table: wrong format, damaged, empty, or no usable header."""


@dataclass(frozen=True)
class SourceRow:
    number: int  # as shown in the spreadsheet (header = 1)
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[SourceRow]


def _load_bytes(file: FileInput) -> tuple[bytes, str]:
    if isinstance(file, str | Path):
        path = Path(file)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise UnreadableFile(f"无法读取文件：{exc.strerror or exc}") from exc
    if isinstance(file, bytes):
        return file, ""
    name = getattr(file, "name", "") or ""
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(), Path(str(name)).name


def _is_blank(cells: tuple[Cell, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


XLSX_DAMAGED = "文件已损坏或不是有效的 Excel 工作簿（.xlsx），请在 Excel 中打开并另存后重新上传"


def _rows_xlsx(data: bytes) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    from openpyxl import load_workbook

    # A damaged workbook fails in many ways inside openpyxl and its XML parser (a truncated zip,
    # a missing part, bad XML, a wrong type): every one of them is "cannot be read", in Chinese,
    # never the library's English message.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFile(XLSX_DAMAGED) from exc
    try:
        if not workbook.worksheets:
            raise UnreadableFile("工作簿中没有工作表")
        sheet = workbook.worksheets[0]
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, tuple(values)
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(XLSX_DAMAGED) from exc
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GB18030 (GBK); everything else is UTF-8 (maybe BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("CSV 文件编码无法识别（请另存为 UTF-8 或 GBK 编码）")


def _rows_csv(data: bytes) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, tuple(values)
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 格式错误：{exc}") from exc


def read_table(file: FileInput, filename: str = "") -> tuple[Table, str]:
    """The header row and every non-blank data row; also the file's name."""
    data, found_name = _load_bytes(file)
    name = filename or found_name
    suffix = Path(name).suffix.lower()
    if not data:
        raise UnreadableFile("文件为空")
    if data[:4] == b"PK\x03\x04" or suffix == ".xlsx":
        rows = _rows_xlsx(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise UnreadableFile("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx")
    elif suffix in ("", ".csv", ".txt", ".tsv"):
        rows = _rows_csv(data)
    else:
        raise UnreadableFile(f"不支持的文件类型“{suffix}”，请使用 .xlsx 或 .csv")
    header: tuple[str, ...] | None = None
    body: list[SourceRow] = []
    for number, cells in rows:
        if _is_blank(cells):
            continue
        if header is None:
            header = tuple("" if c is None else str(c).strip() for c in cells)
            continue
        body.append(SourceRow(number=number, cells=cells))
        if len(body) > MAX_ROWS:
            raise UnreadableFile(f"文件超过{MAX_ROWS}行，请拆分后导入")
    if header is None:
        raise UnreadableFile("文件没有表头行")
    return Table(headers=header, rows=body), name
