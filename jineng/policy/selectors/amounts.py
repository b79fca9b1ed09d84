"""Amounts, schedules and rules of a policy item in Chinese words (the catalogue and the
explanation both show them)."""

from __future__ import annotations

from jineng.policy import labels
from jineng.policy.engine import model as m
from jineng.policy.engine.money import format_yuan


def describe_schedule(schedule: m.Schedule) -> str:
    if isinstance(schedule, m.OneOff):
        return "一次性发放"
    if isinstance(schedule, m.After):
        return schedule.label or f"满{schedule.months}个月后一次性发放"
    if isinstance(schedule, m.Instalments):
        return "分期发放：" + "，".join(
            f"第{p.after_months}个月发 {p.percent}%" for p in schedule.parts
        )
    if isinstance(schedule, m.MonthlySchedule):
        months = schedule.months
        return (
            f"按月发放 {months} 个月"
            if isinstance(months, int)
            else f"按月发放（月数按记录中的{labels.field_label(months)}）"
        )
    if isinstance(schedule, m.Yearly):
        return f"按年发放 {schedule.years} 年"
    return ""


def _money(value: object) -> str:
    if isinstance(value, m.FenRange):
        return f"{format_yuan(value.min_fen)}–{format_yuan(value.max_fen)}（酌定）"
    if isinstance(value, int):
        return format_yuan(value)
    return "—"


def _key_label(key: str, code: str) -> str:
    if key == "level":
        return labels.level_label("", code)
    return labels.code_label("", code)


def describe_amount(amount: m.Amount | None) -> str:
    """An amount form in words, for the catalogue and the item page."""
    if isinstance(amount, m.Fixed):
        return f"固定金额 {_money(amount.value)}"
    if isinstance(amount, m.ByCategory):
        table = "；".join(
            f"{_key_label(amount.key, k)} {_money(v)}" for k, v in amount.table.items()
        )
        default = f"；其他 {_money(amount.default)}" if amount.default is not None else ""
        return f"按{labels.field_label(amount.key)}分档：{table}{default}"
    if isinstance(amount, m.RangeAmount):
        return f"酌定区间 {format_yuan(amount.min_fen)}–{format_yuan(amount.max_fen)}，由审核人决定"
    if isinstance(amount, m.Minimum):
        return f"不低于 {format_yuan(amount.value)}"
    if isinstance(amount, m.Maximum):
        return f"最高 {format_yuan(amount.value)}（预算按最高计）"
    if isinstance(amount, m.Monthly):
        months = (
            f"{amount.months} 个月"
            if isinstance(amount.months, int)
            else f"按记录中的{labels.field_label(amount.months)}"
        )
        limit = f"，不超过{labels.field_label(amount.at_most)}" if amount.at_most else ""
        return f"每月 {_money(amount.value)}，最多 {months}{limit}"
    if isinstance(amount, m.PercentOf):
        base = (
            "、".join(f"“{labels.item_title(i)}”" for i in amount.items)
            if amount.items
            else labels.field_label(amount.attr or "")
        )
        minus = (
            f"（不含{'、'.join(f'“{labels.item_title(i)}”' for i in amount.exclude)}）"
            if amount.exclude
            else ""
        )
        return f"{amount.percent}% × {base}{minus}"
    if isinstance(amount, m.Match):
        otherwise = f"；否则 {describe_amount(amount.otherwise)}" if amount.otherwise else ""
        return f"按{labels.field_label(amount.of)} 1:{amount.ratio} 配套{otherwise}"
    if isinstance(amount, m.PerThreshold):
        cap = f"，封顶 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        count = labels.field_label(amount.count)
        return f"{count}每满 {amount.per} 给予 {_money(amount.value)}{cap}"
    if isinstance(amount, m.Uplift):
        return f"在“{labels.item_title(amount.base_item)}”金额基础上上浮 {amount.percent}%"
    if isinstance(amount, m.PerUnit):
        cap = f"，封顶 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        limit = f"，不超过{labels.field_label(amount.at_most)}" if amount.at_most else ""
        return f"每{labels.field_label(amount.count)} {_money(amount.value)}{limit}{cap}"
    if isinstance(amount, m.Unstated):
        return "金额未在本文件中规定"
    return ""


def describe_rules(rules: m.Rules) -> list[str]:
    out = []
    if rules.group is not None:
        out.append("与同组条目就高不重复享受")
    if rules.once is not None:
        fields = "、".join(labels.field_label(f) for f in rules.once)
        out.append(f"同一{fields}只享受一次" if fields else "只享受一次")
    if rules.no_lower_after_higher:
        out.append("已取得较高等级后不再享受较低等级")
    if rules.per_year is not None:
        out.append(f"每人每年最多 {rules.per_year} 次")
    if rules.quota is not None:
        q = rules.quota
        size = f"每年 {q.per_year} 名" if q.per_year is not None else f"共 {q.total} 名"
        order = "，".join(
            f"{labels.field_label(t.field)}{'从高到低' if t.descending else '从早到晚' if t.field == 'date' else '从低到高'}"
            for t in q.tie_break
        )
        out.append(
            f"名额 {size}（“{labels.item_title(q.pool)}”）" + (f"，排序：{order}" if order else "")
        )
    return out
