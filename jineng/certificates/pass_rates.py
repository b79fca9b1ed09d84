"""The pass-rate integrity figure (issue 9, 9: "pass rates far above the region's"): per agency
and year, the share of its candidates who passed every part of their session, against the
region's, from published (公示中) and final (已确认) results only — compiled or reviewed results
can still change. The national audit's lax agencies passed nearly everyone; a rate far above the
other agencies' of the same year is flagged with the robust z of the volume figure
(`integrity.robust_z`, Iglewicz and Hoaglin's modified z) across the agencies of that year:
above `Z_FLAG` with at least `MIN_FLAGGED` candidates, once at least `MIN_AGENCIES` agencies
have results that year (fewer are no population to compare against).

A candidate counts in the year their session started (local time) and passes when every part of
the session has a passing `PartResult` — the same reading as `assessment.final_passes`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from jineng.assessment.models import ExamSession, PartResult, PublicationStatus
from jineng.certificates.integrity import MIN_FLAGGED, Z_FLAG, robust_z
from jineng.identity.access import Scope

MIN_AGENCIES = 3
COUNTED = (PublicationStatus.PUBLISHED, PublicationStatus.FINAL)


@dataclass(frozen=True)
class PassRate:
    organisation_id: int
    name: str
    year: int
    candidates: int
    passed: int
    rate: float  # 0–1
    region_rate: float  # the same year's, over every agency in the scope
    z: float | None  # None: fewer than MIN_AGENCIES agencies that year
    flagged: bool
    reason: str  # Chinese, "" when not flagged


def _sessions(scope: Scope) -> dict[int, tuple[int, str, int, int]]:
    """Session → (organisation, its name, year, number of parts) for the scope's sessions with
    published or final results."""
    qs = ExamSession.objects.filter(publication__status__in=COUNTED)
    if not scope.is_global:
        q = Q()
        for prefix in scope.region_prefixes:
            q |= Q(organisation__region__code__startswith=prefix)
        qs = qs.filter(q) if scope.region_prefixes else qs.none()
    return {
        pk: (org_id, name, timezone.localtime(starts_at).year, len(parts))
        for pk, org_id, name, starts_at, parts in qs.values_list(
            "pk", "organisation_id", "organisation__name", "starts_at", "parts"
        )
    }


def pass_rates(*, scope: Scope) -> list[PassRate]:
    """Every agency-year with results in the scope, flagged first, then the highest rates.
    The caller checks the reader may see integrity figures (`integrity.may_read_integrity`)."""
    sessions = _sessions(scope)
    if not sessions:
        return []
    # (organisation, year) → [candidates, passed]
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for row in (
        PartResult.objects.filter(registration__session_id__in=sessions)
        .values("registration_id", "registration__session_id")
        .annotate(parts=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    ):
        org_id, name, year, parts = sessions[row["registration__session_id"]]
        names[org_id] = name
        tally = counts[(org_id, year)]
        tally[0] += 1
        tally[1] += int(parts > 0 and row["passed"] == parts == row["parts"])
    by_year: dict[int, list[float]] = defaultdict(list)
    region: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (_org, year), (candidates, passed) in counts.items():
        by_year[year].append(passed / candidates)
        region[year][0] += candidates
        region[year][1] += passed
    out: list[PassRate] = []
    for (org_id, year), (candidates, passed) in counts.items():
        rate = passed / candidates
        region_rate = region[year][1] / region[year][0]
        rates = by_year[year]
        z = robust_z(rate, rates)[0] if len(rates) >= MIN_AGENCIES else None
        flagged = z is not None and z > Z_FLAG and candidates >= MIN_FLAGGED
        reason = f"{year}年通过率{rate:.0%}，远高于本辖区的{region_rate:.0%}" if flagged else ""
        out.append(
            PassRate(
                org_id, names[org_id], year, candidates, passed, rate, region_rate, z, flagged,
                reason,
            )
        )  # fmt: skip
    out.sort(key=lambda p: (not p.flagged, -p.year, -p.rate, p.name))
    return out
