"""The chain is keyed: a row edited and every later hash and the head recomputed with the
project's own functions no longer verifies without the key; keys rotate; old entries are re-signed
by `audit rekey` after checking them under the scheme they were written with."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.test import override_settings

from jineng.audit.chain import GENESIS_HASH, legacy_entry_hash
from jineng.audit.keys import chain_keys, current_chain_key, key_id
from jineng.audit.models import AuditEntry, AuditHead
from jineng.audit.rekey import audit_rekey
from jineng.audit.services import AuditChainBroken, audit_record, audit_verify
from jineng.audit.tests.attacks import _set_head, rewrite_from, truncate
from jineng.audit.tests.tampering import tamper
from jineng.identity.services import person_create
from jineng.web.tests.world import resident_id

pytestmark = pytest.mark.django_db


def _chain(n: int = 5) -> list[AuditEntry]:
    return [
        audit_record(
            actor=None,
            action="update",
            object_type="person",
            object_id=i,
            after={"education": "senior"},
        )
        for i in range(1, n + 1)
    ]


def test_an_entry_records_the_id_of_the_key_that_signed_it() -> None:
    entry = _chain(1)[0]
    kid, key = current_chain_key()
    assert entry.key_id == kid == hashlib.sha256(key).hexdigest()[:8] == key_id(key)


def test_rewriting_a_row_and_every_later_hash_without_the_key_is_detected() -> None:
    # given an attacker who edits row 2 and recomputes rows 2..5 and the head, key guessed
    chain = _chain()
    rewrite_from(chain[1], key=b"guessed", key_id=current_chain_key()[0], after={"x": 1})
    # then the head's MAC fails first (it names the chain's last entry)
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, chain[-1].pk)
    assert "链头被改动" in result.reason


def test_rewriting_rows_without_the_key_is_named_even_with_the_old_head() -> None:
    chain = _chain()
    kid, key = current_chain_key()
    head_before = AuditHead.objects.get(pk=chain[0].chain)
    rewrite_from(chain[1], key=b"guessed", key_id=kid, after={"x": 1})
    _set_head(chain[0].chain, mac=head_before.mac, last_hash=head_before.last_hash)
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, chain[1].pk)
    assert "被改动" in result.reason


def test_the_same_rewrite_with_the_real_key_would_pass_so_the_attack_is_complete() -> None:
    # (control: the attack above is a full rewrite; only the key stops it — the anchor tests
    # show what catches an insider who holds the key)
    chain = _chain()
    kid, key = current_chain_key()
    rewrite_from(chain[1], key=key, key_id=kid, after={"x": 1})
    assert audit_verify().ok


def test_the_old_unkeyed_hash_is_no_longer_accepted() -> None:
    # given the pre-key attack: the entry's hash recomputed with the old sha256 function
    entry = _chain(1)[0]
    legacy = legacy_entry_hash(
        prev_hash=GENESIS_HASH,
        at=entry.at,
        actor_id=None,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=None,
        after={"education": "postgraduate"},
        reason="",
    )
    tamper(entry.pk, "after", '{"education": "postgraduate"}')
    tamper(entry.pk, "hash", legacy)
    tamper(entry.pk, "key_id", "")
    _set_head(entry.chain, last_hash=legacy)
    result = audit_verify()
    assert not result.ok


def test_cutting_rows_off_and_fixing_the_head_without_the_key_is_detected() -> None:
    chain = _chain()
    truncate(chain, 3, key=b"guessed", key_id=current_chain_key()[0])
    result = audit_verify()
    assert not result.ok and "链头被改动" in result.reason


def test_after_rotation_old_entries_verify_under_their_own_key() -> None:
    with override_settings(AUDIT_CHAIN_KEY="old-key-0123456789abcdef"):
        old = _chain(2)
    with override_settings(AUDIT_CHAIN_KEY="new-key-0123456789abcdef,old-key-0123456789abcdef"):
        new = _chain(2)
        assert audit_verify().ok
    assert old[0].key_id == key_id(b"old-key-0123456789abcdef")
    assert new[0].key_id == key_id(b"new-key-0123456789abcdef")
    # dropping the old key before re-signing: the old entries no longer verify
    with override_settings(AUDIT_CHAIN_KEY="new-key-0123456789abcdef"):
        result = audit_verify()
        assert (result.ok, result.first_bad_id) == (False, old[0].pk)
        assert "未知密钥" in result.reason
    # re-signing under both keys, then the old key can go
    with override_settings(AUDIT_CHAIN_KEY="new-key-0123456789abcdef,old-key-0123456789abcdef"):
        assert audit_rekey().rewritten == 4
    with override_settings(AUDIT_CHAIN_KEY="new-key-0123456789abcdef"):
        assert audit_verify().ok
        assert set(AuditEntry.objects.values_list("key_id", flat=True)) == set(chain_keys())


def _make_legacy() -> None:
    """Turn the trail into what it was before the key: sha256 hashes, no key id, no region."""
    for head in AuditHead.objects.all():
        prev, last = GENESIS_HASH, None
        for e in AuditEntry.objects.filter(chain=head.pk).order_by("seq"):
            h = legacy_entry_hash(
                prev_hash=prev,
                at=e.at,
                actor_id=e.actor_id,
                actor_label=e.actor_label,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                before=e.before,
                after=e.after,
                reason=e.reason,
            )
            tamper(e.pk, "prev_hash", prev)
            tamper(e.pk, "hash", h)
            tamper(e.pk, "key_id", "")
            tamper(e.pk, "region", "")
            prev, last = h, e
        if last is not None:
            _set_head(head.pk, last_hash=prev, key_id="", mac="")


def test_rekey_checks_the_legacy_trail_then_signs_it_and_fills_regions() -> None:
    person = person_create(
        actor=None,
        name="邓志明",
        id_number=resident_id("44190019900101001"),
        residence_region="441900",
    )
    _chain(2)
    _make_legacy()
    result = audit_verify()
    assert not result.ok and "jineng audit rekey" in result.reason

    outcome = audit_rekey()

    assert outcome.rewritten == AuditEntry.objects.count() >= 3
    assert audit_verify().ok
    entry = AuditEntry.objects.filter(object_type="person", object_id=str(person.pk)).first()
    assert entry is not None
    assert (entry.key_id, entry.region) == (current_chain_key()[0], "441900")


def test_rekey_refuses_a_tampered_legacy_trail_and_changes_nothing() -> None:
    chain = _chain(3)
    _make_legacy()
    tamper(chain[1].pk, "reason", "已核实")
    hashes = list(AuditEntry.objects.order_by("id").values_list("hash", flat=True))
    with pytest.raises(AuditChainBroken, match=f"第{chain[1].pk}条"):
        audit_rekey()
    assert list(AuditEntry.objects.order_by("id").values_list("hash", flat=True)) == hashes
    assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {""}


def test_rekey_command_reports_what_it_did(capsys: pytest.CaptureFixture[str]) -> None:
    _chain(2)
    call_command("audit", "rekey")
    assert "重新签名 2 条" in capsys.readouterr().out
    assert audit_verify().ok
