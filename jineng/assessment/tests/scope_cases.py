"""The assessment pages and API in the scope matrix (`jineng.web.tests.scope`): each side's
organisation has a bank; the other side's bank and blueprint must answer 404."""

from __future__ import annotations

from jineng.assessment.models import Blueprint, QuestionBank, Registration
from jineng.assessment.services import bank_create, blueprint_create
from jineng.identity.models import ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.reference.models import Occupation, SkillLevel
from jineng.web.tests.scope import GET, LIST_OK, POST, Case, role_api, role_page
from jineng.web.tests.world import Side

BANK_ROLES = frozenset(ORG_ROLES | CONSOLE_ROLES)


def _bank_of(side: Side) -> QuestionBank:
    found = QuestionBank.objects.filter(organisation=side.org).first()
    if found is not None:
        return found
    occupation = Occupation.objects.order_by("code").first()
    assert occupation is not None
    return bank_create(
        actor=None,
        organisation=side.org,
        occupation=occupation,
        level=SkillLevel.ADVANCED,
        name=f"{side.org.name}题库",
    )


def _blueprint_of(side: Side) -> Blueprint:
    bank = _bank_of(side)
    found = Blueprint.objects.filter(bank=bank).first()
    return found or blueprint_create(actor=None, bank=bank, name="理论知识试卷")


def _api_status(role: str) -> int:
    return 200 if role in BANK_ROLES and role != Role.WORKER else 404


PAGES = {
    "assessment/banks/": Case(
        own=lambda s: GET("/assessment/banks/"), own_status=role_page(BANK_ROLES)
    ),
    "assessment/banks/<int:pk>/": Case(
        own=lambda s: GET(f"/assessment/banks/{_bank_of(s).pk}/"),
        own_status=role_page(BANK_ROLES),
        foreign=lambda o: [GET(f"/assessment/banks/{_bank_of(o).pk}/")],
    ),
}

API = {
    ("GET", "/api/v1/assessment/banks"): Case(
        own=lambda s: GET("/api/v1/assessment/banks"),
        own_status=role_api(lambda r: 200),
        foreign=lambda o: [GET("/api/v1/assessment/banks", ok=LIST_OK)],
    ),
    ("GET", "/api/v1/assessment/banks/{bank_id}"): Case(
        own=lambda s: GET(f"/api/v1/assessment/banks/{_bank_of(s).pk}"),
        own_status=role_api(_api_status),
        foreign=lambda o: [GET(f"/api/v1/assessment/banks/{_bank_of(o).pk}")],
    ),
    ("GET", "/api/v1/assessment/blueprints/{blueprint_id}/check"): Case(
        own=lambda s: GET(f"/api/v1/assessment/blueprints/{_blueprint_of(s).pk}/check"),
        own_status=role_api(_api_status),
        foreign=lambda o: [GET(f"/api/v1/assessment/blueprints/{_blueprint_of(o).pk}/check")],
    ),
}


# --- exam, marking and results (issue 9 §3–§5) ------------------------------------------------
# Each side: session 甲/乙 "sitting" (started attempt of the side's worker, a practical marking
# task, a part result and a correction) and session "waiting" (starts tomorrow; admitted only).


def _exam_of(side: Side, kind: str) -> Registration:
    import datetime as dt

    from django.utils import timezone

    from jineng.assessment.models import (
        CorrectionStatus,
        IdentityMethod,
        PartResult,
        ScoreCorrection,
    )
    from jineng.assessment.seed import seed_exam
    from jineng.assessment.services import (
        attempt_admit,
        attempt_start,
        practical_tasks_create,
    )
    from jineng.identity.models import Role as R

    venue = f"{side.key}方{kind}考点"
    found = Registration.objects.filter(session__venue=venue, person=side.person).first()
    if found is not None:
        return found
    occupation = Occupation.objects.order_by("code")[1 if kind == "sitting" else 2]
    now = timezone.now()
    starts = now - dt.timedelta(minutes=5) if kind == "sitting" else now + dt.timedelta(days=1)
    seeded = seed_exam(
        organisation=side.org,
        occupation=occupation,
        candidates=[side.person],
        starts_at=starts,
        minutes=600,
        venue=venue,
    )
    registration = seeded.registrations[0]
    attempt_admit(actor=None, registration=registration, method=IdentityMethod.INVIGILATOR)
    if kind == "sitting":
        attempt_start(actor=None, registration=registration)
        practical_tasks_create(actor=None, session=seeded.session)
        result = PartResult.objects.create(
            registration=registration, part="practical", score=70, pass_mark=60, passed=True
        )
        ScoreCorrection.objects.create(
            result=result,
            old_score=70,
            new_score=75,
            reason="矩阵测试",
            status=CorrectionStatus.PENDING,
            requested_by=side.users[R.ASSESSOR],
        )
    return registration


def _reg(side: Side, kind: str = "sitting") -> int:
    return _exam_of(side, kind).pk


def _session(side: Side) -> int:
    return _exam_of(side, "sitting").session_id


def _entry(side: Side) -> int:
    from jineng.assessment.models import Attempt

    attempt = Attempt.objects.get(registration=_exam_of(side, "sitting"))
    entry = attempt.paper.entries.filter(item__kind="single").first()  # type: ignore[union-attr]
    assert entry is not None
    return entry.pk


def _task(side: Side) -> int:
    from jineng.assessment.models import MarkingTask

    task = MarkingTask.objects.filter(registration=_exam_of(side, "sitting")).first()
    assert task is not None
    return task.pk


def _result(side: Side) -> int:
    from jineng.assessment.models import PartResult

    return PartResult.objects.get(registration=_exam_of(side, "sitting")).pk


def _correction(side: Side) -> int:
    from jineng.assessment.models import ScoreCorrection

    return ScoreCorrection.objects.get(result__registration=_exam_of(side, "sitting")).pk


def _ticket_check(side: Side) -> str:
    from jineng.assessment.tickets import ticket_check_path

    return ticket_check_path(_exam_of(side, "sitting"))


WORKERS = frozenset({Role.WORKER})
MARKERS = frozenset({Role.ORG_ADMIN, Role.ASSESSOR})
MANAGERS = frozenset({Role.ORG_ADMIN})
SESSION_ROLES = frozenset(ORG_ROLES | CONSOLE_ROLES)
TICKET_ROLES = frozenset(WORKERS | ORG_ROLES)
EXAM = "/assessment/registrations"


def _worker_api(ok: int) -> object:
    return role_api(lambda r: ok if r == Role.WORKER else 404)


PAGES.update(
    {
        "assessment/mine/": Case(
            own=lambda s: GET("/assessment/mine/"), own_status=role_page(WORKERS)
        ),
        "assessment/results/": Case(
            own=lambda s: GET("/assessment/results/"), own_status=role_page(WORKERS)
        ),
        "assessment/registrations/<int:pk>/ticket.pdf": Case(
            own=lambda s: GET(f"{EXAM}/{_reg(s)}/ticket.pdf"),
            own_status=role_page(TICKET_ROLES),
            foreign=lambda o: [GET(f"{EXAM}/{_reg(o)}/ticket.pdf")],
        ),
        "assessment/registrations/<int:pk>/exam/": Case(
            own=lambda s: GET(f"{EXAM}/{_reg(s)}/exam/"),
            own_status=role_page(WORKERS),
            foreign=lambda o: [GET(f"{EXAM}/{_reg(o)}/exam/")],
        ),
        # no photo: the face check is refused with a message and the page shown again
        "assessment/registrations/<int:pk>/exam/identify/": Case(
            own=lambda s: POST(f"{EXAM}/{_reg(s, 'waiting')}/exam/identify/"),
            own_status=role_page(WORKERS, ok=302),
            foreign=lambda o: [POST(f"{EXAM}/{_reg(o, 'waiting')}/exam/identify/")],
        ),
        "assessment/registrations/<int:pk>/exam/start/": Case(
            own=lambda s: POST(f"{EXAM}/{_reg(s)}/exam/start/"),
            own_status=role_page(WORKERS),
            foreign=lambda o: [POST(f"{EXAM}/{_reg(o)}/exam/start/")],
        ),
        "assessment/registrations/<int:pk>/exam/state/": Case(
            own=lambda s: GET(f"{EXAM}/{_reg(s)}/exam/state/"),
            own_status=role_page(WORKERS),
            foreign=lambda o: [GET(f"{EXAM}/{_reg(o)}/exam/state/")],
        ),
        "assessment/registrations/<int:pk>/exam/answer/": Case(
            own=lambda s: POST(f"{EXAM}/{_reg(s)}/exam/answer/", {"entry": _entry(s), "seq": 1}),
            own_status=role_page(WORKERS),
            foreign=lambda o: [POST(f"{EXAM}/{_reg(o)}/exam/answer/", {"entry": 1, "seq": 1})],
        ),
        "assessment/registrations/<int:pk>/exam/event/": Case(
            own=lambda s: POST(f"{EXAM}/{_reg(s)}/exam/event/", {"kind": "copy"}),
            own_status=role_page(WORKERS),
            foreign=lambda o: [POST(f"{EXAM}/{_reg(o)}/exam/event/", {"kind": "copy"})],
        ),
        # the waiting session's attempt has not started: submission is refused (400)
        "assessment/registrations/<int:pk>/exam/submit/": Case(
            own=lambda s: POST(f"{EXAM}/{_reg(s, 'waiting')}/exam/submit/"),
            own_status=role_page(WORKERS, ok=400),
            foreign=lambda o: [POST(f"{EXAM}/{_reg(o, 'waiting')}/exam/submit/")],
        ),
        # no publication yet: refused with a message, back to the results
        "assessment/registrations/<int:pk>/objection/": Case(
            own=lambda s: POST(f"{EXAM}/{_reg(s)}/objection/", {"text": "矩阵测试"}),
            own_status=role_page(WORKERS, ok=302),
            foreign=lambda o: [POST(f"{EXAM}/{_reg(o)}/objection/", {"text": "矩阵测试"})],
        ),
        "assessment/sessions/": Case(
            own=lambda s: GET("/assessment/sessions/"),
            own_status=role_page(SESSION_ROLES),
        ),
        "assessment/sessions/<int:pk>/": Case(
            own=lambda s: GET(f"/assessment/sessions/{_session(s)}/"),
            own_status=role_page(SESSION_ROLES),
            shows_own=SESSION_ROLES,
            foreign=lambda o: [GET(f"/assessment/sessions/{_session(o)}/")],
        ),
        "assessment/sessions/<int:pk>/admit/": Case(
            own=lambda s: POST(
                f"/assessment/sessions/{_session(s)}/admit/", {"registration": _reg(s)}
            ),
            own_status=role_page(MARKERS, ok=302),
            foreign=lambda o: [
                POST(f"/assessment/sessions/{_session(o)}/admit/", {"registration": _reg(o)})
            ],
        ),
        # no action named: refused with a message, back to the session
        "assessment/sessions/<int:pk>/results/": Case(
            own=lambda s: POST(f"/assessment/sessions/{_session(s)}/results/"),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(f"/assessment/sessions/{_session(o)}/results/")],
        ),
        # an objection that does not exist: 404 to whoever may answer objections
        "assessment/objections/<int:pk>/answer/": Case(
            own=lambda s: POST("/assessment/objections/999999/answer/", {"answer": "矩阵"}),
            own_status=role_page(MANAGERS, ok=404),
        ),
        "assessment/tickets/check/": Case(
            own=lambda s: GET(_ticket_check(s)),
            own_status=role_page(MARKERS),
            shows_own=MARKERS,
            foreign=lambda o: [GET(_ticket_check(o))],
        ),
        "assessment/marking/": Case(
            own=lambda s: GET("/assessment/marking/"), own_status=role_page(MARKERS)
        ),
        "assessment/marking/<int:pk>/": Case(
            own=lambda s: GET(f"/assessment/marking/{_task(s)}/"),
            own_status=role_page(MARKERS),
            foreign=lambda o: [GET(f"/assessment/marking/{_task(o)}/")],
        ),
        "assessment/corrections/": Case(
            own=lambda s: GET("/assessment/corrections/"), own_status=role_page(SESSION_ROLES)
        ),
        # no score or reason: refused with a message, back to the session
        "assessment/results/<int:pk>/correct/": Case(
            own=lambda s: POST(f"/assessment/results/{_result(s)}/correct/"),
            own_status=role_page(MARKERS, ok=302),
            foreign=lambda o: [POST(f"/assessment/results/{_result(o)}/correct/")],
        ),
        # no decision: a rejection the first time, a refusal with a message after
        "assessment/corrections/<int:pk>/review/": Case(
            own=lambda s: POST(f"/assessment/corrections/{_correction(s)}/review/"),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(f"/assessment/corrections/{_correction(o)}/review/")],
        ),
    }
)

API_EXAM = "/api/v1/assessment/registrations"

API.update(
    {
        ("GET", "/api/v1/assessment/registrations"): Case(
            own=lambda s: GET(API_EXAM), own_status=role_api(lambda r: 200)
        ),
        ("POST", "/api/v1/assessment/registrations/{registration_id}/attempt"): Case(
            own=lambda s: POST(f"{API_EXAM}/{_reg(s)}/attempt"),
            own_status=_worker_api(200),  # type: ignore[arg-type]
            foreign=lambda o: [POST(f"{API_EXAM}/{_reg(o)}/attempt")],
        ),
        ("GET", "/api/v1/assessment/registrations/{registration_id}/attempt"): Case(
            own=lambda s: GET(f"{API_EXAM}/{_reg(s)}/attempt"),
            own_status=_worker_api(200),  # type: ignore[arg-type]
            foreign=lambda o: [GET(f"{API_EXAM}/{_reg(o)}/attempt")],
        ),
        (
            "POST",
            "/api/v1/assessment/registrations/{registration_id}/attempt/answers/{entry_id}",
        ): Case(
            own=lambda s: POST(
                f"{API_EXAM}/{_reg(s)}/attempt/answers/{_entry(s)}", {"response": 0, "seq": 1}
            ),
            own_status=_worker_api(200),  # type: ignore[arg-type]
            foreign=lambda o: [
                POST(f"{API_EXAM}/{_reg(o)}/attempt/answers/{_entry(o)}", {"seq": 1})
            ],
        ),
        ("POST", "/api/v1/assessment/registrations/{registration_id}/attempt/events"): Case(
            own=lambda s: POST(f"{API_EXAM}/{_reg(s)}/attempt/events", {"kind": "paste"}),
            own_status=_worker_api(200),  # type: ignore[arg-type]
            foreign=lambda o: [POST(f"{API_EXAM}/{_reg(o)}/attempt/events", {"kind": "paste"})],
        ),
        ("POST", "/api/v1/assessment/registrations/{registration_id}/attempt/submit"): Case(
            own=lambda s: POST(f"{API_EXAM}/{_reg(s, 'waiting')}/attempt/submit"),
            own_status=_worker_api(409),  # type: ignore[arg-type]
            foreign=lambda o: [POST(f"{API_EXAM}/{_reg(o, 'waiting')}/attempt/submit")],
        ),
        ("GET", "/api/v1/assessment/results"): Case(
            own=lambda s: GET("/api/v1/assessment/results"), own_status=role_api(lambda r: 200)
        ),
        ("GET", "/api/v1/assessment/marking/queue"): Case(
            own=lambda s: GET("/api/v1/assessment/marking/queue"),
            own_status=role_api(lambda r: 200),
        ),
        # no criteria for a practical sheet: refused (400) to markers; 404 to everyone else
        ("POST", "/api/v1/assessment/marking/tasks/{task_id}/marks"): Case(
            own=lambda s: POST(f"/api/v1/assessment/marking/tasks/{_task(s)}/marks", {}),
            own_status=role_api(lambda r: 400 if r in MARKERS else 404),
            foreign=lambda o: [POST(f"/api/v1/assessment/marking/tasks/{_task(o)}/marks", {})],
        ),
    }
)
