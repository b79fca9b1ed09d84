"""What a panel member and the chair read of a 综合评审 (issue 9 §5): each candidate under their
name, or under their code where the occupation's rule makes the review anonymous; the member's
own scores; for the chair, how many members have scored each candidate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jineng.assessment.models import (
    AssessmentPart,
    ExamSession,
    PanelScore,
    Registration,
    SessionStaff,
)
from jineng.assessment.services.exam import candidate_code
from jineng.assessment.services.marking import panel_criteria
from jineng.assessment.services.sessions import staffing_rule
from jineng.identity.models import User


@dataclass(frozen=True)
class PanelLine:
    registration: Registration
    label: str  # the candidate's name, or their code when the review is anonymous
    mine: PanelScore | None
    scored: int  # members who have scored
    retained: bool


@dataclass(frozen=True)
class PanelOverview:
    session: ExamSession
    lines: list[PanelLine]
    criteria: list[tuple[str, Decimal]]
    members: int
    chair: bool
    anonymous: bool

    @property
    def complete(self) -> bool:
        return all(line.retained or line.scored >= self.members for line in self.lines)

    @property
    def missing(self) -> int:
        return sum(
            self.members - line.scored
            for line in self.lines
            if not line.retained and line.scored < self.members
        )


def panel_overview(*, session: ExamSession, member: User) -> PanelOverview:
    staff = SessionStaff.objects.filter(session=session, part=AssessmentPart.PANEL)
    chair = (
        member.person_id is not None
        and staff.filter(person_id=member.person_id, chair=True).exists()
    )
    anonymous = staffing_rule(occupation=session.occupation, part=AssessmentPart.PANEL).anonymous
    regs = list(
        Registration.objects.filter(session=session)
        .select_related("person")
        .prefetch_related("retained")
        .order_by("pk")
    )
    scores = list(PanelScore.objects.filter(registration__session=session))
    lines = []
    for r in regs:
        mine = next(
            (s for s in scores if s.registration_id == r.pk and s.member_id == member.pk), None
        )
        lines.append(
            PanelLine(
                registration=r,
                label=candidate_code(r) if anonymous else r.person.name,
                mine=mine,
                scored=sum(1 for s in scores if s.registration_id == r.pk),
                retained=any(k.part == AssessmentPart.PANEL for k in r.retained.all()),
            )
        )
    return PanelOverview(session, lines, panel_criteria(), staff.count(), chair, anonymous)
