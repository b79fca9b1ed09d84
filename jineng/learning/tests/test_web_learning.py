"""The learning pages: the catalogue searches in Chinese and filters; a course shows its outline
and the learner's progress; the player's endpoints open a stream and credit heartbeats through the
service; the ledger page shows what was credited; provider staff write and submit a course with
Chinese errors; the bureau approves or rejects with a reason and the history shows it; an officer
reads a learner's ledger only in scope."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from jineng.identity.models import Role, User
from jineng.identity.testing import make_organisation, make_user, otp_login
from jineng.learning.models import Course, CourseStatus, CreditedSegment, LearningStream, Lesson
from jineng.learning.services import learning_stream_open
from jineng.learning.tests.conftest import person_of

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    otp_login(client, user)
    return client


def test_catalogue_searches_chinese_words_and_filters(
    make_course: Callable[..., Course], worker: User
) -> None:
    make_course(title="数控车床操作工初级培训", occupation="6-18-01-01")
    make_course(title="养老护理员技能提升", description="照护老年人", occupation="4-10-01-05")
    make_course(title="电工草稿课程", publish=False)
    client = _client(worker)
    body = client.get("/learning/", {"q": "车床"}).content.decode()
    assert "数控车床操作工初级培训" in body and "养老护理员技能提升" not in body
    body = client.get("/learning/").content.decode()
    assert "共找到 2 门课程" in body and "电工草稿课程" not in body
    body = client.get("/learning/", {"occupation": "4-10-01-05"}).content.decode()
    assert "养老护理员技能提升" in body and "数控车床操作工初级培训" not in body


def test_catalogue_pages(make_course: Callable[..., Course], worker: User) -> None:
    for i in range(23):
        make_course(title=f"焊工实训第{i}期")
    client = _client(worker)
    first = client.get("/learning/", {"q": "焊工"}).content.decode()
    assert "第 1 / 2 页" in first and 'data-testid="page-next"' in first
    second = client.get("/learning/", {"q": "焊工", "page": "2"}).content.decode()
    assert second.count('data-testid="course-item"') == 3


def _post_json(client: Client, url: str, data: dict[str, object]) -> dict[str, object]:
    resp = client.post(url, json.dumps(data), content_type="application/json")
    assert resp.status_code == 200, resp.content.decode()
    answer: dict[str, object] = resp.json()
    return answer


def test_player_opens_a_stream_and_heartbeats_credit_only_real_time(
    lesson: Lesson, worker: User
) -> None:
    client = _client(worker)
    page = client.get(f"/learning/lessons/{lesson.pk}/").content.decode()
    assert "<video" in page or "没有视频" in page
    stream = _post_json(client, f"/learning/lessons/{lesson.pk}/stream/", {"device": "手机"})
    sid = stream["stream"]
    t0 = timezone.now()
    url = f"/learning/lessons/{lesson.pk}/heartbeat/"
    with mock.patch("jineng.api.learning.heartbeat.timezone.now", return_value=t0):
        first = _post_json(client, url, {"stream": sid, "position": 0, "visible": True})
    assert first["outcome"] == "started"
    with mock.patch(
        "jineng.api.learning.heartbeat.timezone.now", return_value=t0 + dt.timedelta(seconds=5)
    ):
        second = _post_json(client, url, {"stream": sid, "position": 5.0, "visible": True})
    assert second["outcome"] == "credited" and second["credited_ms"] == 5000
    assert second["lesson_credited_ms"] == 5000
    # a skip ahead: 60 s of video in 5 s of wall time earns nothing, with the Chinese label
    with mock.patch(
        "jineng.api.learning.heartbeat.timezone.now", return_value=t0 + dt.timedelta(seconds=10)
    ):
        skip = _post_json(client, url, {"stream": sid, "position": 65.0, "visible": True})
    assert skip["outcome"] == "too_fast" and skip["credited_ms"] == 0
    assert skip["label"] == "快进或倍速播放，未计时"
    assert skip["lesson_credited_ms"] == 5000
    # hidden page
    with mock.patch(
        "jineng.api.learning.heartbeat.timezone.now", return_value=t0 + dt.timedelta(seconds=15)
    ):
        hidden = _post_json(client, url, {"stream": sid, "position": 70.0, "visible": False})
    assert hidden["outcome"] == "hidden" and hidden["label"] == "页面不在前台，未计时"
    segments = list(CreditedSegment.objects.filter(lesson=lesson).values_list("start_ms", "end_ms"))
    assert segments == [(0, 5000)]
    ledger = client.get("/learning/records/").content.decode()
    assert 'data-credited-seconds="5"' in ledger and "00:00 – 00:05" in ledger
    mine = client.get("/learning/mine/").content.decode()
    assert lesson.chapter.course.title in mine


def test_a_second_device_pauses_the_first(lesson: Lesson, worker: User) -> None:
    client = _client(worker)
    a = _post_json(client, f"/learning/lessons/{lesson.pk}/stream/", {"device": "手机"})
    b = _post_json(client, f"/learning/lessons/{lesson.pk}/stream/", {"device": "电脑"})
    assert LearningStream.objects.get(pk=int(str(a["stream"]))).state == "paused"
    answer = _post_json(
        client,
        f"/learning/lessons/{lesson.pk}/heartbeat/",
        {"stream": a["stream"], "position": 1, "visible": True},
    )
    assert answer["outcome"] == "inactive"
    assert "其他设备" in str(answer["label"])
    assert b["stream"] != a["stream"]


def test_heartbeat_refuses_another_persons_stream(lesson: Lesson, worker: User) -> None:
    other = make_user(Role.WORKER)
    stream = learning_stream_open(
        actor=other, person=person_of(other), lesson=lesson, device="别人的手机"
    )
    resp = _client(worker).post(
        f"/learning/lessons/{lesson.pk}/heartbeat/",
        json.dumps({"stream": stream.pk, "position": 1, "visible": True}),
        content_type="application/json",
    )
    assert resp.status_code == 400 and "不符" in resp.json()["detail"]


def test_provider_creates_a_draft_with_chinese_errors_then_submits(
    staff: User, provider: object
) -> None:
    client = _client(staff)
    bad = client.post(
        "/learning/provider/new/",
        {
            "provider": str(provider.pk),  # type: ignore[attr-defined]
            "title": "",
            "occupation": "不存在的职业",
            "level": "5",
            "planned_hours": "0",
            "mode": "online",
            "funding": "free",
        },
    ).content.decode()
    assert "不在 2022 年版职业分类大典中" in bad
    assert "这个字段是必填项" in bad or "必填" in bad
    resp = client.post(
        "/learning/provider/new/",
        {
            "provider": str(provider.pk),  # type: ignore[attr-defined]
            "title": "车工技能入门",
            "occupation": "车工",
            "level": "5",
            "planned_hours": "4",
            "mode": "online",
            "funding": "free",
        },
    )
    assert resp.status_code == 302
    course = Course.objects.get(title="车工技能入门")
    assert course.status == CourseStatus.DRAFT
    # submitting without lessons is refused with the reason
    page = client.post(f"/learning/provider/{course.pk}/submit/").content.decode()
    assert "还没有课时，不能提交审核" in page
    assert (
        client.post(
            f"/learning/provider/{course.pk}/chapters/", {"title": "第一章 入门"}
        ).status_code
        == 302
    )
    chapter = course.chapters.get()
    resp = client.post(
        f"/learning/provider/{course.pk}/lessons/",
        {
            "chapter": str(chapter.pk),
            "title": "安全须知",
            "kind": "video",
            "duration_minutes": "10",
        },
    )
    assert resp.status_code == 302
    assert Lesson.objects.get(chapter=chapter).duration_seconds == 600
    assert client.post(f"/learning/provider/{course.pk}/submit/").status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.SUBMITTED
    # no longer editable
    page = client.get(f"/learning/provider/{course.pk}/").content.decode()
    assert 'data-testid="chapter-form"' not in page and "待审核" in page


def test_bureau_rejects_with_a_reason_then_approves(
    make_course: Callable[..., Course], reviewer: User, staff: User
) -> None:
    course = make_course(title="电焊工培训", publish=False)
    _client(staff).post(f"/learning/provider/{course.pk}/submit/")
    client = _client(reviewer)
    queue = client.get("/learning/review/").content.decode()
    assert "电焊工培训" in queue
    no_reason = client.post(f"/learning/review/{course.pk}/", {"decision": "reject", "reason": ""})
    assert "须填写理由" in no_reason.content.decode()
    resp = client.post(
        f"/learning/review/{course.pk}/", {"decision": "reject", "reason": "课时安排不完整"}
    )
    assert resp.status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.REJECTED
    history = _client(staff).get(f"/learning/provider/{course.pk}/").content.decode()
    assert "课时安排不完整" in history and "已退回" in history
    staff_client = _client(staff)
    staff_client.post(f"/learning/provider/{course.pk}/submit/")  # back to draft
    staff_client.post(f"/learning/provider/{course.pk}/submit/")  # submitted again
    assert client.post(f"/learning/review/{course.pk}/", {"decision": "approve"}).status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED
    page = client.get(f"/learning/review/{course.pk}/").content.decode()
    assert page.count('data-testid="history-row"') == 5


def test_a_reviewer_of_another_city_cannot_review(
    make_course: Callable[..., Course], staff: User
) -> None:
    course = make_course(title="湖州不可见课程", publish=False)
    _client(staff).post(f"/learning/provider/{course.pk}/submit/")
    huzhou = make_user(Role.BUREAU_REVIEWER, region="330500")
    client = _client(huzhou)
    assert "湖州不可见课程" not in client.get("/learning/review/").content.decode()
    assert client.get(f"/learning/review/{course.pk}/").status_code == 404
    assert client.post(f"/learning/review/{course.pk}/", {"decision": "approve"}).status_code == 404


def test_officer_sees_a_learners_ledger_in_scope_only(lesson: Lesson, worker: User) -> None:
    person = person_of(worker)
    client = _client(worker)
    stream = _post_json(client, f"/learning/lessons/{lesson.pk}/stream/", {"device": "手机"})
    t0 = timezone.now()
    for i, pos in enumerate((0.0, 4.0)):
        with mock.patch(
            "jineng.api.learning.heartbeat.timezone.now",
            return_value=t0 + dt.timedelta(seconds=4 * i),
        ):
            _post_json(
                client,
                f"/learning/lessons/{lesson.pk}/heartbeat/",
                {"stream": stream["stream"], "position": pos, "visible": True},
            )
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    page = _client(officer).get(f"/learning/people/{person.pk}/records/").content.decode()
    assert person.name in page and 'data-credited-seconds="4"' in page
    huzhou = make_user(Role.BUREAU_REVIEWER, region="330500")
    assert _client(huzhou).get(f"/learning/people/{person.pk}/records/").status_code == 404
    org = make_organisation(name="无关机构")
    teacher = make_user(Role.TEACHER, organisation=org)
    assert _client(teacher).get(f"/learning/people/{person.pk}/records/").status_code == 403
