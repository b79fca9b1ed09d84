import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Role
from jineng.identity.testing import make_user
from jineng.organisations.models import Organisation, OrgKind, UsccStatus
from jineng.organisations.services import organisation_create

pytestmark = pytest.mark.django_db

VALID = "91350100M000100Y43"


def test_a_valid_code_is_stored_valid_and_the_creation_audited() -> None:
    org = organisation_create(
        actor=None,
        kind=OrgKind.TRAINING_INSTITUTION,
        name=" 东莞市  技工培训学校 ",
        uscc="9135 0100 m000 100y43",
        region="441900",
        ownership="private",
    )
    stored = Organisation.objects.get(pk=org.pk)
    assert (stored.name, stored.uscc, stored.uscc_status, stored.uscc_review_reason) == (
        "东莞市 技工培训学校",
        VALID,
        UsccStatus.VALID,
        "",
    )
    assert (stored.region_id, stored.ownership) == ("441900", "private")
    entry = AuditEntry.objects.get(object_type="organisation")
    assert entry.after is not None
    assert (entry.action, entry.after["uscc"], entry.after["uscc_status"]) == (
        "create",
        VALID,
        "valid",
    )


@pytest.mark.parametrize(
    ("uscc", "stored", "reason"),
    [
        ("91350100M000100Y44", "91350100M000100Y44", "统一社会信用代码校验位错误（应为3）"),
        ("91350100M000100I43", "91350100M000100I43", "统一社会信用代码含非法字符：I"),
        ("9135010", "9135010", "统一社会信用代码应为18位，实际7位"),
        ("91350100M000100Y4399", "91350100M000100Y4399", "统一社会信用代码应为18位，实际20位"),
    ],
)
def test_a_failing_code_is_held_for_review_with_the_reason(
    uscc: str, stored: str, reason: str
) -> None:
    org = organisation_create(
        actor=None, kind=OrgKind.ENTERPRISE, name="某厂", uscc=uscc, region="441900"
    )
    org.refresh_from_db()
    assert (org.uscc, org.uscc_status, org.uscc_review_reason) == (stored, "held", reason)
    assert AuditEntry.objects.get(object_type="organisation").reason == f"代码待核验：{reason}"


def test_no_code_is_missing_not_held() -> None:
    org = organisation_create(actor=None, kind=OrgKind.ASSOCIATION, name="协会", region="441900")
    assert (org.uscc, org.uscc_status) == ("", UsccStatus.MISSING)


def test_a_duplicate_valid_code_is_refused_naming_uscc() -> None:
    organisation_create(
        actor=None, kind=OrgKind.ENTERPRISE, name="甲厂", uscc=VALID, region="441900"
    )
    with pytest.raises(ValidationFailed) as excinfo:
        organisation_create(
            actor=None, kind=OrgKind.ENTERPRISE, name="乙厂", uscc=VALID, region="330500"
        )
    assert excinfo.value.field == "uscc"
    assert "甲厂" in excinfo.value.message
    assert Organisation.objects.count() == 1


def test_the_same_held_code_may_be_held_twice() -> None:
    for name in ("甲厂", "乙厂"):
        organisation_create(
            actor=None, kind=OrgKind.ENTERPRISE, name=name, uscc="12345", region="441900"
        )
    assert Organisation.objects.filter(uscc="12345", uscc_status="held").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "church"}, "kind"),
        ({"name": " "}, "name"),
        ({"region": "999999"}, "region"),
        ({"region": ""}, "region"),
        ({"ownership": "mixed"}, "ownership"),
        ({"uscc": "9" * 41}, "uscc"),
        ({"colour": "red"}, "colour"),
        ({"kind": OrgKind.BUREAU, "designated_training": True}, "designated_training"),
        ({"designated_training": True}, "designated_from"),
        (
            {
                "designated_training": True,
                "designated_from": dt.date(2024, 1, 1),
                "designated_to": dt.date(2023, 1, 1),
            },
            "designated_to",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {
        "kind": OrgKind.TRAINING_INSTITUTION,
        "name": "培训学校",
        "region": "441900",
        **kwargs,
    }
    with pytest.raises(ValidationFailed) as excinfo:
        organisation_create(actor=None, **arguments)  # type: ignore[arg-type]
    assert excinfo.value.field == field
    assert not Organisation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_bureau_officer_registers_organisations_in_their_region_only() -> None:
    officer = make_user(Role.BUREAU_APPROVER, region="441900")
    organisation_create(actor=officer, kind=OrgKind.ENTERPRISE, name="甲厂", region="441900")
    with pytest.raises(PermissionDenied):
        organisation_create(actor=officer, kind=OrgKind.ENTERPRISE, name="乙厂", region="330502")
    assert list(Organisation.objects.values_list("name", flat=True)) == ["甲厂"]


@pytest.mark.parametrize("role", [Role.WORKER, Role.ORG_ADMIN, Role.AUDITOR])
def test_others_may_not_register_organisations(role: str) -> None:
    actor = make_user(role)
    count = Organisation.objects.count()
    with pytest.raises(PermissionDenied):
        organisation_create(actor=actor, kind=OrgKind.ENTERPRISE, name="乙厂", region="441900")
    assert Organisation.objects.count() == count
