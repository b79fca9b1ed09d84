"""Several chains, no global lock: a transaction holding one chain head (a long import) leaves
the others to every other writer, and verification still catches an edit, a deletion, a move
between chains or a reordering on any chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections, transaction

from jineng.audit import services
from jineng.audit.models import CHAIN_COUNT, AuditEntry, AuditHead
from jineng.audit.services import AuditChainBroken, audit_record, audit_record_batch, audit_verify
from jineng.audit.tests.tampering import delete_row, tamper


@pytest.fixture
def on_chain(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Choose the chain the next appends take (SQLite always takes chain 1 by itself)."""
    chosen = [1]

    def lock_head() -> AuditHead:
        services._ensure_heads()
        return AuditHead.objects.select_for_update().get(pk=chosen[0])

    monkeypatch.setattr(services, "_lock_head", lock_head)
    yield chosen


def _spread(on_chain: list[int]) -> dict[int, list[AuditEntry]]:
    chains: dict[int, list[AuditEntry]] = {}
    for i in range(9):
        on_chain[0] = 1 + i % 3
        chains.setdefault(on_chain[0], []).append(
            audit_record(actor=None, action="update", object_type="person", object_id=i)
        )
    return chains


@pytest.mark.django_db
def test_every_head_is_there_after_the_first_append() -> None:
    audit_record(actor=None, action="create", object_type="person", object_id=1)
    assert set(AuditHead.objects.values_list("pk", flat=True)) == set(range(1, CHAIN_COUNT + 1))


@pytest.mark.django_db
def test_entries_on_several_chains_verify(on_chain: list[int]) -> None:
    chains = _spread(on_chain)
    assert {c: [e.seq for e in es] for c, es in chains.items()} == {
        1: [1, 2, 3],
        2: [1, 2, 3],
        3: [1, 2, 3],
    }
    assert (audit_verify().ok, audit_verify().checked) == (True, 9)


@pytest.mark.django_db
def test_an_edit_on_any_chain_is_named(on_chain: list[int]) -> None:
    chains = _spread(on_chain)
    tamper(chains[2][1].pk, "reason", "已核实")
    assert audit_verify().first_bad_id == chains[2][1].pk


@pytest.mark.django_db
def test_moving_an_entry_to_another_chain_is_detected(on_chain: list[int]) -> None:
    chains = _spread(on_chain)
    last = chains[3][-1]
    tamper(last.pk, "chain", 4)
    assert not audit_verify().ok


@pytest.mark.django_db
def test_reordering_two_entries_of_a_chain_is_detected(on_chain: list[int]) -> None:
    chains = _spread(on_chain)
    a, b = chains[1][0], chains[1][1]
    tamper(a.pk, "seq", 1000)
    tamper(b.pk, "seq", 1)
    tamper(a.pk, "seq", 2)
    result = audit_verify()
    assert not result.ok and result.first_bad_id in {a.pk, b.pk}


@pytest.mark.django_db
def test_a_chain_emptied_with_its_head_kept_is_detected(on_chain: list[int]) -> None:
    chains = _spread(on_chain)
    for e in chains[2]:
        delete_row(e.pk)
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, chains[2][-1].pk)


@pytest.mark.django_db
def test_a_chain_emptied_with_its_head_removed_is_detected(on_chain: list[int]) -> None:
    chains = _spread(on_chain)
    for e in chains[3]:
        delete_row(e.pk)
    AuditHead.objects.filter(pk=3).delete()
    assert audit_verify().reason == "审计链头缺失"


@pytest.mark.django_db
def test_a_removed_head_is_not_silently_recreated() -> None:
    audit_record(actor=None, action="create", object_type="person", object_id=1)
    first = AuditEntry.objects.get()
    AuditHead.objects.filter(pk=first.chain).delete()
    with pytest.raises(AuditChainBroken):
        services._ensure_heads()


@pytest.mark.django_db
def test_heads_another_writer_committed_meanwhile_are_not_taken_for_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given entries on their chain heads, and a first read of the heads that saw none of them (as
    # when another writer created the heads and committed its entries between two statements)
    audit_record(actor=None, action="create", object_type="person", object_id=1)
    real = services._existing_heads
    reads = iter([set[int]()])
    monkeypatch.setattr(services, "_existing_heads", lambda: next(reads, None) or real())
    # when the heads are ensured, then nothing is reported broken and no head is rewritten
    before = list(AuditHead.objects.order_by("pk").values_list("pk", "length", "last_hash"))
    services._ensure_heads()
    assert list(AuditHead.objects.order_by("pk").values_list("pk", "length", "last_hash")) == before
    assert audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_a_long_batch_transaction_does_not_block_other_writers() -> None:
    # given the chain heads (the migration creates them; a flushed test database has none)
    services._ensure_heads()
    # and an import's transaction that has written its audit entries and is still open
    written, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def importer() -> None:
        try:
            with transaction.atomic():
                audit_record_batch(
                    actor=None,
                    action="create",
                    object_type="person",
                    rows=[(i, None, {"n": i}) for i in range(500)],
                )
                written.set()
                assert release.wait(60)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
            written.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        assert written.wait(60)
        # when another writer appends (a lock wait would fail at once instead of queueing)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            for i in range(5):
                audit_record(actor=None, action="reveal", object_type="person", object_id=i)
    finally:
        release.set()
        thread.join()
    # then both went through, on different chains, and the trail verifies
    assert errors == []
    chains = set(AuditEntry.objects.values_list("chain", flat=True))
    assert len(chains) == 2
    assert (audit_verify().ok, audit_verify().checked) == (True, 505)
