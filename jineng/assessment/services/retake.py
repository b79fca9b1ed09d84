"""Retakes with 单科成绩保留 (issue 9 §5): a candidate who failed a part of a session whose
results are final may register for a later session of the same occupation and level and sit
only the failed part(s); each passed part is retained for `ASSESSMENT_PART_RETENTION_DAYS`
counted from the date of the exam where it was passed (national practice: one year). A retained
part that has run out is sat again, with everything else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from jineng.assessment.models import (
    ExamSession,
    PartResult,
    PublicationStatus,
    Registration,
    RetainedPart,
)
from jineng.assessment.models.sessions import AssessmentPart
from jineng.identity.models import Person


@dataclass(frozen=True)
class RetakeCheck:
    """What a registration for `session` may keep: `retained` part → the earlier result (its
    origin, for a result already retained once); `expired` the parts passed too long ago, one
    Chinese sentence each; `earlier` the registration the results come from."""

    retained: dict[str, PartResult] = field(default_factory=dict)
    expired: list[str] = field(default_factory=list)
    earlier: Registration | None = None


def _origin(result: PartResult) -> PartResult:
    seen = 0
    while result.retained_from_id is not None and seen < 20:
        result = PartResult.objects.select_related("registration__session").get(
            pk=result.retained_from_id
        )
        seen += 1
    return result


def retake_check(*, person: Person, session: ExamSession) -> RetakeCheck:
    """The person's latest earlier registration for the same occupation and level whose results
    are final and not all passed: its passed parts within the retention period are retained."""
    days = int(settings.ASSESSMENT_PART_RETENTION_DAYS)
    on = session.starts_at.date()
    earlier_regs = (
        Registration.objects.filter(
            person=person,
            session__occupation=session.occupation,
            session__level=session.level,
            session__starts_at__lt=session.starts_at,
            session__publication__status=PublicationStatus.FINAL,
        )
        .select_related("session")
        .order_by("-session__starts_at", "-pk")
    )
    for registration in earlier_regs:
        results = list(
            PartResult.objects.filter(registration=registration).select_related(
                "registration__session"
            )
        )
        if not results or all(r.passed for r in results):
            continue
        retained: dict[str, PartResult] = {}
        expired: list[str] = []
        for result in results:
            if not result.passed or result.part not in session.parts:
                continue
            origin = _origin(result)
            sat_on = origin.registration.session.starts_at.date()
            until = sat_on + dt.timedelta(days=days)
            label = AssessmentPart(result.part).label
            if on <= until:
                retained[result.part] = origin
            else:
                expired.append(
                    f"{label}成绩（{sat_on:%Y年%m月%d日}考试）保留至{until:%Y年%m月%d日}，已过期"
                )
        return RetakeCheck(retained, expired, registration)
    return RetakeCheck()


def retained_parts(registration: Registration) -> dict[str, PartResult]:
    return {
        r.part: r.result
        for r in RetainedPart.objects.filter(registration=registration).select_related("result")
    }


def retake_label(check: RetakeCheck) -> str:
    """One sentence for the candidate: what is kept and what has expired."""
    parts = [
        f"保留{AssessmentPart(p).label}成绩{r.score}分" for p, r in sorted(check.retained.items())
    ]
    return "；".join(parts + check.expired)
