"""The budget page's presentation: rows in yuan, the chart (server-rendered SVG geometry, drawn by
the template: no script, no CDN) and the .xlsx export."""

from __future__ import annotations

from dataclasses import dataclass

from jineng.claims.budget import BudgetLine, BudgetReport, Figures
from jineng.claims.services.bank import yuan_text
from jineng.core.xlsx import CellValue, Sheet, workbook_bytes
from jineng.policy.engine.money import format_yuan

CHART_ITEMS = 8
BAR_HEIGHT = 10
LABEL_HEIGHT = 16
GROUP_GAP = 10
CHART_WIDTH = 360
SERIES = (
    ("forecast_fen", "测算预计", "#9aa5b1"),
    ("committed_fen", "已核定", "#2f6fb5"),
    ("paid_fen", "已拨付", "#2e8b57"),
)


@dataclass(frozen=True)
class Row:
    label: str
    year: int | None
    committed: str
    paid: str
    recovered: str
    forecast: str


def _forecast(figures: Figures) -> str:
    return "—" if figures.forecast_fen is None else format_yuan(figures.forecast_fen)


def rows_of(lines: list[BudgetLine]) -> list[Row]:
    return [
        Row(
            line.label,
            line.year,
            format_yuan(line.figures.committed_fen),
            format_yuan(line.figures.paid_fen),
            format_yuan(line.figures.recovered_fen),
            _forecast(line.figures),
        )
        for line in lines
    ]


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    legend: list[tuple[str, str]]
    description: str


def chart_of(report: BudgetReport) -> Chart | None:
    """Horizontal bars per item (summed over years, the largest first): the forecast, what is
    committed and what is paid, on one scale. None when there is nothing to draw."""
    by_item: dict[str, Figures] = {}
    for line in report.by_item_year:
        f = by_item.setdefault(line.label, Figures(forecast_fen=0))
        f.committed_fen += line.figures.committed_fen
        f.paid_fen += line.figures.paid_fen
        f.forecast_fen = (f.forecast_fen or 0) + (line.figures.forecast_fen or 0)
    ranked = sorted(
        by_item.items(),
        key=lambda kv: -max(kv[1].committed_fen, kv[1].forecast_fen or 0, kv[1].paid_fen),
    )[:CHART_ITEMS]
    top = max((max(f.committed_fen, f.paid_fen, f.forecast_fen or 0) for _, f in ranked), default=0)
    if top <= 0:
        return None
    bars: list[Bar] = []
    labels: list[Label] = []
    y = 0
    for label, figures in ranked:
        labels.append(Label(0, y + 12, label[:24]))
        y += LABEL_HEIGHT
        for key, name, fill in SERIES:
            fen = int(getattr(figures, key) or 0)
            width = max(1, fen * CHART_WIDTH // top) if fen > 0 else 0
            bars.append(Bar(0, y, width, BAR_HEIGHT, fill, f"{label} {name} {format_yuan(fen)}"))
            y += BAR_HEIGHT + 2
        y += GROUP_GAP
    return Chart(
        CHART_WIDTH,
        y,
        bars,
        labels,
        [(name, fill) for _, name, fill in SERIES],
        "各政策事项测算预计、已核定、已拨付金额对比（单位：元）",
    )


def _sheet_rows(lines: list[BudgetLine], *, with_year: bool) -> list[list[CellValue]]:
    out: list[list[CellValue]] = []
    for line in lines:
        f = line.figures
        row: list[CellValue] = [line.label]
        if with_year:
            row.append(line.year)
        row += [
            yuan_text(f.committed_fen),
            yuan_text(f.paid_fen),
            yuan_text(f.recovered_fen),
        ]
        if with_year:
            row.append(None if f.forecast_fen is None else yuan_text(f.forecast_fen))
        out.append(row)
    return out


def budget_xlsx(report: BudgetReport) -> bytes:
    money = ["已核定（元）", "已拨付（元）", "已追回（元）"]
    return workbook_bytes(
        [
            Sheet(
                "按事项和年度",
                ["政策事项", "年度", *money, "测算预计（元）"],
                _sheet_rows(report.by_item_year, with_year=True),
            ),
            Sheet("按镇街", ["镇街", *money], _sheet_rows(report.by_town, with_year=False)),
            Sheet("按受益类别", ["受益类别", *money], _sheet_rows(report.by_kind, with_year=False)),
        ]
    )
