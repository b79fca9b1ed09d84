"""Agency integrity figures: a month far above the agency's own history is flagged (robust z),
as is a new agency issuing hundreds at once; certificates outside the licence are counted; no
pass rates without published results (test_pass_rates.py has them);
self-evaluation volumes per enterprise and year; page (Chinese, SVG) and API for the bureau only,
over its own region."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.test import Client

from jineng.api.services import api_token_issue
from jineng.certificates.integrity import NEW_AGENCY_MONTHLY, integrity_figures, robust_z
from jineng.certificates.services import ScopeEntry, certificate_issue, issuer_register
from jineng.certificates.tests.conftest import TURNER
from jineng.identity.access import scope_of
from jineng.identity.models import Employment, Person, Role
from jineng.identity.testing import make_organisation, make_user, otp_login
from jineng.organisations.models import Organisation, OrgKind

pytestmark = pytest.mark.django_db


def _issue(org: Organisation, person: Person, day: dt.date, n: int, level: str = "4") -> None:
    for _ in range(n):
        certificate_issue(
            actor=None, person=person, occupation=TURNER, level=level, issuer=org, issued_on=day
        )


def test_robust_z_is_the_modified_z_score() -> None:
    z, median, mad = robust_z(30.0, [4.0, 5.0, 6.0, 5.0])
    assert (median, mad) == (5.0, 0.5)
    assert z == pytest.approx(0.6745 * 25 / 0.5)
    assert robust_z(5.0, [5.0, 5.0, 5.0])[0] == 0.0
    assert math.isinf(robust_z(9.0, [5.0, 5.0, 5.0])[0])


def test_a_spike_against_own_history_and_outside_licence_are_flagged(
    evaluation_org: Organisation, holder: Person
) -> None:
    for month in (1, 2, 3, 4):
        _issue(evaluation_org, holder, dt.date(2024, month, 10), 1 + month % 2)
    _issue(evaluation_org, holder, dt.date(2024, 5, 10), 24)
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    figures = integrity_figures(scope=scope_of(officer))
    (volume,) = figures.volumes
    assert volume.name == "东莞市技能评价中心" and volume.latest == 24
    assert [n for _, n in volume.months] == [2, 1, 2, 1, 24]
    assert volume.median == 1.5 and volume.flagged and "异常高值" in volume.reason
    assert figures.outside_licence == []
    assert figures.pass_rates == []  # no assessment results published
    # the licence narrowed to level 3 afterwards: every level-4 certificate is now outside it
    issuer_register(
        actor=None,
        organisation=evaluation_org,
        agency_code="1234",
        site_code="190001",
        scope=[ScopeEntry(TURNER, "3")],
    )
    (outside,) = integrity_figures(scope=scope_of(officer)).outside_licence
    assert outside.count == 30 and outside.examples == ("车工 中级工（四级）",)
    # another city's bureau sees none of it
    elsewhere = integrity_figures(scope=scope_of(make_user(Role.BUREAU_REVIEWER, region="330500")))
    assert elsewhere.volumes == [] and elsewhere.outside_licence == []


def test_a_new_agency_issuing_hundreds_at_once_is_flagged(holder: Person) -> None:
    org = make_organisation(kind=OrgKind.EVALUATION_ORG, name="新备案评价机构", region="441900")
    issuer_register(
        actor=None, organisation=org, agency_code="7777", site_code="190007",
        scope=[ScopeEntry(TURNER, "4")],
    )  # fmt: skip
    _issue(org, holder, dt.date(2024, 6, 3), NEW_AGENCY_MONTHLY)
    (volume,) = integrity_figures(scope=scope_of(make_user(Role.SYSADMIN))).volumes
    assert volume.z is None and volume.flagged and "不足3个月" in volume.reason


def test_self_evaluation_volumes_and_the_pages(holder: Person) -> None:
    firm = make_organisation(
        kind=OrgKind.ENTERPRISE, name="东莞精密制造有限公司", region="441900",
        self_evaluation_filed=True,
    )  # fmt: skip
    issuer_register(
        actor=None, organisation=firm, agency_code="4321", site_code="190002",
        scope=[ScopeEntry(TURNER, "4")],
    )  # fmt: skip
    Employment.objects.create(person=holder, employer=firm, start=dt.date(2020, 1, 1))
    _issue(firm, holder, dt.date(2023, 3, 1), 2)
    _issue(firm, holder, dt.date(2024, 3, 1), 3)
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    figures = integrity_figures(scope=scope_of(officer))
    assert [(s.name, s.year, s.count) for s in figures.self_evaluation] == [
        ("东莞精密制造有限公司", 2024, 3),
        ("东莞精密制造有限公司", 2023, 2),
    ]
    client = Client()
    otp_login(client, officer)
    html = client.get("/certificates/integrity/").content.decode()
    assert "评价机构诚信指标" in html and "<svg" in html and "东莞精密制造有限公司" in html
    assert "本辖区暂无公示或确认的考核成绩" in html
    _, raw = api_token_issue(user=officer)
    api = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/certificates/integrity")
    assert api.status_code == 200 and api.json()["pass_rates"] == []
    assert api.json()["self_evaluation"][0]["count"] == 3
    worker = Client()
    otp_login(worker, make_user(Role.WORKER, person=holder))
    assert worker.get("/certificates/integrity/").status_code == 403
    _, worker_token = api_token_issue(user=make_user(Role.WORKER))
    denied = Client(headers={"authorization": f"Bearer {worker_token}"}).get(
        "/api/v1/certificates/integrity"
    )
    assert denied.status_code == 403
