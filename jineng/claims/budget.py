"""Budget and reporting (issue 10, 6): per item and year, what is committed (approved), paid and
recovered, beside the policy engine's forecast for the same population; by town and by kind of
beneficiary.

Every figure is summed in the database over the claims the user may see
(`jineng.claims.access.claims_visible_to`), integer fen. The year is the year of the trigger fact,
as in the engine's budget (`jineng.policy.engine.budget`: "per item, year (of the trigger fact)"),
so the two columns count the same thing. The forecast is not computed here: it is the baseline of
the latest finished what-if run over the city (`jineng.policy.services.simulation_start` /
`simulation_execute`, no parameter changes) that the user may read — the one engine, run by its
own job; a page offers to start one when there is none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, F, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce, ExtractYear

from jineng.claims.access import claims_visible_to
from jineng.claims.models import Claim, ClaimKind, ClaimStatus, LineStatus, PayoutLine
from jineng.identity.access import Scope
from jineng.identity.models import User
from jineng.policy.access import simulation_runs_visible_to
from jineng.policy.models import SimulationRun
from jineng.reference.models import Region

# Approved by 复审 (and not refused or withdrawn since): what the bureau has committed to pay.
COMMITTED = (
    ClaimStatus.PUBLICITY,
    ClaimStatus.SCHEDULED,
    ClaimStatus.PAYABLE,
    ClaimStatus.PAYING,
    ClaimStatus.PAID,
    ClaimStatus.RECOVERED,
)
KIND_LABELS = {"person": "个人", "organisation": "单位"}


@dataclass
class Figures:
    committed_fen: int = 0
    paid_fen: int = 0
    recovered_fen: int = 0
    forecast_fen: int | None = None


@dataclass
class BudgetLine:
    key: tuple[str, int] | str
    label: str
    year: int | None
    figures: Figures


@dataclass
class BudgetReport:
    by_item_year: list[BudgetLine]
    by_town: list[BudgetLine]
    by_kind: list[BudgetLine]
    total: Figures
    forecast_run: SimulationRun | None
    years: list[int] = field(default_factory=list)


def _owed() -> Coalesce:
    return Coalesce(F("decided_fen"), F("amount_fen"))


def _claim_sums(claims: QuerySet[Claim], *keys: str) -> dict[tuple[object, ...], Figures]:
    rows = (
        claims.values(*keys)
        .annotate(
            committed=Sum(
                Case(
                    When(Q(status__in=COMMITTED) & ~Q(kind=ClaimKind.RECOVERY), then=_owed()),
                    default=0,
                )
            ),
            recovered=Sum(
                Case(
                    When(status=ClaimStatus.RECOVERED, then=_owed()),
                    When(Q(kind=ClaimKind.RECOVERY) & Q(status=ClaimStatus.PAID), then=-_owed()),
                    default=0,
                )
            ),
        )
        .order_by()
    )
    return {
        tuple(row[k] for k in keys): Figures(
            committed_fen=int(row["committed"] or 0), recovered_fen=int(row["recovered"] or 0)
        )
        for row in rows
    }


def _paid_sums(claims: QuerySet[Claim], *keys: str) -> dict[tuple[object, ...], int]:
    lines = PayoutLine.objects.filter(status=LineStatus.PAID, claim__in=claims)
    rows = lines.values(*[f"claim__{k}" for k in keys]).annotate(fen=Sum("amount_fen")).order_by()
    return {tuple(row[f"claim__{k}"] for k in keys): int(row["fen"] or 0) for row in rows}


def _annotated(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.annotate(year=ExtractYear("trigger_date"))


def forecast_run(user: User) -> SimulationRun | None:
    """The latest finished what-if run over the city without parameter changes the user reads."""
    return (
        simulation_runs_visible_to(user)
        .filter(status="done", population="city", overrides=[])
        .exclude(result=None)
        .order_by("-finished_at", "-pk")
        .first()
    )


def _forecast(run: SimulationRun | None) -> dict[tuple[str, int], tuple[str, int]]:
    if run is None or not isinstance(run.result, dict):
        return {}
    out: dict[tuple[str, int], tuple[str, int]] = {}
    for row in run.result.get("rows", []):
        out[(str(row["item_id"]), int(row["year"]))] = (
            str(row.get("title", "")),
            int(row["baseline_fen"]),
        )
    return out


def budget_report(user: User, *, scope: Scope | None = None) -> BudgetReport:
    claims = claims_visible_to(user, scope=scope)
    annotated = _annotated(claims)
    by_item = _claim_sums(annotated, "item_id", "item_title", "year")
    paid_item = _paid_sums(annotated, "item_id", "trigger_date__year")
    run = forecast_run(user)
    forecast = _forecast(run)
    titles: dict[str, str] = {}
    merged: dict[tuple[str, int], Figures] = {}
    for (item_id, title, year), figures in by_item.items():
        key = (str(item_id), int(str(year)))
        titles.setdefault(key[0], str(title))
        merged.setdefault(key, Figures()).committed_fen += figures.committed_fen
        merged[key].recovered_fen += figures.recovered_fen
    for (item_id, year), fen in paid_item.items():
        merged.setdefault((str(item_id), int(str(year))), Figures()).paid_fen += fen
    for key, (title, fen) in forecast.items():
        titles.setdefault(key[0], title or key[0])
        merged.setdefault(key, Figures()).forecast_fen = fen
    item_lines = [
        BudgetLine(key, titles.get(key[0], key[0]), key[1], merged[key])
        for key in sorted(merged, key=lambda k: (-k[1], titles.get(k[0], k[0])))
    ]
    town_lines = _breakdown(
        _claim_sums(annotated, "region"), _paid_sums(annotated, "region"), _region_names
    )
    kind_lines = _breakdown(
        _kind_sums(annotated), _kind_paid(annotated), lambda keys: dict(KIND_LABELS)
    )
    total = Figures(
        committed_fen=sum(line.figures.committed_fen for line in item_lines),
        paid_fen=sum(line.figures.paid_fen for line in item_lines),
        recovered_fen=sum(line.figures.recovered_fen for line in item_lines),
        forecast_fen=sum(fen for _, fen in forecast.values()) if run is not None else None,
    )
    years = sorted({line.year for line in item_lines if line.year is not None}, reverse=True)
    return BudgetReport(item_lines, town_lines, kind_lines, total, run, years)


def _kind_sums(claims: QuerySet[Claim]) -> dict[tuple[object, ...], Figures]:
    people = _claim_sums(claims.filter(person__isnull=False), "kind")
    organisations = _claim_sums(claims.filter(person__isnull=True), "kind")
    out: dict[tuple[object, ...], Figures] = {}
    for name, part in (("person", people), ("organisation", organisations)):
        figures = Figures()
        for f in part.values():
            figures.committed_fen += f.committed_fen
            figures.recovered_fen += f.recovered_fen
        if part:
            out[(name,)] = figures
    return out


def _kind_paid(claims: QuerySet[Claim]) -> dict[tuple[object, ...], int]:
    out: dict[tuple[object, ...], int] = {}
    for name, part in (
        ("person", claims.filter(person__isnull=False)),
        ("organisation", claims.filter(person__isnull=True)),
    ):
        fen = sum(_paid_sums(part, "kind").values())
        if fen:
            out[(name,)] = fen
    return out


def _region_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _breakdown(
    sums: dict[tuple[object, ...], Figures],
    paid: dict[tuple[object, ...], int],
    names: object,
) -> list[BudgetLine]:
    keys = {str(k[0]) for k in sums} | {str(k[0]) for k in paid}
    labels = names(keys) if callable(names) else {}
    lines = []
    for key in keys:
        figures = sums.get((key,), Figures())
        figures.paid_fen = paid.get((key,), 0)
        lines.append(BudgetLine(key, str(labels.get(key, "未登记区域")), None, figures))
    return sorted(lines, key=lambda line: (-line.figures.committed_fen, line.label))


__all__ = ["BudgetLine", "BudgetReport", "Figures", "budget_report", "forecast_run"]
