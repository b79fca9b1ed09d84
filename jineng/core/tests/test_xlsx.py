import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from jineng.core.xlsx import FORMULA_TRIGGERS, Sheet, workbook_bytes


def _read(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_formula_text_is_written_as_text() -> None:
    evil = '=HYPERLINK("http://example.com","点我")'
    data = workbook_bytes([Sheet("问题明细", ["姓名"], [[evil], ["+1"], ["@SUM(A1)"]])])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    for row in (2, 3, 4):
        assert sheet.cell(row, 1).data_type == "s"
    assert sheet.cell(2, 1).value == evil
    # The raw XML holds no formula element at all.
    assert b"<f>" not in _sheet_xml(data)


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_numbers_and_decimals_stay_numbers() -> None:
    rows = _read(workbook_bytes([Sheet("s", ["a", "b"], [[3, Decimal("1.50")]])]))
    assert rows[1] == [3, 1.5]


def test_float_refused() -> None:
    with pytest.raises(TypeError):
        workbook_bytes([Sheet("s", ["a"], [[1.5]])])  # type: ignore[list-item]


@settings(deadline=None)  # a workbook per example: slow on a loaded machine, never wrong
@given(st.sampled_from(FORMULA_TRIGGERS), st.text(max_size=30))
def test_any_formula_like_string_is_never_a_formula(first: str, rest: str) -> None:
    value = first + rest
    data = workbook_bytes([Sheet("s", ["v"], [[value]])])
    assert b"<f>" not in _sheet_xml(data)


def test_control_characters_are_replaced_not_fatal() -> None:
    rows = _read(workbook_bytes([Sheet("s", ["v"], [["a\x00b"]])]))
    assert rows[1] == ["a\ufffdb"]
