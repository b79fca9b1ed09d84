"""The pass-rate integrity figure: from published and final results only, per agency and year
against the region's, a planted agency passing nearly everyone flagged by the robust z the volume
figure uses; shown on the bureau's page and in the API; other regions' results unseen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from jineng.api.services import api_token_issue
from jineng.assessment.models import (
    ExamSession,
    PartResult,
    PublicationStatus,
    Registration,
    ResultPublication,
)
from jineng.certificates.integrity import integrity_figures, robust_z
from jineng.certificates.pass_rates import pass_rates
from jineng.certificates.tests.conftest import TURNER
from jineng.identity.access import scope_of
from jineng.identity.models import Person, Role
from jineng.identity.testing import make_organisation, make_person, make_user, otp_login
from jineng.organisations.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db
CANDIDATES = 20


@pytest.fixture
def people(db: None) -> list[Person]:
    return [make_person(name=f"考生{n}", residence_region="441900") for n in range(CANDIDATES)]


def _session(
    org: Organisation,
    people: list[Person],
    passed: int,
    *,
    status: str = PublicationStatus.FINAL,
    year: int = 2025,
) -> ExamSession:
    """A theory + practical session whose first `passed` candidates pass both parts; the rest
    fail the practical part."""
    session = ExamSession.objects.create(
        organisation=org, occupation_id=TURNER, level="4", parts=["theory", "practical"],
        starts_at=timezone.make_aware(dt.datetime(year, 6, 1, 9, 0)), venue="考点", capacity=50,
    )  # fmt: skip
    ResultPublication.objects.create(session=session, status=status)
    for n, person in enumerate(people):
        registration = Registration.objects.create(session=session, person=person)
        for part in ("theory", "practical"):
            ok = n < passed or part == "theory"
            PartResult.objects.create(
                registration=registration, part=part, score=Decimal("80" if ok else "40"),
                pass_mark=Decimal("60"), passed=ok,
            )  # fmt: skip
    return session


def _agency(name: str, region: str = "441900") -> Organisation:
    return make_organisation(kind=OrgKind.EVALUATION_ORG, name=name, region=region)


def test_a_planted_high_pass_agency_is_flagged_against_the_region(people: list[Person]) -> None:
    for name, passed in (("甲评价中心", 12), ("乙评价中心", 13), ("丙评价中心", 11)):
        _session(_agency(name), people, passed)
    lax = _agency("借证评价站")
    _session(lax, people, 20)
    _session(lax, people[:5], 0, status=PublicationStatus.REVIEWED)  # not yet public: not counted
    _session(_agency("外市机构", region="330500"), people, 20)  # another region: unseen
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    rates = pass_rates(scope=scope_of(officer))
    assert [(r.name, r.candidates, r.passed) for r in rates] == [
        ("借证评价站", 20, 20),
        ("乙评价中心", 20, 13),
        ("甲评价中心", 20, 12),
        ("丙评价中心", 20, 11),
    ]
    top = rates[0]
    assert top.rate == 1.0 and top.region_rate == pytest.approx(56 / 80)
    assert top.z == robust_z(1.0, [0.6, 0.65, 0.55, 1.0])[0] and top.z > 3.5
    assert top.flagged and top.reason == "2025年通过率100%，远高于本辖区的70%"
    assert not any(r.flagged for r in rates[1:])
    figures = integrity_figures(scope=scope_of(officer))
    assert figures.pass_rates == rates and figures.flagged == 1


def test_fewer_than_three_agencies_or_candidates_are_not_flagged(people: list[Person]) -> None:
    _session(_agency("甲评价中心"), people, 10)
    _session(_agency("借证评价站"), people, 20)
    rates = pass_rates(scope=scope_of(make_user(Role.SYSADMIN)))
    assert {r.z for r in rates} == {None} and not any(r.flagged for r in rates)
    # a candidate missing a part's result does not pass
    session = _session(_agency("丙评价中心"), people[:1], 1, year=2024)
    PartResult.objects.filter(registration__session=session, part="practical").delete()
    (lone,) = [r for r in pass_rates(scope=scope_of(make_user(Role.SYSADMIN))) if r.year == 2024]
    assert (lone.candidates, lone.passed) == (1, 0)


def test_the_page_and_the_api_show_the_pass_rates_not_a_stand_in(people: list[Person]) -> None:
    for name, passed in (("甲评价中心", 12), ("乙评价中心", 13), ("丙评价中心", 11)):
        _session(_agency(name), people, passed)
    _session(_agency("借证评价站"), people, 20)
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    client = Client()
    otp_login(client, officer)
    html = client.get("/certificates/integrity/").content.decode()
    assert "通过率与本辖区对比" in html and "考核成绩数据尚未接入" not in html
    assert html.count('data-testid="integrity-pass-row"') == 4
    assert "100.0%" in html and "70.0%" in html
    assert "2025年通过率100%，远高于本辖区的70%" in html
    _, raw = api_token_issue(user=officer)
    body = (
        Client(headers={"authorization": f"Bearer {raw}"})
        .get("/api/v1/certificates/integrity")
        .json()
    )
    first = body["pass_rates"][0]
    assert (first["name"], first["rate"], first["flagged"]) == ("借证评价站", 1.0, True)
    assert first["region_rate"] == pytest.approx(0.7) and first["z"] > 3.5
    assert "pass_rate_source" not in body and "high_level" not in body
