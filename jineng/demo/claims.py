"""The demo city's claims and payouts, so the finance pages have something to show.

`seed_payouts`: a few dozen workers of the demo city with a fixed-amount entitlement the engine
finds today get their claims (through `claim_create`), reviewed and approved by the demo reviewer
and approver, past 公示; then the demo finance officer builds three batches: one paid and closed
(one line failed at the bank, corrected and paid in the next), one sent and waiting for the bank,
one still open. One more claim stays in 公示 with an objection from the public waiting for the
approver's answer, so the claim's step and objection pages have something to show. Every step
goes through the claims services. Once: a database that already has a payout batch is left alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.conf import settings
from django.utils import timezone

from jineng.claims.models import Claim, PayoutBatch
from jineng.claims.services import (
    BankResult,
    claim_account_confirm,
    claim_approve,
    claim_create,
    claim_objection_raise,
    claim_publicity_close,
    claim_review,
    claims_from_explanation,
    payout_batch_create,
    payout_batch_send,
    payout_reconcile,
)
from jineng.identity.models import Person, User
from jineng.identity.services import person_update
from jineng.policy.selectors.subjects import explain_facts, read_subject_facts

PEOPLE = 40
REGION = "441900"


def _users() -> tuple[User, User, User] | None:
    found = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    try:
        return found["demo_reviewer"], found["demo_approver"], found["demo_finance"]
    except KeyError:
        return None


def _claims(today: dt.date) -> list[Claim]:
    people = (
        Person.objects.filter(residence_region__code__startswith=REGION[:4])
        .filter(facts__isnull=False)
        .distinct()
        .order_by("pk")[: PEOPLE * 10]
    )
    claims: list[Claim] = []
    for person in people:
        explanation = explain_facts(read_subject_facts(person, today), on=today)
        for new in claims_from_explanation(person, explanation):
            if new.instalment != 1 or new.amount_fen <= 0 or new.entitlement.discretionary:
                continue
            if not person.bank_account:  # the seed leaves accounts empty: the payee's own card
                person = person_update(
                    actor=None, person=person, bank_account=f"62220202{person.pk:011d}"
                )
                new = replace(new, subject=person)
            claim = claim_create(actor=None, new=new)
            if claim is not None:
                claims.append(claim)
            break
        if len(claims) >= PEOPLE:
            break
    return claims


def seed_payouts(*, today: dt.date | None = None) -> int:
    """Claims and three batches for the demo city; returns the batches made (0: already there)."""
    if PayoutBatch.objects.exists():
        return 0
    users = _users()
    if users is None:
        return 0
    reviewer, approver, finance = users
    day = today or timezone.localdate()
    claims = _claims(day)
    if len(claims) < 6:
        return 0
    ends = day + dt.timedelta(days=int(getattr(settings, "CLAIMS_PUBLICITY_DAYS", 7)) + 1)
    in_publicity = claims.pop()
    for claim in [*claims, in_publicity]:
        claim_review(actor=reviewer, claim=claim, reason="材料齐全")
        claim_approve(actor=approver, claim=claim, today=day, reason="符合政策规定")
    for claim in claims:
        claim_publicity_close(actor=None, claim=claim, today=ends)
    claim_objection_raise(
        actor=None, claim=in_publicity, text="反映该人员当年已在外地领取同类补贴，请予核实"
    )
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(due_on=day)
    third = len(claims) // 3
    later = [c.pk for c in claims[third:]]
    Claim.objects.filter(pk__in=later).update(due_on=day + dt.timedelta(days=30))
    # 1. paid and closed, one line failed (户名不符) and paid after the worker's correction
    paid = payout_batch_create(actor=finance, region=REGION, due_by=day, title="本月第一批拨付")
    payout_batch_send(actor=finance, batch=paid)
    lines = list(paid.lines.order_by("pk"))
    failed = lines[0]
    results = [BankResult(line.pk, line.pk != failed.pk, "") for line in lines]
    results[0] = BankResult(failed.pk, False, "户名与账号不符")
    payout_reconcile(actor=finance, batch=paid, results=results)
    claim = Claim.objects.get(pk=failed.claim_id)
    account = "6217000010" + f"{claim.pk:09d}"
    if claim.person is not None:
        person_update(actor=None, person=claim.person, bank_account=account)
    claim_account_confirm(actor=finance, claim=claim, account=account, reason="本人更正收款账户")
    # 2. the corrected line and the next due claims: sent, waiting for the bank
    Claim.objects.filter(pk__in=later[: len(later) // 2]).update(due_on=day)
    sent = payout_batch_create(actor=finance, region=REGION, due_by=day, title="本月第二批拨付")
    payout_batch_send(actor=finance, batch=sent)
    # 3. the rest: an open batch being put together
    payout_batch_create(
        actor=finance, region=REGION, due_by=day + dt.timedelta(days=30), title="下月拨付（编制中）"
    )
    return 3
