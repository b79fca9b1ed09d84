"""Payment plans: when an entitlement's amount is paid (shown in explanations)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from jineng.policy.engine.dates import add_months
from jineng.policy.engine.facts import Fact
from jineng.policy.engine.model import After, Instalments, MonthlySchedule, OneOff, Schedule, Yearly
from jineng.policy.engine.outcome import Payment


def _months(schedule_months: int | str, fact: Fact) -> int | None:
    if isinstance(schedule_months, int):
        return schedule_months
    value = fact.field_value(schedule_months)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _split(fen: int, shares: list[Decimal]) -> list[int]:
    """Split exactly: each part rounded half-up, the last part takes the remainder."""
    parts = [
        int((Decimal(fen) * s / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for s in shares[:-1]
    ]
    return [*parts, fen - sum(parts)]


def plan(schedule: Schedule, fen: int, fact: Fact) -> tuple[Payment, ...]:
    start = fact.date
    if isinstance(schedule, OneOff):
        return (Payment(start, fen),)
    if isinstance(schedule, After):
        return (Payment(add_months(start, schedule.months), fen),)
    if isinstance(schedule, Instalments):
        amounts = _split(fen, [p.percent for p in schedule.parts])
        return tuple(
            Payment(add_months(start, p.after_months), a)
            for p, a in zip(schedule.parts, amounts, strict=True)
        )
    if isinstance(schedule, MonthlySchedule):
        months = _months(schedule.months, fact) or 1
        return _even(fen, months, start, 1)
    if isinstance(schedule, Yearly):
        return _even(fen, schedule.years, start, 12)
    raise TypeError(f"unknown schedule {schedule!r}")


def _even(fen: int, count: int, start: object, step_months: int) -> tuple[Payment, ...]:
    from datetime import date

    assert isinstance(start, date)
    each, remainder = divmod(fen, count)
    return tuple(
        Payment(add_months(start, i * step_months), each + (remainder if i == count - 1 else 0))
        for i in range(count)
    )


def describe(schedule: Schedule, fact: Fact) -> str:
    if isinstance(schedule, OneOff):
        return "一次性发放"
    if isinstance(schedule, After):
        return schedule.label or f"满{schedule.months}个月后一次性发放"
    if isinstance(schedule, Instalments):
        return "分期: " + ", ".join(
            f"{p.percent}% 于第{p.after_months}个月" for p in schedule.parts
        )
    if isinstance(schedule, MonthlySchedule):
        return f"按月发放 {_months(schedule.months, fact) or schedule.months} 个月"
    if isinstance(schedule, Yearly):
        return f"按年发放 {schedule.years} 年"
    return ""
