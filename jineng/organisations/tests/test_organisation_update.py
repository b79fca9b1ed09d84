import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Role
from jineng.identity.testing import make_organisation, make_user
from jineng.organisations.models import Organisation, OrgKind, UsccStatus
from jineng.organisations.services import (
    organisation_designate,
    organisation_undesignate,
    organisation_update,
)

pytestmark = pytest.mark.django_db

VALID = "91350100M000100Y43"


def test_correcting_a_held_code_clears_the_hold_and_is_audited() -> None:
    org = make_organisation(kind=OrgKind.ENTERPRISE, uscc="91350100M000100Y44")
    organisation_update(actor=None, organisation=org, uscc=VALID)
    stored = Organisation.objects.get(pk=org.pk)
    assert (stored.uscc, stored.uscc_status, stored.uscc_review_reason) == (VALID, "valid", "")
    entry = AuditEntry.objects.get(object_type="organisation", action="update")
    assert entry.before == {
        "uscc": "91350100M000100Y44",
        "uscc_review_reason": "统一社会信用代码校验位错误（应为3）",
        "uscc_status": "held",
    }
    assert entry.after == {"uscc": VALID, "uscc_review_reason": "", "uscc_status": "valid"}


def test_updating_to_another_organisations_code_is_refused() -> None:
    make_organisation(kind=OrgKind.ENTERPRISE, name="甲厂", uscc=VALID)
    org = make_organisation(kind=OrgKind.ENTERPRISE, name="乙厂")
    with pytest.raises(ValidationFailed) as excinfo:
        organisation_update(actor=None, organisation=org, uscc=VALID)
    assert excinfo.value.field == "uscc"
    assert Organisation.objects.get(pk=org.pk).uscc == ""


def test_keeping_its_own_code_is_not_a_duplicate() -> None:
    org = make_organisation(kind=OrgKind.ENTERPRISE, uscc=VALID)
    organisation_update(actor=None, organisation=org, name="新名称")
    assert Organisation.objects.get(pk=org.pk).name == "新名称"


def test_nothing_changed_writes_nothing() -> None:
    org = make_organisation(name="培训学校")
    before = AuditEntry.objects.count()
    organisation_update(actor=None, organisation=org, name="培训学校")
    assert AuditEntry.objects.count() == before


def test_an_officer_may_not_move_an_organisation_out_of_their_region() -> None:
    org = make_organisation(region="330502")
    officer = make_user(Role.BUREAU_REVIEWER, region="330500")
    with pytest.raises(PermissionDenied):
        organisation_update(actor=officer, organisation=org, region="441900")
    assert Organisation.objects.get(pk=org.pk).region_id == "330502"


def test_an_officer_of_another_region_may_not_update() -> None:
    org = make_organisation(region="330502")
    with pytest.raises(PermissionDenied):
        organisation_update(
            actor=make_user(Role.BUREAU_REVIEWER, region="441900"), organisation=org, name="x"
        )


def test_designated_training_is_in_force_only_within_its_dates() -> None:
    org = make_organisation(kind=OrgKind.TRAINING_INSTITUTION)
    assert not org.is_designated_on(dt.date(2024, 6, 1))

    organisation_designate(
        actor=None,
        organisation=org,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )

    org.refresh_from_db()
    assert not org.is_designated_on(dt.date(2023, 12, 31))
    assert org.is_designated_on(dt.date(2024, 1, 1))
    assert org.is_designated_on(dt.date(2026, 12, 31))
    assert not org.is_designated_on(dt.date(2027, 1, 1))


def test_ending_a_designation_keeps_its_history() -> None:
    org = make_organisation(kind=OrgKind.COLLEGE)
    organisation_designate(
        actor=None, organisation=org, valid_from=dt.date(2024, 1, 1), valid_to=None
    )
    organisation_undesignate(actor=None, organisation=org, valid_to=dt.date(2025, 3, 31))
    org.refresh_from_db()
    assert org.is_designated_on(dt.date(2025, 3, 31))
    assert not org.is_designated_on(dt.date(2025, 4, 1))
    assert AuditEntry.objects.filter(object_type="organisation", action="update").count() == 2


def test_a_bureau_cannot_be_designated() -> None:
    org = make_organisation(kind=OrgKind.BUREAU)
    with pytest.raises(ValidationFailed) as excinfo:
        organisation_designate(
            actor=None, organisation=org, valid_from=dt.date(2024, 1, 1), valid_to=None
        )
    assert excinfo.value.field == "designated_training"
    assert not Organisation.objects.get(pk=org.pk).designated_training


def test_held_codes_ignore_the_unique_constraint_valid_ones_do_not() -> None:
    a = make_organisation(kind=OrgKind.ENTERPRISE, uscc="BADCODE")
    b = make_organisation(kind=OrgKind.ENTERPRISE, uscc="BADCODE")
    assert {a.uscc_status, b.uscc_status} == {UsccStatus.HELD}
