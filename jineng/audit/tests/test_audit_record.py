import datetime as dt

import pytest

from jineng.audit.keys import current_chain_key
from jineng.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from jineng.audit.services import audit_record, audit_record_batch, audit_verify, entry_hash
from jineng.identity.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> User:
    return User.objects.create_user(username="officer1", password="correct-horse-battery")


def test_first_entry_chains_from_genesis_and_records_who_and_what(officer: User) -> None:
    # when
    entry = audit_record(
        actor=officer,
        action="update",
        object_type="person",
        object_id=42,
        before={"education": "senior"},
        after={"education": "college"},
        reason="学历更正",
    )
    # then
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.prev_hash == GENESIS_HASH
    assert stored.actor_id == officer.pk
    assert stored.actor_label == "officer1"
    assert (stored.action, stored.object_type, stored.object_id) == ("update", "person", "42")
    assert stored.before == {"education": "senior"}
    assert stored.after == {"education": "college"}
    assert stored.reason == "学历更正"
    kid, key = current_chain_key()
    assert (stored.key_id, stored.seq) == (kid, 1)
    assert stored.hash == entry_hash(
        key=key,
        key_id=kid,
        chain=stored.chain,
        seq=1,
        region="",
        prev_hash=GENESIS_HASH,
        at=stored.at,
        actor_id=officer.pk,
        actor_label="officer1",
        action="update",
        object_type="person",
        object_id="42",
        before={"education": "senior"},
        after={"education": "college"},
        reason="学历更正",
    )


def test_each_entry_points_at_the_one_before_and_the_head_follows() -> None:
    first = audit_record(actor=None, action="create", object_type="person", object_id=1)
    second = audit_record(actor=None, action="create", object_type="person", object_id=2)

    assert first.actor_label == "system"
    assert second.prev_hash == first.hash
    head = AuditHead.objects.get(pk=first.chain)
    assert second.chain == first.chain  # one writer, no contention: one chain
    assert (head.last_hash, head.last_id, head.length) == (second.hash, second.pk, 2)


def test_values_are_stored_as_plain_json() -> None:
    entry = audit_record(
        actor=None,
        action="update",
        object_type="person",
        object_id=7,
        after={"insured_since": dt.date(2020, 5, 1), "score": 2.0, "tags": ("a", "b")},
    )
    assert AuditEntry.objects.get(pk=entry.pk).after == {
        "insured_since": "2020-05-01",
        "score": 2,
        "tags": ["a", "b"],
    }


def test_sensitive_values_are_masked_before_they_are_stored() -> None:
    # given values a careless caller passes in clear
    entry = audit_record(
        actor=None,
        action="create",
        object_type="person",
        object_id=3,
        after={
            "id_number": "441900198503010015",
            "phone": "13812345678",
            "bank_account": "6222021234567890123",
            "note": "联系 13987654321，证件 11010519491231002X",
        },
    )
    stored = AuditEntry.objects.get(pk=entry.pk).after
    assert stored == {
        "id_number": "4419**********0015",
        "phone": "138****5678",
        "bank_account": "***************0123",
        "note": "联系 139****4321，证件 1101**********002X",
    }


def test_batch_appends_every_row_on_the_same_chain() -> None:
    before = audit_record(actor=None, action="create", object_type="person", object_id=1)

    count = audit_record_batch(
        actor=None,
        action="import",
        object_type="person",
        rows=[(i, None, {"name": f"工人{i}"}) for i in range(2, 2505)],
        reason="导入 people.xlsx",
    )

    assert count == 2503
    entries = list(AuditEntry.objects.order_by("id").values_list("prev_hash", "hash"))
    assert entries[1][0] == before.hash
    assert all(entries[i][0] == entries[i - 1][1] for i in range(1, len(entries)))
    head = AuditHead.objects.get(pk=before.chain)
    assert (head.length, head.last_hash) == (2504, entries[-1][1])
    assert audit_verify().ok


def test_empty_batch_writes_nothing() -> None:
    assert audit_record_batch(actor=None, action="import", object_type="person", rows=[]) == 0
    assert AuditEntry.objects.count() == 0
