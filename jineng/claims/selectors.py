"""Reads of the claims app for pages and the API: the bureau's queue with filters, a worker's own
claims, one claim's history. Every read starts from the access helpers (`jineng.claims.access`),
so what a user sees is scoped by who they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jineng.audit.models import AuditEntry
from jineng.audit.vocabulary import AuditAction, AuditObject, action_label
from jineng.claims.access import claims_visible_to
from jineng.claims.models import CLAIM_STATES, Claim, ClaimStatus, Message
from jineng.identity.access import Scope
from jineng.identity.models import User


def claims_queue(
    user: User,
    *,
    scope: Scope | None = None,
    status: str = "",
    item_id: str = "",
    q: str = "",
) -> QuerySet[Claim]:
    """The claims the user may see, filtered by status, item and the beneficiary's name."""
    claims = claims_visible_to(user, scope=scope)
    if status:
        claims = claims.filter(status=status)
    if item_id:
        claims = claims.filter(item_id=item_id)
    if q.strip():
        name = q.strip()
        claims = claims.filter(
            Q(person__name__contains=name) | Q(organisation__name__contains=name)
        )
    return claims.order_by("due_on", "pk")


def my_claims(user: User, *, scope: Scope | None = None) -> QuerySet[Claim]:
    """A worker's own claims (nothing for an account without a person)."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Claim.objects.none()
    return claims_visible_to(user, scope=scope).filter(person_id=person_id).order_by("-created_at")


def inbox_of(user: User) -> QuerySet[Message]:
    """The account's own inbox: messages to its person (a worker)."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Message.objects.none()
    return Message.objects.filter(person_id=person_id).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    what: str  # in words: 办理待遇申领：初审通过
    reason: str


def claim_history(claim: Claim) -> list[HistoryLine]:
    """What happened to a claim the caller already read through `access_claim_by_id`: each
    audited step in order, in words (who did it is on the audit page, for those who may read it)."""
    entries = AuditEntry.objects.filter(
        object_type=AuditObject.CLAIM, object_id=str(claim.pk)
    ).order_by("pk")
    lines: list[HistoryLine] = []
    for entry in entries:
        what = action_label(entry.action)
        if entry.action == AuditAction.CLAIM_MOVE and entry.after:
            what = CLAIM_STATES.label(str(entry.after.get("status", "")))
        lines.append(HistoryLine(entry.at, what, entry.reason))
    return lines


STATUS_CHOICES = ClaimStatus.choices
