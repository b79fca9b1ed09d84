import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from jineng.identity.models import Person
from jineng.identity.testing import make_organisation, make_person, make_user, resident_id
from jineng.imports.services import import_facts, import_organisations, import_people
from jineng.imports.tests.helpers import counts, write_csv

pytestmark = pytest.mark.django_db

NEW_1 = resident_id(area="441900", birth=dt.date(1991, 2, 3), serial=81)
NEW_2 = resident_id(area="441900", birth=dt.date(1992, 2, 3), serial=83)


def test_a_worker_may_not_import_at_all(tmp_path: Path) -> None:
    worker = make_user("worker")
    path = write_csv(tmp_path / "p.csv", ["姓名", "证件号码"], [["张伟", NEW_1]])
    before = counts()
    for service in (import_people, import_organisations, import_facts):
        with pytest.raises(PermissionDenied):
            service(actor=worker, file=path, dry_run=True)
    assert counts() == before


def test_an_organisation_admin_imports_only_their_own_staff(tmp_path: Path) -> None:
    own = make_organisation(kind="enterprise", name="东莞市本单位有限公司")
    make_organisation(kind="enterprise", name="东莞市别家有限公司")
    admin = make_user("org_admin", organisation=own)
    path = write_csv(
        tmp_path / "p.csv",
        ["姓名", "证件号码", "单位"],
        [["张伟", NEW_1, "东莞市本单位有限公司"], ["王芳", NEW_2, "东莞市别家有限公司"]],
    )
    report = import_people(actor=admin, file=path, skip_bad=True)
    assert [(i.row, i.column, i.reason) for i in report.errors] == [
        (3, "单位", "单位须为您所在的机构")
    ]
    assert list(
        Person.objects.filter(name__in=["张伟", "王芳"]).values_list("name", flat=True)
    ) == ["张伟"]


def test_a_bureau_officer_writes_only_in_their_region(tmp_path: Path) -> None:
    officer = make_user("bureau_reviewer", region="330500")  # 湖州
    person = make_person(id_number=NEW_1, residence_region="441900")  # lives in 东莞
    organisations = write_csv(
        tmp_path / "o.csv", ["名称", "类型", "所在地"], [["东莞市某企业有限公司", "企业", "441900"]]
    )
    facts = write_csv(
        tmp_path / "f.csv",
        ["证件号码", "类别", "代码", "日期"],
        [[person.id_number, "称号", "city_technical_expert", "2020-01-01"]],
    )
    org_report = import_organisations(actor=officer, file=organisations, dry_run=True)
    fact_report = import_facts(actor=officer, file=facts, dry_run=True)
    assert [(i.row, i.column, i.reason) for i in org_report.errors] == [
        (2, "所在地", "所在地不在您的管辖范围内")
    ]
    # reported exactly like an unknown number
    assert [(i.row, i.column, i.reason) for i in fact_report.errors] == [
        (2, "证件号码", "系统中没有该证件号码的人员（请先导入人员）")
    ]
