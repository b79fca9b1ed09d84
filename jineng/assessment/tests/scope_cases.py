"""The assessment pages and API in the scope matrix (`jineng.web.tests.scope`): each side's
organisation has a bank; the other side's bank and blueprint must answer 404."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from django.utils import timezone as _tz

from jineng.assessment.models import (
    Blueprint,
    BlueprintSection,
    ExamSession,
    Item,
    ItemKind,
    KnowledgePoint,
    QuestionBank,
    Registration,
)
from jineng.assessment.services import (
    bank_create,
    blueprint_create,
    item_approve,
    item_create,
    item_submit,
    licence_grant,
    point_add,
    section_add,
    session_plan,
)
from jineng.identity.models import BUREAU_ROLES, ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.reference.models import Occupation, SkillLevel
from jineng.web.assessment.manage_common import (
    AUTHORS,
    BANK_PAGE_ROLES,
    CANDIDATES,
    MANAGERS,
    REVIEWERS,
    SESSION_PAGE_ROLES,
)
from jineng.web.tests.scope import ANON, GET, LIST_OK, POST, Case, role_api, role_page
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
EXAM_MANAGERS = frozenset({Role.ORG_ADMIN})
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
            own_status=role_page(EXAM_MANAGERS, ok=302),
            foreign=lambda o: [POST(f"/assessment/sessions/{_session(o)}/results/")],
        ),
        # an objection that does not exist: 404 to whoever may answer objections
        "assessment/objections/<int:pk>/answer/": Case(
            own=lambda s: POST("/assessment/objections/999999/answer/", {"answer": "矩阵"}),
            own_status=role_page(EXAM_MANAGERS, ok=404),
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
            own_status=role_page(EXAM_MANAGERS, ok=302),
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


# --- the management pages and write API (issue 9 §10) ------------------------------------
# Each own request is chosen so that its status depends on the role only, whatever order the
# roles run in (a refused transition, an empty form, a date in the future); the foreign
# requests aim at the other side's bank, item, point, blueprint and session.

M = "/assessment/manage"
A = "/api/v1/assessment/manage"


def _point_of(side: Side) -> KnowledgePoint:
    bank = _bank_of(side)
    found = KnowledgePoint.objects.filter(bank=bank, code="M1").first()
    return found or point_add(actor=None, bank=bank, code="M1", name="矩阵要素")


def _approved_of(side: Side) -> Item:
    bank = _bank_of(side)
    found = Item.objects.filter(bank=bank, stem="矩阵判断题", status="approved").first()
    if found is not None:
        return found
    item = item_create(
        actor=None, bank=bank, point=_point_of(side), kind=ItemKind.TRUE_FALSE, difficulty=3,
        stem="矩阵判断题", answer=True,
    )  # fmt: skip
    item_submit(actor=None, item=item)
    return item_approve(actor=None, item=item)


def _section_of(side: Side) -> BlueprintSection:
    blueprint = _blueprint_of(side)
    found = blueprint.sections.first()
    return found or section_add(
        actor=None, blueprint=blueprint, title="判断题", kind=ItemKind.TRUE_FALSE
    )


def _licensed(side: Side) -> None:
    occupation = _bank_of(side).occupation
    if not side.org.assessment_licences.exists():
        licence_grant(
            actor=None, organisation=side.org, occupation=occupation, levels="543",
            valid_from=_dt.date(2026, 1, 1),
        )  # fmt: skip


def _session_of(side: Side) -> ExamSession:
    found = ExamSession.objects.filter(organisation=side.org).first()
    if found is not None:
        return found
    _licensed(side)
    return session_plan(
        actor=None, organisation=side.org, occupation=_bank_of(side).occupation,
        level=SkillLevel.ADVANCED, parts=["theory"],
        starts_at=_tz.now() + _dt.timedelta(days=30), venue="矩阵考点", capacity=30,
    )  # fmt: skip


def _filing_page(role: str) -> int:
    if role == ANON:
        return 302
    if role in BUREAU_ROLES:
        return 400  # the form is empty
    return 302 if role in BANK_PAGE_ROLES else 403  # refused with a message


def _api(
    yes: frozenset[str], ok: int, *, sees: frozenset[str] = frozenset()
) -> Callable[[str], int]:
    """`ok` for `yes`; 403 for those who see the row but may not act; 404 for the rest."""
    return role_api(lambda r: ok if r in yes else (403 if r in sees else 404))


SEES_BANK = frozenset(ORG_ROLES | BUREAU_ROLES | {Role.AUDITOR})
ORG_ADMIN = frozenset({Role.ORG_ADMIN})
AUTHOR_API = frozenset({Role.ORG_ADMIN, Role.ASSESSOR, Role.TEACHER})
REVIEW_API = frozenset({Role.ORG_ADMIN, Role.ASSESSOR})
FUTURE = "2099-01-01"


PAGES.update(
    {
        "assessment/manage/banks/": Case(
            own=lambda s: GET(f"{M}/banks/"), own_status=role_page(BANK_PAGE_ROLES)
        ),
        "assessment/manage/banks/new/": Case(
            own=lambda s: GET(f"{M}/banks/new/"), own_status=role_page(MANAGERS)
        ),
        "assessment/manage/banks/<int:pk>/": Case(
            own=lambda s: GET(f"{M}/banks/{_bank_of(s).pk}/"),
            own_status=role_page(BANK_PAGE_ROLES),
            foreign=lambda o: [GET(f"{M}/banks/{_bank_of(o).pk}/")],
        ),
        "assessment/manage/banks/<int:pk>/points/": Case(
            own=lambda s: POST(f"{M}/banks/{_bank_of(s).pk}/points/", {}),
            own_status=role_page(MANAGERS, ok=400),
            foreign=lambda o: [
                POST(f"{M}/banks/{_bank_of(o).pk}/points/", {"code": "x", "name": "x"})
            ],
        ),
        "assessment/manage/points/<int:pk>/rename/": Case(
            own=lambda s: POST(f"{M}/points/{_point_of(s).pk}/rename/", {}),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(f"{M}/points/{_point_of(o).pk}/rename/", {"name": "改"})],
        ),
        "assessment/manage/banks/<int:pk>/items/new/": Case(
            own=lambda s: GET(f"{M}/banks/{_bank_of(s).pk}/items/new/"),
            own_status=role_page(AUTHORS),
            foreign=lambda o: [GET(f"{M}/banks/{_bank_of(o).pk}/items/new/")],
        ),
        "assessment/manage/banks/<int:pk>/import/": Case(
            own=lambda s: GET(f"{M}/banks/{_bank_of(s).pk}/import/"),
            own_status=role_page(AUTHORS),
            foreign=lambda o: [GET(f"{M}/banks/{_bank_of(o).pk}/import/")],
        ),
        "assessment/manage/import-template.xlsx": Case(
            own=lambda s: GET(f"{M}/import-template.xlsx"), own_status=role_page(AUTHORS)
        ),
        "assessment/manage/banks/<int:pk>/filing/": Case(
            own=lambda s: POST(f"{M}/banks/{_bank_of(s).pk}/filing/", {}),
            own_status=_filing_page,
            foreign=lambda o: [
                POST(f"{M}/banks/{_bank_of(o).pk}/filing/", {"filed_on": "2026-01-05"})
            ],
        ),
        "assessment/manage/items/<int:pk>/supersede/": Case(
            own=lambda s: GET(f"{M}/items/{_approved_of(s).pk}/supersede/"),
            own_status=role_page(AUTHORS),
            foreign=lambda o: [GET(f"{M}/items/{_approved_of(o).pk}/supersede/")],
        ),
        "assessment/manage/items/<int:pk>/submit/": Case(
            own=lambda s: POST(f"{M}/items/{_approved_of(s).pk}/submit/"),
            own_status=role_page(AUTHORS, ok=302),
            foreign=lambda o: [POST(f"{M}/items/{_approved_of(o).pk}/submit/")],
        ),
        "assessment/manage/items/<int:pk>/review/": Case(
            own=lambda s: POST(f"{M}/items/{_approved_of(s).pk}/review/", {}),
            own_status=role_page(REVIEWERS, ok=302),
            foreign=lambda o: [
                POST(
                    f"{M}/items/{_approved_of(o).pk}/review/", {"decision": "reject", "reason": "x"}
                )
            ],
        ),
        "assessment/manage/review/": Case(
            own=lambda s: GET(f"{M}/review/"), own_status=role_page(REVIEWERS)
        ),
        "assessment/manage/banks/<int:pk>/blueprints/new/": Case(
            own=lambda s: POST(f"{M}/banks/{_bank_of(s).pk}/blueprints/new/", {}),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(f"{M}/banks/{_bank_of(o).pk}/blueprints/new/", {"name": "x"})],
        ),
        "assessment/manage/blueprints/<int:pk>/": Case(
            own=lambda s: GET(f"{M}/blueprints/{_blueprint_of(s).pk}/"),
            own_status=role_page(BANK_PAGE_ROLES),
            foreign=lambda o: [GET(f"{M}/blueprints/{_blueprint_of(o).pk}/")],
        ),
        "assessment/manage/blueprints/<int:pk>/sections/": Case(
            own=lambda s: POST(f"{M}/blueprints/{_blueprint_of(s).pk}/sections/", {}),
            own_status=role_page(MANAGERS, ok=400),
            foreign=lambda o: [
                POST(
                    f"{M}/blueprints/{_blueprint_of(o).pk}/sections/",
                    {"title": "x", "kind": "single"},
                )
            ],
        ),
        "assessment/manage/blueprints/<int:pk>/rules/": Case(
            own=lambda s: POST(f"{M}/blueprints/{_blueprint_of(s).pk}/rules/", {}),
            own_status=role_page(MANAGERS, ok=400),
            foreign=lambda o: [POST(f"{M}/blueprints/{_blueprint_of(o).pk}/rules/", {})],
        ),
        "assessment/manage/blueprints/<int:pk>/fixed/": Case(
            own=lambda s: POST(f"{M}/blueprints/{_blueprint_of(s).pk}/fixed/", {}),
            own_status=role_page(MANAGERS, ok=400),
            foreign=lambda o: [POST(f"{M}/blueprints/{_blueprint_of(o).pk}/fixed/", {})],
        ),
        "assessment/manage/blueprints/<int:pk>/publish/": Case(
            own=lambda s: POST(f"{M}/blueprints/{_blueprint_of(s).pk}/publish/"),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(f"{M}/blueprints/{_blueprint_of(o).pk}/publish/")],
        ),
        "assessment/manage/sessions/": Case(
            own=lambda s: GET(f"{M}/sessions/"), own_status=role_page(SESSION_PAGE_ROLES)
        ),
        "assessment/manage/sessions/new/": Case(
            own=lambda s: GET(f"{M}/sessions/new/"), own_status=role_page(MANAGERS)
        ),
        "assessment/manage/sessions/<int:pk>/": Case(
            own=lambda s: GET(f"{M}/sessions/{_session_of(s).pk}/"),
            own_status=role_page(SESSION_PAGE_ROLES),
            foreign=lambda o: [GET(f"{M}/sessions/{_session_of(o).pk}/")],
        ),
        "assessment/manage/sessions/<int:pk>/staff/": Case(
            own=lambda s: POST(f"{M}/sessions/{_session_of(s).pk}/staff/", {}),
            own_status=role_page(MANAGERS, ok=400),
            foreign=lambda o: [
                POST(
                    f"{M}/sessions/{_session_of(o).pk}/staff/",
                    {"part": "theory", "person": o.person.pk},
                )
            ],
        ),
        "assessment/manage/sessions/<int:pk>/open/": Case(
            own=lambda s: POST(f"{M}/sessions/{_session_of(s).pk}/open/"),
            own_status=role_page(MANAGERS, ok=302),
            foreign=lambda o: [POST(f"{M}/sessions/{_session_of(o).pk}/open/")],
        ),
        # Planned sessions are a public offering (考试计划): any worker may apply for either
        # side's, so there is no foreign request; the answer is a redirect naming no one.
        "assessment/apply/": Case(
            own=lambda s: GET("/assessment/apply/"), own_status=role_page(CANDIDATES)
        ),
        "assessment/apply/<int:pk>/": Case(
            own=lambda s: POST(f"/assessment/apply/{_session_of(s).pk}/"),
            own_status=role_page(CANDIDATES, ok=302),
        ),
    }
)


def _bank_in(side: Side) -> dict[str, object]:
    occupation = _bank_of(side).occupation_id
    return {"organisation": side.org.pk, "occupation": occupation, "level": "4", "name": "矩阵题库"}


def _item_in(side: Side) -> dict[str, object]:
    return {"point": _point_of(side).pk, "kind": "true_false", "difficulty": 3, "stem": "矩阵题",
            "answer": False}  # fmt: skip


def _session_in(side: Side) -> dict[str, object]:
    _licensed(side)
    return {
        "organisation": side.org.pk, "occupation": _bank_of(side).occupation_id, "level": "3",
        "parts": ["theory"], "starts_at": (_tz.now() + _dt.timedelta(days=40)).isoformat(),
        "venue": "矩阵考点", "capacity": 20,
    }  # fmt: skip


API.update(
    {
        ("POST", f"{A}/banks"): Case(
            own=lambda s: POST(f"{A}/banks", _bank_in(s)),
            own_status=_api(ORG_ADMIN, 201, sees=frozenset(ORG_ROLES)),
            foreign=lambda o: [POST(f"{A}/banks", _bank_in(o))],
        ),
        ("POST", f"{A}/banks/{{bank_id}}/points"): Case(
            own=lambda s: POST(
                f"{A}/banks/{_bank_of(s).pk}/points", {"code": "A1", "name": "接口要素"}
            ),
            own_status=_api(ORG_ADMIN, 201, sees=SEES_BANK),
            foreign=lambda o: [
                POST(f"{A}/banks/{_bank_of(o).pk}/points", {"code": "A2", "name": "x"})
            ],
        ),
        ("POST", f"{A}/points/{{point_id}}/rename"): Case(
            own=lambda s: POST(f"{A}/points/{_point_of(s).pk}/rename", {"name": "矩阵要素"}),
            own_status=_api(ORG_ADMIN, 200, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/points/{_point_of(o).pk}/rename", {"name": "改"})],
        ),
        ("POST", f"{A}/banks/{{bank_id}}/items"): Case(
            own=lambda s: POST(f"{A}/banks/{_bank_of(s).pk}/items", _item_in(s)),
            own_status=_api(AUTHOR_API, 201, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/banks/{_bank_of(o).pk}/items", _item_in(o))],
        ),
        # an approved item: a new version succeeds once, so the own request sends a bad
        # difficulty, refused (400) for every author whatever the order
        ("POST", f"{A}/items/{{item_id}}/versions"): Case(
            own=lambda s: POST(f"{A}/items/{_approved_of(s).pk}/versions", {"difficulty": 9}),
            own_status=_api(AUTHOR_API, 400, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/items/{_approved_of(o).pk}/versions", {"stem": "改"})],
        ),
        ("POST", f"{A}/items/{{item_id}}/submit"): Case(
            own=lambda s: POST(f"{A}/items/{_approved_of(s).pk}/submit"),
            own_status=_api(AUTHOR_API, 409, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/items/{_approved_of(o).pk}/submit")],
        ),
        ("POST", f"{A}/items/{{item_id}}/review"): Case(
            own=lambda s: POST(f"{A}/items/{_approved_of(s).pk}/review", {"approve": True}),
            own_status=_api(REVIEW_API, 409, sees=SEES_BANK),
            foreign=lambda o: [
                POST(f"{A}/items/{_approved_of(o).pk}/review", {"approve": False, "reason": "x"})
            ],
        ),
        ("POST", f"{A}/banks/{{bank_id}}/filing"): Case(
            own=lambda s: POST(f"{A}/banks/{_bank_of(s).pk}/filing", {"filed_on": FUTURE}),
            own_status=_api(frozenset(BUREAU_ROLES), 400, sees=SEES_BANK),
            foreign=lambda o: [
                POST(f"{A}/banks/{_bank_of(o).pk}/filing", {"filed_on": "2026-01-05"})
            ],
        ),
        # the side's bank has no approved item: the request is refused (400) for its manager
        ("POST", f"{A}/banks/{{bank_id}}/filing-request"): Case(
            own=lambda s: POST(f"{A}/banks/{_bank_of(s).pk}/filing-request"),
            own_status=_api(ORG_ADMIN, 400, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/banks/{_bank_of(o).pk}/filing-request")],
        ),
        ("POST", f"{A}/banks/{{bank_id}}/blueprints"): Case(
            own=lambda s: POST(f"{A}/banks/{_bank_of(s).pk}/blueprints", {"name": "接口试卷"}),
            own_status=_api(ORG_ADMIN, 201, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/banks/{_bank_of(o).pk}/blueprints", {"name": "x"})],
        ),
        ("POST", f"{A}/blueprints/{{blueprint_id}}/sections"): Case(
            own=lambda s: POST(
                f"{A}/blueprints/{_blueprint_of(s).pk}/sections",
                {"title": "单选", "kind": "single"},
            ),
            own_status=_api(ORG_ADMIN, 201, sees=SEES_BANK),
            foreign=lambda o: [
                POST(
                    f"{A}/blueprints/{_blueprint_of(o).pk}/sections",
                    {"title": "x", "kind": "single"},
                )
            ],
        ),
        ("POST", f"{A}/blueprints/{{blueprint_id}}/rules"): Case(
            own=lambda s: POST(
                f"{A}/blueprints/{_blueprint_of(s).pk}/rules",
                {
                    "section": _section_of(s).pk,
                    "point": _point_of(s).pk,
                    "difficulty": 3,
                    "count": 1,
                    "points": "2",
                },
            ),
            own_status=_api(ORG_ADMIN, 201, sees=SEES_BANK),
            foreign=lambda o: [
                POST(
                    f"{A}/blueprints/{_blueprint_of(o).pk}/rules",
                    {"section": 1, "point": 1, "difficulty": 3, "count": 1, "points": "2"},
                )
            ],
        ),
        # a blueprint without enough approved items: publication refused (422) in words
        ("POST", f"{A}/blueprints/{{blueprint_id}}/publish"): Case(
            own=lambda s: POST(f"{A}/blueprints/{_blueprint_of(s).pk}/publish"),
            own_status=_api(ORG_ADMIN, 422, sees=SEES_BANK),
            foreign=lambda o: [POST(f"{A}/blueprints/{_blueprint_of(o).pk}/publish")],
        ),
        ("POST", f"{A}/sessions"): Case(
            own=lambda s: POST(f"{A}/sessions", _session_in(s)),
            own_status=_api(ORG_ADMIN, 201, sees=frozenset(ORG_ROLES)),
            foreign=lambda o: [POST(f"{A}/sessions", _session_in(o))],
        ),
        ("GET", f"{A}/sessions/{{session_id}}"): Case(
            own=lambda s: GET(f"{A}/sessions/{_session_of(s).pk}"),
            own_status=_api(frozenset(ORG_ADMIN | BUREAU_ROLES | {Role.AUDITOR}), 200),
            foreign=lambda o: [GET(f"{A}/sessions/{_session_of(o).pk}")],
        ),
        # the side's own person is employed there: an invigilator once; the second theory
        # assignment of the same person would conflict, so the own request names a part the
        # session does not have (400 for the organisation's administrator)
        ("POST", f"{A}/sessions/{{session_id}}/staff"): Case(
            own=lambda s: POST(
                f"{A}/sessions/{_session_of(s).pk}/staff", {"part": "panel", "person": s.person.pk}
            ),
            own_status=_api(ORG_ADMIN, 400, sees=frozenset(BUREAU_ROLES | {Role.AUDITOR})),
            foreign=lambda o: [
                POST(
                    f"{A}/sessions/{_session_of(o).pk}/staff",
                    {"part": "theory", "person": o.person.pk},
                )
            ],
        ),
        ("POST", f"{A}/sessions/{{session_id}}/open"): Case(
            own=lambda s: POST(f"{A}/sessions/{_session_of(s).pk}/open"),
            own_status=_api(ORG_ADMIN, 422, sees=frozenset(BUREAU_ROLES | {Role.AUDITOR})),
            foreign=lambda o: [POST(f"{A}/sessions/{_session_of(o).pk}/open")],
        ),
        # planned sessions are open to any worker (no foreign request); accounts without a
        # person are refused
        ("POST", f"{A}/sessions/{{session_id}}/registrations"): Case(
            own=lambda s: POST(f"{A}/sessions/{_session_of(s).pk}/registrations"),
            own_status=role_api(lambda r: 201 if r == Role.WORKER else 403),
        ),
    }
)


# --- exam-room records and the panel review (issue 9 §3, §5) ---------------------------------
# The side's assessor is on no session's staff: the room record and the panel answer 404 to them
# as to a stranger; the exam admins, the bureau and the auditor of the region read the record.

ROOM_READERS = frozenset({Role.ORG_ADMIN, Role.SYSADMIN, Role.AUDITOR} | BUREAU_ROLES)
ROOM_PAGE_ROLES = frozenset(ROOM_READERS | {Role.ASSESSOR})


def _room_status(ok: int) -> Callable[[str], int]:
    def status(role: str) -> int:
        if role == ANON:
            return 302
        if role in ROOM_READERS:
            return ok
        return 404 if role in ROOM_PAGE_ROLES else 403

    return status


ROOM = "/assessment/sessions"

PAGES.update(
    {
        "assessment/sessions/<int:pk>/rooms/<int:room>/": Case(
            own=lambda s: GET(f"{ROOM}/{_session(s)}/rooms/1/"),
            own_status=_room_status(200),
            foreign=lambda o: [GET(f"{ROOM}/{_session(o)}/rooms/1/")],
        ),
        # no action named: refused with a message, back to the record
        "assessment/sessions/<int:pk>/rooms/<int:room>/write/": Case(
            own=lambda s: POST(f"{ROOM}/{_session(s)}/rooms/1/write/"),
            own_status=_room_status(302),
            foreign=lambda o: [POST(f"{ROOM}/{_session(o)}/rooms/1/write/", {"action": "sign"})],
        ),
        "assessment/panel/": Case(
            own=lambda s: GET("/assessment/panel/"), own_status=role_page(MARKERS | {Role.SYSADMIN})
        ),
        # nobody of the side sits on a panel: 404 to every marker
        "assessment/panel/<int:pk>/": Case(
            own=lambda s: GET(f"/assessment/panel/{_session(s)}/"),
            own_status=role_page(MARKERS | {Role.SYSADMIN}, ok=404),
            foreign=lambda o: [GET(f"/assessment/panel/{_session(o)}/")],
        ),
        "assessment/panel/<int:pk>/score/": Case(
            own=lambda s: POST(
                f"/assessment/panel/{_session(s)}/score/", {"registration": _reg(s)}
            ),
            own_status=role_page(MARKERS | {Role.SYSADMIN}, ok=404),
            foreign=lambda o: [
                POST(f"/assessment/panel/{_session(o)}/score/", {"registration": _reg(o)})
            ],
        ),
    }
)


def _room_api(readers: int, writers: int | None = None) -> Callable[[str], int]:
    """Readers of the record answer `readers`; the exam admin `writers` (when it differs)."""

    def status(role: str) -> int:
        if role == ANON:
            return 401
        if role == Role.ORG_ADMIN and writers is not None:
            return writers
        return readers if role in ROOM_READERS else 404

    return status


RA = "/api/v1/assessment/sessions"
_late = "2026-01-01T09:00:00+08:00"
_early = "2026-01-01T08:00:00+08:00"

API.update(
    {
        ("GET", "/api/v1/assessment/sessions/{session_id}/rooms/{room}"): Case(
            own=lambda s: GET(f"{RA}/{_session(s)}/rooms/1"),
            own_status=_room_api(200),
            foreign=lambda o: [GET(f"{RA}/{_session(o)}/rooms/1")],
        ),
        ("POST", "/api/v1/assessment/sessions/{session_id}/rooms/{room}/seals"): Case(
            own=lambda s: POST(
                f"{RA}/{_session(s)}/rooms/1/seals", {"seal_numbers": "", "witness_person_id": 0}
            ),
            own_status=_room_api(400),
            foreign=lambda o: [
                POST(
                    f"{RA}/{_session(o)}/rooms/1/seals",
                    {"seal_numbers": "x", "witness_person_id": 0},
                )
            ],
        ),
        ("POST", "/api/v1/assessment/sessions/{session_id}/rooms/{room}/draw"): Case(
            own=lambda s: POST(f"{RA}/{_session(s)}/rooms/1/draw", {"stations": 0}),
            own_status=_room_api(403, 400),
            foreign=lambda o: [POST(f"{RA}/{_session(o)}/rooms/1/draw", {"stations": 0})],
        ),
        ("POST", "/api/v1/assessment/sessions/{session_id}/rooms/{room}/incidents"): Case(
            own=lambda s: POST(
                f"{RA}/{_session(s)}/rooms/1/incidents", {"description": "", "action_taken": ""}
            ),
            own_status=_room_api(403, 400),
            foreign=lambda o: [
                POST(
                    f"{RA}/{_session(o)}/rooms/1/incidents", {"description": "", "action_taken": ""}
                )
            ],
        ),
        ("POST", "/api/v1/assessment/sessions/{session_id}/rooms/{room}/videos"): Case(
            own=lambda s: POST(
                f"{RA}/{_session(s)}/rooms/1/videos",
                {"reference": "摄像头", "starts_at": _late, "ends_at": _early},
            ),
            own_status=_room_api(403, 400),
            foreign=lambda o: [
                POST(
                    f"{RA}/{_session(o)}/rooms/1/videos",
                    {"reference": "摄像头", "starts_at": _late, "ends_at": _early},
                )
            ],
        ),
        ("POST", "/api/v1/assessment/sessions/{session_id}/rooms/{room}/sign"): Case(
            own=lambda s: POST(f"{RA}/{_session(s)}/rooms/1/sign"),
            own_status=_room_api(403),
            foreign=lambda o: [POST(f"{RA}/{_session(o)}/rooms/1/sign")],
        ),
        ("POST", "/api/v1/assessment/sessions/{session_id}/rooms/{room}/addenda"): Case(
            own=lambda s: POST(f"{RA}/{_session(s)}/rooms/1/addenda", {"text": ""}),
            own_status=_room_api(403, 400),
            foreign=lambda o: [POST(f"{RA}/{_session(o)}/rooms/1/addenda", {"text": ""})],
        ),
        # nobody of the side sits on a panel: 404 to everyone signed in
        ("GET", "/api/v1/assessment/panel/sessions/{session_id}"): Case(
            own=lambda s: GET(f"/api/v1/assessment/panel/sessions/{_session(s)}"),
            own_status=role_api(lambda r: 404),
            foreign=lambda o: [GET(f"/api/v1/assessment/panel/sessions/{_session(o)}")],
        ),
        ("POST", "/api/v1/assessment/panel/sessions/{session_id}/scores"): Case(
            own=lambda s: POST(
                f"/api/v1/assessment/panel/sessions/{_session(s)}/scores",
                {"registration_id": _reg(s), "criteria": []},
            ),
            own_status=role_api(lambda r: 404),
            foreign=lambda o: [
                POST(
                    f"/api/v1/assessment/panel/sessions/{_session(o)}/scores",
                    {"registration_id": _reg(o), "criteria": []},
                )
            ],
        ),
    }
)
# Removing blueprint rules and sections, uploading items (scope_cases_edits.py).
from jineng.assessment.tests.scope_cases_edits import cases as _edit_cases  # noqa: E402

PAGES.update(_edit_cases()[0])
API.update(_edit_cases()[1])
