"""Codes and levels of the fact kinds (docs/policy-schema.md, "Fact kinds"), with Chinese labels.

Used to validate facts on the way in (imports, fact_append) and to label them on the way out (the
timeline). Policy files may add codes for `title`, `appointment`, `training_base` and `event`
(their `vocabulary:` section), so for those kinds an unknown code is accepted if it is well formed;
competition codes and the level ladders are closed lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

CERTIFICATE_LEVELS: Mapping[str, str] = {
    "5": "初级工（五级）",
    "4": "中级工（四级）",
    "3": "高级工（三级）",
    "2": "技师（二级）",
    "1": "高级技师（一级）",
    "S": "特级技师",
    "C": "首席技师",
}
# 高技能人才 = 高级工 and above (reference.models.HIGH_SKILL_LEVELS says the same for the ladder).
HIGH_SKILL_CERTIFICATE_LEVELS = frozenset({"3", "2", "1", "S", "C"})

COMPETITIONS: Mapping[str, str] = {
    "worldskills": "世界技能大赛",
    "chinaskills": "全国技能大赛",
    "national_class1": "国家级一类职业技能竞赛",
    "national_class2": "国家级二类职业技能竞赛",
    "provincial_class1": "省级一类职业技能竞赛",
    "provincial_class2": "省级二类职业技能竞赛",
    "city_class1": "市级一类职业技能竞赛",
    "city_class2": "市级二类职业技能竞赛",
    "worldskills_selection": "世界技能大赛选拔赛",
}
COMPETITION_RESULTS: Mapping[str, str] = {
    "gold": "金牌",
    "silver": "银牌",
    "bronze": "铜牌",
    "excellence": "优胜奖",
    "participant": "参赛",
    "national_team": "入选国家集训队",
}
COMPETITION_ROLES: Mapping[str, str] = {
    "player": "选手",
    "coach": "教练",
    "expert": "专家",
    "host": "承办单位",
    "team_unit": "选手所在单位",
    "trainer": "集训单位",
}

TITLES: Mapping[str, str] = {
    "zhonghua_skills_award": "中华技能大奖",
    "national_technical_expert": "全国技术能手",
    "provincial_technical_expert": "省技术能手",
    "city_technical_expert": "市技术能手",
}
APPOINTMENTS: Mapping[str, str] = {
    "chief_technician": "首席技师",
    "skill_leader_class1": "一类技能领军人才",
    "skill_leader_class2": "二类技能领军人才",
}
STUDIOS: Mapping[str, str] = {"master_studio": "技能大师工作室"}
TRAINING_BASES: Mapping[str, str] = {
    "high_skill_training_base": "高技能人才培训基地",
    "public_training_base": "公共实训基地",
    "worldskills_training_base": "世界技能大赛集训基地",
    "school_enterprise_base": "校企合作基地",
}
EVALUATION_FILINGS: Mapping[str, str] = {
    "enterprise_self_evaluation": "企业自主评价备案",
    "social_evaluation_org": "社会培训评价组织备案",
}
INSURANCE: Mapping[str, str] = {"pension": "养老保险", "unemployment": "失业保险"}
DESIGNATION_LEVELS: Mapping[str, str] = {
    "district": "区县级",
    "city": "市级",
    "provincial": "省级",
    "national": "国家级",
}

# Codes a policy file may extend: accept any well-formed code for these kinds.
OPEN_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")

CODE_LABELS: Mapping[str, Mapping[str, str]] = {
    "competition_result": COMPETITIONS,
    "title": TITLES,
    "appointment": APPOINTMENTS,
    "studio": STUDIOS,
    "training_base": TRAINING_BASES,
    "evaluation_filing": EVALUATION_FILINGS,
    "insurance": INSURANCE,
}
LEVEL_LABELS: Mapping[str, Mapping[str, str]] = {
    "certificate": CERTIFICATE_LEVELS,
    "training": CERTIFICATE_LEVELS,
    "competition_result": COMPETITION_RESULTS,
    "studio": DESIGNATION_LEVELS,
    "training_base": DESIGNATION_LEVELS,
    "evaluation_filing": DESIGNATION_LEVELS,
}


def code_label(kind: str, code: str) -> str:
    return CODE_LABELS.get(kind, {}).get(code, "")


def level_label(kind: str, level: str) -> str:
    return LEVEL_LABELS.get(kind, {}).get(level, "")


def check_code_and_level(kind: str, code: str, level: str) -> list[tuple[str, str]]:
    """Problems with a fact's code and level as (field, Chinese reason); empty when fine.

    Occupation codes are checked for form here; whether the occupation exists is the caller's
    business (it needs the reference table, which imports query once per file).
    """
    problems: list[tuple[str, str]] = []
    if kind in ("certificate", "training", "apprenticeship"):
        if code and not OCCUPATION_CODE.match(code):
            problems.append(("code", f"职业编码格式应为 6-18-01-01，实际为“{code}”"))
        if kind == "certificate" and not code:
            problems.append(("code", "证书须填写职业编码"))
    elif kind in ("competition_result", "studio", "evaluation_filing", "insurance"):
        allowed = CODE_LABELS[kind]
        if code not in allowed:
            problems.append(("code", f"未知代码“{code}”，可选：{'、'.join(allowed)}"))
    elif kind in ("title", "appointment", "training_base", "event") and not OPEN_CODE.match(code):
        problems.append(("code", f"代码“{code}”应为小写字母、数字和下划线"))
    if kind in LEVEL_LABELS and kind != "training":
        allowed_levels = LEVEL_LABELS[kind]
        # a competition fact for a host or a team unit has no medal, so only these require one
        required = kind in ("certificate", "studio")
        if (level or required) and level not in allowed_levels:
            problems.append(("level", f"未知等级“{level}”，可选：{'、'.join(allowed_levels)}"))
    return problems
