"""Region statistics drill down to 镇街: workers by highest skill level and the high-skill share
per town, counted only inside the user's scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from jineng.dossier.services import fact_append
from jineng.identity.models import Person, Role
from jineng.identity.services import person_create
from jineng.identity.testing import make_user, otp_login
from jineng.reference.models import Region
from jineng.web.region_stats import region_skills
from jineng.web.tests.world import resident_id

pytestmark = pytest.mark.django_db

DONGCHENG, SHIJIE = "441900003", "441900101"  # 东城街道, 石碣镇


def _person(n: int, town: str, *levels: str) -> Person:
    person = person_create(
        actor=None,
        name=f"测试{n}",
        id_number=resident_id(f"44190019900101{n:03d}"),
        residence_region=town,
    )
    for i, level in enumerate(levels):
        fact_append(
            actor=None,
            subject=person,
            kind="certificate",
            code="6-18-01-01",
            level=level,
            date=dt.date(2020 + i, 1, 1),
            issuer_name="评价中心",
            source="test",
        )
    return person


def test_highest_level_per_person_and_high_skill_share_per_town() -> None:
    _person(1, DONGCHENG, "4", "3")  # highest 高级工: high skill
    _person(2, DONGCHENG, "5")
    _person(3, DONGCHENG)
    _person(4, SHIJIE, "2")
    _person(5, "330502001", "1")  # 湖州 朝阳街道: outside the officer's scope
    officer = make_user(Role.BUREAU_REVIEWER, region=Region.objects.get(code="441900"))
    skills = region_skills(user=officer, region=Region.objects.get(code="441900"))
    by_code = {a.code: a for a in skills.areas}
    assert len(skills.areas) == 36
    dongcheng, shijie = by_code[DONGCHENG], by_code[SHIJIE]
    assert (dongcheng.people, dongcheng.certified, dongcheng.high_skill) == (3, 2, 1)
    levels = {str(label): n for label, n in dongcheng.levels}
    assert (levels["高级工（三级）"], levels["中级工（四级）"], levels["初级工（五级）"]) == (
        1,
        0,
        1,
    )
    assert dongcheng.high_share == Decimal("33.3")
    assert (shijie.people, shijie.high_skill, shijie.high_share) == (1, 1, Decimal("100.0"))
    assert (skills.total.people, skills.total.high_skill) == (4, 2)  # 湖州's person not counted


def test_the_region_page_shows_towns_by_name_with_a_chart(client: Client) -> None:
    _person(1, DONGCHENG, "3")
    officer = make_user(Role.BUREAU_REVIEWER, region=Region.objects.get(code="441900"))
    otp_login(client, officer)
    body = client.get("/console/regions/441900/").content.decode()
    assert 'data-testid="skills-chart"' in body
    assert "东城街道" in body and "石碣镇" in body
    assert body.count('data-testid="skills-bar"') == 36
    assert ">441900003<" not in body and ">441900<" not in body
    town = client.get(f"/console/regions/{DONGCHENG}/")
    assert town.status_code == 200 and "东城街道" in town.content.decode()


def test_a_town_outside_scope_is_404(client: Client) -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region=Region.objects.get(code="441900"))
    otp_login(client, officer)
    assert client.get("/console/regions/330502001/").status_code == 404
