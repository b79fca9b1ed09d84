"""Deadlines per review step (issue 10 §3) and the scheduled close of 公示.

Each step a claim waits in has a number of working days (`CLAIMS_STEP_WORKING_DAYS`: 已受理 for
初审, 初审通过 for 复审, 待拨付 for finance); working days are the one calendar of
`jineng.core.workdays` (China's holidays and 调休 working weekends, plus `WORKDAYS_EXTRA_*`). The
time a claim entered its step is its last move in the audit trail (every move is one `claim_move`
entry, jineng.core.states.transition), else its creation — read in the same query, so the overdue list is one query however long the queue.

公示 has its own period (`CLAIMS_PUBLICITY_DAYS`, set by `claim_approve`): the Celery beat task
`claims.publicity_close_due` (daily, config/django/base.py CELERY_BEAT_SCHEDULE; also
`jineng claims_publicity_close`) moves every claim whose period is over and whose objections are
all answered to 待拨付 through `claim_publicity_close` — the review service, never around it. A
claim the service refuses (an unanswered objection) stays and is counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from jineng.audit.models import AuditEntry
from jineng.audit.vocabulary import AuditAction, AuditObject
from jineng.claims.access import claims_visible_to
from jineng.claims.models import Claim, ClaimStatus
from jineng.core import workdays
from jineng.core.errors import DomainError
from jineng.identity.access import Scope
from jineng.identity.models import User

# The claims' names for the common calendar (a bare collection of dates adds holidays to it).
is_working_day = workdays.is_working_day
add_working_days = workdays.add_working_days
subtract_working_days = workdays.subtract_working_days


def with_entered_at(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Claims annotated with `entered_at`: their last move (audit trail), else their creation."""
    last_move = (
        AuditEntry.objects.filter(
            action=AuditAction.CLAIM_MOVE,
            object_type=AuditObject.CLAIM,
            object_id=Cast(OuterRef("pk"), output_field=AuditEntry._meta.get_field("object_id")),
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return claims.annotate(
        entered_at=Coalesce(Subquery(last_move, output_field=DateTimeField()), "created_at")
    )


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Deadline:
    status: str
    working_days: int
    due_on: dt.date
    days_over: int  # working days past the deadline (0 = due today or later)


def deadline_of(claim: Claim, entered_at: dt.datetime, today: dt.date) -> Deadline | None:
    days = settings.CLAIMS_STEP_WORKING_DAYS.get(claim.status)
    if days is None:
        return None
    calendar = workdays.default_calendar()
    entered = timezone.localtime(entered_at).date()
    due = add_working_days(entered, int(days), calendar)
    over = workdays.working_days_between(due, today + timedelta(days=1), calendar)
    return Deadline(claim.status, int(days), due, over)


def overdue_claims(
    user: User, *, scope: Scope | None = None, today: dt.date | None = None
) -> QuerySet[Claim]:
    """The claims the user may see that have waited in their step longer than its working days
    (a claim entered on day D with N days is due on D + N working days, overdue the day after).
    Oldest first."""
    day = today or timezone.localdate()
    calendar = workdays.default_calendar()
    late = Q(pk__in=[])
    for status, days in settings.CLAIMS_STEP_WORKING_DAYS.items():
        # Overdue today ⇔ entered before the working day N working days before today.
        cutoff = subtract_working_days(day, int(days), calendar)
        late |= Q(status=status, entered_at__lt=_local_midnight(cutoff))
    claims = claims_visible_to(user, scope=scope).filter(
        status__in=list(settings.CLAIMS_STEP_WORKING_DAYS)
    )
    return with_entered_at(claims).filter(late).order_by("entered_at", "pk")


@dataclass(frozen=True)
class CloseResult:
    closed: int
    held: int  # period over but refused by the service (an unanswered objection)


def publicity_close_due(*, today: dt.date | None = None) -> CloseResult:
    """Every claim in 公示 whose period is over goes to 待拨付 through `claim_publicity_close`
    (safe to run twice: a closed claim is no longer in 公示)."""
    from jineng.claims.services.review import claim_publicity_close

    day = today or timezone.localdate()
    due = Claim.objects.filter(status=ClaimStatus.PUBLICITY, publicity_ends__lte=day).order_by("pk")
    closed = held = 0
    for pk in list(due.values_list("pk", flat=True)):
        claim = Claim.objects.get(pk=pk)
        try:
            claim_publicity_close(actor=None, claim=claim, today=day)
        except DomainError:
            held += 1
        else:
            closed += 1
    return CloseResult(closed, held)


__all__ = [
    "CloseResult",
    "Deadline",
    "add_working_days",
    "deadline_of",
    "is_working_day",
    "overdue_claims",
    "publicity_close_due",
    "subtract_working_days",
    "with_entered_at",
]
