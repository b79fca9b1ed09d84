"""Agency integrity figures for the bureau (issue 9, 9): the national audit found agencies that
issued certificates through lax exams on a borrowed licence — one ran 25 batches and 2,600
certificates in the two months after accreditation. Four figures, each over the issuers in the
reader's region (the issuer's own region code under the scope's prefixes):

- **Monthly volume against the agency's own history**: for the latest month with certificates,
  the robust z-score 0.6745·(x − median)/MAD over the agency's previous months (Iglewicz and
  Hoaglin's modified z; flagged above 3.5 and at least `MIN_FLAGGED` certificates). An agency
  with fewer than three months behind it has no history: it is flagged when a month reaches
  `NEW_AGENCY_MONTHLY` (the audit's case: a new licence, thousands at once).
- **Outside the licence**: certificates whose occupation and level are not (or no longer) in the
  issuer's licence scope (`IssuerScope`); issue refuses them, so any found came in another way
  (an import, a scope narrowed after issue, an edit behind the services).
- **Pass rates far above the region's**: from published and final assessment results, per
  agency and year against the region's, with the same robust z across the year's agencies
  (`jineng.certificates.pass_rates`).
- **Enterprise self-evaluation (企业自主评价) volumes**: certificates issued by filed enterprises
  for their own staff, per enterprise and year.

Read only; one aggregate query per figure (GROUP BY issuer and month)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear, TruncMonth

from jineng.certificates.models import Certificate, IssuerScope
from jineng.dossier.vocabulary import CERTIFICATE_LEVELS
from jineng.identity.access import Scope
from jineng.identity.roles import CONSOLE_ROLES
from jineng.organisations.models import Organisation, OrgKind

if TYPE_CHECKING:
    from jineng.certificates.pass_rates import PassRate

Z_FLAG = 3.5
MIN_FLAGGED = 20
NEW_AGENCY_MONTHLY = 300
HISTORY_MONTHS = 3


@dataclass(frozen=True)
class MonthlyVolume:
    organisation_id: int
    name: str
    kind: str  # OrgKind
    months: tuple[tuple[dt.date, int], ...]  # (first of month, certificates), oldest first
    latest: int
    median: float
    mad: float
    z: float | None  # None: no history (fewer than HISTORY_MONTHS earlier months)
    flagged: bool
    reason: str  # Chinese, "" when not flagged


@dataclass(frozen=True)
class OutsideLicence:
    organisation_id: int
    name: str
    count: int
    examples: tuple[str, ...]  # "车工 高级工（三级）"


@dataclass(frozen=True)
class SelfEvaluation:
    organisation_id: int
    name: str
    year: int
    count: int


@dataclass(frozen=True)
class IntegrityFigures:
    volumes: list[MonthlyVolume]
    outside_licence: list[OutsideLicence]
    pass_rates: list[PassRate]
    self_evaluation: list[SelfEvaluation]
    flagged: int = field(default=0)


def robust_z(value: float, history: list[float]) -> tuple[float, float, float]:
    """(z, median, MAD) of `value` against `history` (modified z-score). A zero MAD (a flat
    history) gives z = +inf above the median, 0 at it, −inf below."""
    median = statistics.median(history)
    mad = statistics.median(abs(h - median) for h in history)
    if mad == 0:
        z = 0.0 if value == median else math.copysign(math.inf, value - median)
    else:
        z = 0.6745 * (value - median) / mad
    return z, median, mad


def may_read_integrity(scope: Scope) -> bool:
    return scope.is_global or (bool(scope.region_prefixes) and scope.has_role(*CONSOLE_ROLES))


def _issued_in(scope: Scope) -> QuerySet[Certificate]:
    qs = Certificate.objects.filter(source="")  # issued here; imports are history, not activity
    if scope.is_global:
        return qs
    q = Q()
    for prefix in scope.region_prefixes:
        q |= Q(issuer__region__code__startswith=prefix)
    return qs.filter(q) if scope.region_prefixes else qs.none()


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _volumes(qs: QuerySet[Certificate], names: dict[int, tuple[str, str]]) -> list[MonthlyVolume]:
    counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for row in (
        qs.annotate(month=TruncMonth("issued_on"))
        .values("issuer_id", "month")
        .annotate(n=Count("pk"))
    ):
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        counts[row["issuer_id"]][month] = row["n"]
    out: list[MonthlyVolume] = []
    for org_id, by_month in counts.items():
        months = _month_range(min(by_month), max(by_month))
        series = [(m, by_month.get(m, 0)) for m in months]
        latest = series[-1][1]
        history = [float(n) for _, n in series[:-1]]
        name, kind = names.get(org_id, ("", ""))
        if len(history) >= HISTORY_MONTHS:
            z, median, mad = robust_z(float(latest), history)
            flagged = z > Z_FLAG and latest >= MIN_FLAGGED
            reason = (
                f"最近一月{latest}张，为本机构历史中位数{median:g}张的异常高值" if flagged else ""
            )
            out.append(
                MonthlyVolume(
                    org_id, name, kind, tuple(series), latest, median, mad, z, flagged, reason
                )
            )
        else:
            flagged = max(n for _, n in series) >= NEW_AGENCY_MONTHLY
            reason = (
                f"发证不足{HISTORY_MONTHS}个月，单月已达{max(n for _, n in series)}张"
                if flagged
                else ""
            )
            out.append(
                MonthlyVolume(
                    org_id, name, kind, tuple(series), latest, 0.0, 0.0, None, flagged, reason
                )
            )
    out.sort(key=lambda v: (not v.flagged, -v.latest, v.name))  # flagged first, then the busiest
    return out


def licence_covers(*, on: str | None = None) -> QuerySet[IssuerScope]:
    """The licence scope rows covering the outer certificate's issuer, occupation and level
    (`Exists` of it: licensed). With `on` (the outer field of a date, e.g. "issued_on") the
    issuer's filing (备案起止) must also be valid on that date; without it, the scope as it is
    now (the agency page's reading)."""
    scope = IssuerScope.objects.filter(
        issuer__organisation_id=OuterRef("issuer_id"),
        occupation_id=OuterRef("occupation_id"),
        level=OuterRef("level"),
    )
    if on is not None:
        scope = scope.filter(
            Q(issuer__valid_from__isnull=True) | Q(issuer__valid_from__lte=OuterRef(on)),
            Q(issuer__valid_to__isnull=True) | Q(issuer__valid_to__gte=OuterRef(on)),
        )
    return scope


def _outside_licence(
    qs: QuerySet[Certificate], names: dict[int, tuple[str, str]], labels: dict[str, str]
) -> list[OutsideLicence]:
    rows = (
        qs.annotate(licensed=Exists(licence_covers()))
        .filter(licensed=False)
        .values("issuer_id", "occupation__name", "level")
        .annotate(n=Count("pk"))
        .order_by("issuer_id", "-n")
    )
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        label = f"{row['occupation__name']} {labels.get(row['level'], row['level'])}"
        found[row["issuer_id"]].append((label, row["n"]))
    return sorted(
        (
            OutsideLicence(
                org_id,
                names.get(org_id, ("", ""))[0],
                sum(n for _, n in items),
                tuple(label for label, _ in items[:3]),
            )
            for org_id, items in found.items()
        ),
        key=lambda o: -o.count,
    )


def _self_evaluation(
    qs: QuerySet[Certificate], names: dict[int, tuple[str, str]]
) -> list[SelfEvaluation]:
    rows = (
        qs.filter(issuer__kind=OrgKind.ENTERPRISE)
        .annotate(year=ExtractYear("issued_on"))
        .values("issuer_id", "year")
        .annotate(n=Count("pk"))
        .order_by("-year", "-n")
    )
    return [
        SelfEvaluation(r["issuer_id"], names.get(r["issuer_id"], ("", ""))[0], r["year"], r["n"])
        for r in rows
    ]


def integrity_figures(*, scope: Scope) -> IntegrityFigures:
    """The four figures over the issuers in the scope's region (bureau, auditors, sysadmin)."""
    if not may_read_integrity(scope):
        raise PermissionDenied("只有人社部门可以查看评价机构诚信指标")
    qs = _issued_in(scope)
    issuer_ids = set(qs.values_list("issuer_id", flat=True).distinct())
    names = {
        o.pk: (o.name, o.kind)
        for o in Organisation.objects.filter(pk__in=issuer_ids).only("pk", "name", "kind")
    }
    from jineng.certificates.pass_rates import pass_rates  # it reuses robust_z from here

    volumes = _volumes(qs, names)
    outside = _outside_licence(qs, names, dict(CERTIFICATE_LEVELS))
    rates = pass_rates(scope=scope)
    return IntegrityFigures(
        volumes=volumes,
        outside_licence=outside,
        pass_rates=rates,
        self_evaluation=_self_evaluation(qs, names),
        flagged=sum(v.flagged for v in volumes) + len(outside) + sum(r.flagged for r in rates),
    )
