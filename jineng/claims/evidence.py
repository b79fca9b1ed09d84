"""A flag's evidence as a sentence a person reads (Chinese; no item ids, codes or row ids):
the pages and the API show this beside the flag's kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jineng.claims.evidence_ledger import DESCRIBE_LEDGER
from jineng.claims.models import Claim, ClaimFlag, FlagKind, RegisterKind
from jineng.organisations.models import Organisation
from jineng.policy.labels import code_label, item_title, level_label


def _level(level: object) -> str:
    return level_label("certificate", str(level)) if level else "未注明等级"


def _occupation(code: object) -> str:
    return code_label("certificate", str(code)) if code else "未注明职业"


def _duplicate(ev: Mapping[str, Any]) -> str:
    return (
        f"「{item_title(str(ev.get('item', '')))}」已有同一{_occupation(ev.get('code'))}"
        f"{_level(ev.get('level'))}、同一日期（{ev.get('date', '')}）的申领"
    )


def _exclusive(ev: Mapping[str, Any]) -> str:
    items = "、".join(f"「{item_title(str(i))}」" for i in ev.get("group", []))
    return (
        f"同一{_occupation(ev.get('code'))}{_level(ev.get('level'))}"
        f"已在互斥事项中享受或申领（{items}不得同时享受）"
    )


def _foreign(ev: Mapping[str, Any]) -> str:
    if ev.get("person_has_account"):
        return "收款账户与本人登记的银行账户不一致"
    return "本人未登记银行账户，收款账户无法核对"


def _repeat(ev: Mapping[str, Any]) -> str:
    first = (
        Claim.objects.filter(pk=int(ev.get("first_claim") or 0))
        .values("trigger_date", "region")
        .first()
    )
    when = f"，首次申领的触发日期为 {first['trigger_date']}" if first else ""
    return (
        f"「{item_title(str(ev.get('item', '')))}」同一{_occupation(ev.get('code'))}"
        f"{_level(ev.get('level'))}只能享受一次，本次（{ev.get('date', '')}）为再次申领{when}"
    )


def _per_year(ev: Mapping[str, Any]) -> str:
    return (
        f"「{item_title(str(ev.get('item', '')))}」每人每年最多 {ev.get('limit')} 次，"
        f"本次为 {ev.get('year')} 年的第 {ev.get('rank')} 次"
    )


def _lower(ev: Mapping[str, Any]) -> str:
    return (
        f"申领{_occupation(ev.get('code'))}{_level(ev.get('level'))}，"
        f"但 {ev.get('held_on')} 已取得同职业{_level(ev.get('held_level'))}证书"
    )


def _retired(ev: Mapping[str, Any]) -> str:
    listed = "，且在退休人员名单中" if ev.get("on_register") else ""
    return f"培训日期（{ev.get('date')}）时年满 {ev.get('age')} 周岁，已超过退休年龄{listed}"


def _register(ev: Mapping[str, Any]) -> str:
    kind = str(ev.get("register", ""))
    label = RegisterKind(kind).label if kind in RegisterKind.values else "比对名单"
    return f"培训日期（{ev.get('date')}）时在「{label}」中"


def _shared(what: str) -> Callable[[Mapping[str, Any]], str]:
    def describe(ev: Mapping[str, Any]) -> str:
        return (
            f"同一{what}被 {ev.get('beneficiaries')} 名受益人使用"
            f"（超过 {ev.get('limit')} 名即列为疑点）"
        )

    return describe


def _volume(ev: Mapping[str, Any]) -> str:
    name = (
        Organisation.objects.filter(pk=int(ev.get("institution") or 0))
        .values_list("name", flat=True)
        .first()
        or "该培训机构"
    )
    basis = "全区同类机构" if ev.get("basis") == "region" else "该机构往年"
    return (
        f"{name} {ev.get('year')} 年培训 {ev.get('count')} 人次，"
        f"{basis}中位数为 {ev.get('median')}，稳健标准分 {ev.get('z')}（超过 3.5 即列为疑点）"
    )


DESCRIBE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    FlagKind.DUPLICATE: _duplicate,
    FlagKind.EXCLUSIVE: _exclusive,
    FlagKind.FOREIGN_ACCOUNT: _foreign,
    FlagKind.REPEAT_LEVEL: _repeat,
    FlagKind.PER_YEAR: _per_year,
    FlagKind.LOWER_AFTER_HIGHER: _lower,
    FlagKind.GHOST_RETIRED: _retired,
    FlagKind.GHOST_DECEASED: _register,
    FlagKind.GHOST_STUDENT: _register,
    FlagKind.GHOST_PUBLIC_STAFF: _register,
    FlagKind.SHARED_ACCOUNT: _shared("收款账户"),
    FlagKind.SHARED_PHONE: _shared("手机号码"),
    FlagKind.VOLUME_OUTLIER: _volume,
    **DESCRIBE_LEDGER,  # the learning ledger's (evidence_ledger.py)
}


def describe_evidence(flag: ClaimFlag) -> str:
    describe = DESCRIBE.get(flag.kind)
    evidence = flag.evidence if isinstance(flag.evidence, dict) else {}
    return describe(evidence) if describe else "见核查记录"


__all__ = ["describe_evidence"]
