import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jineng.audit.models import AuditEntry
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import IdType, Person, Role
from jineng.identity.services import person_create
from jineng.identity.testing import make_user, resident_id

pytestmark = pytest.mark.django_db

GOOD_ID = "441900198503010015"


def test_a_resident_is_registered_with_birth_date_and_sex_from_the_number() -> None:
    # when
    person = person_create(
        actor=None,
        name=" 陈  大文 ",
        id_number="4419 0019 8503 0100 15",
        phone="138-1234-5678",
        bank_account="6222 0212 3456 7890 123",
        hukou_region="441900",
        residence_region="441900",
        education="college",
        insured=True,
        insured_since=dt.date(2010, 7, 1),
    )
    # then
    stored = Person.objects.get(pk=person.pk)
    assert stored.name == "陈 大文"
    assert stored.id_type == IdType.RESIDENT
    assert stored.id_number == GOOD_ID
    assert (stored.birth_date, stored.sex) == (dt.date(1985, 3, 1), "M")
    assert stored.phone == "13812345678"
    assert stored.bank_account == "6222021234567890123"
    assert (stored.hukou_region_id, stored.residence_region_id) == ("441900", "441900")
    assert (stored.education, stored.insured, stored.insured_since) == (
        "college",
        True,
        dt.date(2010, 7, 1),
    )


def test_creation_is_audited_with_masked_values_only() -> None:
    person = person_create(
        actor=None, name="陈大文", id_number=GOOD_ID, phone="13812345678", bank_account="62220212"
    )
    entry = AuditEntry.objects.get(action="create", object_type="person")
    assert entry.object_id == str(person.pk)
    assert entry.after is not None
    assert entry.after["id_number"] == "4419**********0015"
    assert entry.after["phone"] == "138****5678"
    assert entry.after["bank_account"] == "****0212"
    assert entry.after["birth_date"] == "1985-03-01"
    assert "441900198503010015" not in str(entry.after)
    assert "13812345678" not in str(entry.after)


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("441900198503010016", "校验位错误（应为5）"),
        ("44190019850301001", "应为18位"),
        ("441900198502300015", "不是真实日期"),
        ("", "不能为空"),
    ],
)
def test_a_bad_resident_id_is_refused_naming_the_field(id_number: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        person_create(actor=None, name="陈大文", id_number=id_number)
    assert excinfo.value.field == "id_number"
    assert message in excinfo.value.message
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_the_error_carries_a_masked_value_never_the_number() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        person_create(actor=None, name="陈大文", id_number="441900198503010016")
    assert excinfo.value.value == "4419**********0016"


def test_an_abolished_area_code_is_accepted() -> None:
    number = resident_id(area="442521", birth=dt.date(1980, 1, 1), serial=1)
    assert person_create(actor=None, name="李四", id_number=number).id_number == number


@pytest.mark.parametrize(
    ("id_type", "id_number", "stored"),
    [
        (IdType.PASSPORT, "e12345678", "E12345678"),
        (IdType.PASSPORT, "X1234", "X1234"),
        (IdType.HK_MACAU, "H12345678", "H12345678"),
        (IdType.HK_MACAU, "M1234567890", "M1234567890"),
        (IdType.TAIWAN, "12345678", "12345678"),
        (IdType.FOREIGN_PERMANENT, "USA123456789012", "USA123456789012"),
    ],
)
def test_other_documents_are_checked_by_format(id_type: str, id_number: str, stored: str) -> None:
    person = person_create(actor=None, name="Alex", id_type=id_type, id_number=id_number)
    assert (person.id_type, person.id_number, person.birth_date, person.sex) == (
        id_type,
        stored,
        None,
        "",
    )


@pytest.mark.parametrize(
    ("id_type", "id_number"),
    [
        (IdType.PASSPORT, "E123"),
        (IdType.PASSPORT, "E1234567890123456789"),
        (IdType.PASSPORT, "E1234-5678"),
        (IdType.HK_MACAU, "A12345678"),
        (IdType.HK_MACAU, "H123456789"),
        (IdType.TAIWAN, "1234567"),
        (IdType.TAIWAN, "T1234567"),
        (IdType.FOREIGN_PERMANENT, "US123456789012"),
        (IdType.HMT_RESIDENCE, "441900198503010015"),
    ],
)
def test_malformed_documents_are_refused(id_type: str, id_number: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        person_create(actor=None, name="Alex", id_type=id_type, id_number=id_number)
    assert excinfo.value.field == "id_number"
    assert Person.objects.count() == 0


def test_residence_permits_use_the_resident_check_digit_and_give_birth_date() -> None:
    number = resident_id(area="810000", birth=dt.date(1992, 6, 15), serial=2)
    person = person_create(
        actor=None, name="黄小明", id_type=IdType.HMT_RESIDENCE, id_number=number
    )
    assert (person.birth_date, person.sex) == (dt.date(1992, 6, 15), "F")


def test_an_unknown_document_type_is_refused() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        person_create(actor=None, name="Alex", id_type="driving_licence", id_number="X12345")
    assert excinfo.value.field == "id_type"


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "138123456789", "02112345678"])
def test_a_phone_that_is_not_a_mainland_mobile_is_refused(phone: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        person_create(actor=None, name="陈大文", id_number=GOOD_ID, phone=phone)
    assert excinfo.value.field == "phone"
    assert Person.objects.count() == 0


def test_a_phone_with_country_code_is_normalised() -> None:
    person = person_create(actor=None, name="陈大文", id_number=GOOD_ID, phone="+86 139 8765 4321")
    assert person.phone == "13987654321"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("name", {"name": "  "}),
        ("hukou_region", {"hukou_region": "999999"}),
        ("residence_region", {"residence_region": "12"}),
        ("education", {"education": "doctorate"}),
        ("bank_account", {"bank_account": "6222-ABCD"}),
        ("insured_since", {"insured": True, "insured_since": dt.date(2999, 1, 1)}),
    ],
)
def test_other_bad_fields_are_named(field: str, kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {"name": "陈大文", "id_number": GOOD_ID, **kwargs}
    with pytest.raises(ValidationFailed) as excinfo:
        person_create(actor=None, **arguments)  # type: ignore[arg-type]
    assert excinfo.value.field == field
    assert Person.objects.count() == 0


def test_a_duplicate_document_is_refused_through_the_blind_index() -> None:
    person_create(actor=None, name="陈大文", id_number=GOOD_ID)
    with pytest.raises(ValidationFailed) as excinfo:
        person_create(actor=None, name="另一人", id_number="441900198503010015")
    assert (excinfo.value.field, excinfo.value.message) == ("id_number", "该证件号码已登记")
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="person").count() == 1


def test_lower_case_x_is_the_same_document() -> None:
    person_create(actor=None, name="王芳", id_number="11010519491231002X")
    with pytest.raises(ValidationFailed):
        person_create(actor=None, name="王芳", id_number="11010519491231002x")


def test_the_same_number_under_another_document_type_is_a_different_document() -> None:
    person_create(actor=None, name="Alex", id_type=IdType.PASSPORT, id_number="12345678")
    other = person_create(actor=None, name="林", id_type=IdType.TAIWAN, id_number="12345678")
    assert other.pk is not None


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.BUREAU_REVIEWER, Role.ORG_ADMIN, Role.ORG_HR])
def test_staff_who_register_people_may_create(role: str) -> None:
    actor = make_user(role)
    person = person_create(actor=actor, name="陈大文", id_number=GOOD_ID)
    assert (
        AuditEntry.objects.get(object_type="person", object_id=str(person.pk)).actor_id == actor.pk
    )


@pytest.mark.parametrize("role", [Role.WORKER, Role.TEACHER, Role.ASSESSOR, Role.AUDITOR])
def test_others_may_not_create_and_nothing_is_written(role: str) -> None:
    actor = make_user(role)
    people_before = Person.objects.count()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        person_create(actor=actor, name="陈大文", id_number=GOOD_ID)
    assert Person.objects.count() == people_before
    assert AuditEntry.objects.count() == audit_before
