"""organisations_bulk_create: the bulk twin of organisation_create — same checks (a failing code is
held, never dropped), one audit entry per organisation, all or nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Role
from jineng.identity.testing import make_user
from jineng.identity.validators import uscc_check_char
from jineng.organisations.bulk import NewOrganisation, organisations_bulk_create
from jineng.organisations.models import Organisation, UsccStatus
from jineng.organisations.services import organisation_create, organisation_snapshot

pytestmark = pytest.mark.django_db

VALID = "91350100M000100Y43"
HELD = VALID[:17] + ("0" if VALID[17] != "0" else "1")


def counts() -> tuple[int, int]:
    return Organisation.objects.count(), AuditEntry.objects.count()


def test_valid_and_held_codes_are_stored_and_each_creation_audited() -> None:
    audited_before = AuditEntry.objects.count()
    rows = [
        NewOrganisation(
            kind="enterprise",
            name=" 东莞市  华鑫模具有限公司 ",
            uscc="9135 0100 m000 100y43",
            region="441900",
            self_evaluation_filed=True,
            self_evaluation_filed_on=dt.date(2021, 5, 1),
        ),
        NewOrganisation(kind="enterprise", name="待核企业", uscc=HELD, region="441900"),
        NewOrganisation(kind="college", name="东莞市技师学院", region="441900", ownership="public"),
    ]
    valid, held, college = organisations_bulk_create(actor=None, rows=rows, reason="导入 orgs")
    assert (valid.name, valid.uscc, valid.uscc_status) == (
        "东莞市 华鑫模具有限公司",
        VALID,
        UsccStatus.VALID,
    )
    assert (held.uscc, held.uscc_status) == (HELD, UsccStatus.HELD)
    assert held.uscc_review_reason  # the reason to review, kept
    assert (college.uscc_status, college.ownership) == (UsccStatus.MISSING, "public")
    entries = list(AuditEntry.objects.order_by("pk")[audited_before:])
    assert [(e.action, e.object_id, e.reason) for e in entries] == [
        ("create", str(o.pk), "导入 orgs") for o in (valid, held, college)
    ]
    assert entries[1].after == organisation_snapshot(Organisation.objects.get(pk=held.pk))


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (NewOrganisation(kind="factory", name="甲", region="441900"), "kind"),
        (NewOrganisation(kind="enterprise", name="  ", region="441900"), "name"),
        (NewOrganisation(kind="enterprise", name="甲", region="999999"), "region"),
        (NewOrganisation(kind="enterprise", name="甲", region=""), "region"),
        (
            NewOrganisation(kind="enterprise", name="甲", region="441900", ownership="x"),
            "ownership",
        ),
        (NewOrganisation(kind="enterprise", name="甲", region="441900", uscc="9" * 41), "uscc"),
        (
            NewOrganisation(
                kind="enterprise",
                name="甲",
                region="441900",
                designated_training=True,
                designated_from=dt.date(2024, 1, 1),
                designated_to=dt.date(2023, 1, 1),
            ),
            "designated_to",
        ),
        (
            NewOrganisation(kind="college", name="甲", region="441900", self_evaluation_filed=True),
            "self_evaluation_filed",
        ),
    ],
)
def test_a_bad_record_is_named_and_nothing_is_written(row: NewOrganisation, field: str) -> None:
    good = NewOrganisation(kind="enterprise", name="乙", region="441900")
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        organisations_bulk_create(actor=None, rows=[good, row])
    assert (caught.value.field, caught.value.message[:6]) == (field, "第2条记录：")
    assert counts() == before


def test_a_valid_code_twice_in_the_batch_names_both_records() -> None:
    rows = [
        NewOrganisation(kind="enterprise", name="甲", uscc=VALID, region="441900"),
        NewOrganisation(kind="enterprise", name="乙", uscc=VALID, region="441900"),
    ]
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        organisations_bulk_create(actor=None, rows=rows)
    assert caught.value.message == "第2条记录：与第1条记录统一社会信用代码重复"
    assert counts() == before


def test_a_bureau_officer_writes_only_in_their_region() -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")
    [inside] = organisations_bulk_create(
        actor=officer, rows=[NewOrganisation(kind="enterprise", name="甲", region="330502")]
    )
    assert inside.region_id == "330502"
    before = counts()
    with pytest.raises(PermissionDenied):
        organisations_bulk_create(
            actor=officer,
            rows=[
                NewOrganisation(kind="enterprise", name="乙", region="330502"),
                NewOrganisation(kind="enterprise", name="丙", region="441900"),
            ],
        )
    assert counts() == before


def test_organisation_staff_cannot_register_organisations() -> None:
    admin = make_user(Role.ORG_ADMIN)
    before = counts()
    with pytest.raises(PermissionDenied):
        organisations_bulk_create(
            actor=admin, rows=[NewOrganisation(kind="enterprise", name="甲", region="441900")]
        )
    assert counts() == before


bodies = st.from_regex(r"9[1-3]441900[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True)


class BulkTwinProperty(TestCase):
    """Whatever the code, bulk and one-at-a-time store the same status, code and reason."""

    @settings(max_examples=40, deadline=None)
    @given(body=bodies, corrupt=st.booleans())
    def test_bulk_equals_one_at_a_time(self, body: str, corrupt: bool) -> None:
        check = uscc_check_char(body)
        code = body + (("0" if check != "0" else "1") if corrupt else check)
        one = organisation_create(
            actor=None, kind="enterprise", name="甲", uscc=code, region="441900"
        )
        if one.uscc_status == UsccStatus.VALID:
            Organisation.objects.filter(pk=one.pk).update(uscc="")  # free the code for the twin
        [bulk] = organisations_bulk_create(
            actor=None,
            rows=[NewOrganisation(kind="enterprise", name="甲", uscc=code, region="441900")],
        )
        assert (bulk.uscc, bulk.uscc_status, bulk.uscc_review_reason) == (
            one.uscc,
            one.uscc_status,
            one.uscc_review_reason,
        )
        assert bulk.uscc_status == (UsccStatus.HELD if corrupt else UsccStatus.VALID)
