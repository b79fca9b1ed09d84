"""免申即享 runs at /api/v1/claims/runs: start a run over a region on a date (the bureau's own
regions), read it with its towns' progress and the claims it made, restart a failed one. The same
services as the runs page (`claim_run_start`, `claim_run_restart`); reads through
`claims.access.claim_runs_visible_to` (a run out of reach is 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jineng.api.pagination import MappedQuerySet, PageNumberPagination
from jineng.api.schemas import ErrorOut
from jineng.claims import payout_selectors, services
from jineng.claims.access import claim_runs_visible_to, claims_visible_to
from jineng.claims.models import ClaimRun
from jineng.identity.access import request_scope
from jineng.identity.models import User

router = Router(tags=["claims"])
WRITE = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class RunIn(Schema):
    region: str = Field(max_length=12, title="区域代码", description="本局管辖范围内的区域")
    on: dt.date = Field(title="测算日期")


class RunOut(Schema):
    id: int = Field(title="批次编号")
    region: str = Field(title="区域代码")
    region_name: str = Field(title="区域")
    on: dt.date = Field(title="测算日期")
    status: str = Field(title="状态")
    status_label: str = Field(title="状态（中文）")
    progress: int = Field(title="进度（%）")
    subjects_done: int = Field(title="已测算对象")
    subject_total: int = Field(title="对象总数")
    claims_created: int = Field(title="新建申领")
    error: str = Field("", title="失败原因")
    created_at: dt.datetime = Field(title="发起时间")
    finished_at: dt.datetime | None = Field(None, title="结束时间")


class RunDetailOut(RunOut):
    towns: list[RunOut] = Field(title="各镇街进度", description="按镇街分片执行时每片的进度")
    claim_ids: list[int] = Field(title="本次生成的申领（前 200 件）")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def run_out(run: ClaimRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "region": run.region,
        "region_name": payout_selectors.region_name(run.region),
        "on": run.on,
        "status": run.status,
        "status_label": run.get_status_display(),
        "progress": run.progress,
        "subjects_done": run.subjects_done,
        "subject_total": run.subject_total,
        "claims_created": run.claims_created,
        "error": run.error,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def _run(request: HttpRequest, run_id: int) -> ClaimRun:
    run = claim_runs_visible_to(_user(request), scope=request_scope(request)).filter(pk=run_id)
    found = run.first()
    if found is None:
        raise Http404
    return found


@router.get("", response={200: list[RunOut], 401: ErrorOut}, summary="免申即享批次列表")
@paginate(PageNumberPagination, page_size=20)
def runs_list(request: HttpRequest) -> Any:
    runs = claim_runs_visible_to(_user(request), scope=request_scope(request)).filter(parent=None)
    return MappedQuerySet(runs.order_by("-pk"), run_out)


@router.post("", response={201: RunOut, **WRITE}, summary="发起免申即享（后台测算并生成申领）")
def run_start(request: HttpRequest, payload: RunIn) -> Any:
    if request_scope(request).read_only:
        raise PermissionDenied("只读账号不能发起")
    run = services.claim_run_start(actor=_user(request), region=payload.region, on=payload.on)
    return 201, run_out(run)


@router.get(
    "/{run_id}", response={200: RunDetailOut, 401: ErrorOut, 404: ErrorOut}, summary="免申即享批次"
)
def run_detail(request: HttpRequest, run_id: int) -> Any:
    run = _run(request, run_id)
    user = _user(request)
    claims = claims_visible_to(user, scope=request_scope(request)).filter(
        run__in=[run.pk, *run.children.values_list("pk", flat=True)]
    )
    return {
        **run_out(run),
        "towns": [run_out(c) for c in run.children.order_by("region")],
        "claim_ids": list(claims.order_by("pk").values_list("pk", flat=True)[:200]),
    }


@router.post(
    "/{run_id}/restart",
    response={200: RunOut, **WRITE},
    summary="重新启动失败的批次（从中断处继续）",
)
def run_restart(request: HttpRequest, run_id: int) -> Any:
    run = _run(request, run_id)
    if request_scope(request).read_only:
        raise PermissionDenied("只读账号不能重新启动")
    return run_out(services.claim_run_restart(actor=_user(request), run=run))
