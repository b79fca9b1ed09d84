import datetime as dt
from typing import Any

import pytest

from jineng.audit.models import AuditEntry
from jineng.dossier.errors import FactAlreadyCorrected, FactInvalid
from jineng.dossier.models import Fact
from jineng.dossier.services import fact_append, fact_correct
from jineng.identity.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate() -> Fact:
    return fact_append(
        actor=None,
        subject=make_person(),
        kind="certificate",
        code="6-18-01-01",
        level="4",
        date=dt.date(2020, 6, 1),
        source="import",
        source_ref="Y001",
    )


def test_a_correction_is_a_new_fact_and_the_old_one_stays_as_it_was(certificate: Fact) -> None:
    # when
    corrected = fact_correct(actor=None, fact=certificate, reason="原始记录等级录入错误", level="3")
    # then
    assert corrected.pk != certificate.pk
    assert corrected.supersedes_id == certificate.pk
    assert (corrected.level, corrected.code, corrected.date) == (
        "3",
        "6-18-01-01",
        dt.date(2020, 6, 1),
    )
    assert corrected.source_ref == "Y001"
    assert corrected.correction_reason == "原始记录等级录入错误"
    original = Fact.objects.get(pk=certificate.pk)
    assert original.level == "4"
    assert list(Fact.objects.current()) == [corrected]
    entry = AuditEntry.objects.get(action="fact_correct")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["level"], entry.after["level"]) == ("4", "3")
    assert entry.after["supersedes"] == certificate.pk
    assert entry.reason == "原始记录等级录入错误"


def test_only_the_latest_version_can_be_corrected(certificate: Fact) -> None:
    fact_correct(actor=None, fact=certificate, reason="等级错误", level="3")
    with pytest.raises(FactAlreadyCorrected):
        fact_correct(actor=None, fact=certificate, reason="再改一次", level="2")
    assert Fact.objects.count() == 2


def test_corrections_chain(certificate: Fact) -> None:
    second = fact_correct(actor=None, fact=certificate, reason="等级错误", level="3")
    third = fact_correct(actor=None, fact=second, reason="日期错误", date=dt.date(2020, 7, 1))
    assert (third.supersedes_id, third.level, third.date) == (second.pk, "3", dt.date(2020, 7, 1))
    assert list(Fact.objects.current()) == [third]


@pytest.mark.parametrize(
    ("reason", "changes", "field"),
    [
        ("", {"level": "3"}, "reason"),
        ("换人", {"person": None}, "person"),
        ("没改", {"level": "4"}, "changes"),
        ("等级", {"level": "9"}, "level"),
    ],
)
def test_a_bad_correction_writes_nothing(
    certificate: Fact, reason: str, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(FactInvalid) as caught:
        fact_correct(actor=None, fact=certificate, reason=reason, **changes)
    assert caught.value.field == field
    assert Fact.objects.count() == 1
    assert not AuditEntry.objects.filter(action="fact_correct").exists()
