"""The region-wide integrity checks of issue 10 §5, each one set-based query (window functions,
`Exists` subqueries, `GROUP BY … HAVING`) over every live claim and every training record, never
a loop over rows through the ORM. Each returns findings `(claim pk, evidence)`; `integrity_check`
(services/integrity.py) keeps those among the claims it checks and stores them as flags.

- repeat_level: the same person claims the same item for the same occupation and level on a
  second trigger fact (another institution, district or year): items whose rule is
  `once: [code|occupation, level]` (national_base.yaml nb.skill_upgrade "同一职业(工种)同一等级只能享受一次").
  Every claim after the first (by trigger date) is flagged, with the first as evidence.
- per_year: more than the item's `per_year` claims in a calendar year of the trigger date
  (nb.skill_upgrade "每人每年享受补贴次数最多不超过三次"): the 4th and later, earliest first.
- lower_after_higher: a claim for a level lower than a certificate the person already held in
  the same occupation on the trigger date (same day or earlier; nb.skill_upgrade "取得高等级证书后
  不再享受低等级补贴", read as in the item's `reading`). Level "1" is the highest (一级/高级技师).
- ghost_*: the trainee of a training-triggered claim was, on the training date, past retirement
  age (`CLAIMS_RETIREMENT_AGE` by sex, from the birth date) or on the retired register, on the
  deceased register (death on or before the training), a full-time student, or staff of a public
  institution for the items that exclude them (`CLAIMS_PUBLIC_STAFF_EXCLUDED_ITEMS`). Registers
  are joined by the ID number's blind index.
- shared_account / shared_phone: one payee account (claims' blind index) or one phone (people's
  blind index) for more than `CLAIMS_SHARED_CONTACT_MAX` beneficiaries. The platform records no
  family ties, so "unrelated" is read as "more than a household would share": the default 3
  tolerates a couple and a parent; every claim on the account or phone is flagged.
- volume_outlier: an institution's training records in a year far above the region's (all
  institutions that year) or its own history (its earlier years, at least
  `CLAIMS_VOLUME_MIN_HISTORY` of them). The statistic is the robust z-score of Iglewicz and
  Hoaglin, z = 0.6745 · (x − median) / MAD (MAD = median absolute deviation), flagged above
  `CLAIMS_VOLUME_Z` (default 3.5, their recommended cut-off); a MAD of 0 uses the mean absolute
  deviation × 1.2533 instead, and the spread is never taken below √median (the noise of a count,
  Poisson), so a short steady history does not turn ordinary variation into an outlier. Counts are aggregated in SQL; the
  medians are taken over the (small) table of institution-years. The claims flagged are those
  triggered by that institution's trainings of that year.

The skill-upgrade subsidy with the training subsidy for the same training is the `exclusive`
check of services/integrity.py (`CLAIMS_EXCLUSIVE_ITEMS`)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear, RowNumber
from django.db.models.functions.window import FirstValue

from jineng.claims.models import (
    CLOSED_STATUSES,
    Claim,
    ClaimKind,
    ClaimStatus,
    FlagKind,
    RegisterEntry,
    RegisterKind,
)
from jineng.dossier.models import Fact
from jineng.identity.models import Person

Finding = tuple[str, int, dict[str, object]]  # (flag kind, claim pk, evidence)

LIVE = ~Q(status__in=[*CLOSED_STATUSES, ClaimStatus.RECOVERED])
UNPAID = LIVE & ~Q(status=ClaimStatus.PAID)  # what a flag can still stop


@dataclass(frozen=True)
class ItemRules:
    """Which policy items carry the rules the checks enforce (read from the policy files)."""

    once_level: frozenset[str]
    per_year: dict[str, int]
    no_lower_after_higher: frozenset[str]


@cache
def item_rules() -> ItemRules:
    from jineng.policy.selectors.documents import policies

    once: set[str] = set()
    per_year: dict[str, int] = {}
    no_lower: set[str] = set()
    for item in policies().items:
        rules = item.rules
        if rules.once and "level" in rules.once and {"code", "occupation"} & set(rules.once):
            once.add(item.id)
        if rules.per_year:
            per_year[item.id] = int(rules.per_year)
        if rules.no_lower_after_higher:
            no_lower.add(item.id)
    return ItemRules(frozenset(once), per_year, frozenset(no_lower))


def _unpaid(rows: Any) -> list[Any]:
    """Rows of a ranked query less those of paid claims: a paid claim takes part in the ranking
    (the first of two may be paid) but is not flagged itself (recovery is its own process)."""
    rows = list(rows)
    paid = (
        set(
            Claim.objects.filter(pk__in=[r[0] for r in rows], status=ClaimStatus.PAID).values_list(
                "pk", flat=True
            )
        )
        if rows
        else set()
    )
    return [r for r in rows if r[0] not in paid]


def _live_originals() -> QuerySet[Claim]:
    return Claim.objects.filter(LIVE, kind=ClaimKind.ORIGINAL, instalment=1)


def repeat_level() -> list[Finding]:
    ranked = (
        _live_originals()
        .filter(item_id__in=item_rules().once_level)
        .exclude(trigger_code="")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[
                    F("subject_key"),
                    F("item_id"),
                    F("trigger_code"),
                    F("trigger_level"),
                ],
                order_by=[F("trigger_date").asc(), F("pk").asc()],
            ),
            first_pk=Window(
                FirstValue("pk"),
                partition_by=[
                    F("subject_key"),
                    F("item_id"),
                    F("trigger_code"),
                    F("trigger_level"),
                ],
                order_by=[F("trigger_date").asc(), F("pk").asc()],
            ),
        )
        .filter(rank__gt=1)
        .values_list("pk", "first_pk", "item_id", "trigger_code", "trigger_level", "trigger_date")
    )
    rows = _unpaid(ranked)
    return [
        (
            FlagKind.REPEAT_LEVEL,
            pk,
            {"first_claim": first, "item": item, "code": code, "level": level, "date": str(day)},
        )
        for pk, first, item, code, level, day in rows
    ]


def per_year() -> list[Finding]:
    limits = item_rules().per_year
    found: list[Finding] = []
    for item, limit in sorted(limits.items()):
        ranked = (
            _live_originals()
            .filter(item_id=item)
            .annotate(
                year=ExtractYear("trigger_date"),
                rank=Window(
                    RowNumber(),
                    partition_by=[F("subject_key"), ExtractYear("trigger_date")],
                    order_by=[F("trigger_date").asc(), F("pk").asc()],
                ),
            )
            .filter(rank__gt=limit)
            .values_list("pk", "year", "rank")
        )
        rows = _unpaid(ranked)
        found.extend(
            (FlagKind.PER_YEAR, pk, {"item": item, "year": year, "rank": rank, "limit": limit})
            for pk, year, rank in rows
        )
    return found


def lower_after_higher() -> list[Finding]:
    higher = Fact.objects.current().filter(
        kind="certificate",
        person_id=OuterRef("person_id"),
        code=OuterRef("trigger_code"),
        level__lt=OuterRef("trigger_level"),  # "1" is the highest level, "5" the lowest
        level__gt="",
        date__lte=OuterRef("trigger_date"),
    )
    rows = (
        _live_originals()
        .filter(UNPAID)
        .filter(item_id__in=item_rules().no_lower_after_higher, person__isnull=False)
        .exclude(trigger_code="")
        .exclude(trigger_level="")
        .annotate(
            held=Exists(higher),
            held_level=Subquery(higher.order_by("level", "date").values("level")[:1]),
            held_on=Subquery(higher.order_by("level", "date").values("date")[:1]),
        )
        .filter(held=True)
        .values_list("pk", "trigger_code", "trigger_level", "held_level", "held_on")
    )
    return [
        (
            FlagKind.LOWER_AFTER_HIGHER,
            pk,
            {"code": code, "level": level, "held_level": held, "held_on": str(on)},
        )
        for pk, code, level, held, on in rows
    ]


def _day_number(field: str) -> Any:
    """yyyymmdd as a number: two of these differ by ≥ N·10000 exactly when N full years passed."""
    return ExtractYear(field) * Value(10000) + ExtractMonth(field) * Value(100) + ExtractDay(field)


def _trainings() -> QuerySet[Claim]:
    return Claim.objects.filter(UNPAID, trigger_kind="training", person__isnull=False)


def _on_register(kind: str, *, until_ends: bool) -> Exists:
    entries = RegisterEntry.objects.filter(
        kind=kind, id_number_index=OuterRef("person__id_number_index")
    ).filter(Q(starts_on__isnull=True) | Q(starts_on__lte=OuterRef("trigger_date")))
    if until_ends:
        entries = entries.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("trigger_date")))
    return Exists(entries)


def ghosts() -> list[Finding]:
    ages: dict[str, int] = settings.CLAIMS_RETIREMENT_AGE
    over_age = Q()
    for sex, age in ages.items():
        over_age |= Q(person__sex=sex, age_gap__gte=age * 10000)
    retired = (
        _trainings()
        .filter(person__birth_date__isnull=False)
        .annotate(
            age_gap=_day_number("trigger_date") - _day_number("person__birth_date"),
            listed=_on_register(RegisterKind.RETIRED, until_ends=False),
        )
        .filter(over_age | Q(listed=True))
        .values_list("pk", "age_gap", "listed", "trigger_date")
    )
    found: list[Finding] = [
        (
            FlagKind.GHOST_RETIRED,
            pk,
            {"age": int(gap) // 10000, "on_register": bool(listed), "date": str(day)},
        )
        for pk, gap, listed, day in retired
    ]
    registers = [
        (FlagKind.GHOST_DECEASED, RegisterKind.DECEASED, False, None),
        (FlagKind.GHOST_STUDENT, RegisterKind.STUDENT, True, None),
        (
            FlagKind.GHOST_PUBLIC_STAFF,
            RegisterKind.PUBLIC_STAFF,
            True,
            list(settings.CLAIMS_PUBLIC_STAFF_EXCLUDED_ITEMS),
        ),
    ]
    for flag_kind, register_kind, until_ends, items in registers:
        claims = _trainings()
        if items is not None:
            claims = claims.filter(item_id__in=items)
        rows = (
            claims.annotate(listed=_on_register(register_kind, until_ends=until_ends))
            .filter(listed=True)
            .values_list("pk", "trigger_date")
        )
        found.extend(
            (flag_kind, pk, {"register": str(register_kind), "date": str(day)}) for pk, day in rows
        )
    return found


def _shared(field: str, flag_kind: str, beneficiary: str) -> list[Finding]:
    limit = int(settings.CLAIMS_SHARED_CONTACT_MAX)
    crowded = (
        Claim.objects.filter(LIVE)
        .exclude(**{field: ""})
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(n=Count(beneficiary, distinct=True))
        .filter(n__gt=limit)
    )
    counts = {key: n for key, n in crowded.values_list(field, "n")}
    return _on_crowded(field, flag_kind, counts, Subquery(crowded.values(field)))


def _on_crowded(field: str, flag_kind: str, counts: dict[str, int], keys: Any) -> list[Finding]:
    if not counts:
        return []
    limit = int(settings.CLAIMS_SHARED_CONTACT_MAX)
    rows = Claim.objects.filter(UNPAID).filter(**{f"{field}__in": keys}).values_list("pk", field)
    return [(flag_kind, pk, {"beneficiaries": counts[key], "limit": limit}) for pk, key in rows]


def _shared_phones() -> list[Finding]:
    """People (each counted once: a plain GROUP BY over people, no DISTINCT sort over claims)
    with a live claim who share one phone's blind index."""
    limit = int(settings.CLAIMS_SHARED_CONTACT_MAX)
    crowded = (
        Person.objects.filter(Exists(Claim.objects.filter(LIVE, person_id=OuterRef("pk"))))
        .exclude(phone_index="")
        .values("phone_index")
        .annotate(n=Count("pk"))
        .filter(n__gt=limit)
    )
    counts = {key: n for key, n in crowded.values_list("phone_index", "n")}
    return _on_crowded(
        "person__phone_index",
        FlagKind.SHARED_PHONE,
        counts,
        Subquery(crowded.values("phone_index")),
    )


def shared_contacts() -> list[Finding]:
    return [
        *_shared("payee_account_index", FlagKind.SHARED_ACCOUNT, "subject_key"),
        *_shared_phones(),
    ]


@dataclass(frozen=True)
class Outlier:
    issuer: int
    year: int
    count: int
    basis: str  # "region" | "history"
    median: float
    z: float


def robust_z(x: float, values: Iterable[float]) -> tuple[float, float]:
    """(median, robust z-score of x) against `values` (Iglewicz–Hoaglin; see the module text)."""
    data = list(values)
    median = statistics.median(data)
    return median, _z(x, median, _spread(data, median))


def _spread(data: list[float], median: float) -> float:
    """The robust standard deviation: MAD / 0.6745 (mean absolute deviation × 1.2533 when the MAD
    is 0), never below √median, the spread of a count that is only noise (Poisson): a small,
    steady history (24, 24, 25) must not make 30 an outlier."""
    deviations = [abs(v - median) for v in data]
    mad = statistics.median(deviations)
    sigma = mad / 0.6745 if mad > 0 else 1.2533 * statistics.fmean(deviations)
    return max(sigma, math.sqrt(max(median, 0.0)))


def _z(x: float, median: float, sigma: float) -> float:
    return (x - median) / sigma if sigma > 0 else 0.0


def volume_outliers_of(counts: dict[tuple[int, int], int]) -> list[Outlier]:
    """Institution-years whose count is far above the region's that year or the institution's
    own earlier years."""
    cut = float(settings.CLAIMS_VOLUME_Z)
    min_history = int(settings.CLAIMS_VOLUME_MIN_HISTORY)
    by_year: dict[int, list[float]] = defaultdict(list)
    by_issuer: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (issuer, year), n in counts.items():
        by_year[year].append(n)
        by_issuer[issuer].append((year, n))
    region: dict[int, tuple[float, float]] = {}
    for year, data in by_year.items():
        if len(data) >= 3:
            median = statistics.median(data)
            region[year] = (median, _spread(data, median))
    found: list[Outlier] = []
    for (issuer, year), n in sorted(counts.items()):
        if year in region:
            median, sigma = region[year]
            z = _z(n, median, sigma)
            if z > cut:
                found.append(Outlier(issuer, year, n, "region", median, round(z, 2)))
                continue
        history = [float(c) for y, c in by_issuer[issuer] if y < year]
        if len(history) >= min_history:
            median, z = robust_z(n, history)
            if z > cut:
                found.append(Outlier(issuer, year, n, "history", median, round(z, 2)))
    return found


def volume_outliers() -> list[Finding]:
    training = Fact.objects.filter(kind="training", issuer__isnull=False)
    counts = {
        (issuer, year): n
        for issuer, year, n in training.annotate(year=ExtractYear("date"))
        .values("issuer", "year")
        .annotate(n=Count("pk"))
        .values_list("issuer", "year", "n")
    }
    outliers = {(o.issuer, o.year): o for o in volume_outliers_of(counts)}
    if not outliers:
        return []
    which = Q()
    for issuer, year in outliers:
        which |= Q(issuer_id=issuer, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    facts = training.filter(which).annotate(key=Cast("pk", output_field=CharField()))
    rows = (
        Claim.objects.filter(UNPAID, trigger_kind="training")
        .filter(fact_id__in=Subquery(facts.values("key")))
        .annotate(
            issuer=Subquery(
                Fact.objects.filter(pk=Cast(OuterRef("fact_id"), BigIntegerField())).values(
                    "issuer_id"
                )[:1]
            )
        )
        .values_list("pk", "issuer", "trigger_date")
    )
    found: list[Finding] = []
    for pk, issuer, day in rows:
        out = outliers.get((issuer, day.year))
        if out is None:  # a claim's date differs from its record's: not this finding
            continue
        evidence: dict[str, object] = {
            "institution": out.issuer,
            "year": out.year,
            "count": out.count,
            "basis": out.basis,
            "median": out.median,
            "z": out.z,
        }
        found.append((FlagKind.VOLUME_OUTLIER, pk, evidence))
    return found


def region_findings() -> list[Finding]:
    """Every finding of every check in this module and in checks_ledger (the caller keeps those
    it checks)."""
    from jineng.claims.services import checks_ledger

    return [
        *repeat_level(),
        *per_year(),
        *lower_after_higher(),
        *ghosts(),
        *shared_contacts(),
        *volume_outliers(),
        *checks_ledger.ledger_findings(),  # the learning ledger's (services/checks_ledger.py)
    ]


__all__ = [
    "Finding",
    "Outlier",
    "item_rules",
    "region_findings",
    "robust_z",
    "volume_outliers_of",
]
