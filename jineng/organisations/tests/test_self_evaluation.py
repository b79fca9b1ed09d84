import datetime as dt

import pytest

from jineng.dossier.filings import organisation_file_self_evaluation
from jineng.dossier.models import Fact
from jineng.identity.errors import ValidationFailed
from jineng.identity.testing import make_organisation
from jineng.organisations.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db


def test_an_enterprise_files_self_evaluation_and_it_enters_the_dossier() -> None:
    org = make_organisation(kind=OrgKind.ENTERPRISE, region="441900")

    organisation_file_self_evaluation(actor=None, organisation=org, filed_on=dt.date(2024, 5, 20))

    stored = Organisation.objects.get(pk=org.pk)
    assert (stored.self_evaluation_filed, stored.self_evaluation_filed_on) == (
        True,
        dt.date(2024, 5, 20),
    )
    fact = Fact.objects.get(organisation=org)
    assert (fact.kind, fact.code, fact.date, fact.region, fact.source) == (
        "evaluation_filing",
        "enterprise_self_evaluation",
        dt.date(2024, 5, 20),
        "441900",
        "organisations",
    )


def test_an_evaluation_organisation_files_as_one() -> None:
    org = make_organisation(kind=OrgKind.EVALUATION_ORG)
    organisation_file_self_evaluation(actor=None, organisation=org, filed_on=dt.date(2024, 1, 2))
    assert Fact.objects.get(organisation=org).code == "social_evaluation_org"


def test_a_training_institution_cannot_file_and_nothing_is_written() -> None:
    org = make_organisation(kind=OrgKind.TRAINING_INSTITUTION)
    with pytest.raises(ValidationFailed) as excinfo:
        organisation_file_self_evaluation(
            actor=None, organisation=org, filed_on=dt.date(2024, 1, 2)
        )
    assert excinfo.value.field == "kind"
    assert not Organisation.objects.get(pk=org.pk).self_evaluation_filed
    assert not Fact.objects.filter(organisation=org).exists()
