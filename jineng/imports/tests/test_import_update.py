"""Registered people in a people import: outside the importer's scope a number gets one answer that
says nothing about whether it exists (and the attempt is audited); inside it, update mode lists
each change (masked where sensitive) and writes them through `person_update` only on the real run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from jineng.audit.models import AuditEntry
from jineng.identity.models import Employment, Person, Role, User
from jineng.identity.testing import make_organisation, make_person, make_user, resident_id
from jineng.imports.people import EXISTS_MESSAGE, UNAVAILABLE_MESSAGE, UNCHANGED_MESSAGE
from jineng.imports.report import ImportReport
from jineng.imports.services import import_people
from jineng.imports.tests.helpers import counts, write_csv
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db

OWN = "东莞市本单位有限公司"
OTHER = "东莞市别家有限公司"
HEADER = ["姓名", "证件号码", "手机号码", "学历", "单位"]


@pytest.fixture
def own() -> Organisation:
    return make_organisation(kind="enterprise", name=OWN)


@pytest.fixture
def other() -> Organisation:
    return make_organisation(kind="enterprise", name=OTHER)


@pytest.fixture
def admin(own: Organisation) -> User:
    return make_user(Role.ORG_ADMIN, organisation=own)


def employed(
    org: Organisation, serial: int, *, end: dt.date | None = None, **fields: Any
) -> Person:
    person = make_person(id_number=resident_id(birth=dt.date(1988, 5, 6), serial=serial), **fields)
    Employment.objects.create(person=person, employer=org, start=dt.date(2020, 1, 1), end=end)
    return person


def issues_of(report: ImportReport) -> list[tuple[int, str, str, str]]:
    return [(i.row, i.column, i.reason, i.severity) for i in report.issues]


def test_a_number_outside_the_scope_gets_the_same_answer_whatever_the_reason(
    tmp_path: Path, admin: User, own: Organisation, other: Organisation
) -> None:
    # given three registered people the admin may not see: employed elsewhere, formerly employed
    # here (the job ended), and employed nowhere
    elsewhere = employed(other, 11, name="甲某")
    former = employed(own, 13, end=dt.date(2023, 12, 31), name="乙某")
    nowhere = make_person(id_number=resident_id(birth=dt.date(1977, 1, 2), serial=15), name="丙某")
    path = write_csv(
        tmp_path / "p.csv",
        HEADER,
        [[p.name, p.id_number, "", "", OWN] for p in (elsewhere, former, nowhere)],
    )
    before = counts()

    # when the admin checks the file, in either mode
    for update_existing in (False, True):
        report = import_people(
            actor=admin, file=path, dry_run=True, update_existing=update_existing
        )
        # then every row gets the one message, naming neither the person nor where they are
        assert issues_of(report) == [
            (2, "证件号码", UNAVAILABLE_MESSAGE, "error"),
            (3, "证件号码", UNAVAILABLE_MESSAGE, "error"),
            (4, "证件号码", UNAVAILABLE_MESSAGE, "error"),
        ]
        assert "已有" not in report.summary() and OTHER not in report.summary()
        assert report.changes == []
    # nothing was written but the audit trail: each attempt recorded on the person, masked
    assert {k: v for k, v in counts().items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    refused = AuditEntry.objects.filter(action="import_refused", actor=admin)
    assert refused.count() == 6  # 3 rows × 2 runs
    assert set(refused.values_list("object_id", flat=True)) == {
        str(p.pk) for p in (elsewhere, former, nowhere)
    }
    entry = refused.filter(object_id=str(elsewhere.pk)).first()
    assert entry is not None and entry.after is not None
    assert entry.after["id_number"] == elsewhere.masked_id_number
    assert entry.after["file"] == "p.csv" and entry.after["row"] == 2


def test_the_out_of_scope_answer_is_the_same_as_for_a_number_of_the_sample_row(
    tmp_path: Path, admin: User, other: Organisation
) -> None:
    """The template's sample number cannot be imported either: the two reports have the same
    shape (one rejected row, one error on 证件号码, nothing written), so their counts cannot tell
    a registered number from a never-registered one."""
    elsewhere = employed(other, 17, name="丁某")
    a = write_csv(tmp_path / "a.csv", HEADER, [["丁某", elsewhere.id_number, "", "", OWN]])
    b = write_csv(tmp_path / "b.csv", HEADER, [["张三", "11010519491231002X", "", "", OWN]])
    ra = import_people(actor=admin, file=a, dry_run=True)
    rb = import_people(actor=admin, file=b, dry_run=True)
    assert [(i.row, i.column, i.severity) for i in ra.issues] == [(2, "证件号码", "error")]
    assert [(i.row, i.column, i.severity) for i in rb.issues] == [(2, "证件号码", "error")]
    assert (ra.total_rows, ra.rejected_rows, ra.good_rows) == (rb.total_rows, rb.rejected_rows, 0)


def test_a_bureau_officer_outside_the_persons_region_gets_the_same_answer(tmp_path: Path) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")  # 湖州
    person = make_person(id_number=resident_id(serial=19), residence_region="441900", name="戊某")
    path = write_csv(tmp_path / "p.csv", ["姓名", "证件号码"], [[person.name, person.id_number]])
    report = import_people(actor=officer, file=path, dry_run=True, update_existing=True)
    assert issues_of(report) == [(2, "证件号码", UNAVAILABLE_MESSAGE, "error")]
    assert AuditEntry.objects.filter(action="import_refused", object_id=str(person.pk)).exists()


def test_in_scope_a_registered_person_is_refused_unless_update_mode_is_chosen(
    tmp_path: Path, admin: User, own: Organisation
) -> None:
    person = employed(own, 21, name="黎晓东", phone="13800138000")
    path = write_csv(
        tmp_path / "p.csv", HEADER, [["黎晓东", person.id_number, "13900139000", "", OWN]]
    )
    report = import_people(actor=admin, file=path, dry_run=True)
    assert issues_of(report) == [(2, "证件号码", EXISTS_MESSAGE, "error")]
    assert not AuditEntry.objects.filter(action="import_refused").exists()


def test_update_mode_lists_each_change_masked_and_writes_nothing_on_the_dry_run(
    tmp_path: Path, admin: User, own: Organisation
) -> None:
    # given an employee of the admin's organisation
    person = employed(
        own, 23, name="黎晓东", phone="13800138000", education="junior", hukou_region="441900"
    )
    path = write_csv(
        tmp_path / "p.csv",
        [*HEADER, "户籍地"],
        [["黎晓东", person.id_number, "13900139000", "大专", "", "湖南省邵阳市邵东市"]],
    )
    before = counts()

    # when the admin checks a file changing their phone, education and hukou in update mode
    report = import_people(actor=admin, file=path, dry_run=True, update_existing=True)

    # then each change is listed, the phone masked, regions and education by their labels
    assert report.errors == []
    label = f"黎晓东（{person.masked_id_number}）"
    assert [(c.row, c.person, c.field, c.old, c.new) for c in report.changes] == [
        (2, label, "手机号码", "138****8000", "139****9000"),
        (2, label, "户籍地", "东莞市", "邵东市"),
        (2, label, "学历", "初中", "大专"),
    ]
    assert report.update_rows == 1 and report.good_rows == 1
    assert "13900139000" not in str(report.as_dict())
    assert counts() == before
    person.refresh_from_db()
    assert person.phone == "13800138000"


def test_update_mode_writes_the_changes_through_person_update_audited(
    tmp_path: Path, admin: User, own: Organisation
) -> None:
    person = employed(own, 25, name="黎晓东", phone="13800138000", education="junior")
    newcomer = resident_id(birth=dt.date(1995, 3, 3), serial=27)
    path = write_csv(
        tmp_path / "p.csv",
        HEADER,
        [
            ["黎晓东", person.id_number, "13900139000", "大专", OWN],
            ["梁嘉欣", newcomer, "", "本科", OWN],
        ],
    )
    report = import_people(actor=admin, file=path, update_existing=True)
    assert report.exit_code == 0, report.summary()
    assert (report.written, report.updated) == (2, 1)
    assert "其中更新已有人员1人" in report.outcome
    person.refresh_from_db()
    assert (person.phone, person.education) == ("13900139000", "college")
    update = AuditEntry.objects.get(action="update", object_type="person", object_id=str(person.pk))
    assert update.actor == admin
    assert update.before == {"education": "junior", "phone": "138****8000"}
    assert update.after == {"education": "college", "phone": "139****9000"}
    assert Person.objects.filter(name="梁嘉欣").count() == 1
    # the employment of the updated person is not duplicated
    assert Employment.objects.filter(person=person).count() == 1


def test_an_unchanged_row_in_update_mode_is_a_warning_and_writes_nothing(
    tmp_path: Path, admin: User, own: Organisation
) -> None:
    person = employed(own, 29, name="黎晓东", phone="13800138000")
    path = write_csv(
        tmp_path / "p.csv", HEADER, [["黎晓东", person.id_number, "13800138000", "", ""]]
    )
    report = import_people(actor=admin, file=path, update_existing=True)
    assert issues_of(report) == [(2, "", UNCHANGED_MESSAGE, "warning")]
    assert report.changes == [] and report.updated == 0
    assert not AuditEntry.objects.filter(action="update", object_id=str(person.pk)).exists()


def test_the_sample_row_of_the_template_is_never_imported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", ["姓名", "证件号码"], [["张三", "11010519491231002X"]])
    report = import_people(actor=None, file=path, skip_bad=True)
    assert [(i.row, i.reason) for i in report.errors] == [(2, "这是模板中的示例行，请删除后再导入")]
    assert not Person.objects.filter(name="张三").exists()
