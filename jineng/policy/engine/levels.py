"""Order of fact levels, for "no lower level after a higher one" and "level desc" tie-breaks.

Certificate levels follow the 新八级工 ladder (5 初级 < 4 中级 < 3 高级 < 2 技师 < 1 高级技师 <
S 特级技师 < C 首席技师); medals, honours and designations have their own ladders. Levels of
different ladders are never compared with each other in practice (rules compare facts of the same
kind and code). Unknown levels rank 0 and never count as higher.
"""

from __future__ import annotations

from collections.abc import Mapping

LEVEL_RANK: Mapping[str, int] = {
    # certificates (职业技能等级)
    "5": 1,
    "4": 2,
    "3": 3,
    "2": 4,
    "1": 5,
    "S": 6,
    "C": 7,
    # competition results
    "participant": 1,
    "national_team": 2,
    "excellence": 3,
    "bronze": 4,
    "silver": 5,
    "gold": 6,
    # designations (studios, training bases, filings)
    "district": 1,
    "city": 2,
    "provincial": 3,
    "national": 4,
    # classes
    "class2": 1,
    "class1": 2,
}

LEVEL_NAMES: Mapping[str, str] = {
    "5": "初级工(五级)",
    "4": "中级工(四级)",
    "3": "高级工(三级)",
    "2": "技师(二级)",
    "1": "高级技师(一级)",
    "S": "特级技师",
    "C": "首席技师",
    "gold": "金牌",
    "silver": "银牌",
    "bronze": "铜牌",
    "excellence": "优胜奖",
    "participant": "参赛",
    "national_team": "入选国家集训队",
    "city": "市级",
    "provincial": "省级",
    "national": "国家级",
    "district": "区县级",
}


def level_rank(level: str | None) -> int:
    return LEVEL_RANK.get(level, 0) if level is not None else 0
