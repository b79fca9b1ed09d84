import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jineng.audit.models import AuditEntry
from jineng.reference.errors import ImportRejected, RowError
from jineng.reference.loading import DATA_DIR
from jineng.reference.models import Occupation, ShortageOccupation
from jineng.reference.selectors import is_shortage, shortage_list, shortage_min_levels
from jineng.reference.services import shortage_list_import

pytestmark = pytest.mark.django_db


def rows(text: str) -> list[dict[str, str | None]]:
    return list(csv.DictReader(io.StringIO(text)))


GOOD = """occupation_code,occupation_name,min_level,note
6-18-01-01,车工,5,
6-18-02-04,焊工,高级工,特种作业
6-31-07-03,,四级,
"""


def test_import_replaces_the_year_list() -> None:
    ShortageOccupation.objects.create(region_id="330500", year=2025, occupation_id="6-18-01-02")
    result = shortage_list_import(actor=None, region="330500", year=2025, rows=rows(GOOD))
    assert (result.created, result.replaced) == (3, 1)
    assert [(s.occupation_id, s.min_level, s.note) for s in shortage_list("3305", 2025)] == [
        ("6-18-01-01", "5", ""),
        ("6-18-02-04", "3", "特种作业"),
        ("6-31-07-03", "4", ""),
    ]


def test_bad_rows_are_named_and_nothing_is_written() -> None:
    before = list(ShortageOccupation.objects.values_list("pk", flat=True))
    text = """occupation_code,occupation_name,min_level,note
6-18-01-01,车工,5,
9-99-99-99,,5,
6-18-01-02,车工,5,
6-18-01-01,,5,
6-18-02-04,,七级,
,,5,
"""
    with pytest.raises(ImportRejected) as caught:
        shortage_list_import(actor=None, region="330500", year=2025, rows=rows(text))
    assert caught.value.errors == [
        RowError(3, "occupation_code", "未知的职业编码（2022年版职业分类大典）", "9-99-99-99"),
        RowError(4, "occupation_name", "与编码不符，应为「铣工」", "车工"),
        RowError(5, "occupation_code", "与第2行重复", "6-18-01-01"),
        RowError(6, "min_level", "不是有效的技能等级", "七级"),
        RowError(7, "occupation_code", "缺少职业编码"),
    ]
    assert str(caught.value.errors[0]) == (
        "第3行 occupation_code（9-99-99-99）：未知的职业编码（2022年版职业分类大典）"
    )
    assert list(ShortageOccupation.objects.values_list("pk", flat=True)) == before


def test_region_must_be_a_known_city_or_province() -> None:
    with pytest.raises(ImportRejected) as caught:
        shortage_list_import(actor=None, region="330502", year=2025, rows=rows(GOOD))
    assert [(e.column, e.reason) for e in caught.value.errors] == [
        ("region", "紧缺职业目录按地市或省发布")
    ]
    with pytest.raises(ImportRejected) as caught:
        shortage_list_import(actor=None, region="999999", year=2025, rows=rows(GOOD))
    assert caught.value.errors[0].reason == "未知的行政区划代码"
    assert str(caught.value.errors[0]) == "region（999999）：未知的行政区划代码"


def test_empty_file_is_rejected() -> None:
    with pytest.raises(ImportRejected):
        shortage_list_import(
            actor=None, region="330500", year=2025, rows=rows("occupation_code,min_level\n")
        )


def test_is_shortage_applies_from_min_level_up() -> None:
    # Dongguan demo list: 6-18-04-01 模具工 from 中级工 (四级).
    assert is_shortage("441900", 2024, "6-18-04-01", "4")
    assert is_shortage("441900", 2024, "6-18-04-01", "2")
    assert not is_shortage("441900", 2024, "6-18-04-01", "5")
    assert is_shortage("441900", 2024, "6-18-04-01", None)
    assert not is_shortage("441900", 2024, "6-18-04-01", "bogus")
    assert not is_shortage("441900", 2024, "2-02-38-01", None)  # not listed
    assert not is_shortage("442000", 2024, "6-18-04-01", None)  # Zhongshan has no demo list


def test_bulk_index_of_min_levels() -> None:
    index = shortage_min_levels(years=[2024])
    assert index[("441900", 2024, "6-18-04-01")] == "4"
    assert len(index) == 31
    assert ("441900", 2023, "6-18-04-01") not in index


def test_is_shortage_by_year() -> None:
    # 工业视觉系统运维员 joined the demo list in 2024.
    assert not is_shortage("441900", 2023, "6-31-07-02", "3")
    assert is_shortage("441900", 2024, "6-31-07-02", "3")


def test_county_worker_counts_under_the_city_list() -> None:
    shortage_list_import(actor=None, region="330500", year=2025, rows=rows(GOOD))
    assert is_shortage("330502", 2025, "6-18-01-01", "5")
    assert not is_shortage("330100", 2025, "6-18-01-01", "5")


def test_demo_list_for_dongguan_2022_to_2026() -> None:
    per_year = {
        year: ShortageOccupation.objects.filter(region_id="441900", year=year).count()
        for year in range(2022, 2027)
    }
    assert all(25 <= n <= 35 for n in per_year.values()), per_year
    with (DATA_DIR / "shortage_demo.csv").open(encoding="utf-8") as f:
        shipped = list(csv.DictReader(f))
    names = dict(Occupation.objects.values_list("code", "name"))
    assert all(names[r["occupation_code"]] == r["occupation_name"] for r in shipped)
    assert ShortageOccupation.objects.filter(region_id="441900").count() == len(shipped)


def test_command_imports_a_file(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_shortage_list", str(path), region="330500", year=2026, stdout=out)
    assert "写入 3 条" in out.getvalue()
    assert shortage_list("330500", 2026).count() == 3


def test_command_reports_each_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(GOOD + "6-00-00-99,,5,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_shortage_list", str(path), region="441900", year=2024, stderr=err)
    assert "第5行 occupation_code（6-00-00-99）" in err.getvalue()
    assert shortage_list("441900", 2024).count() == 31  # the demo list is untouched


def test_command_requires_the_code_column(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("职业,等级\n车工,5\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列 occupation_code"):
        call_command("import_shortage_list", str(path), region="441900", year=2024)


def test_import_is_audited() -> None:
    shortage_list_import(actor=None, region="441900", year=2024, rows=rows(GOOD))
    entry = AuditEntry.objects.get(object_type="reference.shortage_list", object_id="441900/2024")
    assert entry.action == "import"
    assert entry.before is not None and len(entry.before["entries"]) == 31
    assert entry.after is not None and entry.after["entries"]["6-18-02-04"]["min_level"] == "3"
