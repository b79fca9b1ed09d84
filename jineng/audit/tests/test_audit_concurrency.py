import threading

import pytest
from django.db import connection, connections

from jineng.audit.models import AuditEntry
from jineng.audit.services import audit_record, audit_record_batch, audit_verify


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    # given four writers appending at once, single entries and batches mixed
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                audit_record(actor=None, action="update", object_type="person", object_id=i)
            audit_record_batch(
                actor=None,
                action="import",
                object_type="person",
                rows=[(f"{n}-{i}", None, {"n": i}) for i in range(50)],
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then every entry is on one unbroken chain
    assert errors == []
    assert AuditEntry.objects.count() == 4 * (15 + 50)
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 260)
