"""备案月数: the filed training period of an apprenticeship (001 art. 9 "不超过备案期限"), imported
as attrs.filed_months beside the actual months, refused on other kinds of record."""

from __future__ import annotations

from pathlib import Path

import pytest

from jineng.dossier.models import Fact
from jineng.identity.testing import make_organisation
from jineng.identity.validators import uscc_check_char
from jineng.imports.services import import_facts
from jineng.imports.tests.helpers import write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "类别", "代码", "等级", "日期", "月数", "备案月数"]
ENTERPRISE = "91330502MA2B3KX0A" + uscc_check_char("91330502MA2B3KX0A")


@pytest.fixture
def enterprise() -> None:
    make_organisation(kind="enterprise", name="湖州市示例机械有限公司", uscc=ENTERPRISE)


def test_filed_months_land_on_the_apprenticeship(tmp_path: Path, enterprise: None) -> None:
    path = write_xlsx(
        tmp_path / "facts.xlsx",
        HEADER,
        [[ENTERPRISE, "学徒", "6-18-01-01", "", "2022-03-01", "30", "24"]],
    )
    report = import_facts(actor=None, file=path)
    assert (report.written, report.exit_code) == (1, 0)
    fact = Fact.objects.get(kind="apprenticeship")
    assert (fact.attrs["months"], fact.attrs["filed_months"]) == (30, 24)


def test_filed_months_on_another_kind_is_refused_naming_the_column(
    tmp_path: Path, enterprise: None
) -> None:
    path = write_xlsx(
        tmp_path / "facts.xlsx",
        HEADER,
        [[ENTERPRISE, "技能大师工作室", "master_studio", "市级", "2022-03-01", "", "24"]],
    )
    report = import_facts(actor=None, file=path)
    assert report.written == 0
    assert Fact.objects.filter(kind="studio").count() == 0
    assert [(i.row, i.column, i.reason) for i in report.errors] == [
        (2, "备案月数", "只有学徒记录可填写备案月数")
    ]
