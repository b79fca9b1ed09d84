import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from jineng.audit.models import AuditAppendOnly, AuditEntry
from jineng.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry() -> AuditEntry:
    return audit_record(actor=None, action="create", object_type="person", object_id=1, reason="x")


def test_saving_an_existing_entry_is_refused_and_changes_nothing(entry: AuditEntry) -> None:
    entry.reason = "changed"
    with pytest.raises(AuditAppendOnly):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "x"


def test_deleting_an_entry_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(AuditAppendOnly):
        entry.delete()
    with pytest.raises(AuditAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(AuditAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="changed")
    assert AuditEntry.objects.get(pk=entry.pk).reason == "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL-only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET reason = 'changed' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_postgresql_trigger_refuses_raw_update_and_delete(entry: AuditEntry, sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "x"
