"""course_search: Chinese words, filters, paging, and who sees which status."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user
from jineng.learning.models import CourseStatus
from jineng.learning.selectors import CoursePage, course_search
from jineng.learning.services import course_transition, course_update
from jineng.learning.tests.conftest import build_course
from jineng.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def titles(page: CoursePage) -> set[str]:
    return {c.title for c in page.items}


@pytest.fixture
def catalogue(provider: Organisation) -> Organisation:
    other = make_organisation(name="湖州职业技术学院", region="330502")
    build_course(provider=provider, title="数控车床操作工初级培训", occupation="6-18-01-01")
    build_course(
        provider=provider,
        title="低压电工作业",
        description="电工安全操作与触电急救",
        occupation="6-31-01-03",
        level="4",
        mode="classroom",
    )
    build_course(provider=other, title="养老护理员中级", occupation="4-10-01-05", level="4")
    build_course(provider=provider, title="数控车床编程（草稿）", publish=False)
    return other


def test_a_worker_finds_published_courses_by_chinese_words(
    worker: User, catalogue: Organisation
) -> None:
    assert titles(course_search(user=worker, q="数控车床")) == {"数控车床操作工初级培训"}
    assert titles(course_search(user=worker, q="触电急救")) == {"低压电工作业"}
    # The occupation's name is searched too: 车工 is the occupation of the lathe course.
    assert "数控车床操作工初级培训" in titles(course_search(user=worker, q="车工"))
    # Every word must match.
    assert titles(course_search(user=worker, q="数控 电工")) == set()


def test_no_query_lists_every_published_course_newest_first(
    worker: User, catalogue: Organisation
) -> None:
    page = course_search(user=worker)
    assert page.total == 3
    assert [c.title for c in page.items][0] == "养老护理员中级"
    assert "数控车床编程（草稿）" not in titles(page)


def test_the_public_sees_only_published_courses(catalogue: Organisation) -> None:
    page = course_search(user=AnonymousUser(), q="数控车床")
    assert titles(page) == {"数控车床操作工初级培训"}


def test_provider_staff_also_find_their_own_drafts(staff: User, catalogue: Organisation) -> None:
    found = titles(course_search(user=staff, q="数控车床"))
    assert found == {"数控车床操作工初级培训", "数控车床编程（草稿）"}
    drafts = course_search(user=staff, status=CourseStatus.DRAFT)
    assert titles(drafts) == {"数控车床编程（草稿）"}


def test_staff_of_another_provider_do_not_see_the_drafts(catalogue: Organisation) -> None:
    outsider = make_user(Role.ORG_ADMIN, organisation=catalogue)
    assert titles(course_search(user=outsider, q="数控车床")) == {"数控车床操作工初级培训"}


def test_filters(worker: User, catalogue: Organisation, provider: Organisation) -> None:
    assert titles(course_search(user=worker, level="4")) == {"低压电工作业", "养老护理员中级"}
    assert titles(course_search(user=worker, occupation="4-10-01-05")) == {"养老护理员中级"}
    assert titles(course_search(user=worker, mode="classroom")) == {"低压电工作业"}
    assert titles(course_search(user=worker, provider=catalogue.pk)) == {"养老护理员中级"}
    # town: the provider's region and everything under it
    assert titles(course_search(user=worker, town="441900003")) == {
        "数控车床操作工初级培训",
        "低压电工作业",
    }
    assert titles(course_search(user=worker, town="330500")) == {"养老护理员中级"}
    assert course_search(user=worker, town="441900004").total == 0


def test_paging(worker: User, provider: Organisation) -> None:
    for i in range(7):
        build_course(provider=provider, title=f"焊工实训第{i}期", occupation="6-18-02-04")
    first = course_search(user=worker, q="焊工", per_page=3)
    third = course_search(user=worker, q="焊工", per_page=3, page=3)
    assert (first.total, first.pages, len(first.items), len(third.items)) == (7, 3, 3, 1)
    seen = {
        c.pk
        for p in (1, 2, 3)
        for c in course_search(user=worker, q="焊工", per_page=3, page=p).items
    }
    assert len(seen) == 7
    assert course_search(user=worker, per_page=10_000).per_page == 100
    assert course_search(user=worker, page=-4).page == 1


def test_withdrawn_course_leaves_the_catalogue_and_edits_reindex(
    worker: User, reviewer: User, staff: User, provider: Organisation
) -> None:
    course = build_course(provider=provider, title="叉车司机安全培训", occupation="6-18-01-01")
    assert course_search(user=worker, q="叉车").total == 1
    course_transition(actor=reviewer, course=course, to=CourseStatus.WITHDRAWN, reason="信息过期")
    assert course_search(user=worker, q="叉车").total == 0
    draft = build_course(provider=provider, title="电焊入门", publish=False)
    course_update(actor=staff, course=draft, title="氩弧焊入门")
    assert course_search(user=staff, q="氩弧焊").total == 1
    assert course_search(user=staff, q="电焊").total == 0


def test_counting_stops_at_the_cap_and_says_there_are_more(
    worker: User, catalogue: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jineng.learning import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    page = course_search(user=worker, per_page=1, page=99)
    assert (page.total, page.more) == (2, True)
    assert page.pages == 2 and page.page == 2  # paging stops where counting stopped
    exact = course_search(user=worker, q="电工")
    assert (exact.total, exact.more) == (1, False)
