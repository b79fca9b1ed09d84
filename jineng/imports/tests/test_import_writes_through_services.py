"""The people and organisation imports write new records through the identity- and
organisations-owned bulk services, never with their own bulk_create."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from jineng.identity.models import Employment, Person
from jineng.identity.services import people_bulk_create
from jineng.identity.testing import make_organisation, resident_id
from jineng.imports.services import import_organisations, import_people
from jineng.imports.tests.helpers import write_csv
from jineng.organisations.bulk import organisations_bulk_create
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db

NUMBER = resident_id(area="441900", birth=dt.date(1990, 3, 1), serial=11)
ORG_HEADER = ["名称", "类型", "所在地"]


def test_the_people_import_hands_its_rows_to_people_bulk_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_organisation(kind="enterprise", name="东莞市华鑫电子科技有限公司", region="441900")
    calls: list[dict[str, Any]] = []

    def spy(**kwargs: Any) -> list[Person]:
        calls.append(kwargs)
        return people_bulk_create(**kwargs)

    monkeypatch.setattr("jineng.imports.people.people_bulk_create", spy)
    path = write_csv(
        tmp_path / "people.csv",
        ["姓名", "证件号码", "单位", "入职日期"],
        [["张伟", NUMBER, "东莞市华鑫电子科技有限公司", "2021-07-01"]],
    )
    report = import_people(actor=None, file=path, filename="people.csv")
    assert report.written == 1
    [call] = calls
    [row] = call["rows"]
    assert (row.name, row.employment.start, call["reason"]) == (
        "张伟",
        dt.date(2021, 7, 1),
        "导入 people.csv",
    )
    person = Person.objects.get(name="张伟")
    assert Employment.objects.get(person=person).employer_name == "东莞市华鑫电子科技有限公司"


def test_the_organisation_import_hands_its_rows_to_organisations_bulk_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def spy(**kwargs: Any) -> list[Organisation]:
        calls.append(kwargs)
        return organisations_bulk_create(**kwargs)

    monkeypatch.setattr("jineng.imports.organisations.organisations_bulk_create", spy)
    path = write_csv(
        tmp_path / "orgs.csv", ORG_HEADER, [["东莞市  示例培训学校", "职业培训机构", "441900"]]
    )
    report = import_organisations(actor=None, file=path)
    assert report.written == 1 and len(calls) == 1
    # the name is stored as organisation_create stores it (whitespace collapsed) ...
    assert Organisation.objects.filter(name="东莞市 示例培训学校").exists()
    # ... so the same file again is recognised as already registered
    again = import_organisations(actor=None, file=path, dry_run=True)
    assert [(i.row, i.reason) for i in again.errors] == [(2, "系统中已有同名同地的机构")]
