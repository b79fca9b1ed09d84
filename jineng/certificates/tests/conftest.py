"""Fixtures of the certificates tests: an evaluation organisation licensed for 车工 (levels 4 and
3) in Dongguan, a holder living there, and a certificate issued by it."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.certificates.models import Certificate
from jineng.certificates.services import ScopeEntry, certificate_issue, issuer_register
from jineng.identity.models import Person
from jineng.identity.testing import make_organisation, make_person
from jineng.organisations.models import Organisation, OrgKind

TURNER = "6-18-01-01"  # 车工
ISSUED_ON = dt.date(2024, 5, 20)


@pytest.fixture
def evaluation_org(db: None) -> Organisation:
    org = make_organisation(kind=OrgKind.EVALUATION_ORG, name="东莞市技能评价中心", region="441900")
    issuer_register(
        actor=None,
        organisation=org,
        agency_code="1234",
        site_code="190001",
        scope=[ScopeEntry(TURNER, "4"), ScopeEntry(TURNER, "3")],
    )
    return org


@pytest.fixture
def holder(db: None) -> Person:
    return make_person(name="邓志明", residence_region="441900")


@pytest.fixture
def certificate(evaluation_org: Organisation, holder: Person) -> Certificate:
    return certificate_issue(
        actor=None,
        person=holder,
        occupation=TURNER,
        level="3",
        issuer=evaluation_org,
        issued_on=ISSUED_ON,
    )
