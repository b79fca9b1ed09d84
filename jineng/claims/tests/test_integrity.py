"""Integrity checks before money leaves: the same trigger claimed twice, the same occupation and
level paid under two items that exclude each other, a payee account that is not the person's own.
Each finding is a flag with its evidence in its own queue; a flagged claim cannot be approved or
paid until an officer clears or upholds it with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from jineng.audit.models import AuditEntry
from jineng.claims.access import claim_flags_visible_to
from jineng.claims.models import ClaimFlag, FlagKind, FlagStatus
from jineng.claims.services import claim_approve, claim_review, flag_decide, integrity_check
from jineng.claims.tests.support import ON, bare_claim, build_world
from jineng.core.errors import Conflict, DomainError
from jineng.identity.models import Role
from jineng.identity.testing import make_user

pytestmark = pytest.mark.django_db
CERT: dict[str, Any] = {
    "trigger_kind": "certificate",
    "trigger_code": "4-01-02-01",
    "trigger_level": "4",
}


def kinds(claim_pk: int) -> set[str]:
    return set(ClaimFlag.objects.filter(claim_id=claim_pk).values_list("kind", flat=True))


def test_the_same_certificate_recorded_twice_is_a_suspected_duplicate() -> None:
    world = build_world()
    first = bare_claim(world.gold, **CERT)
    second = bare_claim(world.gold, **CERT)  # another fact, same kind, code, level and date
    other_level = bare_claim(world.gold, **{**CERT, "trigger_level": "3"})
    someone_else = bare_claim(world.silver, **CERT)
    assert integrity_check(actor=None) == 2
    assert kinds(first.pk) == kinds(second.pk) == {FlagKind.DUPLICATE}
    assert kinds(other_level.pk) == kinds(someone_else.pk) == set()
    flag = ClaimFlag.objects.get(claim=first)
    assert flag.evidence["code"] == "4-01-02-01" and flag.evidence["level"] == "4"
    assert integrity_check(actor=None) == 0  # run again: nothing new
    assert AuditEntry.objects.filter(action="claim_flag_raise").count() == 2


@override_settings(CLAIMS_EXCLUSIVE_ITEMS=[["test.upgrade", "test.training"]])
def test_the_same_occupation_and_level_under_two_exclusive_items_is_flagged() -> None:
    world = build_world()
    upgrade = bare_claim(world.gold, item_id="test.upgrade", **CERT)
    training = bare_claim(world.gold, item_id="test.training", **CERT)
    unrelated = bare_claim(world.gold, item_id="test.other", **CERT)
    integrity_check(
        actor=None, claims=type(upgrade).objects.filter(pk__in=[upgrade.pk, unrelated.pk])
    )
    assert kinds(upgrade.pk) == {FlagKind.EXCLUSIVE}
    assert kinds(unrelated.pk) == set()
    assert kinds(training.pk) == set()  # not among the claims checked this time
    assert ClaimFlag.objects.get(claim=upgrade).evidence["group"] == [
        "test.upgrade",
        "test.training",
    ]


def test_a_payee_account_that_is_not_the_persons_own_is_flagged() -> None:
    world = build_world()
    own = bare_claim(world.gold)
    foreign = bare_claim(world.gold, payee_account="6222111122223333444")
    integrity_check(actor=None)
    assert kinds(own.pk) == set()
    assert kinds(foreign.pk) == {FlagKind.FOREIGN_ACCOUNT}
    assert "6222111122223333444" not in str(ClaimFlag.objects.get(claim=foreign).evidence)


def test_a_flag_blocks_approval_until_cleared_with_a_reason() -> None:
    world = build_world()
    claim = bare_claim(world.gold, **CERT)
    bare_claim(world.gold, **CERT)
    integrity_check(actor=None)
    claim_review(actor=world.reviewer, claim=claim)
    with pytest.raises(Conflict) as err:
        claim_approve(actor=world.approver, claim=claim, today=ON)
    assert "疑点" in err.value.message
    flag = ClaimFlag.objects.get(claim=claim)
    with pytest.raises(DomainError):
        flag_decide(actor=world.reviewer, flag=flag, upheld=False, reason=" ")
    with pytest.raises(PermissionDenied):
        flag_decide(actor=world.worker, flag=flag, upheld=False, reason="看过了")
    flag_decide(
        actor=world.reviewer, flag=flag, upheld=False, reason="两张证书为不同工种，系录入错误"
    )
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLEARED and flag.decided_by == world.reviewer
    assert flag.reason.startswith("两张证书")
    entry = AuditEntry.objects.get(action="claim_flag_decide", object_id=str(flag.pk))
    assert entry.reason == flag.reason
    claim_approve(actor=world.approver, claim=claim, today=ON)
    assert integrity_check(actor=None) == 0  # a decided finding is not raised again


def test_suspected_duplicates_are_their_own_queue_scoped_by_region() -> None:
    world = build_world()
    bare_claim(world.gold, **CERT)
    bare_claim(world.gold, **CERT)
    integrity_check(actor=None)
    queue = claim_flags_visible_to(world.reviewer).filter(
        status=FlagStatus.OPEN, kind=FlagKind.DUPLICATE
    )
    assert queue.count() == 2
    elsewhere = make_user(Role.BUREAU_REVIEWER, region="441900")
    assert not claim_flags_visible_to(elsewhere).exists()
    assert not claim_flags_visible_to(world.worker).exists()
