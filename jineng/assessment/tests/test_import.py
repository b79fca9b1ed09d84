"""Importing items from .xlsx: every bad cell named by row and column, nothing half-written."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from jineng.assessment.importing import items_import
from jineng.assessment.models import Item, ItemKind, ItemStatus
from jineng.assessment.tests.support import World, make_world
from jineng.audit.models import AuditEntry
from jineng.core.errors import Forbidden
from jineng.core.xlsx import CellValue, Sheet, workbook_bytes
from jineng.identity.models import Role
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db

HEADER = [
    "鉴定要素代码*",
    "题型",
    "难度",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "答案",
    "参考答案",
    "评分表",
]
GOOD: list[list[CellValue]] = [
    ["1", "单选", "中等", "车床的主运动是？", "主轴旋转", "刀架移动", "尾座移动", "A", "", ""],
    ["1.1", "多选", 2, "属于劳动防护用品的有？", "护目镜", "工作服", "手套", "AB", "", ""],
    ["1.1", "判断", "易", "操作车床时可以戴手套。", "", "", "", "错误", "", ""],
    ["2", "填空", "较难", "普通螺纹的牙型角为____度。", "", "", "", "60|六十", "", ""],
    ["2", "简答", "难", "简述车刀前角的作用。", "", "", "", "", "前角影响切削力和刃口强度。", ""],
    [
        "2",
        "操作",
        "中等",
        "车削一根阶梯轴。",
        "",
        "",
        "",
        "",
        "",
        "外圆尺寸|10|每超差0.01毫米:2\n安全文明生产|5",
    ],
]


def _xlsx(rows: Sequence[Sequence[CellValue]]) -> bytes:
    return workbook_bytes([Sheet("试题", HEADER, rows)])


@pytest.fixture
def world() -> World:
    return make_world()


def test_good_file_writes_every_item_as_a_draft(world: World) -> None:
    report = items_import(actor=world.admin, bank=world.bank, file=_xlsx(GOOD), filename="题.xlsx")
    assert report.ok and report.written == 6, report.issues
    items = {i.kind: i for i in Item.objects.filter(bank=world.bank)}
    assert set(items) == set(ItemKind.values)
    assert items[ItemKind.MULTIPLE].answer == [0, 1]
    assert items[ItemKind.TRUE_FALSE].answer is False
    assert items[ItemKind.FILL_IN].answer == [["60", "六十"]]
    assert items[ItemKind.PRACTICAL].sheet[0]["deductions"] == [
        {"reason": "每超差0.01毫米", "points": "2"}
    ]
    assert all(i.status == ItemStatus.DRAFT and i.author == world.admin for i in items.values())
    assert AuditEntry.objects.filter(object_type="question_bank", action="import").count() == 1


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(world: World) -> None:
    rows: list[list[CellValue]] = [
        *GOOD,
        ["9.9", "单选", "中等", "不存在的要素", "甲", "乙", "", "A", "", ""],  # row 8
        ["1", "单选", "中等", "答案越界", "甲", "乙", "", "D", "", ""],  # row 9
        ["1", "问答", "超难", "", "", "", "", "", "", ""],  # row 10
        ["1", "单选", "中等", "车床的主运动是？", "主轴旋转", "刀架移动", "", "A", "", ""],  # 11
        ["2", "操作", "中等", "配分不是数字", "", "", "", "", "", "外圆|十分"],  # row 12
    ]
    before = AuditEntry.objects.count()
    report = items_import(actor=world.admin, bank=world.bank, file=_xlsx(rows))
    assert not report.ok
    assert [str(i) for i in report.issues] == [
        "第8行 鉴定要素代码*（9.9）：题库中没有这个鉴定要素代码",
        "第9行 答案（D）：答案应为选项字母（A至B）",
        "第10行 题型（问答）：题型应为单选、多选、判断、填空、简答或操作",
        "第10行 难度（超难）：难度应为1至5，或易、较易、中等、较难、难",
        "第10行 题干：必填项为空",
        "第11行 题干（车床的主运动是？）：与第2行的题型和题干相同",
        "第12行 评分表（外圆|十分）：评分表第1行的分值“十分”不是数字",
    ]
    assert not Item.objects.exists()
    assert AuditEntry.objects.count() == before


def test_dry_run_writes_nothing_and_missing_column_is_a_file_error(world: World) -> None:
    report = items_import(actor=world.admin, bank=world.bank, file=_xlsx(GOOD), dry_run=True)
    assert report.ok and report.total_rows == 6 and report.written == 0
    assert not Item.objects.exists()
    no_stem = workbook_bytes([Sheet("试题", ["鉴定要素代码", "题型", "难度"], [["1", "单选", 3]])])
    report = items_import(actor=world.admin, bank=world.bank, file=no_stem)
    assert report.file_error == "缺少必填列：题干"


def test_outsider_is_refused_before_the_file_is_read(world: World) -> None:
    with pytest.raises(Forbidden):
        items_import(actor=make_user(Role.ORG_ADMIN), bank=world.bank, file=b"not a spreadsheet")
