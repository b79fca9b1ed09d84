"""The learning pages and API operations in the scope matrix (`jineng.web.tests.scope`). Each side
gets a published course of a training school in its region (the catalogue is public, so the
published course is not the side's own organisation, whose name must never cross over), and, of
the side's organisation, a draft with a lesson, an empty draft and a submitted course."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.identity.testing import make_organisation, make_person
from jineng.learning.models import (
    Course,
    CourseStatus,
    Lesson,
    TrainingRecord,
    TrainingVoucher,
    VoucherBatch,
)
from jineng.learning.services import (
    chapter_add,
    course_create,
    course_transition,
    lesson_add,
    training_record_issue,
)
from jineng.learning.stream_tokens import stream_token
from jineng.organisations.models import Organisation
from jineng.web.tests.scope import GET, LIST_OK, POST, Case, role_api, role_page
from jineng.web.tests.world import SIDE_ROLES, Side

EVERYONE = frozenset(SIDE_ROLES)
WORKER = frozenset({Role.WORKER})
PROVIDERS = frozenset({Role.ORG_ADMIN, Role.TEACHER})
REVIEWERS = frozenset({Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER})
SEES_PERSON = frozenset(SIDE_ROLES)  # worker: self; staff: employee; bureau, auditor: region
assert ORG_ROLES >= PROVIDERS and BUREAU_ROLES >= REVIEWERS


def _school(side: Side) -> Organisation:
    name = f"{side.key}方职业培训学校"
    found = Organisation.objects.filter(name=name).first()
    return found or make_organisation(name=name, region=side.home)


def _course(side: Side, kind: str) -> Course:
    """The side's course of `kind`: published (of the school), draft, empty or submitted."""
    title = f"{side.key}方{kind}车工课程"
    found = Course.objects.filter(title=title).first()
    if found is not None:
        return found
    provider = _school(side) if kind == "published" else side.org
    course = course_create(
        actor=None,
        provider=provider,
        title=title,
        occupation="6-18-01-01",
        level="5",
        planned_hours=2,
        mode="online",
        funding="free",
    )
    if kind == "empty":
        return course
    chapter = chapter_add(actor=None, course=course, title="第一章 基础")
    lesson_add(
        actor=None,
        chapter=chapter,
        title="第1节 概述",
        kind="video",
        duration_seconds=20,
        media=ContentFile(b"\x00\x00\x00\x18ftypmp42" + bytes(1000), name="scope.mp4"),
    )
    if kind in ("published", "submitted"):
        course = course_transition(actor=None, course=course, to=CourseStatus.SUBMITTED)
    if kind == "published":
        course = course_transition(actor=None, course=course, to=CourseStatus.PUBLISHED)
    return course


def _lesson(side: Side, kind: str = "published") -> int:
    lesson = Lesson.objects.filter(chapter__course=_course(side, kind)).first()
    assert lesson is not None
    return lesson.pk


def _check(side: Side) -> int:
    """A pending real-name check of the side's person on the side's published lesson."""
    import datetime as dt

    from django.utils import timezone

    from jineng.learning.models import CheckStatus, LearningCheck, LearningStream, StreamState

    found = LearningCheck.objects.filter(person=side.person, status=CheckStatus.PENDING).first()
    if found is not None:
        return found.pk
    now = timezone.now()
    stream = LearningStream.objects.create(
        person=side.person,
        lesson_id=_lesson(side),
        device="矩阵测试核验",
        state=StreamState.CLOSED,
        opened_at=now,
    )
    check = LearningCheck.objects.create(
        person=side.person,
        lesson_id=stream.lesson_id,
        stream=stream,
        issued_at=now,
        due_by=now + dt.timedelta(days=365),
    )
    return check.pk


def _stream_body(side: Side) -> dict[str, object]:
    return {"lesson": _lesson(side), "device": "矩阵测试设备"}


PAGES = {
    "learning/": Case(
        own=lambda s: GET(f"/learning/?q=车工&town={s.home}"),
        own_status=role_page(EVERYONE),
        foreign=lambda o: [GET(f"/learning/?town={o.home}", ok=LIST_OK)],
    ),
    "learning/courses/<int:pk>/": Case(
        own=lambda s: GET(f"/learning/courses/{_course(s, 'published').pk}/"),
        own_status=role_page(EVERYONE),
        foreign=lambda o: [
            GET(f"/learning/courses/{_course(o, 'draft').pk}/"),
            GET(f"/learning/courses/{_course(o, 'submitted').pk}/"),
        ],
    ),
    "learning/mine/": Case(own=lambda s: GET("/learning/mine/"), own_status=role_page(WORKER)),
    "learning/records/": Case(
        own=lambda s: GET("/learning/records/"), own_status=role_page(WORKER)
    ),
    "learning/people/<int:person_id>/records/": Case(
        own=lambda s: GET(f"/learning/people/{s.person.pk}/records/"),
        own_status=role_page(CONSOLE_ROLES),
        shows_own=frozenset(CONSOLE_ROLES),
        foreign=lambda o: [GET(f"/learning/people/{o.person.pk}/records/")],
    ),
    "learning/lessons/<int:pk>/": Case(
        own=lambda s: GET(f"/learning/lessons/{_lesson(s)}/"),
        own_status=role_page(WORKER),
        foreign=lambda o: [GET(f"/learning/lessons/{_lesson(o, 'draft')}/")],
    ),
    "learning/lessons/<int:pk>/media": Case(
        own=lambda s: GET(f"/learning/lessons/{_lesson(s)}/media"),
        own_status=role_page(EVERYONE),
        foreign=lambda o: [GET(f"/learning/lessons/{_lesson(o, 'draft')}/media")],
    ),
    "learning/lessons/<int:pk>/stream/": Case(
        own=lambda s: POST(f"/learning/lessons/{_lesson(s)}/stream/", {"device": "矩阵测试"}),
        own_status=role_page(WORKER),
        foreign=lambda o: [
            POST(f"/learning/lessons/{_lesson(o, 'draft')}/stream/", {"device": "矩阵测试"})
        ],
    ),
    # No stream of this person: the service refuses (400, Chinese) before measuring anything.
    "learning/lessons/<int:pk>/heartbeat/": Case(
        own=lambda s: POST(f"/learning/lessons/{_lesson(s)}/heartbeat/", {}),
        own_status=role_page(WORKER, ok=400),
        foreign=lambda o: [POST(f"/learning/lessons/{_lesson(o, 'draft')}/heartbeat/", {})],
    ),
    # Check 0 is nobody's (404); the other side's check is 404 too, never answered.
    "learning/checks/<int:pk>/answer/": Case(
        own=lambda s: POST("/learning/checks/0/answer/", {}),
        own_status=role_page(WORKER, ok=404),
        foreign=lambda o: [POST(f"/learning/checks/{_check(o)}/answer/", {})],
    ),
    "learning/provider/": Case(
        own=lambda s: GET("/learning/provider/"), own_status=role_page(PROVIDERS)
    ),
    "learning/provider/new/": Case(
        own=lambda s: GET("/learning/provider/new/"), own_status=role_page(PROVIDERS)
    ),
    "learning/provider/<int:pk>/": Case(
        own=lambda s: GET(f"/learning/provider/{_course(s, 'draft').pk}/"),
        own_status=role_page(PROVIDERS),
        foreign=lambda o: [GET(f"/learning/provider/{_course(o, 'draft').pk}/")],
    ),
    "learning/provider/<int:pk>/edit/": Case(
        own=lambda s: GET(f"/learning/provider/{_course(s, 'draft').pk}/edit/"),
        own_status=role_page(PROVIDERS),
        foreign=lambda o: [
            POST(f"/learning/provider/{_course(o, 'draft').pk}/edit/", {"title": "改名"})
        ],
    ),
    "learning/provider/<int:pk>/chapters/": Case(
        own=lambda s: POST(
            f"/learning/provider/{_course(s, 'draft').pk}/chapters/", {"title": "第二章"}
        ),
        own_status=role_page(PROVIDERS, ok=302),
        foreign=lambda o: [
            POST(f"/learning/provider/{_course(o, 'draft').pk}/chapters/", {"title": "第二章"})
        ],
    ),
    # An empty form: the page again with the fields' errors.
    "learning/provider/<int:pk>/lessons/": Case(
        own=lambda s: POST(f"/learning/provider/{_course(s, 'draft').pk}/lessons/", {}),
        own_status=role_page(PROVIDERS),
        foreign=lambda o: [POST(f"/learning/provider/{_course(o, 'draft').pk}/lessons/", {})],
    ),
    # A course without lessons cannot be submitted: the page again with the reason.
    "learning/provider/<int:pk>/submit/": Case(
        own=lambda s: POST(f"/learning/provider/{_course(s, 'empty').pk}/submit/"),
        own_status=role_page(PROVIDERS),
        foreign=lambda o: [POST(f"/learning/provider/{_course(o, 'draft').pk}/submit/")],
    ),
    "learning/review/": Case(
        own=lambda s: GET("/learning/review/"), own_status=role_page(REVIEWERS)
    ),
    "learning/review/<int:pk>/": Case(
        own=lambda s: GET(f"/learning/review/{_course(s, 'submitted').pk}/"),
        own_status=role_page(REVIEWERS),
        foreign=lambda o: [
            GET(f"/learning/review/{_course(o, 'submitted').pk}/"),
            POST(f"/learning/review/{_course(o, 'submitted').pk}/", {"decision": "approve"}),
        ],
    ),
}


API = {
    ("GET", "/api/v1/learning/courses"): Case(
        own=lambda s: GET(f"/api/v1/learning/courses?q=车工&town={s.home}"),
        own_status=role_api(lambda r: 200),
        foreign=lambda o: [GET(f"/api/v1/learning/courses?town={o.home}", ok=frozenset({200}))],
    ),
    ("POST", "/api/v1/learning/streams"): Case(
        own=lambda s: POST("/api/v1/learning/streams", _stream_body(s)),
        own_status=role_api(lambda r: 201 if r == Role.WORKER else 403),
        foreign=lambda o: [
            POST(
                "/api/v1/learning/streams",
                {"lesson": _lesson(o, "draft"), "device": "矩阵测试设备"},
            )
        ],
    ),
    # Stream 0 is nobody's: the service refuses it (400) for the learner.
    ("POST", "/api/v1/learning/heartbeats"): Case(
        own=lambda s: POST(
            "/api/v1/learning/heartbeats",
            {"stream": 0, "lesson": _lesson(s), "position_seconds": 1.0, "visible": True},
        ),
        own_status=role_api(lambda r: 400 if r == Role.WORKER else 403),
        foreign=lambda o: [
            POST(
                "/api/v1/learning/heartbeats",
                {
                    "stream": 0,
                    "lesson": _lesson(o, "draft"),
                    "position_seconds": 1.0,
                    "visible": True,
                },
            )
        ],
    ),
    # No log-in: the stream token is the credential. A forged one is refused (401) for anyone; a
    # validly signed one for the other side's draft lesson is refused like a hidden lesson (403).
    ("POST", "/api/v1/learning/stream-heartbeats"): Case(
        own=lambda s: POST(
            "/api/v1/learning/stream-heartbeats",
            {"token": "[1,2,3,4]:forged", "position_seconds": 1.0, "visible": True},
        ),
        own_status=lambda role: 401,
        public=True,
        foreign=lambda o: [
            POST(
                "/api/v1/learning/stream-heartbeats",
                {
                    "token": stream_token(
                        person_id=o.person.pk, lesson_id=_lesson(o, "draft"), stream_id=0
                    ),
                    "position_seconds": 1.0,
                    "visible": True,
                },
            )
        ],
    ),
    ("POST", "/api/v1/learning/checks/{check_id}/answer"): Case(
        own=lambda s: POST("/api/v1/learning/checks/0/answer", {}),
        own_status=role_api(lambda r: 404 if r == Role.WORKER else 403),
        foreign=lambda o: [POST(f"/api/v1/learning/checks/{_check(o)}/answer", {})],
    ),
    ("GET", "/api/v1/learning/ledger"): Case(
        own=lambda s: GET("/api/v1/learning/ledger"),
        own_status=role_api(lambda r: 200 if r == Role.WORKER else 403),
    ),
    ("GET", "/api/v1/learning/people/{person_id}/ledger"): Case(
        own=lambda s: GET(f"/api/v1/learning/people/{s.person.pk}/ledger"),
        own_status=role_api(lambda r: 200 if r in SEES_PERSON else 404),
        foreign=lambda o: [GET(f"/api/v1/learning/people/{o.person.pk}/ledger")],
    ),
}


# --- training records and vouchers (issue 8 §6, §7) ---------------------------------------------
# Each side: a batch of its bureau's region with the side's worker's voucher (claimed, so the QR
# shows), a second voucher verified at the side's organisation (so its staff may record the
# completion), and one training record of the side's worker at the side's organisation.


def _side_batch(side: Side) -> VoucherBatch:
    name = f"{side.key}方培训券批次"
    found = VoucherBatch.objects.filter(name=name).first()
    if found is not None:
        return found
    today = timezone.localdate()
    return VoucherBatch.objects.create(
        name=name, kind="rule", region_id=side.region, value_fen=80_000, valid_from=today,
        valid_until=today + dt.timedelta(days=89),
    )  # fmt: skip


def _side_voucher(side: Side, kind: str = "claimed") -> TrainingVoucher:
    batch = _side_batch(side)
    code = f"{side.key}{'C' if kind == 'claimed' else 'V'}".upper().ljust(12, "9")[:12]
    found = TrainingVoucher.objects.filter(code=code).first()
    if found is not None:
        return found
    if kind == "claimed":
        person = side.person
        extra: dict[str, object] = {"claimed_at": timezone.now()}
    else:
        person = make_person(residence_region=side.home)
        extra = {
            "verified_at": timezone.now(),
            "verified_on": batch.valid_from,
            "verified_institution": side.org,
            "verified_occupation_id": "6-18-01-01",
            "enrolment_ref": "矩阵测试班",
        }
    return TrainingVoucher.objects.create(
        batch=batch, person=person, code=code, value_fen=batch.value_fen,
        valid_from=batch.valid_from, valid_until=batch.valid_until, status=kind, **extra,
    )  # fmt: skip


def _side_record(side: Side) -> TrainingRecord:
    found = TrainingRecord.objects.filter(person=side.person).first()
    if found is not None:
        return found
    return training_record_issue(
        actor=None, person=side.person, occupation="6-18-01-01", level="5", hours=16,
        institution=side.org, completed_on=timezone.localdate(), result="passed",
        subsidised=False, source="class", class_ref="矩阵测试班",
    )  # fmt: skip


def _seeded(side: Side) -> Side:
    _side_voucher(side, "claimed")
    _side_voucher(side, "verified")
    _side_record(side)
    return side


def _at(side: Side, path: str) -> str:
    """`path`, once the side's vouchers and record exist."""
    _seeded(side)
    return path


BUREAU_READ = frozenset(CONSOLE_ROLES)
VERIFIERS = frozenset({Role.ORG_ADMIN, Role.TEACHER, Role.ORG_HR})

PAGES.update(
    {
        "learning/training-record/": Case(
            own=lambda s: GET(_at(s, "/learning/training-record/")),
            own_status=role_page(WORKER),
            shows_own=WORKER,
        ),
        "learning/training-record/pdf": Case(
            own=lambda s: GET(_at(s, "/learning/training-record/pdf")),
            own_status=role_page(WORKER),
        ),
        "learning/people/<int:person_id>/training-record/": Case(
            own=lambda s: GET(f"/learning/people/{_seeded(s).person.pk}/training-record/"),
            own_status=role_page(BUREAU_READ),
            shows_own=BUREAU_READ,
            foreign=lambda o: [GET(f"/learning/people/{_seeded(o).person.pk}/training-record/")],
        ),
        "learning/people/<int:person_id>/training-record/pdf": Case(
            own=lambda s: GET(f"/learning/people/{_seeded(s).person.pk}/training-record/pdf"),
            own_status=role_page(BUREAU_READ),
            foreign=lambda o: [GET(f"/learning/people/{_seeded(o).person.pk}/training-record/pdf")],
        ),
        "learning/ledger/": Case(
            own=lambda s: GET(_at(s, "/learning/ledger/")),
            own_status=role_page(BUREAU_READ),
            shows_own=BUREAU_READ,
            foreign=lambda o: [GET(f"/learning/ledger/?town={_seeded(o).home}", ok=LIST_OK)],
        ),
        "learning/ledger/export.xlsx": Case(
            own=lambda s: GET(_at(s, "/learning/ledger/export.xlsx")),
            own_status=role_page(BUREAU_READ),
        ),
        "learning/vouchers/": Case(
            own=lambda s: GET(_at(s, "/learning/vouchers/")),
            own_status=role_page(WORKER),
        ),
        # Already claimed: the service refuses, the page says why (a redirect with the message).
        "learning/vouchers/<int:pk>/claim/": Case(
            own=lambda s: POST(f"/learning/vouchers/{_side_voucher(s).pk}/claim/"),
            own_status=role_page(WORKER, ok=302),
            foreign=lambda o: [POST(f"/learning/vouchers/{_side_voucher(o).pk}/claim/")],
        ),
        "learning/vouchers/<int:pk>/qr.png": Case(
            own=lambda s: GET(f"/learning/vouchers/{_side_voucher(s).pk}/qr.png"),
            own_status=role_page(WORKER),
            foreign=lambda o: [GET(f"/learning/vouchers/{_side_voucher(o).pk}/qr.png")],
        ),
        "learning/vouchers/verify/": Case(
            own=lambda s: GET(f"/learning/vouchers/verify/?code={_side_voucher(s).code}"),
            own_status=role_page(VERIFIERS),
            shows_own=VERIFIERS,
            foreign=lambda o: [
                GET(f"/learning/vouchers/verify/?code={_side_voucher(o).code}", ok=LIST_OK),
                POST("/learning/vouchers/verify/", {"code": _side_voucher(o).code}),
            ],
        ),
        # An empty form: the page again with the fields' errors.
        "learning/vouchers/<int:pk>/complete/": Case(
            own=lambda s: POST(f"/learning/vouchers/{_side_voucher(s, 'verified').pk}/complete/"),
            own_status=role_page(VERIFIERS),
            foreign=lambda o: [
                POST(f"/learning/vouchers/{_side_voucher(o, 'verified').pk}/complete/")
            ],
        ),
        # No reason: nothing cancelled, back to the batch with the message.
        "learning/vouchers/<int:pk>/cancel/": Case(
            own=lambda s: POST(f"/learning/vouchers/{_side_voucher(s).pk}/cancel/"),
            own_status=role_page(BUREAU_READ, ok=302),
            foreign=lambda o: [POST(f"/learning/vouchers/{_side_voucher(o).pk}/cancel/")],
        ),
        "learning/vouchers/batches/": Case(
            own=lambda s: GET(_at(s, "/learning/vouchers/batches/")),
            own_status=role_page(BUREAU_READ),
        ),
        "learning/vouchers/batches/issue/": Case(
            own=lambda s: POST("/learning/vouchers/batches/issue/", {}),
            own_status=role_page(BUREAU_READ),
        ),
        "learning/vouchers/batches/import/": Case(
            own=lambda s: POST("/learning/vouchers/batches/import/", {}),
            own_status=role_page(BUREAU_READ),
        ),
        "learning/vouchers/batches/<int:pk>/": Case(
            own=lambda s: GET(_at(s, f"/learning/vouchers/batches/{_side_batch(s).pk}/")),
            own_status=role_page(BUREAU_READ),
            shows_own=BUREAU_READ,
            foreign=lambda o: [GET(f"/learning/vouchers/batches/{_side_batch(o).pk}/")],
        ),
    }
)


def _api_at(side: Side, path: str) -> str:
    _seeded(side)
    return path


API.update(
    {
        ("GET", "/api/v1/learning/training-records"): Case(
            own=lambda s: GET(_api_at(s, "/api/v1/learning/training-records")),
            own_status=role_api(lambda r: 200 if r == Role.WORKER else 403),
        ),
        ("GET", "/api/v1/learning/people/{person_id}/training-records"): Case(
            own=lambda s: GET(f"/api/v1/learning/people/{_seeded(s).person.pk}/training-records"),
            own_status=role_api(lambda r: 200 if r in SEES_PERSON else 404),
            foreign=lambda o: [
                GET(f"/api/v1/learning/people/{_seeded(o).person.pk}/training-records")
            ],
        ),
        ("GET", "/api/v1/learning/vouchers"): Case(
            own=lambda s: GET(_api_at(s, "/api/v1/learning/vouchers")),
            own_status=role_api(lambda r: 200 if r == Role.WORKER else 403),
        ),
        # Already claimed: 409 for the holder; the bureau sees it but may not claim it (403);
        # staff of an organisation where it was not verified do not see it (404).
        ("POST", "/api/v1/learning/vouchers/{voucher_id}/claim"): Case(
            own=lambda s: POST(f"/api/v1/learning/vouchers/{_side_voucher(s).pk}/claim"),
            own_status=role_api(
                lambda r: 409 if r == Role.WORKER else 403 if r in BUREAU_READ else 404
            ),
            foreign=lambda o: [POST(f"/api/v1/learning/vouchers/{_side_voucher(o).pk}/claim")],
        ),
        # The side's organisation is not a designated institution: refused (409), nothing moves.
        ("POST", "/api/v1/learning/vouchers/verify"): Case(
            own=lambda s: POST(
                "/api/v1/learning/vouchers/verify",
                {
                    "code": _side_voucher(s).code,
                    "institution": s.org.pk,
                    "occupation": "6-18-01-01",
                },
            ),
            own_status=role_api(lambda r: 409 if r in VERIFIERS else 404),
            foreign=lambda o: [
                POST(
                    "/api/v1/learning/vouchers/verify",
                    {
                        "code": _side_voucher(o).code,
                        "institution": o.org.pk,
                        "occupation": "6-18-01-01",
                    },
                )
            ],
        ),
        # A blank reason: refused (400) after the permission check, nothing cancelled.
        ("POST", "/api/v1/learning/vouchers/{voucher_id}/cancel"): Case(
            own=lambda s: POST(
                f"/api/v1/learning/vouchers/{_side_voucher(s).pk}/cancel", {"reason": " "}
            ),
            own_status=role_api(
                lambda r: (
                    400 if r in BUREAU_ROLES else 403 if r in {Role.WORKER, Role.AUDITOR} else 404
                )
            ),
            foreign=lambda o: [
                POST(f"/api/v1/learning/vouchers/{_side_voucher(o).pk}/cancel", {"reason": "错发"})
            ],
        ),
        ("GET", "/api/v1/learning/voucher-batches"): Case(
            own=lambda s: GET(_api_at(s, "/api/v1/learning/voucher-batches")),
            own_status=role_api(lambda r: 200),
        ),
        ("POST", "/api/v1/learning/voucher-batches"): Case(
            own=lambda s: POST(
                "/api/v1/learning/voucher-batches",
                {"region": s.region, "name": "矩阵测试批次", "value_fen": 100},
            ),
            own_status=role_api(lambda r: 201 if r in BUREAU_ROLES else 403),
            foreign=lambda o: [
                POST(
                    "/api/v1/learning/voucher-batches",
                    {"region": o.region, "name": "矩阵测试批次", "value_fen": 100},
                )
            ],
        ),
    }
)


# --- classes and attendance (issue 8 §4, §5) ----------------------------------------------------
# Each side's organisation runs a plain class (the side's worker enrolled, one session) and a
# subsidised plan awaiting the bureau; tokens are made fresh for the side's session.

from jineng.learning.models import TrainingClass  # noqa: E402


def _class(side: Side, kind: str = "plain") -> TrainingClass:
    import datetime as dt

    from django.utils import timezone

    from jineng.learning.services.classes import class_create, class_enrol, session_add

    name = f"{side.key}方{'项目制' if kind == 'plan' else '普通'}车工班"
    found = TrainingClass.objects.filter(name=name).first()
    if found is not None:
        return found
    title = f"{side.key}方开班车工课程"
    course = Course.objects.filter(title=title).first()
    if course is None:
        course = course_create(
            actor=None,
            provider=side.org,
            title=title,
            occupation="6-18-01-01",
            level="5",
            planned_hours=2,
            mode="classroom",
            funding="free",
        )
        chapter = chapter_add(actor=None, course=course, title="第一章")
        lesson_add(actor=None, chapter=chapter, title="第1节", kind="video", duration_seconds=20)
        course_transition(actor=None, course=course, to=CourseStatus.SUBMITTED)
        course = course_transition(actor=None, course=course, to=CourseStatus.PUBLISHED)
    klass = class_create(
        actor=None, course=course, name=name, subsidised=kind == "plan", capacity=10
    )
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=60 if kind == "plan" else 0)
    session_add(
        actor=None,
        klass=klass,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue="实训楼",
    )
    if kind == "plain":
        class_enrol(actor=None, klass=klass, person=side.person)
    return klass


def _session(side: Side) -> int:
    session = _class(side).sessions.first()
    assert session is not None
    return session.pk


def _token(side: Side) -> str:
    from jineng.learning.models import ClassSession
    from jineng.learning.services.attendance import checkin_token

    return checkin_token(ClassSession.objects.get(pk=_session(side)))


SEES_CLASS = frozenset({Role.WORKER, *PROVIDERS, *BUREAU_ROLES, Role.AUDITOR})
REGION_READERS = frozenset({*BUREAU_ROLES, Role.AUDITOR})
CHECKIN_FOREIGN = frozenset({403, 404, 422})

PAGES.update(
    {
        "learning/classes/": Case(
            own=lambda s: GET("/learning/classes/"), own_status=role_page(PROVIDERS)
        ),
        "learning/classes/new/": Case(
            own=lambda s: GET("/learning/classes/new/"), own_status=role_page(PROVIDERS)
        ),
        "learning/classes/<int:pk>/": Case(
            own=lambda s: GET(f"/learning/classes/{_class(s).pk}/"),
            own_status=role_page(PROVIDERS),
            foreign=lambda o: [
                GET(f"/learning/classes/{_class(o).pk}/"),
                POST(f"/learning/classes/{_class(o).pk}/", {"action": "step", "to": "training"}),
            ],
        ),
        # No file: back to the class with the message.
        "learning/classes/<int:pk>/import/": Case(
            own=lambda s: POST(f"/learning/classes/{_class(s).pk}/import/", {}),
            own_status=role_page(PROVIDERS, ok=302),
            foreign=lambda o: [POST(f"/learning/classes/{_class(o).pk}/import/", {})],
        ),
        "learning/classes/mine/": Case(
            own=lambda s: GET("/learning/classes/mine/"), own_status=role_page(WORKER)
        ),
        "learning/classes/review/": Case(
            own=lambda s: GET("/learning/classes/review/"), own_status=role_page(REVIEWERS)
        ),
        "learning/classes/review/<int:pk>/": Case(
            own=lambda s: GET(f"/learning/classes/review/{_class(s, 'plan').pk}/"),
            own_status=role_page(REVIEWERS),
            foreign=lambda o: [
                GET(f"/learning/classes/review/{_class(o, 'plan').pk}/"),
                POST(f"/learning/classes/review/{_class(o, 'plan').pk}/", {"to": "approved"}),
            ],
        ),
        "learning/classes/flags/": Case(
            own=lambda s: GET("/learning/classes/flags/"),
            own_status=role_page(frozenset({*REVIEWERS, Role.AUDITOR})),
        ),
        "learning/classes/sessions/<int:pk>/": Case(
            own=lambda s: GET(f"/learning/classes/sessions/{_session(s)}/"),
            own_status=role_page(PROVIDERS),
            foreign=lambda o: [
                GET(f"/learning/classes/sessions/{_session(o)}/"),
                POST(
                    f"/learning/classes/sessions/{_session(o)}/",
                    {"action": "evidence", "kind": "recording", "reference": "越权"},
                ),
            ],
        ),
        "learning/classes/sessions/<int:pk>/qr/": Case(
            own=lambda s: GET(f"/learning/classes/sessions/{_session(s)}/qr/"),
            own_status=role_page(PROVIDERS),
            foreign=lambda o: [GET(f"/learning/classes/sessions/{_session(o)}/qr/")],
        ),
        "learning/classes/sessions/<int:pk>/qr.svg": Case(
            own=lambda s: GET(f"/learning/classes/sessions/{_session(s)}/qr.svg"),
            own_status=role_page(PROVIDERS),
            foreign=lambda o: [GET(f"/learning/classes/sessions/{_session(o)}/qr.svg")],
        ),
        # The side's worker is on the roster: the camera page. Another side's token: not on the
        # roster (422), nothing of that class shown.
        "learning/classes/checkin/<str:token>/": Case(
            own=lambda s: GET(f"/learning/classes/checkin/{_token(s)}/"),
            own_status=role_page(WORKER),
            foreign=lambda o: [
                GET(f"/learning/classes/checkin/{_token(o)}/", ok=CHECKIN_FOREIGN),
                POST(f"/learning/classes/checkin/{_token(o)}/", {}, ok=CHECKIN_FOREIGN),
            ],
        ),
    }
)

API.update(
    {
        ("GET", "/api/v1/learning/classes"): Case(
            own=lambda s: GET("/api/v1/learning/classes"),
            own_status=role_api(lambda r: 200),
        ),
        ("GET", "/api/v1/learning/classes/{class_id}"): Case(
            own=lambda s: GET(f"/api/v1/learning/classes/{_class(s).pk}"),
            own_status=role_api(lambda r: 200 if r in SEES_CLASS else 404),
            foreign=lambda o: [GET(f"/api/v1/learning/classes/{_class(o).pk}")],
        ),
        ("GET", "/api/v1/learning/classes/sessions/{session_id}/attendance"): Case(
            own=lambda s: GET(f"/api/v1/learning/classes/sessions/{_session(s)}/attendance"),
            own_status=role_api(
                lambda r: (
                    200 if r in PROVIDERS | REGION_READERS else (403 if r == Role.WORKER else 404)
                )
            ),
            foreign=lambda o: [GET(f"/api/v1/learning/classes/sessions/{_session(o)}/attendance")],
        ),
        # No approved face of the side's worker: 422 with the reason; staff have no person: 403.
        ("POST", "/api/v1/learning/classes/checkin"): Case(
            own=lambda s: POST(
                "/api/v1/learning/classes/checkin", {"token": _token(s), "image": "AAAA"}
            ),
            own_status=role_api(lambda r: 422 if r == Role.WORKER else 403),
            foreign=lambda o: [
                POST(
                    "/api/v1/learning/classes/checkin",
                    {"token": _token(o), "image": "AAAA"},
                    ok=CHECKIN_FOREIGN,
                )
            ],
        ),
    }
)


# --- a worker's own enrolment (issue 8 §4, §7) -------------------------------------------------
# Each side's organisation also runs a subsidised class the bureau approved, open for enrolment
# (two months out); the side's worker enrols through it. The side's plain class has begun, so a
# withdrawal is refused with the reason (400) once the caller may act on the enrolment.


def _open_class(side: Side) -> TrainingClass:
    from jineng.learning.services.classes import (
        class_create,
        class_transition,
        session_add,
        teacher_assign,
    )
    from jineng.organisations.models import Teacher, TeacherKind

    name = f"{side.key}方开放报名车工班"
    found = TrainingClass.objects.filter(name=name).first()
    if found is not None:
        return found
    course = _class(side).course
    klass = class_create(actor=None, course=course, name=name, subsidised=True, capacity=10)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=70)
    session_add(
        actor=None,
        klass=klass,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue="实训楼",
    )
    teacher = Teacher.objects.create(
        person=make_person(name=f"{side.key}方开放班教师", residence_region=side.home),
        organisation=side.org,
        kind=TeacherKind.FULL_TIME,
        subject="车工",
    )
    teacher_assign(actor=None, klass=klass, teacher=teacher)
    return class_transition(actor=None, klass=klass, to="approved")


def _enrolment(side: Side) -> int:
    return _class(side).enrolments.get(person=side.person).pk


ACTS_ON_ENROLMENT = frozenset({Role.WORKER, *PROVIDERS})

PAGES.update(
    {
        "learning/classes/open/": Case(
            own=lambda s: GET("/learning/classes/open/"), own_status=role_page(WORKER)
        ),
        "learning/classes/open/<int:pk>/": Case(
            own=lambda s: GET(f"/learning/classes/open/{_open_class(s).pk}/"),
            own_status=role_page(WORKER),
            foreign=lambda o: [
                GET(f"/learning/classes/open/{_open_class(o).pk}/"),
                POST(f"/learning/classes/open/{_open_class(o).pk}/", {"action": "enrol"}),
            ],
        ),
    }
)

API.update(
    {
        ("GET", "/api/v1/learning/enrolments/open-classes"): Case(
            own=lambda s: GET("/api/v1/learning/enrolments/open-classes"),
            own_status=role_api(lambda r: 200),
        ),
        # Someone else's voucher id (none such): refused before anything is written.
        ("POST", "/api/v1/learning/enrolments"): Case(
            own=lambda s: POST(
                "/api/v1/learning/enrolments", {"class_id": _open_class(s).pk, "voucher_id": 0}
            ),
            own_status=role_api(lambda r: 403),  # worker: not their voucher; staff: no person
            foreign=lambda o: [
                POST("/api/v1/learning/enrolments", {"class_id": _open_class(o).pk})
            ],
        ),
        ("POST", "/api/v1/learning/enrolments/{enrolment_id}/withdraw"): Case(
            own=lambda s: POST(f"/api/v1/learning/enrolments/{_enrolment(s)}/withdraw", {}),
            own_status=role_api(
                lambda r: 400 if r in ACTS_ON_ENROLMENT else (403 if r in REGION_READERS else 404)
            ),
            foreign=lambda o: [POST(f"/api/v1/learning/enrolments/{_enrolment(o)}/withdraw", {})],
        ),
        ("POST", "/api/v1/learning/enrolments/{enrolment_id}/verify-voucher"): Case(
            own=lambda s: POST(f"/api/v1/learning/enrolments/{_enrolment(s)}/verify-voucher", {}),
            own_status=role_api(
                lambda r: 400 if r in PROVIDERS else (403 if r in REGION_READERS | WORKER else 404)
            ),
            foreign=lambda o: [
                POST(f"/api/v1/learning/enrolments/{_enrolment(o)}/verify-voucher", {})
            ],
        ),
    }
)
