"""Entitlements become claims, frozen at creation; a key is claimed once (the database enforces
it); a later change yields a difference claim or a recovery linked to the original, never an
edit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from jineng.audit.models import AuditEntry
from jineng.claims.models import Claim, ClaimKind, ClaimStatus
from jineng.claims.services import claim_account_confirm, claim_adjust, claim_create
from jineng.claims.tests.support import MEDAL, build_world, lines_for, medal_claim, medal_fen
from jineng.core.errors import DomainError
from jineng.dossier.services import fact_correct

pytestmark = pytest.mark.django_db


def test_an_entitlement_becomes_a_claim_with_its_amount_clause_and_explanation() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    assert claim.amount_fen == medal_fen("gold")
    assert claim.item_id == MEDAL
    assert claim.status == ClaimStatus.ACCEPTED
    assert claim.fact_id == str(world.gold_fact.pk)
    assert claim.trigger_code == "worldskills" and claim.trigger_level == "gold"
    assert "世界技能大赛" in claim.citation["quote"]
    assert claim.explanation["item"]["id"] == MEDAL
    assert claim.explanation["item"]["entitlements"][0]["amount_fen"] == medal_fen("gold")
    assert claim.region == "330502"
    assert claim.payee_account == "6222020200112233445"
    assert (
        AuditEntry.objects.filter(
            action="claim_create", object_type="claim", object_id=str(claim.pk)
        ).count()
        == 1
    )


def test_the_same_key_is_claimed_once_by_the_service_and_by_the_database() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    (new,) = [n for n in lines_for(world.gold) if n.item.id == MEDAL]
    assert claim_create(actor=None, new=new) is None
    assert Claim.objects.filter(item_id=MEDAL, person=world.gold).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            person=world.gold,
            subject_key=claim.subject_key,
            item_id=claim.item_id,
            item_title="重复",
            fact_id=claim.fact_id,
            instalment=claim.instalment,
            source="automatic",
            region=claim.region,
            trigger_date=claim.trigger_date,
            amount_fen=1,
            due_on=claim.due_on,
            evaluated_on=claim.evaluated_on,
        )


def test_nothing_is_claimed_for_a_person_without_an_entitlement() -> None:
    world = build_world()
    assert [n for n in lines_for(world.nobody) if n.item.id == MEDAL] == []


def test_a_change_adds_a_difference_or_a_recovery_linked_to_the_original() -> None:
    world = build_world()
    original = medal_claim(world.gold)
    gold = medal_fen("gold")
    more = claim_adjust(actor=None, original=original, amount_fen=gold + 5000, reason="政策调整")
    assert more is not None and more.kind == ClaimKind.DIFFERENCE
    assert more.amount_fen == 5000 and more.original_id == original.pk and more.revision == 1
    assert (
        claim_adjust(actor=None, original=original, amount_fen=gold + 5000, reason="再算") is None
    )
    less = claim_adjust(actor=None, original=original, amount_fen=gold - 7000, reason="事实更正")
    assert less is not None and less.kind == ClaimKind.RECOVERY
    assert less.amount_fen == -12000 and less.revision == 2
    original.refresh_from_db()
    assert original.amount_fen == gold  # never edited
    with pytest.raises(DomainError):
        claim_adjust(actor=None, original=less, amount_fen=0, reason="x")
    with pytest.raises(DomainError):
        claim_adjust(actor=None, original=original, amount_fen=0, reason=" ")


def test_a_corrected_fact_keeps_the_key_and_the_new_amount_is_the_difference() -> None:
    world = build_world()
    original = medal_claim(world.gold)
    fact_correct(actor=None, fact=world.gold_fact, reason="成绩录入有误", level="silver")
    (new,) = [n for n in lines_for(world.gold) if n.item.id == MEDAL]
    assert claim_create(actor=None, new=new) is None  # the same key: the root of the chain
    recovery = claim_adjust(
        actor=None, original=original, amount_fen=new.amount_fen, reason="事实更正"
    )
    assert recovery is not None and recovery.kind == ClaimKind.RECOVERY
    assert recovery.amount_fen == medal_fen("silver") - medal_fen("gold")


def test_the_beneficiary_confirms_an_account_and_a_bad_one_is_refused_in_chinese() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    claim_account_confirm(actor=world.worker, claim=claim, account="6222 0202 0011 9999 000")
    claim.refresh_from_db()
    assert claim.payee_account == "6222020200119999000"
    with pytest.raises(DomainError) as err:
        claim_account_confirm(actor=world.worker, claim=claim, account="abc")
    assert "收款账号" in err.value.message
    entry = AuditEntry.objects.get(action="claim_account_confirm", object_id=str(claim.pk))
    assert "6222020200119999000" not in str(entry.after)


def test_a_date_in_the_claim_is_the_instalment_due_date() -> None:
    world = build_world()
    claim = medal_claim(world.gold)
    assert claim.schedule, "a one-off item has one payment"
    assert claim.due_on == dt.date.fromisoformat(claim.schedule[0]["date"])
    assert claim.due_on >= claim.trigger_date
