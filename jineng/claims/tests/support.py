"""A small Huzhou world for the claims tests: three WorldSkills medallists in 吴兴区 (330502), one
person with nothing, and a reviewer, an approver and finance (three accounts) for 330500.

Expected amounts are read from the policy file (yuan × 100), not from the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from django.conf import settings

from jineng.claims.models import Claim
from jineng.claims.services import NewClaim, claim_create, claims_from_explanation
from jineng.dossier.models import Fact
from jineng.dossier.services import fact_append
from jineng.identity.models import Person, Role, User
from jineng.identity.testing import make_person, make_user
from jineng.policy.engine.loader import DATA_DIR
from jineng.policy.selectors.subjects import explain_facts, read_subject_facts

ON = dt.date(2023, 6, 30)
MEDAL = "hz.worldskills.medal"
REGION = "330500"
POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@cache
def medal_fen(level: str) -> int:
    data = yaml.safe_load((DATA_DIR / "hz.yaml").read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["id"] == MEDAL)
    return int(item["amount"]["table"][level]) * 100


def medal(person: Person, level: str, on: dt.date) -> Fact:
    return fact_append(
        actor=None,
        subject=person,
        kind="competition_result",
        code="worldskills",
        level=level,
        date=on,
        region="330502",
        attrs={"role": "player"},
        source="test",
    )


@dataclass
class World:
    gold: Person
    silver: Person
    nobody: Person
    gold_fact: Fact
    reviewer: User
    approver: User
    finance: User
    reviewer2: User
    worker: User  # the gold medallist's own account


def build_world() -> World:
    gold = make_person(
        name="沈一鸣",
        residence_region="330502",
        phone="13800138000",
        bank_account="6222020200112233445",
    )
    silver = make_person(
        name="钱二妹", residence_region="330502", bank_account="6222020200998877665"
    )
    nobody = make_person(name="孙无奖", residence_region="330502")
    gold_fact = medal(gold, "gold", dt.date(2022, 10, 15))
    medal(silver, "silver", dt.date(2023, 3, 1))
    return World(
        gold=gold,
        silver=silver,
        nobody=nobody,
        gold_fact=gold_fact,
        reviewer=make_user(Role.BUREAU_REVIEWER, region=REGION),
        approver=make_user(Role.BUREAU_APPROVER, region=REGION),
        finance=make_user(Role.BUREAU_FINANCE, region=REGION),
        reviewer2=make_user(Role.BUREAU_REVIEWER, region=REGION),
        worker=make_user(Role.WORKER, person=gold),
    )


def lines_for(person: Person, on: dt.date = ON) -> list[NewClaim]:
    explanation = explain_facts(read_subject_facts(person, on), on=on)
    return list(claims_from_explanation(person, explanation))


def medal_claim(person: Person, **changes: Any) -> Claim:
    """The person's medal claim, created through the service (with fields changed for a test)."""
    (new,) = [n for n in lines_for(person) if n.item.id == MEDAL]
    claim = claim_create(actor=None, new=new)
    assert claim is not None
    if changes:
        Claim.objects.filter(pk=claim.pk).update(**changes)
        claim.refresh_from_db()
    return claim


def bare_claim(person: Person, *, discretionary: bool = False, **fields: Any) -> Claim:
    """A claim row for state-machine tests (the explanation does not matter there)."""
    n = next(_serial)
    values: dict[str, Any] = {
        "person": person,
        "subject_key": f"P{person.pk}",
        "item_id": "test.item",
        "item_title": "测试事项",
        "fact_id": f"t{n}",
        "source": "application",
        "region": "330502",
        "trigger_date": ON,
        "amount_fen": 300_000,
        "min_fen": 100_000 if discretionary else 300_000,
        "max_fen": 500_000 if discretionary else 300_000,
        "discretionary": discretionary,
        "due_on": ON,
        "evaluated_on": ON,
        "payee_account": person.bank_account,
    }
    values.update(fields)
    return Claim.objects.create(**values)


_serial = iter(range(1, 10**9))


def to_payable(world: World, claim: Claim) -> Claim:
    """Through 初审, 复审 and a 公示 without objections, by the world's reviewer and approver."""
    from jineng.claims.services import claim_approve, claim_publicity_close, claim_review

    claim_review(actor=world.reviewer, claim=claim)
    claim_approve(
        actor=world.approver, claim=claim, today=ON, decided_fen=_decision(claim), reason="酌定"
    )
    claim_publicity_close(actor=None, claim=claim, today=ON + dt.timedelta(days=30))
    claim.refresh_from_db()
    return claim


def _decision(claim: Claim) -> int | None:
    return claim.max_fen if claim.discretionary else None
