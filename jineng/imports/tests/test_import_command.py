import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jineng.identity.models import Person
from jineng.identity.testing import resident_id
from jineng.imports.tests.helpers import write_csv

pytestmark = pytest.mark.django_db

GOOD = resident_id(area="441900", birth=dt.date(1990, 1, 1), serial=71)
BAD = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")


def run(*args: str) -> int:
    try:
        call_command("import", *args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_exit_code_0_when_nothing_is_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", ["姓名", "证件号码"], [["张伟", GOOD]])
    assert run("people", str(path)) == 0
    assert Person.objects.filter(name="张伟").count() == 1


def test_exit_code_1_and_the_xlsx_report_when_a_row_is_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", ["姓名", "证件号码"], [["张伟", GOOD], ["李娜", BAD]])
    report = tmp_path / "errors.xlsx"
    assert run("people", str(path), "--dry-run", "--errors-xlsx", str(report)) == 1
    rows = list(load_workbook(report)["问题明细"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (3, "证件号码", f"身份证号码校验位错误（应为{GOOD[17]}）")
    ]
    assert not Person.objects.exists()


def test_exit_code_1_with_skip_bad_still_imports_the_good_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", ["姓名", "证件号码"], [["张伟", GOOD], ["李娜", BAD]])
    assert run("people", str(path), "--skip-bad") == 1
    assert list(Person.objects.values_list("name", flat=True)) == ["张伟"]


def test_exit_code_2_for_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "p.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert run("organisations", str(path)) == 2
    assert run("facts", str(tmp_path / "missing.csv")) == 2
