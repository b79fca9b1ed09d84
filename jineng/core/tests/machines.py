"""Two models of the core tests only (no app, no migration: `conftest.py` creates their tables):
a ticket with an audited workflow, and a chore run as a background job with a heartbeat."""

from __future__ import annotations

from django.db import models

from jineng.core.jobs import DONE, QUEUED, job_transitions
from jineng.core.states import StateMachine


class TicketStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已退回"
    PAID = "paid", "已发放"
    WITHDRAWN = "withdrawn", "已撤回"  # declared, but no move leads to it


class Ticket(models.Model):
    title = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=TicketStatus, default=TicketStatus.DRAFT)
    note = models.CharField(max_length=50, blank=True)
    # Declared: the type checker's Django plugin sees only installed apps' managers.
    objects: models.Manager[Ticket] = models.Manager()

    class Meta:
        app_label = "core_tests"

    def __str__(self) -> str:
        return self.title


TICKET_STATES: StateMachine[Ticket] = StateMachine(
    Ticket,
    {
        TicketStatus.DRAFT: {TicketStatus.SUBMITTED},
        TicketStatus.SUBMITTED: {TicketStatus.APPROVED, TicketStatus.REJECTED},
        TicketStatus.REJECTED: {TicketStatus.DRAFT},
        TicketStatus.APPROVED: {TicketStatus.PAID},
    },
    TicketStatus,
    object_type="core_tests.ticket",
    audit_action="update",
    describe=lambda t: f"申请「{t.title}」",
)


class ChoreStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Chore(models.Model):
    status = models.CharField(max_length=10, choices=ChoreStatus, default=ChoreStatus.QUEUED)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    beat_at = models.DateTimeField(null=True)
    done_count = models.PositiveIntegerField(default=0)
    result = models.CharField(max_length=50, blank=True)
    error = models.TextField(blank=True)
    objects: models.Manager[Chore] = models.Manager()

    class Meta:
        app_label = "core_tests"

    def __str__(self) -> str:
        return f"chore {self.status}"


# Like an import job: a finished chore may be queued again.
CHORE_STATES: StateMachine[Chore] = StateMachine(
    Chore, job_transitions(**{DONE: frozenset({QUEUED})}), ChoreStatus
)

TEST_MODELS: tuple[type[models.Model], ...] = (Ticket, Chore)
