"""What-if adjustments offered as lists: the items with an amount, each with its parameters in
words and their current values, and the check of an adjustment before the engine sees it.

The engine's override text (`ITEM.PARAM=VALUE@DATE`, jineng/policy/engine/overrides.py) stays the
stored form of a run; people pick an item by its title and a parameter by its name, and anything
that is not one of the listed item's parameters is refused in Chinese, naming the item and the
parameter (the engine alone would add a missing table key and run with a delta of 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from jineng.identity.errors import ValidationFailed
from jineng.policy import labels
from jineng.policy.engine import model as m
from jineng.policy.engine.money import format_yuan

Unit = Literal["yuan", "percent", "ratio", "months", "count"]
UNIT_ZH = {"yuan": "元", "percent": "%", "ratio": "倍", "months": "个月", "count": ""}


class OverrideRefused(ValidationFailed):
    """An adjustment naming an unknown item or parameter, or a value that is not a number (the
    API answers 422)."""

    def __init__(self, message: str) -> None:
        super().__init__("overrides", message)


@dataclass(frozen=True)
class ParameterChoice:
    path: str  # the engine's parameter path: value, table.gold, min, percent …
    label: str  # 金牌 奖励金额
    current: str  # ¥1,000,000.00 · 30% · 36 个月
    unit: Unit
    money_range: bool = False  # a money value that may be given as a range 150000-300000


@dataclass(frozen=True)
class AdjustableItem:
    id: str
    title: str
    document_title: str
    parameters: tuple[ParameterChoice, ...]


def _money_text(value: m.MoneyValue | None) -> str:
    if isinstance(value, m.FenRange):
        return f"{format_yuan(value.min_fen)}–{format_yuan(value.max_fen)}"
    if isinstance(value, int):
        return format_yuan(value)
    return "未规定"


def _key_label(key: str, code: str) -> str:
    return labels.level_label("", code) if key == "level" else labels.code_label("", code)


def _money(path: str, label: str, value: m.MoneyValue | None) -> ParameterChoice:
    return ParameterChoice(path, label, _money_text(value), "yuan", money_range=True)


def amount_parameters(amount: m.Amount, prefix: str = "", lead: str = "") -> list[ParameterChoice]:
    """The parameters the engine can set on this amount form, named in words."""
    p, out = prefix, []
    if isinstance(amount, m.Fixed):
        out.append(_money(f"{p}value", f"{lead}金额", amount.value))
    elif isinstance(amount, m.ByCategory):
        for key, value in amount.table.items():
            out.append(
                _money(f"{p}table.{key}", f"{lead}{_key_label(amount.key, key)} 金额", value)
            )
        if amount.default is not None:
            out.append(_money(f"{p}default", f"{lead}其他情形 金额", amount.default))
    elif isinstance(amount, m.RangeAmount):
        out.append(ParameterChoice(f"{p}min", f"{lead}下限", format_yuan(amount.min_fen), "yuan"))
        out.append(ParameterChoice(f"{p}max", f"{lead}上限", format_yuan(amount.max_fen), "yuan"))
    elif isinstance(amount, m.Minimum):
        out.append(_money(f"{p}value", f"{lead}最低金额", amount.value))
    elif isinstance(amount, m.Maximum):
        out.append(_money(f"{p}value", f"{lead}最高金额", amount.value))
    elif isinstance(amount, m.Monthly):
        out.append(_money(f"{p}value", f"{lead}每月金额", amount.value))
        if isinstance(amount.months, int):
            out.append(
                ParameterChoice(f"{p}months", f"{lead}月数", f"{amount.months} 个月", "months")
            )
    elif isinstance(amount, m.PercentOf | m.Uplift):
        out.append(ParameterChoice(f"{p}percent", f"{lead}比例", f"{amount.percent}%", "percent"))
    elif isinstance(amount, m.Match):
        out.append(ParameterChoice(f"{p}ratio", f"{lead}配套比例", f"{amount.ratio} 倍", "ratio"))
        if amount.otherwise is not None:
            out += amount_parameters(amount.otherwise, f"{p}otherwise.", f"{lead}无竞赛奖金时 ")
    elif isinstance(amount, m.PerThreshold):
        out.append(_money(f"{p}value", f"{lead}每档金额", amount.value))
        out.append(ParameterChoice(f"{p}per", f"{lead}每档人数", str(amount.per), "count"))
        if amount.cap is not None:
            out.append(
                ParameterChoice(f"{p}cap", f"{lead}封顶金额", format_yuan(amount.cap), "yuan")
            )
    elif isinstance(amount, m.PerUnit):
        out.append(_money(f"{p}value", f"{lead}单价", amount.value))
        if amount.cap is not None:
            out.append(
                ParameterChoice(f"{p}cap", f"{lead}封顶金额", format_yuan(amount.cap), "yuan")
            )
    elif isinstance(amount, m.Unstated):
        out.append(_money(f"{p}value", f"{lead}假设金额（文件未规定）", None))
    return out


def item_parameters(item: m.Item, on: dt.date | None = None) -> tuple[ParameterChoice, ...]:
    """Every parameter of every version (a later version may add a table key), the current value
    read from the version in force on `on` (else the latest)."""
    if not item.versions:
        return ()
    current = (item.version_on(on) if on else None) or item.versions[-1]
    out = {p.path: p for p in amount_parameters(current.amount)}
    for version in item.versions:
        for p in amount_parameters(version.amount):
            out.setdefault(p.path, p)
    return tuple(out.values())


def adjustable_items(
    items: Iterable[m.Item], documents: Sequence[m.Document], on: dt.date
) -> list[AdjustableItem]:
    titles = {d.id: d.title for d in documents}
    return [
        AdjustableItem(i.id, i.title, titles.get(i.document_id, ""), item_parameters(i, on))
        for i in items
        if i.versions and item_parameters(i, on)
    ]


def _check_value(item: m.Item, choice: ParameterChoice, value: str) -> str:
    text = value.strip().replace(",", "").replace("，", "")
    parts = text.split("-", 1) if choice.money_range and "-" in text[1:] else [text]
    for part in parts:
        try:
            number = Decimal(part)
        except InvalidOperation:
            number = Decimal(-1)
        integral = choice.unit in ("months", "count")
        if not part or number < 0 or not number.is_finite() or (integral and number != int(number)):
            kind = "非负整数" if integral else "非负数字"
            raise OverrideRefused(
                f"“{item.title}”的“{choice.label}”应为{kind}"
                + ("（金额以元为单位，区间写作 150000-300000）" if choice.unit == "yuan" else "")
                + f"，收到“{value.strip()[:40]}”"
            )
    return "-".join(parts)


@dataclass(frozen=True)
class Adjustment:
    item: str
    parameter: str
    value: str
    valid_from: dt.date | None = None


def adjustment_text(adjustment: Adjustment, loaded: m.Policies) -> str:
    """The adjustment checked against the item's listed parameters, as the engine's override
    text. OverrideRefused (in Chinese, naming the item and the parameter) otherwise."""
    try:
        item = loaded.item(adjustment.item)
    except KeyError:
        raise OverrideRefused(
            f"没有名为“{adjustment.item[:60]}”的政策条目，请从列表中选择"
        ) from None
    choices = {p.path: p for p in item_parameters(item)}
    if not choices:
        raise OverrideRefused(f"“{item.title}”没有可调整的金额参数")
    choice = choices.get(adjustment.parameter)
    if choice is None:
        offered = "、".join(p.label for p in choices.values())
        raise OverrideRefused(
            f"“{item.title}”没有名为“{adjustment.parameter[:60]}”的参数；可调整的参数：{offered}"
        )
    value = _check_value(item, choice, adjustment.value)
    at = f"@{adjustment.valid_from.isoformat()}" if adjustment.valid_from else ""
    return f"{item.id}.{choice.path}={value}{at}"


def parse_override(text: str, loaded: m.Policies) -> Adjustment:
    """`ITEM.PARAM=VALUE[@YYYY-MM-DD]` read with Chinese errors (the API still accepts the text)."""
    left, sep, right = text.strip().partition("=")
    if not sep:
        raise OverrideRefused(
            f"参数调整“{text.strip()[:60]}”应写作“条目.参数=金额@生效日期”，或从列表中选择条目和参数"
        )
    value, _, when = right.partition("@")
    ids = sorted((i.id for i in loaded.items if left.startswith(i.id + ".")), key=len, reverse=True)
    if not ids:
        raise OverrideRefused(f"没有名为“{left[:60]}”的政策条目，请从列表中选择")
    try:
        valid_from = dt.date.fromisoformat(when.strip()) if when.strip() else None
    except ValueError:
        raise OverrideRefused(
            f"参数调整“{text.strip()[:60]}”的生效日期“{when.strip()[:20]}”不是有效日期（应为 YYYY-MM-DD）"
        ) from None
    return Adjustment(ids[0], left[len(ids[0]) + 1 :], value, valid_from)


def check_override_texts(texts: Sequence[str], loaded: m.Policies) -> tuple[str, ...]:
    return tuple(adjustment_text(parse_override(t, loaded), loaded) for t in texts)


def describe_override(text: str, loaded: m.Policies) -> str:
    """A stored override in words: “世界技能大赛获奖选手奖励” 金牌 金额 调整为 1500000 元（自 2024-01-01 起）."""
    try:
        adjustment = parse_override(text, loaded)
        item = loaded.item(adjustment.item)
    except (OverrideRefused, KeyError):
        return "（无法识别的参数调整）"
    choice = {p.path: p for p in item_parameters(item)}.get(adjustment.parameter)
    name = choice.label if choice else "参数"
    unit = UNIT_ZH[choice.unit] if choice else ""
    since = f"（自 {adjustment.valid_from.isoformat()} 起）" if adjustment.valid_from else ""
    return f"“{item.title}”{name} 调整为 {adjustment.value.strip()}{unit}{since}"
