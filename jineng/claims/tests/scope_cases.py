"""The claims pages in the scope matrix (`jineng.web.tests.scope`): side 甲 (Dongguan) and side 乙
(Huzhou) never reach each other's claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from jineng.claims.models import Claim
from jineng.identity.models import ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.web.tests.scope import ANON, GET, LIST_OK, POST, Case, role_api, role_page
from jineng.web.tests.world import Side

ON = dt.date(2024, 6, 30)


def _claim_of(side: Side) -> int:
    """A claim for the side's person (the side worker's own), in the side's home region."""
    person = side.person
    claim = Claim.objects.create(
        person=person,
        subject_key=f"P{person.pk}",
        item_id="scope.item",
        item_title="技能提升补贴",
        fact_id=f"scope{Claim.objects.count() + 1}",
        source="automatic",
        region=side.home,
        trigger_date=ON,
        amount_fen=150_000,
        min_fen=150_000,
        max_fen=150_000,
        due_on=ON,
        evaluated_on=ON,
    )
    return claim.pk


def _detail_status(role: str) -> int:
    if role == ANON:
        return 302
    return 404 if role in ORG_ROLES else 200


PAGES = {
    "claims/": Case(
        own=lambda s: GET(f"/claims/?q={s.name_part}"),
        own_status=role_page(CONSOLE_ROLES),
        foreign=lambda o: [
            GET(f"/claims/?q={o.name_part}", ok=LIST_OK),
            POST("/claims/", {"action": "review", "claim": [str(_claim_of(o))]}),
        ],
    ),
    "claims/mine/": Case(
        own=lambda s: GET("/claims/mine/"), own_status=role_page(frozenset({Role.WORKER}))
    ),
    "claims/inbox/": Case(
        own=lambda s: GET("/claims/inbox/"), own_status=role_page(frozenset({Role.WORKER}))
    ),
    "claims/<int:pk>/": Case(
        own=lambda s: GET(f"/claims/{_claim_of(s)}/"),
        own_status=_detail_status,
        shows_own=frozenset(CONSOLE_ROLES | {Role.WORKER}),
        foreign=lambda o: [
            GET(f"/claims/{_claim_of(o)}/"),
            POST(f"/claims/{_claim_of(o)}/", {"account": "6222020200112233445"}),
        ],
    ),
}


API = {
    ("GET", "/api/v1/claims"): Case(
        own=lambda s: GET(f"/api/v1/claims?q={s.name_part}"),
        own_status=role_api(lambda r: 200),
        foreign=lambda o: [GET(f"/api/v1/claims?q={o.name_part}", ok=LIST_OK)],
    ),
    ("GET", "/api/v1/claims/{claim_id}"): Case(
        own=lambda s: GET(f"/api/v1/claims/{_claim_of(s)}"),
        own_status=role_api(lambda r: 404 if r in ORG_ROLES else 200),
        shows_own=frozenset(CONSOLE_ROLES | {Role.WORKER}),
        foreign=lambda o: [GET(f"/api/v1/claims/{_claim_of(o)}")],
    ),
}


# --- integrity (flags, overdue list, registers) ---------------------------------------------------


def _flag_of(side: Side) -> int:
    """An open flag on a fresh claim of the side's person."""
    from jineng.claims.models import ClaimFlag, FlagKind

    flag = ClaimFlag.objects.create(
        claim_id=_claim_of(side), kind=FlagKind.SHARED_PHONE, evidence={"beneficiaries": 5}
    )
    return flag.pk


def _old_claim_of(side: Side) -> int:
    """A claim of the side's that has waited at 已受理 for months: on the overdue list."""
    pk = _claim_of(side)
    Claim.objects.filter(pk=pk).update(created_at=dt.datetime(2024, 1, 2, 9, tzinfo=dt.UTC))
    return pk


def _console_page(role: str) -> int:
    if role == ANON:
        return 302
    return 200 if role in CONSOLE_ROLES else 403


def _decision_status(role: str) -> int:
    if role == ANON:
        return 401
    if role in (Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER):
        return 200
    return 404 if role not in CONSOLE_ROLES else 403


DECIDE = {"decision": "cleared", "reason": "核实为同一家庭成员"}
PAGES.update(
    {
        "claims/flags/": Case(
            own=lambda s: GET(f"/claims/flags/?x={_flag_of(s)}"),
            own_status=role_page(CONSOLE_ROLES),
            shows_own=frozenset(CONSOLE_ROLES - {Role.SYSADMIN}),
            foreign=lambda o: [GET(f"/claims/flags/?x={_flag_of(o)}", ok=LIST_OK)],
        ),
        "claims/flags/<int:pk>/": Case(
            own=lambda s: GET(f"/claims/flags/{_flag_of(s)}/"),
            own_status=_console_page,
            shows_own=frozenset(CONSOLE_ROLES - {Role.SYSADMIN}),
            foreign=lambda o: [
                GET(f"/claims/flags/{_flag_of(o)}/"),
                POST(f"/claims/flags/{_flag_of(o)}/", DECIDE),
            ],
        ),
        "claims/overdue/": Case(
            own=lambda s: GET(f"/claims/overdue/?x={_old_claim_of(s)}"),
            own_status=role_page(CONSOLE_ROLES),
            shows_own=frozenset(CONSOLE_ROLES - {Role.SYSADMIN}),
            foreign=lambda o: [GET(f"/claims/overdue/?x={_old_claim_of(o)}", ok=LIST_OK)],
        ),
        "claims/registers/": Case(
            own=lambda s: GET("/claims/registers/"),
            own_status=role_page(CONSOLE_ROLES),
            # The region offered is only the officer's own: another side's is an invalid choice
            # (the form again, nothing imported) or, without the role, 403.
            foreign=lambda o: [
                POST(
                    "/claims/registers/",
                    {"kind": "deceased", "title": "名单", "region": o.region},
                    ok=frozenset({200, 403}),
                )
            ],
        ),
    }
)
API.update(
    {
        ("GET", "/api/v1/claims/integrity/flags"): Case(
            own=lambda s: GET(f"/api/v1/claims/integrity/flags?x={_flag_of(s)}"),
            own_status=role_api(lambda r: 200),
            shows_own=frozenset(CONSOLE_ROLES - {Role.SYSADMIN}),
            foreign=lambda o: [GET(f"/api/v1/claims/integrity/flags?x={_flag_of(o)}", ok=LIST_OK)],
        ),
        ("POST", "/api/v1/claims/integrity/flags/{flag_id}/decision"): Case(
            own=lambda s: POST(
                f"/api/v1/claims/integrity/flags/{_flag_of(s)}/decision",
                {"upheld": False, "reason": "核实为同一家庭成员"},
            ),
            own_status=_decision_status,
            foreign=lambda o: [
                POST(
                    f"/api/v1/claims/integrity/flags/{_flag_of(o)}/decision",
                    {"upheld": False, "reason": "核实为同一家庭成员"},
                )
            ],
        ),
        ("GET", "/api/v1/claims/integrity/overdue"): Case(
            own=lambda s: GET(f"/api/v1/claims/integrity/overdue?x={_old_claim_of(s)}"),
            own_status=role_api(lambda r: 200),
            shows_own=frozenset(CONSOLE_ROLES - {Role.SYSADMIN}),
            foreign=lambda o: [
                GET(f"/api/v1/claims/integrity/overdue?x={_old_claim_of(o)}", ok=LIST_OK)
            ],
        ),
    }
)


# --- applications (apply, my applications, one application, an attachment) -----------------------

APPLY_ROLES = frozenset({Role.WORKER, Role.ORG_ADMIN, Role.ORG_HR})
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _application_of(side: Side) -> tuple[int, int]:
    """(application, attachment) on a claim of the side's person, applied for by its worker."""
    from jineng.claims.models import ClaimApplication, ClaimAttachment
    from jineng.claims.services.applications import PURPOSE
    from jineng.identity.crypto import fernet_for

    application = ClaimApplication.objects.create(
        claim_id=_claim_of(side), applicant=side.users[Role.WORKER], statement="申请说明"
    )
    attachment = ClaimAttachment.objects.create(
        application=application,
        title="聘任文件",
        file_name="a.pdf",
        kind="pdf",
        size=len(PDF),
        sha256="0" * 64,
        sealed=fernet_for(PURPOSE).encrypt(PDF),
    )
    return application.pk, attachment.pk


def _apply_form_status(role: str) -> int:
    if role == ANON:
        return 302
    return 404 if role in APPLY_ROLES else 403  # no such line for anyone in the scope world


def _application_status(role: str) -> int:
    if role == ANON:
        return 302
    if role in CONSOLE_ROLES or role == Role.WORKER:
        return 200
    return 404 if role in APPLY_ROLES else 403


PAGES.update(
    {
        "claims/apply/": Case(
            own=lambda s: GET("/claims/apply/"), own_status=role_page(APPLY_ROLES)
        ),
        "claims/apply/<str:subject>/<str:key>/": Case(
            own=lambda s: GET(f"/claims/apply/p{s.person.pk}/scope.item~1/"),
            own_status=_apply_form_status,
            foreign=lambda o: [
                GET(f"/claims/apply/p{o.person.pk}/scope.item~1/"),
                POST(f"/claims/apply/p{o.person.pk}/scope.item~1/", {"statement": "x"}),
            ],
        ),
        "claims/applications/": Case(
            own=lambda s: GET("/claims/applications/"), own_status=role_page(APPLY_ROLES)
        ),
        "claims/applications/<int:pk>/": Case(
            own=lambda s: GET(f"/claims/applications/{_application_of(s)[0]}/"),
            own_status=_application_status,
            shows_own=frozenset((CONSOLE_ROLES - {Role.SYSADMIN}) | {Role.WORKER}),
            foreign=lambda o: [GET(f"/claims/applications/{_application_of(o)[0]}/")],
        ),
        "claims/attachments/<int:pk>/": Case(
            own=lambda s: GET(f"/claims/attachments/{_application_of(s)[1]}/"),
            own_status=_application_status,
            foreign=lambda o: [GET(f"/claims/attachments/{_application_of(o)[1]}/")],
        ),
    }
)


# --- payouts and budget (finance) -----------------------------------------------------------------


def _batch_of(side: Side) -> int:
    """A batch in the side's bureau region with one pending line paying the side's person."""
    from jineng.claims.models import PayoutBatch, PayoutLine

    claim = Claim.objects.get(pk=_claim_of(side))
    Claim.objects.filter(pk=claim.pk).update(status="paying", payee_account="")
    batch = PayoutBatch.objects.create(region=side.region, title="本期拨付")
    PayoutLine.objects.create(
        batch=batch, claim=claim, amount_fen=claim.amount_fen, account="6222020200112233445"
    )
    return batch.pk


def _sent_batch_of(side: Side) -> int:
    from jineng.claims.models import PayoutBatch

    pk = _batch_of(side)
    PayoutBatch.objects.filter(pk=pk).update(status="sent")
    return pk


FINANCE_ACTORS = frozenset({Role.BUREAU_FINANCE, Role.SYSADMIN})


def _finance_post(role: str) -> int:
    """A finance action posted from a page: finance answers the file (200); other console roles
    are refused by the service and sent back to the batch page with the message (302)."""
    if role == ANON:
        return 302
    if role not in CONSOLE_ROLES:
        return 403
    return 200 if role in FINANCE_ACTORS else 302


def _console_post(role: str) -> int:
    return 302 if role == ANON else (302 if role in CONSOLE_ROLES else 403)


def _finance_api(ok: int) -> Callable[[str], int]:
    return role_api(lambda r: ok if r in FINANCE_ACTORS else (404 if r not in READ_API else 403))


READ_API = frozenset(CONSOLE_ROLES)

PAGES.update(
    {
        "claims/batches/": Case(
            own=lambda s: GET("/claims/batches/"),
            own_status=role_page(CONSOLE_ROLES),
            foreign=lambda o: [
                GET("/claims/batches/", ok=LIST_OK),
                POST("/claims/batches/", {"region": o.region}, ok=LIST_OK),
            ],
        ),
        "claims/batches/<int:pk>/": Case(
            own=lambda s: GET(f"/claims/batches/{_batch_of(s)}/"),
            own_status=role_page(CONSOLE_ROLES),
            shows_own=frozenset(CONSOLE_ROLES),
            foreign=lambda o: [
                GET(f"/claims/batches/{_batch_of(o)}/"),
                POST(f"/claims/batches/{_batch_of(o)}/", {"action": "send"}),
            ],
        ),
        "claims/batches/<int:pk>/export/": Case(
            own=lambda s: POST(f"/claims/batches/{_batch_of(s)}/export/", {"format": "csv"}),
            own_status=_finance_post,
            shows_own=frozenset(FINANCE_ACTORS),
            foreign=lambda o: [
                POST(f"/claims/batches/{_batch_of(o)}/export/", {"format": "csv"}),
                POST(f"/claims/batches/{_batch_of(o)}/export/", {"format": "xlsx"}),
            ],
        ),
        "claims/batches/<int:pk>/import/": Case(
            own=lambda s: POST(f"/claims/batches/{_sent_batch_of(s)}/import/", {}),
            own_status=_console_post,
            foreign=lambda o: [POST(f"/claims/batches/{_sent_batch_of(o)}/import/", {})],
        ),
        "claims/budget/": Case(
            own=lambda s: GET("/claims/budget/"),
            own_status=role_page(CONSOLE_ROLES),
            foreign=lambda o: [GET("/claims/budget/", ok=LIST_OK)],
        ),
        "claims/budget/export/": Case(
            own=lambda s: GET("/claims/budget/export/"),
            own_status=role_page(CONSOLE_ROLES),
        ),
    }
)

API.update(
    {
        ("GET", "/api/v1/payouts/batches"): Case(
            own=lambda s: GET("/api/v1/payouts/batches"),
            own_status=role_api(lambda r: 200),
            foreign=lambda o: [GET("/api/v1/payouts/batches", ok=LIST_OK)],
        ),
        ("POST", "/api/v1/payouts/batches"): Case(
            own=lambda s: POST("/api/v1/payouts/batches", {"region": s.region}),
            own_status=role_api(lambda r: 201 if r in FINANCE_ACTORS else 403),
            foreign=lambda o: [POST("/api/v1/payouts/batches", {"region": o.region})],
        ),
        ("GET", "/api/v1/payouts/batches/{batch_id}"): Case(
            own=lambda s: GET(f"/api/v1/payouts/batches/{_batch_of(s)}"),
            own_status=role_api(lambda r: 200 if r in READ_API else 404),
            foreign=lambda o: [GET(f"/api/v1/payouts/batches/{_batch_of(o)}")],
        ),
        ("GET", "/api/v1/payouts/batches/{batch_id}/lines"): Case(
            own=lambda s: GET(f"/api/v1/payouts/batches/{_batch_of(s)}/lines"),
            own_status=role_api(lambda r: 200 if r in READ_API else 404),
            shows_own=frozenset(READ_API),
            foreign=lambda o: [GET(f"/api/v1/payouts/batches/{_batch_of(o)}/lines")],
        ),
        ("POST", "/api/v1/payouts/batches/{batch_id}/export"): Case(
            own=lambda s: POST(f"/api/v1/payouts/batches/{_batch_of(s)}/export", {"format": "csv"}),
            own_status=_finance_api(200),
            foreign=lambda o: [POST(f"/api/v1/payouts/batches/{_batch_of(o)}/export", {})],
        ),
        ("POST", "/api/v1/payouts/batches/{batch_id}/send"): Case(
            own=lambda s: POST(f"/api/v1/payouts/batches/{_batch_of(s)}/send", {}),
            own_status=_finance_api(200),
            foreign=lambda o: [POST(f"/api/v1/payouts/batches/{_batch_of(o)}/send", {})],
        ),
        ("POST", "/api/v1/payouts/batches/{batch_id}/result"): Case(
            own=lambda s: POST(
                f"/api/v1/payouts/batches/{_sent_batch_of(s)}/result", {"results": []}
            ),
            own_status=_finance_api(200),
            foreign=lambda o: [
                POST(f"/api/v1/payouts/batches/{_sent_batch_of(o)}/result", {"results": []})
            ],
        ),
        ("POST", "/api/v1/payouts/batches/{batch_id}/close"): Case(
            own=lambda s: POST(f"/api/v1/payouts/batches/{_sent_batch_of(s)}/close", {}),
            # a batch with a pending line does not reconcile: finance is told so (409)
            own_status=_finance_api(409),
            foreign=lambda o: [POST(f"/api/v1/payouts/batches/{_sent_batch_of(o)}/close", {})],
        ),
        ("GET", "/api/v1/payouts/budget"): Case(
            own=lambda s: GET("/api/v1/payouts/budget"),
            own_status=role_api(lambda r: 200 if r in READ_API else 403),
            foreign=lambda o: [GET("/api/v1/payouts/budget", ok=LIST_OK)],
        ),
    }
)


# --- a claim's steps, its 公示 objections, and 免申即享 runs ------------------------------------------


def _publicity_claim_of(side: Side) -> int:
    pk = _claim_of(side)
    Claim.objects.filter(pk=pk).update(status="publicity", publicity_ends=ON)
    return pk


def _objection_of(side: Side) -> int:
    from jineng.claims.models import ClaimObjection

    return ClaimObjection.objects.create(claim_id=_publicity_claim_of(side), text="异议").pk


def _run_of(side: Side) -> int:
    from jineng.claims.models import ClaimRun

    return ClaimRun.objects.create(region=side.region, on=ON).pk


def _step_status(role: str) -> int:
    """Anyone who sees the claim may post; the service decides (a refusal is a message on the
    redirect); organisation roles do not see a person's claim; the auditor only reads."""
    if role == ANON:
        return 302
    if role in ORG_ROLES:
        return 404
    return 403 if role == Role.AUDITOR else 302


def _objection_status(role: str) -> int:
    if role == ANON:
        return 302
    return 404 if role in ORG_ROLES else 302


PAGES.update(
    {
        "claims/<int:pk>/step/": Case(
            own=lambda s: POST(f"/claims/{_claim_of(s)}/step/", {"action": "review"}),
            own_status=_step_status,
            foreign=lambda o: [POST(f"/claims/{_claim_of(o)}/step/", {"action": "review"})],
        ),
        "claims/<int:pk>/objection/": Case(
            own=lambda s: POST(f"/claims/{_publicity_claim_of(s)}/objection/", {"text": "异议"}),
            own_status=_objection_status,
            foreign=lambda o: [
                POST(f"/claims/{_publicity_claim_of(o)}/objection/", {"text": "异议"})
            ],
        ),
        "claims/objections/<int:pk>/answer/": Case(
            own=lambda s: POST(
                f"/claims/objections/{_objection_of(s)}/answer/",
                {"answer": "不成立", "upheld": "no"},
            ),
            own_status=_objection_status,
            foreign=lambda o: [
                POST(
                    f"/claims/objections/{_objection_of(o)}/answer/",
                    {"answer": "不成立", "upheld": "no"},
                )
            ],
        ),
        "claims/runs/": Case(
            own=lambda s: GET("/claims/runs/"),
            own_status=role_page(CONSOLE_ROLES),
            # only the officer's own regions are offered: another side's is an invalid choice
            # (the form again, nothing started) or, without a bureau role, 403
            foreign=lambda o: [
                POST(
                    "/claims/runs/",
                    {"region": o.region, "on": "2024-06-30"},
                    ok=frozenset({200, 403}),
                )
            ],
        ),
        "claims/runs/<int:pk>/": Case(
            own=lambda s: GET(f"/claims/runs/{_run_of(s)}/"),
            own_status=role_page(CONSOLE_ROLES),
            foreign=lambda o: [
                GET(f"/claims/runs/{_run_of(o)}/"),
                POST(f"/claims/runs/{_run_of(o)}/"),
            ],
        ),
    }
)


# --- the same steps, objections and runs through the API ------------------------------------------


def _step_api(role: str) -> int:
    """初审 of an accepted claim: the region's reviewer (or the system administrator) takes it;
    other roles that see the claim are refused by the service (403), the auditor as read-only."""
    if role == ANON:
        return 401
    if role in ORG_ROLES:
        return 404
    return 200 if role in (Role.BUREAU_REVIEWER, Role.SYSADMIN) else 403


def _objection_api(role: str) -> int:
    if role == ANON:
        return 401
    if role in ORG_ROLES:
        return 404
    bureau = (Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER, Role.SYSADMIN)
    return 201 if role in bureau else 403


def _answer_api(role: str) -> int:
    if role == ANON:
        return 401
    if role in ORG_ROLES:
        return 404
    return 200 if role in (Role.BUREAU_APPROVER, Role.SYSADMIN) else 403


def _run_start_api(role: str) -> int:
    if role == ANON:
        return 401
    return 201 if role in (BUREAU_START | {Role.SYSADMIN}) else 403


def _account_api(role: str) -> int:
    """The beneficiary or a bureau officer of the region confirms the account; the auditor reads."""
    if role == ANON:
        return 401
    if role in ORG_ROLES:
        return 404
    return 403 if role == Role.AUDITOR else 200


def _restart_api(role: str) -> int:
    """A queued run is not failed: 409 to those who may restart, 403 to the read-only auditor."""
    if role == ANON:
        return 401
    if role not in READ_API:
        return 404
    return 403 if role == Role.AUDITOR else 409


BUREAU_START = frozenset({Role.BUREAU_REVIEWER, Role.BUREAU_APPROVER, Role.BUREAU_FINANCE})

API.update(
    {
        ("POST", "/api/v1/claims/{claim_id}/steps"): Case(
            own=lambda s: POST(f"/api/v1/claims/{_claim_of(s)}/steps", {"action": "review"}),
            own_status=_step_api,
            foreign=lambda o: [POST(f"/api/v1/claims/{_claim_of(o)}/steps", {"action": "review"})],
        ),
        ("POST", "/api/v1/claims/{claim_id}/account"): Case(
            own=lambda s: POST(
                f"/api/v1/claims/{_claim_of(s)}/account", {"account": "6222020200112233445"}
            ),
            own_status=_account_api,
            foreign=lambda o: [
                POST(f"/api/v1/claims/{_claim_of(o)}/account", {"account": "6222020200112233445"})
            ],
        ),
        ("GET", "/api/v1/claims/{claim_id}/objections"): Case(
            own=lambda s: GET(f"/api/v1/claims/{_publicity_claim_of(s)}/objections"),
            own_status=role_api(lambda r: 404 if r in ORG_ROLES else 200),
            foreign=lambda o: [GET(f"/api/v1/claims/{_publicity_claim_of(o)}/objections")],
        ),
        ("POST", "/api/v1/claims/{claim_id}/objections"): Case(
            own=lambda s: POST(
                f"/api/v1/claims/{_publicity_claim_of(s)}/objections", {"text": "异议"}
            ),
            own_status=_objection_api,
            foreign=lambda o: [
                POST(f"/api/v1/claims/{_publicity_claim_of(o)}/objections", {"text": "异议"})
            ],
        ),
        ("POST", "/api/v1/claims/objections/{objection_id}/answer"): Case(
            own=lambda s: POST(
                f"/api/v1/claims/objections/{_objection_of(s)}/answer",
                {"answer": "不成立", "upheld": False},
            ),
            own_status=_answer_api,
            foreign=lambda o: [
                POST(
                    f"/api/v1/claims/objections/{_objection_of(o)}/answer",
                    {"answer": "不成立", "upheld": False},
                )
            ],
        ),
        ("GET", "/api/v1/claims/runs"): Case(
            own=lambda s: GET(f"/api/v1/claims/runs?x={_run_of(s)}"),
            own_status=role_api(lambda r: 200),
            foreign=lambda o: [GET(f"/api/v1/claims/runs?x={_run_of(o)}", ok=LIST_OK)],
        ),
        ("POST", "/api/v1/claims/runs"): Case(
            own=lambda s: POST("/api/v1/claims/runs", {"region": s.region, "on": "2024-06-30"}),
            own_status=_run_start_api,
            foreign=lambda o: [
                POST("/api/v1/claims/runs", {"region": o.region, "on": "2024-06-30"})
            ],
        ),
        ("GET", "/api/v1/claims/runs/{run_id}"): Case(
            own=lambda s: GET(f"/api/v1/claims/runs/{_run_of(s)}"),
            own_status=role_api(lambda r: 200 if r in READ_API else 404),
            foreign=lambda o: [GET(f"/api/v1/claims/runs/{_run_of(o)}")],
        ),
        ("POST", "/api/v1/claims/runs/{run_id}/restart"): Case(
            own=lambda s: POST(f"/api/v1/claims/runs/{_run_of(s)}/restart"),
            own_status=_restart_api,
            foreign=lambda o: [POST(f"/api/v1/claims/runs/{_run_of(o)}/restart")],
        ),
    }
)
