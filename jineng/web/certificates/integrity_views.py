"""The bureau's agency integrity page (评价机构诚信指标): the four figures of
`jineng.certificates.integrity`, each agency's months as a small server-drawn SVG bar chart (no
script, no CDN)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jineng.certificates.integrity import MonthlyVolume, integrity_figures
from jineng.certificates.pass_rates import PassRate
from jineng.identity.access import request_scope
from jineng.identity.roles import CONSOLE_ROLES
from jineng.web.guards import page

CHART_MONTHS = 12
CHART_W, CHART_H = 240, 48


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    latest: bool


@dataclass(frozen=True)
class PassRateRow:
    rate: PassRate
    rate_label: str  # "96.0%"
    region_label: str
    z_label: str


@dataclass(frozen=True)
class VolumeRow:
    volume: MonthlyVolume
    bars: list[Bar]
    z_label: str


def _bars(volume: MonthlyVolume) -> list[Bar]:
    months = volume.months[-CHART_MONTHS:]
    top = max((n for _, n in months), default=0) or 1
    width = CHART_W / CHART_MONTHS
    bars = []
    for i, (month, n) in enumerate(months):
        h = (CHART_H - 10) * n / top
        bars.append(
            Bar(
                x=round(i * width + 1, 1),
                y=round(CHART_H - h, 1),
                w=round(width - 2, 1),
                h=round(h, 1),
                label=f"{month:%Y年%m月}：{n}张",
                latest=i == len(months) - 1,
            )
        )
    return bars


def _z_label(z: float | None) -> str:
    if z is None:
        return "历史不足"
    if math.isinf(z):
        return "远高于历史（历史各月相同）" if z > 0 else "低于历史"
    return f"{z:.1f}"


def _rate_z_label(z: float | None) -> str:
    if z is None:
        return _("机构不足3家")
    if math.isinf(z):
        return _("远高于其他机构（其他机构通过率相同）") if z > 0 else _("低于其他机构")
    return f"{z:.1f}"


@page(roles=CONSOLE_ROLES)
@require_GET
def integrity(request: HttpRequest) -> HttpResponse:
    figures = integrity_figures(scope=request_scope(request))
    rows = [VolumeRow(v, _bars(v), _z_label(v.z)) for v in figures.volumes]
    rates = [
        PassRateRow(r, f"{r.rate * 100:.1f}%", f"{r.region_rate * 100:.1f}%", _rate_z_label(r.z))
        for r in figures.pass_rates
    ]
    return render(
        request,
        "certificates/integrity.html",
        {
            "figures": figures,
            "rows": rows,
            "chart_w": CHART_W,
            "chart_h": CHART_H,
            "today": dt.date.today(),
            "rates": rates,
        },
    )
