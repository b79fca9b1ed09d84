"""Planted fraud with known answers for the integrity checks (issue 10 §5, `seed_city
--fraud-rate`): each pattern the checks look for, planted `cases` times among clean records, and
the answer — which claims must be flagged with which kind, and which claims are clean.

Patterns (one person or group per case): the same occupation and level claimed twice (another
district, another year); a 4th skill-upgrade subsidy in one year; a lower level after a higher
certificate; the skill-upgrade subsidy with the training subsidy for the same training; a
retired (by age), deceased, full-time-student and public-staff trainee (the last three from
imported registers); one bank account and one phone for four beneficiaries; an institution with
six times the trainings of its peers in a year. Volume is planted in 2015, a year the demo
city's careers do not reach (they start in 2016), so the region's statistic for that year is
over the planted institutions alone and the answer stays known.

Rows are written directly (a seed, like the rest of jineng.demo); people go through the identity
service so that their encrypted fields and blind indexes are real."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from jineng.claims.models import Claim, FlagKind, RegisterEntry, RegisterKind, RegisterList
from jineng.dossier.models import Fact
from jineng.identity.crypto import blind_index
from jineng.identity.models import Person
from jineng.identity.validators import resident_id_check_char
from jineng.organisations.models import Organisation, OrgKind

UPGRADE = "nb.skill_upgrade"
TRAINING = "xx.training.subsidy"
TRAINING_PROJECT = "dg.training.project_subsidy"  # exclusive with UPGRADE (CLAIMS_EXCLUSIVE_ITEMS)
VOLUME_YEAR = 2015
OCCUPATIONS = ("4-01-02-01", "6-18-01-01", "4-10-01-02", "6-31-01-03", "4-03-02-01")


@dataclass
class Planted:
    expected: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    clean: set[int] = field(default_factory=set)

    def clean_share(self, flagged: set[int]) -> float:
        """The share of clean claims that were flagged (0.0 when none are)."""
        return len(self.clean & flagged) / len(self.clean) if self.clean else 0.0


class _Planter:
    def __init__(self, region: str, serial_base: int) -> None:
        self.region = region
        self.serial = itertools.count(serial_base)
        self.org_serial = itertools.count(1)

    def person(
        self,
        *,
        birth: dt.date = dt.date(1990, 5, 1),
        male: bool = True,
        phone: str = "",
        account: str = "",
    ) -> Person:
        n = next(self.serial)
        # 3-digit serial: odd men, even women; the birth day moves on every 400 people.
        seq = (n % 400) * 2 + (1 if male else 2)
        day = birth + dt.timedelta(days=n // 400)
        # An area code no seeded worker has (449900): planted numbers never meet the city's.
        first17 = f"449900{day:%Y%m%d}{seq:03d}"
        from jineng.identity.services import person_create

        return person_create(
            actor=None,
            name=f"核查样本{n}",
            id_number=first17 + resident_id_check_char(first17),
            residence_region=self.region,
            phone=phone or f"139{n:08d}",
            bank_account=account or f"62220288{n:011d}",
        )

    def institution(self) -> Organisation:
        from jineng.organisations.services import organisation_create

        return organisation_create(
            actor=None,
            kind=OrgKind.TRAINING_INSTITUTION,
            name=f"核查样本培训学校{next(self.org_serial)}号{next(self.serial)}",
            region=self.region,
        )

    def fact(
        self, person: Person, kind: str, code: str, level: str, on: dt.date, **kw: object
    ) -> Fact:
        fact = Fact(
            subject_type="person",
            person=person,
            kind=kind,
            code=code,
            level=level,
            date=on,
            region=self.region,
            source="seed",
            attrs={"passed": True},
            **kw,
        )
        fact.save()
        return fact

    def claim(
        self,
        person: Person,
        item: str,
        *,
        code: str,
        level: str,
        on: dt.date,
        trigger: str = "certificate",
        fact: Fact | None = None,
        region: str | None = None,
    ) -> Claim:
        fact = fact or self.fact(person, trigger, code, level, on)
        return Claim.objects.create(
            person=person,
            subject_key=f"P{person.pk}",
            item_id=item,
            item_title="核查样本事项",
            fact_id=str(fact.pk),
            source="application",
            region=region or self.region,
            trigger_kind=trigger,
            trigger_code=code,
            trigger_level=level,
            trigger_date=on,
            amount_fen=150_000,
            min_fen=150_000,
            max_fen=150_000,
            due_on=on,
            evaluated_on=on,
            payee_account=person.bank_account,
        )

    def register(self, kind: str, person: Person, starts: dt.date, ends: dt.date | None) -> None:
        listing = RegisterList.objects.create(
            kind=kind, title=f"核查样本{RegisterKind(kind).label}", region=self.region, rows=1
        )
        RegisterEntry.objects.create(
            register=listing,
            kind=kind,
            id_number_index=blind_index(person.id_number),
            starts_on=starts,
            ends_on=ends,
        )


@transaction.atomic
def plant_fraud(
    *, region: str = "330502", cases: int = 1, clean: int = 20, serial_base: int = 900_000
) -> Planted:
    """Plant every pattern `cases` times and `clean` clean beneficiaries; the known answer."""
    p = _Planter(region, serial_base)
    out = Planted()
    exp = out.expected
    y = dt.date(2023, 3, 1)
    for _case in range(cases):
        a = p.person()
        p.claim(a, UPGRADE, code=OCCUPATIONS[0], level="4", on=dt.date(2021, 5, 1))
        second = p.claim(a, UPGRADE, code=OCCUPATIONS[0], level="4", on=y, region=f"{region[:4]}03")
        exp[FlagKind.REPEAT_LEVEL].add(second.pk)

        b = p.person()
        for i, code in enumerate(OCCUPATIONS[:4]):
            c = p.claim(b, UPGRADE, code=code, level="5", on=y + dt.timedelta(days=30 * i))
        exp[FlagKind.PER_YEAR].add(c.pk)

        c_ = p.person()
        p.fact(c_, "certificate", OCCUPATIONS[1], "3", dt.date(2022, 1, 10))
        lower = p.claim(c_, UPGRADE, code=OCCUPATIONS[1], level="4", on=dt.date(2022, 6, 1))
        exp[FlagKind.LOWER_AFTER_HIGHER].add(lower.pk)

        d = p.person()
        training = p.fact(d, "training", OCCUPATIONS[2], "4", dt.date(2023, 4, 1))
        up = p.claim(d, UPGRADE, code=OCCUPATIONS[2], level="4", on=dt.date(2023, 5, 1))
        sub = p.claim(
            d,
            TRAINING_PROJECT,
            code=OCCUPATIONS[2],
            level="4",
            on=training.date,
            trigger="training",
            fact=training,
        )
        exp[FlagKind.EXCLUSIVE].update({up.pk, sub.pk})

        old = p.person(birth=dt.date(1955, 2, 1), male=True)
        exp[FlagKind.GHOST_RETIRED].add(_training_claim(p, old, y).pk)
        dead = p.person()
        p.register(RegisterKind.DECEASED, dead, dt.date(2022, 8, 1), None)
        exp[FlagKind.GHOST_DECEASED].add(_training_claim(p, dead, y).pk)
        student = p.person(birth=dt.date(2004, 3, 1))
        p.register(RegisterKind.STUDENT, student, dt.date(2022, 9, 1), dt.date(2026, 6, 30))
        exp[FlagKind.GHOST_STUDENT].add(_training_claim(p, student, y).pk)
        staff = p.person()
        p.register(RegisterKind.PUBLIC_STAFF, staff, dt.date(2015, 7, 1), None)
        exp[FlagKind.GHOST_PUBLIC_STAFF].add(_training_claim(p, staff, y).pk)

        account = f"62220299{next(p.serial):011d}"
        phone = f"137{next(p.serial):08d}"
        for _ in range(4):
            exp[FlagKind.SHARED_ACCOUNT].add(_training_claim(p, p.person(account=account), y).pk)
            exp[FlagKind.SHARED_PHONE].add(_training_claim(p, p.person(phone=phone), y).pk)

    # Volume: five institutions per case with 8 trainings each in VOLUME_YEAR, and per case one
    # with 48 (z ≈ 4.8 with a MAD of 0; fewer peers per busy one would hide it in the spread).
    peers = [p.institution() for _ in range(5 * cases)]
    on = dt.date(VOLUME_YEAR, 6, 1)
    for inst in peers:
        for k in range(8):
            person = p.person()
            fact = p.fact(person, "training", OCCUPATIONS[k % 5], "5", on, issuer=inst)
            claim = p.claim(
                person, TRAINING, code=fact.code, level="5", on=on, trigger="training", fact=fact
            )
            out.clean.add(claim.pk)
    for _case in range(cases):
        busy = p.institution()
        for k in range(48):
            person = p.person()
            fact = p.fact(person, "training", OCCUPATIONS[k % 5], "5", on, issuer=busy)
            if k < 3:  # three of its trainees claim; every one must be flagged
                claim = p.claim(
                    person,
                    TRAINING,
                    code=fact.code,
                    level="5",
                    on=on,
                    trigger="training",
                    fact=fact,
                )
                exp[FlagKind.VOLUME_OUTLIER].add(claim.pk)

    from jineng.demo.fraud_ledger import plant_ledger

    plant_ledger(p, out, cases=cases)  # the learning ledger's patterns (checks_ledger)
    for k in range(clean):
        person = p.person(male=bool(k % 2))
        if k % 2:
            out.clean.add(p.claim(person, UPGRADE, code=OCCUPATIONS[k % 5], level="4", on=y).pk)
        else:
            out.clean.add(_training_claim(p, person, y).pk)
    return out


def _training_claim(p: _Planter, person: Person, on: dt.date) -> Claim:
    return p.claim(person, TRAINING, code=OCCUPATIONS[3], level="5", on=on, trigger="training")


def plant_and_check(*, region: str, workers: int, rate: float) -> tuple[Planted, dict[str, int]]:
    """`seed_city --fraud-rate RATE`: about RATE × workers planted beneficiaries (one case of
    every pattern plants about 30), ten clean ones per case, then every check over the region.
    Returns the answer and, per kind, how many planted claims the checks missed (all 0)."""
    from jineng.claims.models import ClaimFlag
    from jineng.claims.services import integrity_check

    cases = max(1, round(workers * rate / 30))
    planted = plant_fraud(region=region, cases=cases, clean=10 * cases)
    integrity_check(actor=None)
    flagged: dict[str, set[int]] = defaultdict(set)
    for claim, kind in ClaimFlag.objects.values_list("claim_id", "kind"):
        flagged[kind].add(claim)
    missed = {kind: len(claims - flagged[kind]) for kind, claims in planted.expected.items()}
    return planted, missed


__all__ = ["Planted", "plant_and_check", "plant_fraud"]
