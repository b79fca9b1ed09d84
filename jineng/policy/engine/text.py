"""Chinese text renderings of explanations, budgets and items (CLI, logs)."""

from __future__ import annotations

from collections.abc import Mapping

from jineng.policy.engine.budget import Budget, WhatIf
from jineng.policy.engine.levels import LEVEL_NAMES
from jineng.policy.engine.model import (
    After,
    Amount,
    ByCategory,
    FenRange,
    Fixed,
    Instalments,
    Item,
    Match,
    Maximum,
    Minimum,
    MoneyValue,
    Monthly,
    MonthlySchedule,
    OneOff,
    PercentOf,
    PerThreshold,
    PerUnit,
    Policies,
    RangeAmount,
    Schedule,
    Unstated,
    Uplift,
    Yearly,
)
from jineng.policy.engine.money import format_yuan
from jineng.policy.engine.outcome import COUNTED, STATUS_ZH, Explanation, Status

DOC_STATUS_ZH = {"in_force": "现行有效", "draft": "征求意见稿", "expired": "已失效"}
KIND_ZH = {
    "money": "资金",
    "title": "称号",
    "quota": "名额",
    "recognition": "认定",
    "condition": "条件",
}


def explanation_text(x: Explanation, *, all_items: bool = False) -> str:
    lines = [f"主体 {x.subject_id}({x.subject_kind},地区 {x.region})  评估日期 {x.on.isoformat()}"]
    for d in x.documents:
        mark = "适用" if d.applicable else "不适用"
        lines.append(
            f"  《{d.document.title}》[{DOC_STATUS_ZH.get(d.document.status, d.document.status)}] {mark}:{d.reason}"
        )
    for note in x.notes:
        lines.append(f"  注:{note}")
    if x.derived_facts:
        lines.append(
            "  认定所得:" + "、".join(f"{f.kind}:{f.code}({f.date})" for f in x.derived_facts)
        )
    lines.append("")
    for o in x.items:
        if not o.entitlements and not all_items:
            continue
        item = o.item
        lines.append(
            f"■ {item.id} {item.title} —— {STATUS_ZH[o.status]} {format_yuan(o.fen) if o.fen else ''}".rstrip()
        )
        c = item.citation
        lines.append(f"  依据:{c.file} {c.section} {article(c.article)}".rstrip())
        lines.append(f"  原文:“{c.quote}”")
        if item.reading:
            lines.append(f"  解读:{' '.join(item.reading.split())}")
        if o.reason:
            lines.append(f"  说明:{o.reason}")
        for e in o.entitlements:
            amount = ""
            if e.status in COUNTED:
                if e.discretionary and e.min_fen != e.max_fen:
                    amount = f"酌定 {format_yuan(e.min_fen)}–{format_yuan(e.max_fen)}(计入 {format_yuan(e.fen)})"
                else:
                    amount = format_yuan(e.fen) + (" 起(可能更多)" if e.may_be_more else "")
            head = f"  · 事实 {e.fact_id}({e.trigger_date}):{STATUS_ZH[e.status]} {amount}".rstrip()
            lines.append(head)
            if e.branch:
                lines.append(f"      计算:{e.branch}")
            if e.reason:
                lines.append(f"      原因:{e.reason}")
            if e.schedule and len(e.schedule) > 1:
                lines.append(
                    f"      发放:{len(e.schedule)} 次,首次 {e.schedule[0].date} {format_yuan(e.schedule[0].fen)},末次 {e.schedule[-1].date} {format_yuan(e.schedule[-1].fen)}"
                )
            elif e.schedule:
                lines.append(f"      发放:{e.schedule[0].date} {format_yuan(e.schedule[0].fen)}")
    lines.append("")
    lines.append(f"合计(应发、待酌定按计入数、待满足期限):{format_yuan(x.total_fen)}")
    return "\n".join(lines)


def _money(value: MoneyValue) -> str:
    if isinstance(value, FenRange):
        return f"{format_yuan(value.min_fen)}–{format_yuan(value.max_fen)}(酌定)"
    return format_yuan(value)


def describe_amount(amount: Amount) -> str:
    """An amount form in Chinese, e.g. '按 level:金牌 ¥500,000.00、银牌 …'."""
    if isinstance(amount, Fixed):
        return _money(amount.value)
    if isinstance(amount, ByCategory):
        table = "、".join(
            f"{LEVEL_NAMES.get(k, k) if amount.key == 'level' else k} {_money(v)}"
            for k, v in amount.table.items()
        )
        other = f";其他 {_money(amount.default)}" if amount.default is not None else ""
        return f"按 {amount.key}:{table}{other}"
    if isinstance(amount, RangeAmount):
        return f"酌定 {format_yuan(amount.min_fen)}–{format_yuan(amount.max_fen)}"
    if isinstance(amount, Minimum):
        return f"不低于 {format_yuan(amount.value)}"
    if isinstance(amount, Maximum):
        return f"最高 {format_yuan(amount.value)}"
    if isinstance(amount, Monthly):
        limit = f"(不超过 {amount.at_most})" if amount.at_most else ""
        return f"每月 {_money(amount.value)},{amount.months} 个月{limit}"
    if isinstance(amount, PercentOf):
        base = amount.attr or "+".join(amount.items) + (
            f"(不含 {'、'.join(amount.exclude)})" if amount.exclude else ""
        )
        return f"{amount.percent}% × {base}"
    if isinstance(amount, Match):
        other = describe_amount(amount.otherwise) if amount.otherwise else "无"
        return f"有外部奖金按 {amount.ratio}:1 配套({amount.of});否则 {other}"
    if isinstance(amount, PerThreshold):
        cap = f",最高 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        return f"{amount.count} 每满 {amount.per} 给予 {_money(amount.value)}{cap}"
    if isinstance(amount, PerUnit):
        cap = f",最高 {format_yuan(amount.cap)}" if amount.cap is not None else ""
        limit = f"(不超过 {amount.at_most})" if amount.at_most else ""
        return f"{_money(amount.value)} × {amount.count}{limit}{cap}"
    if isinstance(amount, Uplift):
        return f"在 {amount.base_item} 基础上上浮 {amount.percent}%"
    if isinstance(amount, Unstated):
        return f"金额未在本文件中规定：{amount.basis}"
    return str(amount)


def describe_schedule(schedule: Schedule) -> str:
    if isinstance(schedule, OneOff):
        return "一次性"
    if isinstance(schedule, Instalments):
        return "分期:" + "、".join(f"第{p.after_months}个月 {p.percent}%" for p in schedule.parts)
    if isinstance(schedule, MonthlySchedule):
        return f"按月,{schedule.months} 个月"
    if isinstance(schedule, After):
        return schedule.label or f"满 {schedule.months} 个月后一次性"
    if isinstance(schedule, Yearly):
        return f"按年,{schedule.years} 年"
    return str(schedule)


def describe_rules(item: Item) -> str:
    r = item.rules
    parts = []
    if r.group:
        parts.append(f"就高不重复(组 {r.group.id})")
    if r.once is not None:
        parts.append("每人限一次" + (f"(按 {'、'.join(r.once)})" if r.once else ""))
    if r.no_lower_after_higher:
        parts.append("取得高等级后不再享受低等级")
    if r.per_year:
        parts.append(f"每年最多 {r.per_year} 次")
    if r.quota:
        q = r.quota
        number = f"每年 {q.per_year} 名" if q.per_year else f"期内共 {q.total} 名"
        ties = "、".join(f"{t.field} {'降序' if t.descending else '升序'}" for t in q.tie_break)
        unit = ";按人计,一人占一个名额" if q.unit == "subject" else ""
        parts.append(
            f"名额 {number}(名额池 {q.pool}{unit};排序 {ties or '—'},再按主体、项目、事实编号)"
        )
    return ";".join(parts)


def article(text: str) -> str:
    """'12' → 第12条; anything else as printed ('(三)3', '第七条')."""
    return f"第{text}条" if text.isdigit() else text


def _titles(policies: Policies) -> Mapping[str, str]:
    return {i.id: i.title for i in policies.items}


def budget_text(budget: Budget, policies: Policies) -> str:
    titles = _titles(policies)
    lines = [f"预算(评估日期 {budget.on.isoformat()},按触发事实所在年度)", ""]
    lines.append(
        f"{'项目':<44}{'年度':>6}{'应发人次':>10}{'应发金额':>20}{'待酌定人次':>10}{'酌定上限':>20}{'待满足期限':>18}{'合计':>20}"
    )
    for row in budget.by_item_year().iter_rows(named=True):
        name = f"{row['item_id']} {titles.get(row['item_id'], '')}"
        lines.append(
            f"{name:<44}{row['year']:>6}{row['paid_count']:>10,}{format_yuan(row['paid_fen']):>20}"
            f"{row['discretionary_count']:>10,}{format_yuan(row['discretionary_max_fen']):>20}"
            f"{format_yuan(row['waiting_fen']):>18}{format_yuan(row['total_fen']):>20}"
        )
    lines.append("")
    lines.append(f"总计:{format_yuan(budget.total_fen)}")
    return "\n".join(lines)


def what_if_text(w: WhatIf, policies: Policies) -> str:
    out = [budget_text(w.baseline, policies)]
    if not w.overrides:
        return out[0]
    titles = _titles(policies)
    out += ["", "模拟调整:" + ";".join(w.overrides), ""]
    out.append(f"{'项目':<44}{'年度':>6}{'原预算':>20}{'调整后':>20}{'变化':>20}")
    for row in w.delta_by_item_year().iter_rows(named=True):
        if row["delta_fen"] == 0:
            continue
        name = f"{row['item_id']} {titles.get(row['item_id'], '')}"
        out.append(
            f"{name:<44}{row['year']:>6}{format_yuan(row['baseline_fen']):>20}"
            f"{format_yuan(row['scenario_fen']):>20}{format_yuan(row['delta_fen']):>20}"
        )
    out.append("")
    out.append(f"调整后总计:{format_yuan(w.scenario.total_fen)}  变化:{format_yuan(w.delta_fen)}")
    return "\n".join(out)


def policies_text(policies: Policies) -> str:
    lines = []
    for d in policies.documents:
        period = f"{d.effective_from or '…'} 至 {d.effective_to or '…'}"
        lines.append(
            f"《{d.title}》 {d.id} [{DOC_STATUS_ZH.get(d.status, d.status)}] 发文:{d.issuer} {d.number or ''} 有效期 {period} 管辖 {d.jurisdiction or '全国'}"
        )
        for i in policies.items_of(d.id):
            lines.append(f"  {i.id:<48} {KIND_ZH.get(str(i.kind), str(i.kind))}  {i.title}")
    return "\n".join(lines)


def item_text(item: Item, policies: Policies) -> str:
    doc = policies.document(item.document_id)
    c = item.citation
    lines = [
        f"{item.id} {item.title}",
        f"  类别:{KIND_ZH.get(str(item.kind), str(item.kind))}  受益对象:{item.beneficiary}",
        f"  文件:《{doc.title}》[{DOC_STATUS_ZH.get(doc.status, doc.status)}]",
        f"  依据:{c.file} {c.section} {article(c.article)}",
        f"  原文:“{c.quote}”",
        f"  有效期(按触发事实日期):{item.valid_from or '…'} 至 {item.valid_to or '…'}",
    ]
    if item.trigger:
        t = item.trigger
        lines.append(
            f"  触发:{t.kind} {'/'.join(t.codes or ())} {'等级 ' + '/'.join(t.levels) if t.levels else ''} {'角色 ' + '/'.join(t.roles) if t.roles else ''}".rstrip()
        )
    for v in item.versions:
        lines.append(f"  金额(自 {v.valid_from or '始'}):{describe_amount(v.amount)}")
    lines.append(f"  发放:{describe_schedule(item.schedule)}")
    rules = describe_rules(item)
    if rules:
        lines.append(f"  规则:{rules}")
    if item.conditions:
        lines.append(f"  条件:{len(item.conditions)} 项")
    if item.exclusions:
        lines.append(f"  排除:{len(item.exclusions)} 项")
    if item.grants:
        lines.append(f"  认定:{item.grants.kind}:{item.grants.code}")
    if item.reading:
        lines.append(f"  解读:{' '.join(item.reading.split())}")
    return "\n".join(lines)


__all__ = [
    "Status",
    "budget_text",
    "explanation_text",
    "item_text",
    "policies_text",
    "what_if_text",
]
