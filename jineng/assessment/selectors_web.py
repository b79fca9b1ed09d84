"""Reads the exam, marking and results pages show (all through `access`, scoped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from jineng.assessment import access
from jineng.assessment.access_examroom import room_sessions_visible_to
from jineng.assessment.models import (
    AssessmentPart,
    Attempt,
    AttemptStatus,
    CorrectionStatus,
    EvidenceEvent,
    ExamSession,
    Objection,
    PartResult,
    PublicationStatus,
    Registration,
    ResultPublication,
    ScoreCorrection,
    SessionStatus,
)
from jineng.identity.access import Scope
from jineng.identity.models import User

VISIBLE_RESULTS = frozenset({PublicationStatus.PUBLISHED, PublicationStatus.FINAL})


@dataclass(frozen=True)
class MyRegistration:
    registration: Registration
    session: ExamSession
    attempt_label: str
    can_sit: bool
    has_results: bool


def _parts_label(session: ExamSession) -> str:
    return "、".join(str(AssessmentPart(p).label) for p in session.parts)


def my_registrations(*, user: User, scope: Scope | None = None) -> list[MyRegistration]:
    s = access._scope(user, scope)
    if s.person_id is None:
        return []
    regs = (
        Registration.objects.filter(person_id=s.person_id)
        .select_related("session__occupation", "session__organisation")
        .order_by("-session__starts_at", "-pk")[:100]
    )
    attempts = {a.registration_id: a for a in Attempt.objects.filter(registration__in=list(regs))}
    published = set(
        ResultPublication.objects.filter(
            session__in=[r.session for r in regs], status__in=VISIBLE_RESULTS
        ).values_list("session_id", flat=True)
    )
    out: list[MyRegistration] = []
    for r in regs:
        attempt = attempts.get(r.pk)
        theory = AssessmentPart.THEORY in r.session.parts
        out.append(
            MyRegistration(
                registration=r,
                session=r.session,
                attempt_label=attempt.get_status_display() if attempt else "未入场",
                can_sit=theory
                and r.session.status == SessionStatus.OPEN
                and (attempt is None or attempt.status != AttemptStatus.SUBMITTED),
                has_results=r.session_id in published,
            )
        )
    return out


@dataclass(frozen=True)
class PartLine:
    part_label: str
    score: Decimal
    pass_mark: Decimal
    passed: bool


@dataclass(frozen=True)
class MyResult:
    registration: Registration
    session: ExamSession
    publication: ResultPublication
    parts: list[PartLine]
    passed: bool
    objections: list[Objection]


def _lines(rows: list[PartResult]) -> list[PartLine]:
    return [
        PartLine(str(AssessmentPart(r.part).label), r.score, r.pass_mark, r.passed) for r in rows
    ]


def my_results(*, user: User, scope: Scope | None = None) -> list[MyResult]:
    """The caller's results once published (公示) or final."""
    s = access._scope(user, scope)
    if s.person_id is None:
        return []
    regs = list(
        Registration.objects.filter(
            person_id=s.person_id, session__publication__status__in=VISIBLE_RESULTS
        ).select_related("session__occupation", "session__organisation", "session__publication")
    )
    out: list[MyResult] = []
    for r in regs:
        rows = list(PartResult.objects.filter(registration=r).order_by("part"))
        out.append(
            MyResult(
                registration=r,
                session=r.session,
                publication=r.session.publication,
                parts=_lines(rows),
                passed=bool(rows) and all(x.passed for x in rows),
                objections=list(Objection.objects.filter(registration=r, raised_by=user)),
            )
        )
    return out


@dataclass(frozen=True)
class CandidateLine:
    registration: Registration
    attempt: Attempt | None
    events: int
    parts: list[tuple[PartResult, str]]


@dataclass
class SessionOverview:
    session: ExamSession
    parts_label: str
    lines: list[CandidateLine]
    publication: ResultPublication | None
    objections: list[Objection] = field(default_factory=list)
    pending_corrections: int = 0
    can_manage: bool = False
    can_invigilate: bool = False
    rooms: list[int] = field(default_factory=list)  # the room records the user may read


def session_overview(
    *, user: User, session_id: object, scope: Scope | None = None
) -> SessionOverview:
    session = access.access_session_by_id(user, session_id, scope=scope)
    regs = list(Registration.objects.filter(session=session).select_related("person")[:500])
    attempts = {a.registration_id: a for a in Attempt.objects.filter(registration__in=regs)}
    events = dict(
        EvidenceEvent.objects.filter(attempt__registration__in=regs)
        .values("attempt__registration_id")
        .annotate(n=Count("pk"))
        .values_list("attempt__registration_id", "n")
    )
    results: dict[int, list[tuple[PartResult, str]]] = {}
    for row in PartResult.objects.filter(registration__in=regs).order_by("part"):
        results.setdefault(row.registration_id, []).append(
            (row, str(AssessmentPart(row.part).label))
        )
    publication = ResultPublication.objects.filter(session=session).first()
    return SessionOverview(
        session=session,
        parts_label=_parts_label(session),
        lines=[
            CandidateLine(r, attempts.get(r.pk), int(events.get(r.pk, 0)), results.get(r.pk, []))
            for r in regs
        ],
        publication=publication,
        objections=list(publication.objections.select_related("registration__person"))
        if publication
        else [],
        pending_corrections=ScoreCorrection.objects.filter(
            result__registration__session=session, status=CorrectionStatus.PENDING
        ).count(),
        can_manage=access.can_run_sessions(user, session.organisation_id, scope=scope),
        can_invigilate=access.can_invigilate(user, session.organisation_id, scope=scope),
        rooms=list(range(1, session.rooms + 1))
        if room_sessions_visible_to(user, scope=scope).filter(pk=session.pk).exists()
        else [],
    )
