"""The payouts API, mounted at /api/v1/payouts: finance's batches (build, lines, export the bank
file, mark sent, import the bank's result as JSON, close) and the budget. The same services as
the pages; reads through `jineng.claims.access` (a batch out of reach is 404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from jineng.api.claims.payout_schemas import (
    BatchIn,
    BatchOut,
    BudgetOut,
    ExportIn,
    LineOut,
    ReasonIn,
    ReconcileOut,
    ResultIn,
)
from jineng.api.pagination import MappedQuerySet, PageNumberPagination
from jineng.api.schemas import ErrorOut
from jineng.claims import payout_selectors, services
from jineng.claims.access import access_payout_batch_by_id, payout_batches_visible_to
from jineng.claims.budget import BudgetLine, budget_report
from jineng.claims.models import PayoutBatch, PayoutLine
from jineng.claims.services.bank import payment_file_csv, payment_file_xlsx
from jineng.claims.services.payouts import batch_reconciliation
from jineng.identity.access import request_scope
from jineng.identity.models import User
from jineng.policy.engine.money import format_yuan

router = Router(tags=["payouts"])
READ = {401: ErrorOut, 404: ErrorOut}
WRITE = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 400: ErrorOut}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def batch_out(batch: PayoutBatch) -> dict[str, Any]:
    totals = batch_reconciliation(batch)
    return {
        "id": batch.pk,
        "title": batch.title,
        "region": batch.region,
        "region_name": payout_selectors.region_name(batch.region),
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "created_at": batch.created_at,
        "sent_at": batch.sent_at,
        "closed_at": batch.closed_at,
        "amount": format_yuan(totals.fen_in),
        "reconciliation": {**totals.__dict__, "balanced": totals.balanced},
    }


def line_out(line: PayoutLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "claim_id": line.claim_id,
        "beneficiary": line.claim.beneficiary_name,
        "item_title": line.claim.item_title,
        "account": line.masked_account,
        "amount_fen": line.amount_fen,
        "amount": format_yuan(line.amount_fen),
        "status": line.status,
        "status_label": line.get_status_display(),
        "bank_reason": line.bank_reason,
    }


def _batch(request: HttpRequest, batch_id: int) -> PayoutBatch:
    return access_payout_batch_by_id(_user(request), batch_id, scope=request_scope(request))


@router.get("/batches", response={200: list[BatchOut], 401: ErrorOut}, summary="拨付批次列表")
@paginate(PageNumberPagination, page_size=20)
def batches_list(request: HttpRequest) -> Any:
    user = _user(request)
    return MappedQuerySet(payout_batches_visible_to(user, scope=request_scope(request)), batch_out)


@router.post(
    "/batches", response={201: BatchOut, **WRITE}, summary="从待拨付申领编制拨付批次（财务）"
)
def batch_create(request: HttpRequest, payload: BatchIn) -> Any:
    batch = services.payout_batch_create(
        actor=_user(request),
        region=payload.region,
        item_id=payload.item_id,
        due_by=payload.due_by,
        title=payload.title,
    )
    return 201, batch_out(batch)


@router.get("/batches/{batch_id}", response={200: BatchOut, **READ}, summary="拨付批次与对账情况")
def batch_detail(request: HttpRequest, batch_id: int) -> Any:
    return batch_out(_batch(request, batch_id))


@router.get(
    "/batches/{batch_id}/lines",
    response={200: list[LineOut], **READ},
    summary="拨付明细（收款账号脱敏）",
)
@paginate(PageNumberPagination, page_size=100)
def batch_lines(request: HttpRequest, batch_id: int) -> Any:
    return MappedQuerySet(payout_selectors.batch_lines(_batch(request, batch_id)), line_out)


@router.post(
    "/batches/{batch_id}/export",
    response={**WRITE},
    summary="导出银行支付文件（含完整收款账号，记入审计日志；财务）",
    openapi_extra={
        "responses": {
            "200": {
                "description": "支付文件（.xlsx 或 CSV）",
                "content": {XLSX: {}, "text/csv": {}},
            }
        }
    },
)
def batch_export(request: HttpRequest, batch_id: int, payload: ExportIn) -> Any:
    payment = services.payout_batch_export(actor=_user(request), batch=_batch(request, batch_id))
    if payload.format == "csv":
        response = HttpResponse(payment_file_csv(payment), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(payment_file_xlsx(payment), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="payout-{batch_id}.{payload.format}"'
    return response


@router.post(
    "/batches/{batch_id}/send",
    response={200: BatchOut, **WRITE},
    summary="标记为已提交银行（财务）",
)
def batch_send(request: HttpRequest, batch_id: int, payload: ReasonIn) -> Any:
    batch = services.payout_batch_send(
        actor=_user(request), batch=_batch(request, batch_id), reason=payload.reason
    )
    batch.refresh_from_db()
    return batch_out(batch)


@router.post(
    "/batches/{batch_id}/result",
    response={200: ReconcileOut, **WRITE},
    summary="导入银行结果（逐笔到账或失败；重复导入不改变结果；财务）",
)
def batch_result(request: HttpRequest, batch_id: int, payload: ResultIn) -> Any:
    batch = _batch(request, batch_id)
    results = [services.BankResult(r.line_id, r.paid, r.reason) for r in payload.results]
    outcome = services.payout_reconcile(actor=_user(request), batch=batch, results=results)
    batch.refresh_from_db()
    return {**outcome, "batch": batch_out(batch)}


@router.post(
    "/batches/{batch_id}/close",
    response={200: BatchOut, **WRITE},
    summary="结束对账（明细 = 到账 + 失败 + 撤回，否则 409；财务）",
)
def batch_close(request: HttpRequest, batch_id: int, payload: ReasonIn) -> Any:
    batch = services.payout_batch_close(
        actor=_user(request), batch=_batch(request, batch_id), reason=payload.reason
    )
    batch.refresh_from_db()
    return batch_out(batch)


def _budget_row(line: BudgetLine) -> dict[str, Any]:
    f = line.figures
    return {
        "label": line.label,
        "item_id": line.key[0] if isinstance(line.key, tuple) else "",
        "year": line.year,
        "committed_fen": f.committed_fen,
        "paid_fen": f.paid_fen,
        "recovered_fen": f.recovered_fen,
        "forecast_fen": f.forecast_fen,
    }


@router.get(
    "/budget",
    response={200: BudgetOut, 401: ErrorOut, 403: ErrorOut},
    summary="资金预算执行：已核定、已拨付、已追回与测算预计",
)
def budget(request: HttpRequest) -> Any:
    from django.core.exceptions import PermissionDenied

    from jineng.identity.roles import CONSOLE_ROLES

    scope = request_scope(request)
    if not scope.roles & CONSOLE_ROLES:
        raise PermissionDenied
    report = budget_report(_user(request), scope=scope)
    run = report.forecast_run
    return {
        "forecast_run_id": run.pk if run else None,
        "forecast_on": run.on if run else None,
        "by_item_year": [_budget_row(x) for x in report.by_item_year],
        "by_town": [_budget_row(x) for x in report.by_town],
        "by_kind": [_budget_row(x) for x in report.by_kind],
        "total": _budget_row(BudgetLine("", "合计", None, report.total)),
    }
