"""The loaded policy files, their what-if overrides, and the Chinese names the pages use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Literal

from jineng.identity.errors import ValidationFailed
from jineng.policy import whatif
from jineng.policy.engine.errors import PolicyError
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.model import Document, Policies
from jineng.policy.engine.overrides import apply_overrides

SubjectType = Literal["person", "organisation"]


ITEM_KIND_ZH: Mapping[str, str] = {
    "money": "资金",
    "title": "称号",
    "quota": "名额",
    "recognition": "认定",
    "condition": "共用条件",
}
BENEFICIARY_ZH: Mapping[str, str] = {
    "person": "个人",
    "coach_team": "教练团队",
    "expert_team": "专家团队",
    "enterprise": "企业",
    "institution": "培训机构",
    "college": "职业（技工）院校",
    "master_studio": "技能大师工作室",
    "training_base": "培训基地",
    "host_unit": "承办单位",
    "organisation": "单位",
}
DOCUMENT_STATUS_ZH: Mapping[str, str] = {
    "in_force": "现行有效",
    "draft": "征求意见稿",
    "expired": "已失效",
    "not_yet": "尚未施行",
}
SUBJECT_KIND_ZH: Mapping[str, str] = {"person": "个人", "organisation": "单位", **BENEFICIARY_ZH}


@cache
def policies() -> Policies:
    """Every policy file, loaded and validated once per process (loading takes seconds)."""
    return load_policies()


def policy_document(policy: str | None) -> Document | None:
    """The document named by id or prefix; ValidationFailed for an unknown one."""
    if not policy:
        return None
    try:
        return policies().document(policy)
    except KeyError:
        raise ValidationFailed("policy", f"未知的政策文件：{policy}") from None


def check_overrides(overrides: Sequence[str]) -> tuple[str, ...]:
    """Check the what-if overrides against each item's listed parameters (an unknown item or
    parameter is refused in Chinese, naming them: OverrideRefused, the API's 422) and apply them
    once, so a bad one is reported to the caller instead of failing later."""
    loaded = policies()
    cleaned = whatif.check_override_texts([o for o in overrides if o.strip()], loaded)
    try:
        apply_overrides(loaded, cleaned)
    except PolicyError:
        raise whatif.OverrideRefused(
            "参数调整无法应用到所选条目，请检查生效日期是否在该条目的金额施行之后"
        ) from None
    return cleaned


def adjustable_items(on: dt.date) -> list[whatif.AdjustableItem]:
    """The items a what-if may adjust, with their parameters and current values on `on`."""
    loaded = policies()
    return whatif.adjustable_items(loaded.items, loaded.documents, on)


def describe_overrides(overrides: Iterable[str]) -> list[str]:
    return [whatif.describe_override(o, policies()) for o in overrides]
