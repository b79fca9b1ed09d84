"""Declared state machines (`jineng.core.states`): a status moves only along a declared edge,
by a status-checked UPDATE that a racing worker cannot also win, with one audit entry per move."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.audit.models import AuditEntry
from jineng.audit.services import audit_verify
from jineng.core.errors import Conflict, DomainError
from jineng.core.states import StateMachine, TransitionRefused, machine_of, transition
from jineng.core.tests.machines import TICKET_STATES, Ticket, TicketStatus

pytestmark = pytest.mark.usefixtures("machine_tables")

STATUSES = list(TicketStatus.values)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def entries(ticket: Ticket) -> list[tuple[Any, Any]]:
    rows = AuditEntry.objects.filter(object_type="core_tests.ticket", object_id=str(ticket.pk))
    return [(e.before, e.after) for e in rows.order_by("id")]


def reachable(start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in TICKET_STATES.targets(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_declaration_reads_as_data() -> None:
    assert TICKET_STATES.targets(TicketStatus.SUBMITTED) == {"approved", "rejected"}
    assert TICKET_STATES.sources(TicketStatus.DRAFT) == {"rejected"}
    assert TICKET_STATES.targets(TicketStatus.PAID) == frozenset()  # terminal
    assert TICKET_STATES.allows("approved", "paid") and not TICKET_STATES.allows("draft", "paid")
    assert machine_of(Ticket) is TICKET_STATES


def test_a_declaration_naming_an_unknown_status_or_a_second_machine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown statuses"):
        StateMachine(Ticket, {"draft": {"archived"}}, TicketStatus)
    with pytest.raises(ValueError, match="already declares"):
        StateMachine(Ticket, {"draft": {"submitted"}}, TicketStatus)
    with pytest.raises(ValueError, match="object_type"):
        StateMachine(Ticket, {}, TicketStatus, audit_action="update")


def test_an_allowed_move_updates_the_row_and_appends_one_audit_entry() -> None:
    ticket = Ticket.objects.create(title="技能补贴")
    moved = transition(
        obj_or_queryset=ticket, to=TicketStatus.SUBMITTED, actor=None, reason="提交", note="已交"
    )
    assert moved == 1 and (ticket.status, ticket.note) == ("submitted", "已交")
    assert Ticket.objects.values_list("status", "note").get(pk=ticket.pk) == ("submitted", "已交")
    assert entries(ticket) == [({"status": "draft"}, {"status": "submitted"})]
    entry = AuditEntry.objects.get(object_type="core_tests.ticket")
    assert (entry.action, entry.reason, entry.actor_id) == ("update", "提交", None)
    assert audit_verify().ok


def test_a_move_not_declared_is_refused_in_chinese_and_changes_nothing() -> None:
    ticket = Ticket.objects.create(title="技能补贴")
    with pytest.raises(TransitionRefused) as refused:
        transition(obj_or_queryset=ticket, to=TicketStatus.PAID, actor=None, note="x")
    error = refused.value
    assert isinstance(error, Conflict) and isinstance(error, DomainError) and error.status == 409
    assert error.field == "status" and error.value == "draft"
    assert error.message == "申请「技能补贴」当前为「草稿」，不能改为「已发放」"
    assert Ticket.objects.values_list("status", "note").get(pk=ticket.pk) == ("draft", "")
    assert entries(ticket) == []


def test_two_workers_racing_for_the_same_move_cannot_both_make_it() -> None:
    ticket = Ticket.objects.create(title="技能补贴", status=TicketStatus.SUBMITTED)
    first, second = Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)
    transition(obj_or_queryset=first, to=TicketStatus.APPROVED, actor=None)
    # the second still holds "submitted": the UPDATE's status check finds the row moved on
    with pytest.raises(TransitionRefused) as refused:
        transition(obj_or_queryset=second, to=TicketStatus.REJECTED, actor=None)
    assert refused.value.message == (
        "申请「技能补贴」已被其他操作改为「已批准」，不能再改为「已退回」，请刷新后查看"
    )
    assert Ticket.objects.get(pk=ticket.pk).status == "approved"
    assert entries(ticket) == [({"status": "submitted"}, {"status": "approved"})]


def test_a_queryset_moves_the_rows_that_may_move_and_audits_each() -> None:
    drafts = [Ticket.objects.create(title=f"草稿{i}") for i in range(3)]
    paid = Ticket.objects.create(title="已发", status=TicketStatus.PAID)
    moved = transition(obj_or_queryset=Ticket.objects.all(), to=TicketStatus.SUBMITTED, actor=None)
    assert moved == 3
    assert set(Ticket.objects.values_list("status", flat=True)) == {"submitted", "paid"}
    assert all(entries(t) == [({"status": "draft"}, {"status": "submitted"})] for t in drafts)
    assert entries(paid) == []
    # again: nothing left to move, no error, no entry
    assert transition(obj_or_queryset=Ticket.objects.all(), to="submitted", actor=None) == 0
    assert AuditEntry.objects.filter(object_type="core_tests.ticket").count() == 3
    assert audit_verify().ok


def test_an_unknown_target_is_a_programming_error() -> None:
    ticket = Ticket.objects.create(title="技能补贴")
    with pytest.raises(ValueError, match="unknown status"):
        transition(obj_or_queryset=ticket, to="archived", actor=None)


@PROPERTY
@given(
    start=st.sampled_from(STATUSES),
    requests=st.lists(st.tuples(st.sampled_from(STATUSES), st.booleans()), max_size=12),
)
def test_any_sequence_of_requests_moves_only_along_declared_edges(
    start: str, requests: list[tuple[str, bool]]
) -> None:
    # given a ticket and two workers holding it (one of them may act on a stale copy)
    ticket = Ticket.objects.create(title="申请", status=start)
    workers = [Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)]
    path = [start]
    for to, second in requests:
        held = workers[second]
        before = Ticket.objects.get(pk=ticket.pk).status
        try:
            transition(obj_or_queryset=held, to=to, actor=None)
        except TransitionRefused:
            # a refused request changed nothing
            assert Ticket.objects.get(pk=ticket.pk).status == before
            continue
        after = Ticket.objects.get(pk=ticket.pk).status
        assert after == to and TICKET_STATES.allows(before, after)
        path.append(after)
    # then it only ever stood in states reachable from the start by declared edges,
    assert set(path) <= reachable(start)
    # and every successful move has exactly one audit entry, in order
    assert entries(ticket) == [
        ({"status": a}, {"status": b}) for a, b in zip(path, path[1:], strict=False)
    ]


@PROPERTY
@given(
    states=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=8),
    to=st.sampled_from(STATUSES),
)
def test_a_batch_moves_exactly_the_rows_whose_status_leads_to_the_target(
    states: list[str], to: str
) -> None:
    tickets = [Ticket.objects.create(title="批量", status=s) for s in states]
    ids = [t.pk for t in tickets]
    moved = transition(obj_or_queryset=Ticket.objects.filter(pk__in=ids), to=to, actor=None)
    expected = [t for t in tickets if TICKET_STATES.allows(t.status, to)]
    assert moved == len(expected)
    for t in tickets:
        now = Ticket.objects.get(pk=t.pk).status
        if t in expected:
            assert now == to and entries(t) == [({"status": t.status}, {"status": to})]
        else:
            assert now == t.status and entries(t) == []
