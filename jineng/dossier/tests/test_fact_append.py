import datetime as dt
from typing import Any

import pytest

from jineng.audit.models import AuditEntry
from jineng.dossier.errors import FactInvalid
from jineng.dossier.models import Fact, FactIsAppendOnly
from jineng.dossier.services import fact_append
from jineng.identity.testing import make_organisation, make_person, make_user

pytestmark = pytest.mark.django_db


def test_a_fact_is_appended_to_the_dossier_and_audited() -> None:
    # given
    person = make_person(residence_region="441900")
    issuer = make_organisation(kind="evaluation_org", name="东莞市示例职业技能评价有限公司")
    clerk = make_user("sysadmin")
    # when
    fact = fact_append(
        actor=clerk,
        subject=person,
        kind="certificate",
        code="6-18-01-01",
        level="3",
        date=dt.date(2023, 5, 20),
        issuer=issuer,
        attrs={"shortage": True},
        source="import",
        source_ref="Y4419230001",
    )
    # then
    stored = Fact.objects.get(pk=fact.pk)
    assert (stored.subject_type, stored.person_id, stored.organisation_id) == (
        "person",
        person.pk,
        None,
    )
    assert (stored.kind, stored.code, stored.level, stored.date) == (
        "certificate",
        "6-18-01-01",
        "3",
        dt.date(2023, 5, 20),
    )
    assert stored.issuer_name == "东莞市示例职业技能评价有限公司"
    assert stored.region == "441900"  # defaults to the subject's region
    assert stored.recorded_by_id == clerk.pk
    entry = AuditEntry.objects.get(action="fact_append", object_type="fact")
    assert entry.object_id == str(fact.pk)
    assert entry.actor_id == clerk.pk
    assert entry.after is not None
    assert entry.after["code"] == "6-18-01-01"
    assert entry.after["subject"] == f"person:{person.pk}"


def test_an_organisation_is_a_subject_too() -> None:
    org = make_organisation(kind="enterprise", name="东莞市华鑫模具有限公司")
    fact = fact_append(
        actor=None,
        subject=org,
        kind="studio",
        code="master_studio",
        level="city",
        date=dt.date(2021, 12, 20),
        source="import",
    )
    assert (fact.subject_type, fact.organisation_id, fact.person_id) == (
        "organisation",
        org.pk,
        None,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "medal"}, "kind"),
        ({"code": "6180101"}, "code"),
        ({"level": "7"}, "level"),
        ({"amount_fen": -1}, "amount_fen"),
        ({"attrs": {"ratio": 0.5}}, "attrs"),
        ({"attrs": {"nested": {"a": 1}}}, "attrs"),
        ({"region": "Dongguan"}, "region"),
        ({"date": dt.date(1899, 12, 31)}, "date"),
    ],
)
def test_a_bad_fact_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    person = make_person()
    values: dict[str, Any] = {
        "kind": "certificate",
        "code": "6-18-01-01",
        "level": "4",
        "date": dt.date(2020, 1, 1),
        "source": "import",
    } | changes
    with pytest.raises(FactInvalid) as caught:
        fact_append(actor=None, subject=person, **values)
    assert caught.value.field == field
    assert not Fact.objects.exists()
    assert not AuditEntry.objects.filter(object_type="fact").exists()


def test_a_saved_fact_cannot_be_changed_or_deleted() -> None:
    # given
    fact = fact_append(
        actor=None,
        subject=make_person(),
        kind="title",
        code="city_technical_expert",
        date=dt.date(2022, 1, 1),
        source="import",
    )
    # when / then: every way of changing the row is refused
    fact.code = "national_technical_expert"
    with pytest.raises(FactIsAppendOnly):
        fact.save()
    with pytest.raises(FactIsAppendOnly):
        fact.delete()
    with pytest.raises(FactIsAppendOnly):
        Fact.objects.filter(pk=fact.pk).update(code="national_technical_expert")
    with pytest.raises(FactIsAppendOnly):
        Fact.objects.filter(pk=fact.pk).delete()
    with pytest.raises(FactIsAppendOnly):
        Fact.objects.get(pk=fact.pk).save()
    assert Fact.objects.get(pk=fact.pk).code == "city_technical_expert"
