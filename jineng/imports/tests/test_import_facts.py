import datetime as dt
from pathlib import Path

import pytest

from jineng.dossier.models import Fact
from jineng.dossier.services import fact_append
from jineng.identity.testing import make_organisation, make_person, resident_id
from jineng.identity.validators import uscc_check_char
from jineng.imports.services import import_facts
from jineng.imports.tests.helpers import counts, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = [
    "证件号码",
    "统一社会信用代码",
    "姓名",
    "类别",
    "代码",
    "等级",
    "日期",
    "金额(元)",
    "发证机构",
    "证书编号",
    "角色",
    "奖金(元)",
]
WORKER = resident_id(area="441900", birth=dt.date(1992, 4, 1), serial=51)
STRANGER = resident_id(area="441900", birth=dt.date(1993, 4, 1), serial=53)
STUDIO_HOST = "91441900MA4UH3KX0" + uscc_check_char("91441900MA4UH3KX0")


@pytest.fixture
def people() -> None:
    person = make_person(name="周杰", id_number=WORKER)
    make_organisation(kind="enterprise", name="东莞市华鑫模具有限公司", uscc=STUDIO_HOST)
    make_organisation(kind="evaluation_org", name="东莞市示例职业技能评价有限公司")
    fact_append(
        actor=None, subject=person, kind="certificate", code="6-18-04-01", level="4",
        date=dt.date(2018, 6, 1), source="import", source_ref="Y2018001",
    )  # fmt: skip


def test_facts_are_checked_row_by_row(tmp_path: Path, people: None) -> None:
    path = write_xlsx(
        tmp_path / "facts.xlsx",
        HEADER,
        [
            [
                WORKER,
                "",
                "周杰",
                "职业技能等级证书",
                "6-18-04-01",
                "高级工",
                "2022-06-01",
                "",
                "东莞市示例职业技能评价有限公司",
                "Y2022001",
                "",
                "",
            ],  # 2 good
            [
                WORKER,
                "",
                "周杰",
                "竞赛成绩",
                "世界技能大赛",
                "金牌",
                "2022-11-26",
                "",
                "世界技能组织",
                "",
                "选手",
                "100000",
            ],  # 3 good
            [
                "",
                STUDIO_HOST,
                "",
                "技能大师工作室",
                "master_studio",
                "市级",
                "2021-12-20",
                "500000",
                "东莞市人力资源和社会保障局",
                "",
                "",
                "",
            ],  # 4 good
            [
                WORKER,
                "",
                "周杰",
                "职业技能等级证书",
                "6-18-04-01",
                "中级工",
                "2018-06-01",
                "",
                "",
                "Y2018001",
                "",
                "",
            ],  # 5 already in the dossier
            [
                STRANGER,
                "",
                "",
                "称号",
                "city_technical_expert",
                "",
                "2020-01-01",
                "",
                "",
                "",
                "",
                "",
            ],  # 6 unknown person
            [
                WORKER,
                "",
                "周杰伦",
                "称号",
                "city_technical_expert",
                "",
                "2020-01-01",
                "",
                "",
                "",
                "",
                "",
            ],  # 7 wrong name
            [
                WORKER,
                "",
                "",
                "证书",
                "6-18-04-01",
                "九级",
                "2031-01-01",
                "12.345",
                "",
                "",
                "",
                "",
            ],  # 8 level, date, amount
            [
                WORKER,
                STUDIO_HOST,
                "",
                "称号",
                "City Expert",
                "",
                "2020-01-01",
                "",
                "",
                "",
                "",
                "",
            ],  # 9 two subjects, bad code
            [
                WORKER,
                "",
                "周杰",
                "职业技能等级证书",
                "6-18-04-01",
                "高级工",
                "2022-06-01",
                "",
                "",
                "Y2022001",
                "",
                "",
            ],  # 10 same as row 2
        ],
    )
    before = counts()
    report = import_facts(actor=None, file=path, dry_run=True)
    assert counts() == before
    assert [(i.row, i.column, i.reason) for i in report.errors] == [
        (5, "", "档案中已有相同事实（如需更改，请使用更正）"),
        (6, "证件号码", "系统中没有该证件号码的人员（请先导入人员）"),
        (7, "姓名", "姓名与系统中该证件号码的人员不符"),
        (8, "等级", "未知等级“九级”，可选：5、4、3、2、1、S、C"),
        (8, "日期", "日期晚于今天（历史事实）"),
        (8, "金额(元)", "金额“12.345”应为不小于0的数字，最多两位小数（单位：元）"),
        (9, "证件号码", "证件号码（人员）与统一社会信用代码（机构）须且只须填写一个"),
        (9, "代码", "代码“City Expert”应为小写字母、数字和下划线"),
        (10, "", "与第2行是同一事实（主体、类别、代码、等级、日期、编号相同）"),
    ]


def test_good_rows_land_with_codes_levels_and_money_translated(
    tmp_path: Path, people: None
) -> None:
    path = write_xlsx(
        tmp_path / "facts.xlsx",
        HEADER,
        [
            [
                WORKER,
                "",
                "周杰",
                "职业技能等级证书",
                "6-18-04-01",
                "高级工",
                "2022-06-01",
                "",
                "东莞市示例职业技能评价有限公司",
                "Y2022001",
                "",
                "",
            ],
            [
                WORKER,
                "",
                "周杰",
                "竞赛成绩",
                "世界技能大赛",
                "金牌",
                "2022-11-26",
                "",
                "世界技能组织",
                "",
                "选手",
                "100000",
            ],
            [
                "",
                STUDIO_HOST,
                "",
                "技能大师工作室",
                "master_studio",
                "市级",
                "2021-12-20",
                "500000.50",
                "",
                "",
                "",
                "",
            ],
        ],
    )
    report = import_facts(actor=None, file=path)
    assert (report.written, report.exit_code) == (3, 0)
    certificate = Fact.objects.get(source_ref="Y2022001")
    assert (certificate.kind, certificate.code, certificate.level) == (
        "certificate",
        "6-18-04-01",
        "3",
    )
    assert (
        certificate.issuer is not None
        and certificate.issuer.name == "东莞市示例职业技能评价有限公司"
    )
    assert certificate.attrs["issuer_kind"] == "evaluation_org"
    assert certificate.attrs["shortage"] is True  # 模具工 is on Dongguan's 2022 shortage list
    medal = Fact.objects.get(kind="competition_result")
    assert (medal.code, medal.level, medal.attrs) == (
        "worldskills",
        "gold",
        {"role": "player", "prize_fen": 10_000_000},
    )
    studio = Fact.objects.get(kind="studio")
    assert (studio.subject_type, studio.level, studio.amount_fen) == (
        "organisation",
        "city",
        50_000_050,
    )
