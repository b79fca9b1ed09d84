from pathlib import Path

import pytest

from jineng.dossier.models import Fact
from jineng.identity.testing import make_organisation
from jineng.identity.validators import uscc_check_char
from jineng.imports.services import import_organisations
from jineng.imports.tests.helpers import counts, write_xlsx
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db

HEADER = ["名称", "类型", "统一社会信用代码", "所在地", "性质", "自主评价备案", "备案日期"]


def uscc(body: str) -> str:
    return body + uscc_check_char(body)


VALID_A = uscc("91441900MA4UH3KX0")
VALID_B = uscc("12441900455900123")
HELD = VALID_A[:17] + ("1" if VALID_A[17] != "1" else "2")
TAKEN = uscc("91441900MA4W00001")


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    make_organisation(kind="enterprise", name="已登记企业", uscc=TAKEN)
    return write_xlsx(
        tmp_path / "orgs.xlsx",
        HEADER,
        [
            [
                "东莞市华鑫模具有限公司",
                "企业",
                VALID_A.replace("91441900", "91441900 "),
                "441900",
                "民办",
                "是",
                "2021-05-01",
            ],  # 2
            ["东莞市技师学院", "技工院校", VALID_B, "东莞市", "公办", "", ""],  # 3
            [
                "东莞市待核企业有限公司",
                "企业",
                "",
                "441900",
                "",
                "",
                "",
            ],  # 4 (USCC is replaced below)
            ["重复企业", "企业", VALID_B, "441900", "", "", ""],  # 5 duplicate of row 3
            ["", "工厂", "", "999999", "国营", "", ""],  # 6 name, kind, region, ownership
            ["已登记的另一家", "企业", TAKEN, "441900", "", "", ""],  # 7 in the database
            ["东莞市某评价公司", "评价机构", "", "441900", "", "是", ""],  # 8 filing without date
        ],
    )


def test_a_dry_run_lists_errors_and_the_held_code_as_a_warning(
    tmp_path: Path, mixed_file: Path
) -> None:
    # given: row 4 carries a code failing its check digit
    path = write_xlsx(
        tmp_path / "orgs2.xlsx",
        HEADER,
        [["东莞市待核企业有限公司", "企业", HELD, "441900", "", "", ""]],
    )
    before = counts()
    # when
    held = import_organisations(actor=None, file=path, dry_run=True)
    report = import_organisations(actor=None, file=mixed_file, dry_run=True)
    # then
    assert counts() == before
    assert held.exit_code == 0  # a held code is not a rejection
    assert [(w.row, w.column, w.reason) for w in held.warnings] == [
        (
            2,
            "统一社会信用代码",
            f"统一社会信用代码校验位错误（应为{VALID_A[17]}）；已导入，标记为待人工核验",
        )
    ]
    assert [(i.row, i.column, i.reason) for i in report.errors] == [
        (5, "统一社会信用代码", "与第3行统一社会信用代码重复"),
        (6, "名称", "必填项为空"),
        (6, "类型", "未知的机构类型"),
        (6, "所在地", "未知的行政区划（应为 GB/T 2260 代码或唯一的名称）"),
        (6, "性质", "性质应为“公办”或“民办”"),
        (7, "统一社会信用代码", "系统中已有该统一社会信用代码的机构"),
        (8, "备案日期", "自主评价备案为“是”时须填写备案日期"),
    ]
    assert report.exit_code == 1


def test_skip_bad_imports_good_rows_and_holds_the_failing_code(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "orgs.xlsx",
        HEADER,
        [
            ["东莞市华鑫模具有限公司", "企业", VALID_A, "441900", "民办", "是", "2021-05-01"],
            ["东莞市待核企业有限公司", "企业", HELD, "441900", "", "", ""],
            ["", "企业", "", "441900", "", "", ""],
        ],
    )
    report = import_organisations(actor=None, file=path, skip_bad=True)
    assert (report.written, report.rejected_rows) == (2, [4])
    filed = Organisation.objects.get(uscc=VALID_A)
    assert (filed.kind, filed.uscc_status, filed.self_evaluation_filed) == (
        "enterprise",
        "valid",
        True,
    )
    held = Organisation.objects.get(name="东莞市待核企业有限公司")
    assert (held.uscc, held.uscc_status) == (HELD, "held")
    assert held.uscc_review_reason == f"统一社会信用代码校验位错误（应为{VALID_A[17]}）"
    filing = Fact.objects.get(organisation=filed)
    assert (filing.kind, filing.code, str(filing.date)) == (
        "evaluation_filing",
        "enterprise_self_evaluation",
        "2021-05-01",
    )
