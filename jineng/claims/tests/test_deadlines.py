"""Deadlines per review step (working days) and the overdue list; the scheduled close of 公示
through the review service."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from jineng.audit.models import AuditEntry
from jineng.claims.deadlines import (
    add_working_days,
    is_working_day,
    overdue_claims,
    publicity_close_due,
    subtract_working_days,
)
from jineng.claims.models import Claim, ClaimStatus
from jineng.claims.services import claim_approve, claim_objection_raise, claim_review
from jineng.claims.tasks import publicity_close_due_task
from jineng.claims.tests.support import ON, bare_claim, build_world
from jineng.identity.models import Role
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db


def test_working_days_skip_weekends_and_holidays_and_count_adjusted_weekends() -> None:
    friday = dt.date(2024, 9, 27)
    # Sunday 29 September 2024 was a 调休 working day before National Day (1–7 October off).
    assert add_working_days(friday, 1) == dt.date(2024, 9, 29)
    assert add_working_days(friday, 3) == dt.date(2024, 10, 8)
    assert not is_working_day(dt.date(2024, 10, 1))
    # A bare collection of dates adds holidays to the common calendar.
    assert add_working_days(friday, 3, frozenset({dt.date(2024, 10, 8)})) == dt.date(2024, 10, 9)


@given(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)), st.integers(0, 30))
def test_subtracting_undoes_adding_on_working_days(day: dt.date, n: int) -> None:
    if is_working_day(day):
        assert subtract_working_days(add_working_days(day, n), n) == day


@override_settings(CLAIMS_STEP_WORKING_DAYS={"accepted": 5, "reviewed": 5})
def test_the_overdue_list_holds_claims_past_their_steps_working_days() -> None:
    world = build_world()
    old = bare_claim(world.gold)
    fresh = bare_claim(world.silver)
    reviewed = bare_claim(world.nobody)
    claim_review(actor=world.reviewer, claim=reviewed)  # a move: its clock restarts now
    Claim.objects.filter(pk__in=[old.pk, reviewed.pk]).update(
        created_at=dt.datetime(2024, 1, 2, 9, tzinfo=dt.UTC)
    )
    Claim.objects.filter(pk=fresh.pk).update(created_at=dt.datetime(2024, 1, 8, 9, tzinfo=dt.UTC))
    today = dt.date(2024, 1, 10)  # Wednesday: 2 Jan + 5 working days = 9 Jan, overdue on the 10th
    listed = list(overdue_claims(world.reviewer, today=today))
    assert [c.pk for c in listed] == [old.pk]
    # An officer of another district sees none of them.
    other = make_user(Role.BUREAU_REVIEWER, region="330300")
    assert not overdue_claims(other, today=today).exists()


def test_the_scheduled_job_closes_only_periods_that_are_over_through_the_service() -> None:
    world = build_world()
    due, objected, running = (bare_claim(p) for p in (world.gold, world.silver, world.nobody))
    for claim in (due, objected, running):
        claim_review(actor=world.reviewer, claim=claim)
        claim_approve(actor=world.approver, claim=claim, today=ON)
    Claim.objects.filter(pk=running.pk).update(publicity_ends=dt.date(2099, 6, 1))
    claim_objection_raise(actor=world.worker, claim=objected, text="此人并非本单位职工")
    moves = AuditEntry.objects.filter(action="claim_move").count()
    result = publicity_close_due(today=ON + dt.timedelta(days=30))
    assert (result.closed, result.held) == (1, 1)
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses[due.pk] == ClaimStatus.PAYABLE
    assert statuses[objected.pk] == statuses[running.pk] == ClaimStatus.PUBLICITY
    assert AuditEntry.objects.filter(action="claim_move").count() == moves + 1
    assert publicity_close_due(today=ON + dt.timedelta(days=30)).closed == 0  # twice: nothing
    assert publicity_close_due_task.apply().get() == {"closed": 0, "held": 1}
    out = io.StringIO()
    call_command("claims_publicity_close", "--date", "2100-01-01", stdout=out)
    assert "转入待拨付 1 件" in out.getvalue()
    assert Claim.objects.get(pk=running.pk).status == ClaimStatus.PAYABLE
