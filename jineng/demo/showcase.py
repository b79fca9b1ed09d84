"""The showcase: the first ten workers of chunk 0 carry the rare facts a demo city of a few
thousand would otherwise never draw (a WorldSkills gold and its coach, a ChinaSkills medal with
prize money, a provincial technical expert, a master studio, a chief technician…), so that every
kind of policy item has somebody to judge. They keep their random jobs and insurance."""

from __future__ import annotations

import datetime as dt

import numpy as np

from jineng.demo.context import SeedContext
from jineng.demo.factrows import FactRows, competition_issuer
from jineng.reference.models import SKILL_LEVEL_RANK

SHOWCASE_PEOPLE: dict[int, tuple[dt.date, bool]] = {  # local index → (birth date, male)
    0: (dt.date(2001, 3, 12), True),  # WorldSkills gold 2022, 技师
    1: (dt.date(1985, 7, 8), True),  # his coach, 高级技师, 首席技师
    2: (dt.date(1998, 5, 20), False),  # ChinaSkills silver 2023 with prize money
    3: (dt.date(1990, 2, 14), True),  # provincial class-1 gold 2024, provincial technical expert
    4: (dt.date(1978, 11, 30), True),  # city master studio 2021, 一类技能领军人才 2024
    5: (dt.date(1982, 9, 9), False),  # 全国技术能手 2019, 高级技师
    6: (dt.date(1995, 4, 4), True),  # city class-1 gold 2025 (the demo worker)
    7: (dt.date(2003, 8, 8), False),  # apprentice 2024, training with a voucher 2024
    8: (dt.date(1993, 12, 12), True),  # 高级工 in a shortage occupation 2023
    9: (dt.date(1988, 6, 6), False),  # 中级工 2016 → 高级工 2020
}
WORLDSKILLS_2022 = dt.date(2022, 11, 26)


def showcase_people(chunk_index: int, size: int) -> dict[int, tuple[dt.date, bool]]:
    if chunk_index != 0:
        return {}
    return {k: v for k, v in SHOWCASE_PEOPLE.items() if k < size}


def showcase_facts(
    ctx: SeedContext, facts: FactRows, occupation: list[str], employer: np.ndarray
) -> None:
    emp = ctx.employers
    city = ctx.geography.city
    evaluator = int(emp.evaluation_orgs[0]) if len(emp.evaluation_orgs) else None
    evaluator_name = emp.names.get(evaluator, "") if evaluator else ""
    present = set(range(min(len(SHOWCASE_PEOPLE), len(occupation))))

    def certificate(who: int, level: str, when: dt.date, code: str | None = None) -> None:
        code = code or occupation[who]
        lowest = ctx.shortage.get((when.year, code))
        attrs = {
            "shortage": lowest is not None and SKILL_LEVEL_RANK[level] >= lowest,
            "international": False,
            "issuer_kind": "evaluation_org",
        }
        facts.person(
            who,
            "certificate",
            code,
            level,
            when,
            attrs,
            issuer=evaluator,
            issuer_name=evaluator_name,
        )

    def player(
        who: int, code: str, level: str, when: dt.date, prize_fen: int | None = None
    ) -> None:
        attrs: dict[str, object] = {"role": "player", "represented_region": city}
        if prize_fen is not None:
            attrs["prize_fen"] = prize_fen
        facts.person(
            who, "competition_result", code, level, when, attrs,
            issuer_name=competition_issuer(ctx, code),
        )  # fmt: skip

    def employer_of(who: int) -> int:
        return int(employer[who])

    if 0 in present:
        certificate(0, "3", dt.date(2021, 6, 30))
        certificate(0, "2", dt.date(2023, 6, 30))
        player(0, "worldskills", "gold", WORLDSKILLS_2022)
        facts.organisation(
            employer_of(0), "competition_result", "worldskills", "gold", WORLDSKILLS_2022,
            {"role": "team_unit"}, issuer_name="世界技能组织",
        )  # fmt: skip
    if 1 in present:
        certificate(1, "2", dt.date(2016, 5, 20))
        certificate(1, "1", dt.date(2019, 5, 20))
        facts.person(
            1, "competition_result", "worldskills", "gold", WORLDSKILLS_2022,
            {"role": "coach", "represented_region": city}, issuer_name="世界技能组织",
        )  # fmt: skip
        facts.person(
            1, "appointment", "chief_technician", "", dt.date(2021, 5, 1), {"months": 36},
            issuer=employer_of(1), issuer_name=emp.names.get(employer_of(1), ""),
        )  # fmt: skip
    if 2 in present:
        certificate(2, "3", dt.date(2021, 7, 1))
        player(2, "chinaskills", "silver", dt.date(2023, 9, 19), prize_fen=2_000_000)
    if 3 in present:
        certificate(3, "2", dt.date(2022, 4, 1))
        player(3, "provincial_class1", "gold", dt.date(2024, 11, 10))
        provincial_title = next(
            (code for code, _ in ctx.profile.titles if "guangdong" in code or "provincial" in code),
            "provincial_technical_expert",
        )
        facts.person(
            3, "title", provincial_title, "", dt.date(2025, 3, 1), {},
            issuer_name=emp.province_bureau_name,
        )  # fmt: skip
    if 4 in present:
        certificate(4, "1", dt.date(2018, 9, 1))
        studio_day = dt.date(2021, 12, 20)
        facts.person(
            4, "studio", "master_studio", "city", studio_day, {"role": "leader"},
            issuer_name=emp.bureau_name,
        )  # fmt: skip
        facts.organisation(
            employer_of(4), "studio", "master_studio", "city", studio_day, {"role": "host"},
            issuer_name=emp.bureau_name,
        )  # fmt: skip
        facts.person(
            4, "appointment", "skill_leader_class1", "", dt.date(2024, 6, 1), {"months": 36},
            issuer_name=emp.bureau_name,
        )  # fmt: skip
    if 5 in present:
        certificate(5, "1", dt.date(2017, 10, 1))
        facts.person(
            5, "title", "national_technical_expert", "", dt.date(2019, 12, 1), {},
            issuer_name="人力资源和社会保障部",
        )  # fmt: skip
    if 6 in present:
        certificate(6, "3", dt.date(2024, 5, 1))
        player(6, "city_class1", "gold", dt.date(2025, 10, 25))
    if 7 in present:
        facts.person(
            7, "apprenticeship", occupation[7], "", dt.date(2024, 3, 1),
            {"months": 24, "contract_years": 2},
            issuer=employer_of(7), issuer_name=emp.names.get(employer_of(7), ""),
        )  # fmt: skip
        facts.person(
            7, "training", occupation[7], "5", dt.date(2024, 9, 1),
            {"hours": 80, "passed": True, "voucher": True},
        )  # fmt: skip
    if 8 in present:
        shortage_2023 = sorted(code for year, code in ctx.shortage if year == 2023)
        certificate(8, "3", dt.date(2023, 5, 20), shortage_2023[0] if shortage_2023 else None)
    if 9 in present:
        certificate(9, "4", dt.date(2016, 11, 1))
        certificate(9, "3", dt.date(2020, 11, 1))
