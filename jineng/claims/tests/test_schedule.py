"""Instalments paid as their dates come: the 湖州大工匠 grant (200,000 over two years, hz.yaml
二、(二)3) becomes two claims from the engine's schedule; the second follows the first's approval
and becomes payable on its date, by a daily run that moves nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from jineng.claims.models import Claim, ClaimKind, ClaimStatus, InstalmentRun, RunStatus
from jineng.claims.services import (
    BankResult,
    claim_create,
    instalments_release,
    payout_batch_create,
    payout_batch_send,
    payout_reconcile,
)
from jineng.claims.services.schedule import instalment_claims
from jineng.claims.tests.support import REGION, bare_claim, build_world, lines_for, to_payable
from jineng.dossier.services import fact_append

pytestmark = pytest.mark.django_db
GRAND = "hz.craftsman.grand"
TITLED = dt.date(2023, 1, 10)


def test_a_grant_in_two_instalments_is_paid_as_each_date_comes() -> None:
    world = build_world()
    fact_append(
        actor=None,
        subject=world.gold,
        kind="title",
        code="huzhou_grand_craftsman",
        date=TITLED,
        region="330502",
        source="test",
    )
    news = [n for n in lines_for(world.gold) if n.item.id == GRAND]
    assert [(n.instalment, n.amount_fen, n.due_on) for n in news] == [
        (1, 10_000_000, TITLED),
        (2, 10_000_000, dt.date(2024, 1, 10)),
    ]
    first, second = (claim_create(actor=None, new=n) for n in news)
    assert first is not None and second is not None
    assert claim_create(actor=None, new=news[1]) is None  # an instalment exists once
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            **{
                f.attname: getattr(second, f.attname)
                for f in Claim._meta.concrete_fields
                if f.name != "id"
            }
        )
    assert instalment_claims(second) == [first, second]

    # Before the first is approved the second waits as it is.
    instalments_release(today=dt.date(2023, 7, 1))
    second.refresh_from_db()
    assert second.status == ClaimStatus.ACCEPTED

    to_payable(world, first)
    run = instalments_release(today=dt.date(2023, 7, 2))
    assert (run.status, run.scheduled, run.released) == (RunStatus.DONE, 1, 0)
    second.refresh_from_db()
    assert second.status == ClaimStatus.SCHEDULED
    assert (second.reviewer_id, second.approver_id) == (world.reviewer.pk, world.approver.pk)
    batch = payout_batch_create(actor=world.finance, region=REGION, due_by=dt.date(2023, 7, 2))
    assert [line.claim_id for line in batch.lines.all()] == [first.pk]

    # Its date comes: the day's run makes it payable; the same day again moves nothing.
    day = dt.date(2024, 1, 10)
    assert instalments_release(today=day).released == 1
    again = instalments_release(today=day)
    assert again.released == 1 and InstalmentRun.objects.filter(on=day).count() == 1
    second.refresh_from_db()
    assert second.status == ClaimStatus.PAYABLE
    later = payout_batch_create(actor=world.finance, region=REGION, due_by=day)
    (line,) = later.lines.all()
    assert line.claim_id == second.pk and line.amount_fen == 10_000_000
    payout_batch_send(actor=world.finance, batch=later)
    payout_reconcile(actor=world.finance, batch=later, results=[BankResult(line.pk, True)])
    second.refresh_from_db()
    assert second.status == ClaimStatus.PAID


def test_a_monthly_allowance_releases_each_month_on_its_date() -> None:
    world = build_world()
    months = [dt.date(2023, m, 1) for m in (7, 8, 9)]
    claims = [
        bare_claim(
            world.gold,
            fact_id="allowance",
            instalment=n,
            amount_fen=150_000,
            min_fen=150_000,
            max_fen=150_000,
            due_on=due,
            schedule=[{"date": d.isoformat(), "amount_fen": 150_000} for d in months],
        )
        for n, due in enumerate(months, start=1)
    ]
    to_payable(world, claims[0])
    instalments_release(today=dt.date(2023, 8, 15))
    statuses = [Claim.objects.get(pk=c.pk).status for c in claims]
    assert statuses == [ClaimStatus.PAYABLE, ClaimStatus.PAYABLE, ClaimStatus.SCHEDULED]
    assert all(c.kind == ClaimKind.ORIGINAL for c in claims)
