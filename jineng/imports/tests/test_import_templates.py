"""The downloadable templates: the accepted columns as headers, a sample row, and a sheet describing
each column; a filled-in template imports as it is (the sample row excepted)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jineng.identity.testing import next_resident_id
from jineng.imports.services import IMPORTS
from jineng.imports.templates import COLUMNS, HELP_HEADER, template_xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_the_template_has_every_accepted_column_a_sample_and_their_description(kind: str) -> None:
    book = load_workbook(io.BytesIO(template_xlsx(kind)))
    data, described = book.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in COLUMNS[kind]]
    assert len(rows) == 2 and any(rows[1])  # one sample row
    help_rows = list(described.iter_rows(values_only=True))
    assert help_rows[0] == HELP_HEADER
    assert [(r[0], r[1]) for r in help_rows[1:]] == [
        (c.header, "必填" if c.required else "选填") for c in COLUMNS[kind]
    ]


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_the_template_is_read_back_with_every_column_recognised(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(template_xlsx(kind))
    report = IMPORTS[kind](actor=None, file=path, dry_run=True)
    assert not report.file_error
    assert [i for i in report.issues if i.row == 1] == []  # no unknown or duplicate column


def test_a_people_template_filled_in_imports(tmp_path: Path) -> None:
    book = load_workbook(io.BytesIO(template_xlsx("people")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("证件号码") + 1, value=next_resident_id())
    sheet.cell(row=2, column=header.index("单位") + 1).value = None
    sheet.cell(row=2, column=header.index("职业编码") + 1).value = None
    sheet.cell(row=2, column=header.index("入职日期") + 1).value = None
    path = tmp_path / "filled.xlsx"
    book.save(path)
    report = IMPORTS["people"](actor=None, file=path)
    assert report.exit_code == 0, report.summary()
    assert report.written == 1
