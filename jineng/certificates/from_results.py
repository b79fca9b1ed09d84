"""Issuing certificates from a session's final results (issue 9, 6: "issued for final passes
only, in a background batch with progress"): the final passes (`assessment.final_passes`) become
the rows of an `IssueBatch` of the session's organisation, issued by the task in chunks.

Run twice, it issues nobody twice: the session row is locked while the list is made, and a
candidate who already holds a current certificate of the organisation for the session's
occupation and level, or is in one of its batches still queued or running, is left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from jineng.assessment.models import ExamSession
from jineng.assessment.services import final_passes
from jineng.certificates.batches import certificate_batch_start
from jineng.certificates.models import BatchStatus, Certificate, CertificateStatus, IssueBatch
from jineng.certificates.services import NewCertificate
from jineng.core.errors import Conflict, Unprocessable

if TYPE_CHECKING:
    from jineng.identity.models import User


@dataclass(frozen=True)
class SessionIssue:
    """What issuing would do now: passes in the final results, and those still to be issued."""

    passes: int
    pending: list[NewCertificate]


def _already(session: ExamSession, person_ids: set[int]) -> set[int]:
    held = set(
        Certificate.objects.filter(
            issuer_id=session.organisation_id,
            occupation_id=session.occupation_id,
            level=session.level,
            person_id__in=person_ids,
            status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED],
        ).values_list("person_id", flat=True)
    )
    for rows in IssueBatch.objects.filter(
        issuer_id=session.organisation_id, status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING]
    ).values_list("rows", flat=True):
        held |= {
            int(r["person"])
            for r in rows
            if r["occupation"] == session.occupation_id and r["level"] == session.level
        }
    return held


def session_issue_preview(*, session: ExamSession) -> SessionIssue:
    passes = final_passes(session=session)
    held = _already(session, {p.person.pk for p in passes})
    today = timezone.localdate()
    pending = [
        NewCertificate(
            person_id=p.person.pk,
            occupation=session.occupation_id,
            level=session.level,
            issued_on=today,
        )
        for p in passes
        if p.person.pk not in held
    ]
    return SessionIssue(passes=len(passes), pending=pending)


@transaction.atomic
def session_issue_start(*, actor: User | None, session: ExamSession) -> IssueBatch:
    """Queue a batch for the session's final passes not yet issued; refused (in Chinese) before
    the results are final or when everyone already has theirs."""
    session = ExamSession.objects.select_for_update().get(pk=session.pk)
    preview = session_issue_preview(session=session)
    if not preview.passes:
        raise Unprocessable(
            "session", "该批次成绩尚未确认（公示期满并答复全部异议后确认），或没有合格的考生"
        )
    if not preview.pending:
        raise Conflict("session", "该批次的合格考生均已发证或正在发证")
    return certificate_batch_start(actor=actor, issuer=session.organisation, rows=preview.pending)
