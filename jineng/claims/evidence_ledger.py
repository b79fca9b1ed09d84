"""The learning ledger's flag evidence (services/checks_ledger.py) as sentences a person reads:
Chinese words, dates and counts, the institution by its name; never an id or a code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jineng.claims.models import FlagKind
from jineng.organisations.models import Organisation
from jineng.policy.labels import code_label, level_label


def _institution(ev: Mapping[str, Any], fallback: str) -> str:
    return (
        Organisation.objects.filter(pk=int(ev.get("institution") or 0))
        .values_list("name", flat=True)
        .first()
        or fallback
    )


def _overlapping(ev: Mapping[str, Any]) -> str:
    return (
        f"培训记录所属培训班的课次与本人参加的培训班“{ev.get('other_class')}”"
        f"（{ev.get('at')} 开始的课次）时间重叠，同一人不能同时参加两个培训班"
    )


def _faster(ev: Mapping[str, Any]) -> str:
    return (
        f"{ev.get('day')} 的在线学习中有 {ev.get('overlap_seconds')} 秒与同一时段已认定的学习重叠，"
        "认定时长超过实际经过的时间"
    )


def _part_time(ev: Mapping[str, Any]) -> str:
    return (
        f"该班兼职教师 {ev.get('year')} 年在 {ev.get('institutions')} 家培训机构任教，"
        f"本机构为第 {ev.get('rank')} 家（兼职教师每年最多在 {ev.get('limit')} 家机构任教）"
    )


def _ratio(ev: Mapping[str, Any]) -> str:
    return (
        f"培训机构 {ev.get('year')} 年有教师 {ev.get('teachers')} 名，其中专职教师 "
        f"{ev.get('full_time')} 名，不足教师总数的 {ev.get('ratio')}"
    )


def _device(ev: Mapping[str, Any]) -> str:
    return (
        f"{ev.get('at')} 开始的课次中，同一台设备为 {ev.get('trainees')} 名学员签到"
        f"（超过 {ev.get('limit')} 名即列为疑点）"
    )


def _network(ev: Mapping[str, Any]) -> str:
    return (
        f"{ev.get('day')} 同一网络地址为 {ev.get('trainees')} 名学员签到"
        f"（超过 {ev.get('limit')} 名即列为疑点）"
    )


def _licence(ev: Mapping[str, Any]) -> str:
    what = f"{code_label('certificate', str(ev.get('code', '')))}"
    level = level_label("certificate", str(ev.get("level", "")))
    return (
        f"{_institution(ev, '发证机构')} 于 {ev.get('date')} 颁发的{what}{level}证书"
        "不在该机构当日有效的评价范围内"
    )


DESCRIBE_LEDGER: dict[str, Callable[[Mapping[str, Any]], str]] = {
    FlagKind.OVERLAPPING_CLASSES: _overlapping,
    FlagKind.FASTER_THAN_REAL: _faster,
    FlagKind.PART_TIME_TEACHER: _part_time,
    FlagKind.FULL_TIME_RATIO: _ratio,
    FlagKind.SHARED_DEVICE: _device,
    FlagKind.SHARED_NETWORK: _network,
    FlagKind.OUTSIDE_LICENCE: _licence,
}

__all__ = ["DESCRIBE_LEDGER"]
