"""In a real browser at 390 px (Playwright driving Debian's chromium): a worker finds an open
subsidised class on 报名培训班, enrols with their training voucher, and the institution's clerk
verifies the voucher on the class roster; and the teacher rules refuse a 4th institution — the
clerk assigns a part-time teacher who already teaches at 3 institutions this year and the page
says why, in Chinese. Nothing about time is asserted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user, otp_login
from jineng.learning.models import ClassTeacher, Enrolment, VoucherStatus
from jineng.learning.tests.class_helpers import assign, make_class, make_teacher, young
from jineng.learning.tests.conftest import build_course
from jineng.learning.tests.test_enrol_self import build_world
from jineng.organisations.models import TeacherKind
from jineng.web.tests.browser import BROWSER_MARKS, chromium_page

pytestmark = BROWSER_MARKS

WIDTH = 390


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page(width=WIDTH, height=844) as page:
        yield page


def _sign_in(page: Any, live_server: Any, user: User) -> None:
    page.context.clear_cookies()
    client = Client()
    otp_login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _fits(page: Any) -> bool:
    return bool(page.evaluate(f"() => document.documentElement.scrollWidth <= {WIDTH}"))


def test_a_worker_enrols_with_a_voucher_and_the_clerk_verifies_it(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    world = build_world()
    _sign_in(page, live_server, world.worker)
    page.goto(f"{live_server.url}/learning/classes/open/")
    card = page.get_by_test_id("open-class")
    assert "项目制车工班" in card.inner_text() and "余 2 个名额" in card.inner_text()
    assert _fits(page)
    page.get_by_test_id("open-class-link").click()
    page.wait_for_selector("[data-testid=enrol-form]")
    assert _fits(page)
    page.select_option("select[name=voucher]", str(world.voucher.pk))
    page.get_by_test_id("enrol").click()
    page.wait_for_selector("[data-testid=my-enrolment]")
    assert "报名成功" in page.content()
    assert "使用培训券" in page.get_by_test_id("my-enrolment").inner_text()
    enrolment = Enrolment.objects.get(klass=world.klass, person=world.worker.person)
    assert enrolment.voucher_id == world.voucher.pk

    _sign_in(page, live_server, world.clerk)
    page.goto(f"{live_server.url}/learning/classes/{world.klass.pk}/")
    assert "已领取" in page.get_by_test_id("roster-voucher").inner_text()
    page.get_by_test_id("roster-verify").click()
    page.wait_for_selector("text=培训券核验通过")
    assert "已核验报名" in page.get_by_test_id("roster-voucher").inner_text()
    assert _fits(page)
    world.voucher.refresh_from_db()
    assert world.voucher.status == VoucherStatus.VERIFIED


def test_the_teacher_rules_refuse_a_fourth_institution(
    live_server: Any, page: Any, settings: Any
) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    year = timezone.localdate().year
    busy = young("兼职王老师")
    for n in range(1, 4):  # three institutions this year, on different days
        school = make_organisation(name=f"第{n}职业培训学校", region="441900003")
        course = build_course(provider=school, title=f"第{n}校车工课程", mode="classroom")
        klass = make_class(course, days=[dt.date(year, 3, n)], name=f"第{n}校车工班")
        assign(klass, make_teacher(school, kind=TeacherKind.PART_TIME, person=busy))
    fourth = make_organisation(name="第四职业培训学校", region="441900003")
    course = build_course(provider=fourth, title="第四校车工课程", mode="classroom")
    klass = make_class(course, days=[dt.date(year, 3, 10)], name="第四校车工班")
    teacher = make_teacher(fourth, kind=TeacherKind.PART_TIME, person=busy)
    clerk = make_user(Role.ORG_ADMIN, organisation=fourth)

    _sign_in(page, live_server, clerk)
    page.goto(f"{live_server.url}/learning/classes/{klass.pk}/")
    page.select_option("[data-testid=teacher-form] select[name=teacher]", str(teacher.pk))
    page.get_by_test_id("teacher-add").click()
    form = page.get_by_test_id("teacher-form")
    form.get_by_text("兼职教师每年最多在 3 家机构任教").wait_for()
    assert f"该兼职教师 {year} 年已在 3 家培训机构任教" in form.inner_text()
    assert _fits(page)
    assert not ClassTeacher.objects.filter(klass=klass).exists()
