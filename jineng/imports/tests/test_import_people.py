import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jineng.dossier.models import Fact
from jineng.identity.crypto import blind_index
from jineng.identity.models import Employment, Person
from jineng.identity.testing import make_organisation, make_person, resident_id
from jineng.imports.people import EXISTS_MESSAGE
from jineng.imports.report import ImportReport
from jineng.imports.services import import_people
from jineng.imports.tests.helpers import counts, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "证件类型",
    "证件号码",
    "手机号码",
    "户籍地",
    "学历",
    "参保",
    "参保日期",
    "单位",
    "职业编码",
]
GOOD_1 = resident_id(area="430582", birth=dt.date(1990, 3, 1), serial=11)
GOOD_2 = resident_id(area="450103", birth=dt.date(1995, 7, 9), serial=22)
GOOD_3 = resident_id(area="441900", birth=dt.date(1988, 1, 20), serial=33)
IN_DB = resident_id(area="441900", birth=dt.date(1979, 5, 5), serial=44)
BAD_CHECK = GOOD_3[:17] + ("0" if GOOD_3[17] != "0" else "1")


@pytest.fixture
def employer() -> None:
    make_organisation(kind="enterprise", name="东莞市华鑫电子科技有限公司", region="441900")


@pytest.fixture
def mixed_file(tmp_path: Path, employer: None) -> Path:
    make_person(name="已在库", id_number=IN_DB)
    return write_xlsx(
        tmp_path / "people.xlsx",
        HEADER,
        [
            [
                "张伟",
                "居民身份证",
                GOOD_1,
                "13812345678",
                "430582",
                "高中",
                "是",
                "2019-07-01",
                "东莞市华鑫电子科技有限公司",
                "6-25-04-07",
            ],  # row 2 good
            [
                "李娜",
                "",
                BAD_CHECK,
                "13912345678",
                "441900",
                "大专",
                "否",
                "",
                "",
                "",
            ],  # row 3 check digit
            [
                "王芳",
                "身份证",
                GOOD_2,
                "1381234567",
                "火星市",
                "初中",
                "是",
                "2021-02-30",
                "",
                "",
            ],  # row 4 phone, region, date
            [
                "",
                "",
                GOOD_3,
                "",
                "441900",
                "",
                "",
                "",
                "某厂",
                "9-99-99-99",
            ],  # row 5 name, occupation
            ["赵强", "", GOOD_1, "", "", "", "", "", "", ""],  # row 6 duplicate of row 2
            ["刘洋", "", IN_DB, "", "", "", "", "", "", ""],  # row 7 in the database
            [
                "陈静",
                "",
                GOOD_3,
                "13700001111",
                "广东省东莞市",
                "本科",
                "是",
                "2020-01-15",
                "",
                "",
            ],  # row 8 good
        ],
    )


def _issues(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.reason) for i in report.errors]


def test_a_dry_run_reports_every_bad_row_and_writes_nothing(mixed_file: Path) -> None:
    # given
    before = counts()
    # when
    report = import_people(actor=None, file=mixed_file, dry_run=True)
    # then
    assert counts() == before
    assert report.total_rows == 7
    assert report.rejected_rows == [3, 4, 5, 6, 7]
    assert _issues(report) == [
        (3, "证件号码", f"身份证号码校验位错误（应为{GOOD_3[17]}）"),
        (4, "手机号码", "手机号码应为11位中国大陆手机号（1开头，第二位3至9）"),
        (4, "户籍地", "未知的行政区划（应为 GB/T 2260 代码或唯一的名称）"),
        (4, "参保日期", "日期“2021-02-30”无法识别（应为 2024-05-01 形式）"),
        (5, "姓名", "必填项为空"),
        (5, "职业编码", "未知的职业编码（2022年版职业分类大典）"),
        (6, "证件号码", "与第2行证件号码重复"),
        (7, "证件号码", EXISTS_MESSAGE),
    ]
    assert report.written == 0
    assert report.exit_code == 1


def test_the_report_never_shows_an_id_number_or_phone_in_clear(mixed_file: Path) -> None:
    report = import_people(actor=None, file=mixed_file, dry_run=True)
    shown = {(i.row, i.column): i.value for i in report.issues}
    assert shown[(3, "证件号码")] == BAD_CHECK[:4] + "*" * 10 + BAD_CHECK[-4:]
    assert shown[(4, "手机号码")] == "138***4567"
    assert BAD_CHECK not in report.summary()
    assert "1381234567" not in report.summary()


def test_a_real_run_with_bad_rows_writes_nothing_at_all(mixed_file: Path) -> None:
    before = counts()
    report = import_people(actor=None, file=mixed_file)
    assert counts() == before
    assert report.written == 0
    assert report.exit_code == 1
    assert "未导入任何数据" in report.outcome


def test_skip_bad_writes_exactly_the_good_rows(mixed_file: Path) -> None:
    # given
    before = counts()
    # when
    report = import_people(actor=None, file=mixed_file, skip_bad=True)
    # then
    assert report.written == 2
    assert report.exit_code == 1  # rows were rejected
    assert Person.objects.count() == before["people"] + 2
    zhang = Person.objects.get(id_number_index=blind_index(GOOD_1))
    assert (zhang.name, zhang.id_number, zhang.phone) == ("张伟", GOOD_1, "13812345678")
    assert (zhang.birth_date, zhang.sex) == (dt.date(1990, 3, 1), "M")
    assert (zhang.hukou_region_id, zhang.education, zhang.insured) == ("430582", "senior", True)
    assert zhang.insured_since == dt.date(2019, 7, 1)
    job = Employment.objects.get(person=zhang)
    assert job.employer is not None
    assert (job.employer.name, job.occupation_id) == ("东莞市华鑫电子科技有限公司", "6-25-04-07")
    assert sorted(Fact.objects.filter(person=zhang).values_list("kind", flat=True)) == [
        "employment",
        "insurance",
    ]
    chen = Person.objects.get(id_number_index=blind_index(GOOD_3))
    assert (chen.name, chen.hukou_region_id, chen.education) == ("陈静", "441900", "bachelor")
    assert not Employment.objects.filter(person=chen).exists()
    assert not Person.objects.filter(name__in=["李娜", "王芳", "赵强", "刘洋"]).exists()


def test_a_clean_file_is_imported_whole_and_audited(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        HEADER,
        [
            ["张伟", "", GOOD_1, "", "430582", "", "", "", "", ""],
            ["王芳", "", GOOD_2, "", "450103", "", "", "", "", ""],
        ],
        encoding="gb18030",  # as Excel on Chinese Windows saves CSV
    )
    audit_before = counts()["audit"]
    report = import_people(actor=None, file=path)
    assert (report.written, report.exit_code, report.issues) == (2, 0, [])
    assert set(Person.objects.values_list("name", flat=True)) == {"张伟", "王芳"}
    # one entry per person and one for the run
    assert counts()["audit"] == audit_before + 3


def test_an_id_number_mangled_by_excel_is_reported(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", ["姓名", "证件号码"], [["张伟", 4.30582199003011e17]])
    report = import_people(actor=None, file=path, dry_run=True)
    assert _issues(report) == [
        (2, "证件号码", "证件号码被 Excel 存成了数字（已丢失位数），请把该列设为“文本”后重新填写")
    ]


def test_the_error_report_opens_as_a_workbook_with_every_row(mixed_file: Path) -> None:
    report = import_people(actor=None, file=mixed_file, dry_run=True)
    workbook = load_workbook(io.BytesIO(report.to_xlsx()))
    assert workbook.sheetnames == ["导入结果", "问题明细"]
    details = list(workbook["问题明细"].iter_rows(values_only=True))
    assert details[0] == ("行号", "列", "值（已脱敏）", "原因", "级别")
    assert [(r[0], r[1]) for r in details[1:]] == [
        (3, "证件号码"),
        (4, "手机号码"),
        (4, "户籍地"),
        (4, "参保日期"),
        (5, "姓名"),
        (5, "职业编码"),
        (6, "证件号码"),
        (7, "证件号码"),
    ]
    assert all(BAD_CHECK not in str(cell) for row in details for cell in row)


def test_an_unreadable_file_is_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    report = import_people(actor=None, file=path, dry_run=True)
    assert report.exit_code == 2
    assert report.file_error.startswith("文件已损坏或不是有效的 Excel 工作簿")


def test_a_file_without_a_required_column_is_exit_code_2(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ["姓名", "手机号码"], [["张伟", "13812345678"]])
    report = import_people(actor=None, file=path, dry_run=True)
    assert (report.exit_code, report.file_error) == (2, "缺少必填列：证件号码")


def test_a_failure_while_writing_rolls_back_every_row(
    tmp_path: Path, employer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the facts of the second row cannot be written (say, a constraint fires)
    path = write_csv(
        tmp_path / "people.csv",
        HEADER,
        [["张伟", "", GOOD_1, "", "", "", "是", "2019-07-01", "东莞市华鑫电子科技有限公司", ""]],
    )
    before = counts()

    def failing(**kwargs: object) -> None:
        from django.db import IntegrityError

        raise IntegrityError("simulated")

    monkeypatch.setattr("jineng.imports.people.facts_append_bulk", failing)
    # when
    report = import_people(actor=None, file=path)
    # then: the person and employment written before the failure are gone too
    assert counts() == before
    assert (report.written, report.exit_code) == (0, 1)
    assert report.write_error == "IntegrityError: simulated"


def test_the_celery_task_runs_the_same_import(tmp_path: Path) -> None:
    from jineng.imports.tasks import import_file_task

    path = write_csv(tmp_path / "people.csv", HEADER, [["张伟", "", GOOD_1] + [""] * 7])
    result = import_file_task.delay(kind="people", path=str(path), actor_id=None).get()
    assert (result["written"], result["exit_code"], result["issues"]) == (1, 0, [])
    assert Person.objects.filter(name="张伟").exists()


def test_a_formula_in_a_cell_comes_back_as_text_in_the_error_report(tmp_path: Path) -> None:
    evil = '=HYPERLINK("http://example.com","点我")'
    path = write_xlsx(tmp_path / "p.xlsx", ["姓名", "证件号码"], [[evil, "123"]])
    report = import_people(actor=None, file=path, dry_run=True)
    workbook = load_workbook(io.BytesIO(report.to_xlsx()))
    cells = [c for row in workbook["问题明细"].iter_rows() for c in row]
    assert cells, "the bad row is reported"
    assert all(c.data_type != "f" for c in cells)
    summary = [c for row in workbook["导入结果"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in summary)
