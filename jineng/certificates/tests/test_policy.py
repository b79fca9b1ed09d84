"""The policy engine sees an issued certificate (the national skill-upgrade subsidy, 2,000 yuan at
高级工 for an insured worker) and stops paying on it once the certificate is revoked."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.certificates.services import certificate_issue, certificate_revoke
from jineng.certificates.tests.conftest import ISSUED_ON, TURNER
from jineng.identity.models import Person
from jineng.identity.testing import make_person
from jineng.organisations.models import Organisation
from jineng.policy.selectors.subjects import explain_facts, read_subject_facts

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 6, 30)
ITEM = "nb.skill_upgrade"


def _skill_upgrade_fen(person: Person) -> list[int]:
    explanation = explain_facts(read_subject_facts(person, ON), on=ON)
    return [i.amount_fen for i in explanation.paid if i.id == ITEM]


def test_issue_pays_and_revocation_withdraws(evaluation_org: Organisation) -> None:
    person = make_person(insured=True, insured_since=dt.date(2015, 1, 1))
    assert _skill_upgrade_fen(person) == []
    certificate = certificate_issue(
        actor=None,
        person=person,
        occupation=TURNER,
        level="3",
        issuer=evaluation_org,
        issued_on=ISSUED_ON,
    )
    assert _skill_upgrade_fen(person) == [200000]
    certificate_revoke(actor=None, certificate=certificate, reason="考试作弊")
    assert _skill_upgrade_fen(person) == []
